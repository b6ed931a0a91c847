// Structure tests: BODYSTRUCTURE and sections of nested multiparts and message/rfc822, and
// the malformed inputs a parser must survive.
#include <doctest/doctest.h>

#include <string>

#include "message/message.h"

using namespace satchel::message;

namespace {

const std::string kNested =
    "From: a@b.c\r\n"
    "Subject: multi\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "hello\r\n"
    "--XX\r\n"
    "Content-Type: multipart/alternative; boundary=YY\r\n"
    "\r\n"
    "--YY\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "alt plain\r\n"
    "--YY\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>x</b>\r\n"
    "--YY--\r\n"
    "--XX\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: inner@x.y\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "inner body\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
    "\r\n"
    "AAEC\r\n"
    "--XX--\r\n"
    "epilogue\r\n";

std::optional<std::string> sec(const ParsedMessage& m, std::vector<std::uint32_t> part,
                               Section::Kind kind = Section::Kind::Full) {
  return section(m, Section{std::move(part), kind, {}});
}

}  // namespace

TEST_CASE("BODYSTRUCTURE of nested multiparts, message/rfc822 and an attachment") {
  auto m = parse(kNested);
  const std::string inner_env =
      "(NIL \"inner\" ((NIL NIL \"inner\" \"x.y\")) ((NIL NIL \"inner\" \"x.y\")) "
      "((NIL NIL \"inner\" \"x.y\")) NIL NIL NIL NIL NIL)";
  // Sizes by hand: "hello" 5, "alt plain" 9, "<b>x</b>" 8; the rfc822 body is
  // "From: inner@x.y\r\n" 17 + "Subject: inner\r\n" 16 + "\r\n" 2 + "inner body" 10 = 45
  // octets and 3 lines; the CRLF before each delimiter belongs to the delimiter.
  CHECK(body_structure(*m, true) ==
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)"
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 9 0 NIL NIL NIL NIL)"
        "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 0 NIL NIL NIL NIL)"
        " \"alternative\" (\"boundary\" \"YY\") NIL NIL NIL)"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 45 " +
            inner_env +
            " (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL "
            "NIL) 3 NIL NIL NIL NIL)"
            "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") NIL NIL \"base64\" 4 NIL "
            "(\"attachment\" (\"filename\" \"a.bin\")) NIL NIL)"
            " \"mixed\" (\"boundary\" \"XX\") NIL NIL NIL)");
  CHECK(body_structure(*m, false) ==
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 5 0)"
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 9 0)"
        "(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 0) \"alternative\")"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 45 " +
            inner_env +
            " (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0) 3)"
            "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") NIL NIL \"base64\" 4)"
            " \"mixed\")");
}

TEST_CASE("section numbering follows RFC 3501 §6.4.5") {
  auto m = parse(kNested);
  CHECK(sec(*m, {1}) == "hello");
  CHECK(sec(*m, {2, 1}) == "alt plain");
  CHECK(sec(*m, {2, 2}) == "<b>x</b>");
  CHECK(sec(*m, {2, 2}, Section::Kind::Mime) == "Content-Type: text/html\r\n\r\n");
  CHECK(sec(*m, {3}) == "From: inner@x.y\r\nSubject: inner\r\n\r\ninner body");
  CHECK(sec(*m, {3}, Section::Kind::Header) == "From: inner@x.y\r\nSubject: inner\r\n\r\n");
  CHECK(sec(*m, {3}, Section::Kind::Text) == "inner body");
  CHECK(sec(*m, {3, 1}) == "inner body");  // The encapsulated message's part 1 is its body.
  CHECK(sec(*m, {3}, Section::Kind::Mime) == "Content-Type: message/rfc822\r\n\r\n");
  CHECK(sec(*m, {4}) == "AAEC");
  CHECK(sec(*m, {}, Section::Kind::Text)->rfind("preamble\r\n--XX\r\n", 0) == 0);
  CHECK_FALSE(sec(*m, {5}).has_value());
  CHECK_FALSE(sec(*m, {2, 3}).has_value());
  CHECK_FALSE(sec(*m, {1, 1}).has_value());
  CHECK_FALSE(sec(*m, {0}).has_value());
  CHECK_FALSE(sec(*m, {1}, Section::Kind::Header).has_value());  // Not a message/rfc822.
  CHECK_FALSE(sec(*m, {}, Section::Kind::Mime).has_value());
}

TEST_CASE("BINARY decodes base64 and quoted-printable and refuses unknown encodings") {
  auto m = parse(kNested);
  bool unknown = true;
  CHECK(binary_section(*m, {4}, &unknown) == std::string("\x00\x01\x02", 3));
  CHECK_FALSE(unknown);
  CHECK(binary_section(*m, {1}, &unknown) == "hello");

  auto qp = parse(
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n"
      "caf=C3=A9 soft=\r\nbreak =3D\r\n");
  CHECK(binary_section(*qp, {1}, &unknown) == "caf\xC3\xA9 softbreak =\r\n");
  auto odd = parse("Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n");
  CHECK_FALSE(binary_section(*odd, {1}, &unknown).has_value());
  CHECK(unknown);
  CHECK_FALSE(binary_section(*odd, {2}, &unknown).has_value());
}

TEST_CASE("a missing Content-Type is text/plain us-ascii; multipart/digest parts are messages") {
  auto plain = parse("Subject: x\r\n\r\nbody\r\n");
  CHECK(body_structure(*plain, true) ==
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 NIL NIL NIL NIL)");
  auto bad = parse("Content-Type: garbage\r\n\r\nx");
  CHECK(body_structure(*bad, false) ==
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0)");
  auto digest = parse(
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: s\r\n\r\nb\r\n"
      "--d--\r\n");
  CHECK(body_structure(*digest, false) ==
        "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL "
        "NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0) 2) \"digest\")");
}

