#include <doctest/doctest.h>

#include "message/message.h"

using namespace satchel::message;

// RFC 2045 §5.2: text without a charset parameter is us-ascii. Said explicitly after the
// parameters the part has, as Dovecot does, so clients need not know the default.
TEST_CASE("a text part with parameters but no charset gets charset us-ascii appended") {
  auto msg = parse(
      "Content-Type: text/csv; name=\"report.csv\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n"
      "YSxiCg==\r\n");
  CHECK(body_structure(*msg, false) ==
        "(\"text\" \"csv\" (\"name\" \"report.csv\" \"charset\" \"us-ascii\") NIL NIL "
        "\"base64\" 10 1)");
  CHECK(body_structure(*msg, true) ==
        "(\"text\" \"csv\" (\"name\" \"report.csv\" \"charset\" \"us-ascii\") NIL NIL "
        "\"base64\" 10 1 NIL NIL NIL NIL)");
}

TEST_CASE("charset defaults: present (any case) kept, absent on text added, never on others") {
  auto given = parse("Content-Type: text/plain; format=flowed; CharSet=utf-8\r\n\r\nx\r\n");
  CHECK(body_structure(*given, false) ==
        "(\"text\" \"plain\" (\"format\" \"flowed\" \"CharSet\" \"utf-8\") NIL NIL \"7bit\" 3 1)");
  auto none = parse("Subject: no content type\r\n\r\nx\r\n");
  CHECK(body_structure(*none, false) ==
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1)");
  auto app = parse("Content-Type: application/pdf; name=a.pdf\r\n\r\nx\r\n");
  CHECK(body_structure(*app, false) ==
        "(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"7bit\" 3)");
}

TEST_CASE("message/rfc822 and multipart parts left unparsed are described as opaque data") {
  // RFC 3501 §9: body-type-msg needs an envelope and a body; a part the parser did not descend
  // into (here: message/rfc822 in base64) cannot give them.
  std::string text =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "U3ViamVjdDogeA0KDQp5DQo=\r\n--b--\r\n";
  auto msg = parse(text);
  CHECK(body_structure(*msg, false) ==
        "((\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 24) \"mixed\")");
  // Beyond the depth limit a nested message is a leaf too.
  std::string nested = "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n";
  ParseLimits shallow;
  shallow.max_depth = 0;
  auto limited = parse(nested, shallow);
  CHECK(body_structure(*limited, false) ==
        "(\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 21)");
}
