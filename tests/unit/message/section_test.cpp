#include <doctest/doctest.h>

#include "message/message.h"

using namespace satchel::message;

namespace {

Section fields(std::vector<std::string> names, bool negate = false) {
  Section s;
  s.kind = negate ? Section::Kind::HeaderFieldsNot : Section::Kind::HeaderFields;
  s.fields = std::move(names);
  return s;
}

}  // namespace

// RFC 3501 §6.4.5: "the blank line is included in all header fetches, except in the case of a
// message which has no body and no blank line."
TEST_CASE("HEADER.FIELDS of a message with no body and no blank line has no blank line") {
  const char* text = "Subject: header only\r\nTo: x@y.example\r\nFrom: a@b.example\r\n";
  auto msg = parse(text);
  CHECK(section(*msg, fields({"FROM", "SUBJECT"})) ==
        "Subject: header only\r\nFrom: a@b.example\r\n");
  CHECK(section(*msg, fields({"TO"}, true)) == "Subject: header only\r\nFrom: a@b.example\r\n");
  CHECK(section(*msg, fields({"X-None"})) == "");
  Section header;
  header.kind = Section::Kind::Header;
  CHECK(section(*msg, header) == text);
}

TEST_CASE("HEADER.FIELDS of a message with a blank line keeps it, even with an empty body") {
  auto with_body = parse("Subject: s\r\nFrom: a@b.example\r\n\r\nbody\r\n");
  CHECK(section(*with_body, fields({"FROM"})) == "From: a@b.example\r\n\r\n");
  auto empty_body = parse("Subject: s\r\nFrom: a@b.example\r\n\r\n");
  CHECK(section(*empty_body, fields({"FROM"})) == "From: a@b.example\r\n\r\n");
  CHECK(section(*empty_body, fields({"X-None"})) == "\r\n");
  auto no_header = parse("\r\nbody only\r\n");
  CHECK(section(*no_header, fields({"FROM"})) == "\r\n");
}

TEST_CASE("HEADER.FIELDS of a header cut without its last line end has no blank line") {
  auto msg = parse("From: a@b.example\r\nSubject: cut");
  CHECK(section(*msg, fields({"SUBJECT"})) == "Subject: cut\r\n");
}

TEST_CASE("HEADER.FIELDS of an encapsulated message keeps its blank line") {
  auto msg = parse(
      "Content-Type: message/rfc822\r\n\r\n"
      "Subject: inner\r\nFrom: i@x.example\r\n\r\ninner body\r\n");
  Section s = fields({"SUBJECT"});
  s.part = {1};
  CHECK(section(*msg, s) == "Subject: inner\r\n\r\n");
}