TEST_CASE("extension data: MD5, disposition parameters, languages, location, RFC 2231") {
  auto m = parse(
      "Content-Type: multipart/mixed; boundary=b; foo=\"bar baz\"\r\n"
      "Content-Language: en\r\n\r\n"
      "--b\r\n"
      "Content-Type: image/png;\r\n name*0=\"long\"; name*1=\"-name.png\"\r\n"
      "Content-ID: <id@x>\r\nContent-Description: A picture\r\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
      "Content-Disposition: inline; filename*=utf-8''caf%C3%A9.png\r\n"
      "Content-Language: en, de\r\nContent-Location: http://x/y\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n"
      "iVBO\r\n--b--\r\n");
  CHECK(body_structure(*m, true) ==
        "((\"image\" \"png\" (\"name\" \"long-name.png\") \"<id@x>\" \"A picture\" \"base64\" 4 "
        "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"inline\" (\"filename*\" \"utf-8''caf%C3%A9.png\")) "
        "(\"en\" \"de\") \"http://x/y\")"
        " \"mixed\" (\"boundary\" \"b\" \"foo\" \"bar baz\") NIL \"en\" NIL)");
}

TEST_CASE("RFC 2231 continuations mixing encoded and plain sections stay decodable") {
  auto m = parse(
      "Content-Type: application/x; title*1=\" b\"; title*0*=us-ascii'en'a%20; title*2=c\r\n\r\n");
  CHECK(body_structure(*m, false) ==
        "(\"application\" \"x\" (\"title*\" \"us-ascii'en'a%20%20bc\") NIL NIL \"7bit\" 0)");
}

TEST_CASE("malformed boundaries: missing close, prefixes, unterminated nesting") {
  // The inner multipart is never closed; the outer delimiter ends it.
  auto m = parse(
      "Content-Type: multipart/mixed; boundary=ab\r\n\r\n"
      "--ab\r\nContent-Type: multipart/mixed; boundary=abc\r\n\r\n"
      "--abc\r\n\r\none\r\n--abcd\r\nstill one\r\n"
      "--ab\r\n\r\ntwo\r\n");
  CHECK(sec(*m, {1, 1}) == "one\r\n--abcd\r\nstill one");
  CHECK(sec(*m, {2}) == "two\r\n");
  CHECK_FALSE(sec(*m, {3}).has_value());

  // No delimiter at all: one empty part keeps the grammar's 1*body.
  auto none = parse("Content-Type: multipart/mixed; boundary=zz\r\n\r\njust text\r\n");
  CHECK(body_structure(*none, false) ==
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")");

  // A multipart without a boundary parameter is a leaf.
  auto nob = parse("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\ny\r\n");
  CHECK(body_structure(*nob, false) == "(\"multipart\" \"mixed\" NIL NIL NIL \"7bit\" 10)");

  // A part whose header runs into the next delimiter has an empty body.
  auto cut = parse(
      "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n"
      "--q--\r\n");
  CHECK(sec(*cut, {1}) == "");
  CHECK(sec(*cut, {1}, Section::Kind::Mime) == "Content-Type: text/plain\r\n");
}

TEST_CASE("nesting deeper than max_depth becomes a leaf") {
  std::string text;
  for (int i = 0; i < 10; ++i)
    text += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
            std::to_string(i) + "\r\n";
  text += "\r\ndeep\r\n";
  ParseLimits limits;
  limits.max_depth = 3;
  auto m = parse(text, limits);
  CHECK(sec(*m, {1, 1, 1}).has_value());
  CHECK_FALSE(sec(*m, {1, 1, 1, 1}).has_value());
  auto bs = body_structure(*m, true);
  // The part at the limit is opaque data: a "multipart" without parts would mislead clients.
  CHECK(bs.rfind("((((\"application\" \"octet-stream\" (\"boundary\" \"b3\")", 0) == 0);
  auto full = parse(text);
  CHECK(sec(*full, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) == "deep\r\n");
}

TEST_CASE("headers without colon, NUL bytes, bare LF and huge lines do not break parsing") {
  std::string text = "no colon here\r\nSubject: ok\r\nX: a";
  text += std::string(1, '\0');
  text += "b\r\nY: " + std::string(1 << 20, 'y') + "\r\n\nbody\r";
  auto m = parse(text);
  CHECK(header_contains(*m, "subject", "ok"));
  CHECK(sec(*m, {}, Section::Kind::HeaderFields).has_value());
  CHECK(sec(*m, {}, Section::Kind::Text) == "body\r");
  auto env = envelope(*m);
  CHECK(env.find("\"ok\"") != std::string::npos);
}

TEST_CASE("every prefix of a message parses to a structure inside the text") {
  // The parser is handed whole messages; a message cut at any octet (a partial write, a
  // truncated file) must still give a consistent structure.
  for (std::size_t n = 0; n <= kNested.size(); ++n) {
    std::string cut = kNested.substr(0, n);
    auto m = parse(cut);
    std::string bs = body_structure(*m, true);
    CHECK_FALSE(bs.empty());
    for (std::uint32_t a = 1; a <= 5; ++a) {
      auto s = sec(*m, {a});
      if (s) CHECK(s->size() <= n);
      for (std::uint32_t b = 1; b <= 2; ++b)
        if (auto t = sec(*m, {a, b})) CHECK(t->size() <= n);
    }
  }
}
