#include <doctest/doctest.h>

#include <string>

#include "message/message.h"

using namespace satchel::message;

namespace {

// The ENVELOPE address list of the To: field of a message with the given header.
std::string to_list(const std::string& to_value) {
  std::string text = "To: " + to_value + "\r\n\r\n";
  auto m = parse(text);
  std::string env = envelope(*m);
  // (NIL NIL NIL NIL NIL <to> NIL NIL NIL NIL): strip the fixed prefix and suffix.
  const std::string prefix = "(NIL NIL NIL NIL NIL ";
  const std::string suffix = " NIL NIL NIL NIL)";
  REQUIRE(env.rfind(prefix, 0) == 0);
  REQUIRE(env.size() >= prefix.size() + suffix.size());
  return env.substr(prefix.size(), env.size() - prefix.size() - suffix.size());
}

}  // namespace

TEST_CASE("addresses: display names, quoted strings, comments") {
  CHECK(to_list("\"Doe, John\" <john@x.org>") == "((\"Doe, John\" NIL \"john\" \"x.org\"))");
  CHECK(to_list("john@x.org (John Doe)") == "((\"John Doe\" NIL \"john\" \"x.org\"))");
  CHECK(to_list("\"a \\\"b\\\"\" <x@y>") == "((\"a \\\"b\\\"\" NIL \"x\" \"y\"))");
  CHECK(to_list("\"john doe\"@example.com") == "((NIL NIL \"john doe\" \"example.com\"))");
  CHECK(to_list("Mary  Smith <mary@x.net>, jdoe@one.test") ==
        "((\"Mary Smith\" NIL \"mary\" \"x.net\")(NIL NIL \"jdoe\" \"one.test\"))");
  CHECK(to_list("<@r1.test,@r2.test:u@h.test>") ==
        "((NIL \"@r1.test,@r2.test\" \"u\" \"h.test\"))");
  CHECK(to_list("x@[192.0.2.1]") == "((NIL NIL \"x\" \"[192.0.2.1]\"))");
}

TEST_CASE("addresses: groups as RFC 3501 §7.4.2 encodes them") {
  CHECK(to_list("undisclosed-recipients:;") ==
        "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))");
  CHECK(to_list("A Group: ed@x.test, \"Q\" <q@y.test>; solo@z.test") ==
        "((NIL NIL \"A Group\" NIL)(NIL NIL \"ed\" \"x.test\")(\"Q\" NIL \"q\" \"y.test\")"
        "(NIL NIL NIL NIL)(NIL NIL \"solo\" \"z.test\"))");
  // An unterminated group is closed at the end.
  CHECK(to_list("g: a@b") == "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL))");
}

TEST_CASE("addresses: junk, missing parts, empty lists, 8-bit names") {
  CHECK(to_list("") == "NIL");
  CHECK(to_list(",,,") == "NIL");
  CHECK(to_list("foo") == "((NIL NIL \"foo\" \"MISSING_DOMAIN\"))");
  CHECK(to_list("Name <@x>") == "((\"Name\" NIL \"MISSING_MAILBOX\" \"x\"))");
  CHECK(to_list("J\xC3\xBCrgen <j@x>") == "(({7}\r\nJ\xC3\xBCrgen NIL \"j\" \"x\"))");
  CHECK(to_list("=?utf-8?q?J=C3=BCrgen?= <j@x>") ==
        "((\"=?utf-8?q?J=C3=BCrgen?=\" NIL \"j\" \"x\"))");
  CHECK(to_list("<<<>>>@@,;:::\"unterminated") != "");
}

TEST_CASE("envelope: sender and reply-to default to from; folded values are unfolded") {
  auto m = parse(
      "From: a@b.c\r\nSender:\r\nSubject: two\r\n\tlines\r\nIn-Reply-To: <p@q>\r\n"
      "Cc: c@d.e\r\nBcc: f@g.h\r\nReply-To: r@s.t\r\nMessage-ID:  <m@n> \r\n\r\n");
  CHECK(envelope(*m) ==
        "(NIL \"two\tlines\" ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" \"b.c\")) "
        "((NIL NIL \"r\" \"s.t\")) NIL ((NIL NIL \"c\" \"d.e\")) ((NIL NIL \"f\" \"g.h\")) "
        "\"<p@q>\" \"<m@n>\")");
  auto none = parse("\r\nbody");
  CHECK(envelope(*none) == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  auto empty_subject = parse("Subject:\r\n\r\n");
  CHECK(envelope(*empty_subject) == "(NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("strings with CR, LF or 8-bit octets are sent as literals") {
  auto m = parse("Subject: caf\xC3\xA9\r\n\r\n");
  CHECK(envelope(*m) == "(NIL {5}\r\ncaf\xC3\xA9 NIL NIL NIL NIL NIL NIL NIL NIL)");
}
