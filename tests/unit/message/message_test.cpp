#include "message/message.h"

#include <doctest/doctest.h>

using namespace satchel::message;

namespace {

const char* kSimple =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
    "Subject: afternoon meeting\r\n"
    "To: mooch@owatagu.siam.edu\r\n"
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

}  // namespace

TEST_CASE("to_crlf turns bare LF and bare CR into CRLF and keeps CRLF") {
  CHECK(to_crlf("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd");
  CHECK(to_crlf("a\r\n") == "a\r\n");
  CHECK(to_crlf("\r\r\n\n") == "\r\n\r\n\r\n");
  CHECK(to_crlf("") == "");
}

TEST_CASE("ENVELOPE of RFC 3501's example message") {
  auto msg = parse(kSimple);
  CHECK(envelope(*msg) ==
        "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"afternoon meeting\" "
        "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
        "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
        "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.COM\")) "
        "((NIL NIL \"mooch\" \"owatagu.siam.edu\")) NIL NIL NIL "
        "\"<B27397-0100000@Blurdybloop.COM>\")");
}

TEST_CASE("BODY and BODYSTRUCTURE of a single text part") {
  auto msg = parse(kSimple);
  CHECK(body_structure(*msg, false) ==
        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7bit\" 55 1)");
  CHECK(body_structure(*msg, true) ==
        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7bit\" 55 1 NIL NIL NIL NIL)");
}

TEST_CASE("sections of a single-part message") {
  auto msg = parse(kSimple);
  std::string_view text(kSimple);
  std::size_t blank = text.find("\r\n\r\n") + 4;
  CHECK(section(*msg, {{}, Section::Kind::Full, {}}) == std::string(text));
  CHECK(section(*msg, {{}, Section::Kind::Header, {}}) == std::string(text.substr(0, blank)));
  CHECK(section(*msg, {{}, Section::Kind::Text, {}}) == std::string(text.substr(blank)));
  CHECK(section(*msg, {{1}, Section::Kind::Full, {}}) == std::string(text.substr(blank)));
  CHECK_FALSE(section(*msg, {{2}, Section::Kind::Full, {}}).has_value());
  CHECK(section(*msg, {{}, Section::Kind::HeaderFields, {"subject", "FROM"}}) ==
        "From: Fred Foobar <foobar@Blurdybloop.COM>\r\nSubject: afternoon meeting\r\n\r\n");
}

TEST_CASE("header_contains is case-insensitive and needs the field") {
  auto msg = parse(kSimple);
  CHECK(header_contains(*msg, "subject", "AFTERNOON"));
  CHECK_FALSE(header_contains(*msg, "subject", "morning"));
  CHECK(header_contains(*msg, "To", ""));
  CHECK_FALSE(header_contains(*msg, "Cc", ""));
}
