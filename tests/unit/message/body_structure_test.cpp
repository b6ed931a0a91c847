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
