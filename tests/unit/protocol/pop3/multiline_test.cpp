#include "protocol/pop3/multiline.h"

#include <doctest/doctest.h>

using namespace satchel::pop3;

namespace {
std::string stuffed(std::string_view text) {
  std::string out;
  append_stuffed(out, text);
  return out;
}
}  // namespace

TEST_CASE("Lines beginning with a dot get one more dot") {
  CHECK(stuffed("a\r\n.b\r\n..c\r\n.\r\nd.\r\n") == "a\r\n..b\r\n...c\r\n..\r\nd.\r\n.\r\n");
  CHECK(stuffed(".first\r\n") == "..first\r\n.\r\n");
}

TEST_CASE("A message without a final CRLF gets one before the terminator") {
  CHECK(stuffed("Subject: x\r\n\r\nno newline") == "Subject: x\r\n\r\nno newline\r\n.\r\n");
  CHECK(stuffed("ends with dot\r\n.") == "ends with dot\r\n..\r\n.\r\n");
}

TEST_CASE("An empty message is only the terminator") {
  CHECK(stuffed("") == ".\r\n");
}

TEST_CASE("A dot after a bare LF is stuffed too") {
  CHECK(stuffed("a\n.b\r\n") == "a\n..b\r\n.\r\n");
}

TEST_CASE("TOP returns the header, the blank line and n body lines") {
  std::string msg = "From: a\r\nSubject: b\r\n\r\nline1\r\nline2\r\nline3\r\n";
  CHECK(top_of_message(msg, 0) == "From: a\r\nSubject: b\r\n\r\n");
  CHECK(top_of_message(msg, 2) == "From: a\r\nSubject: b\r\n\r\nline1\r\nline2\r\n");
  CHECK(top_of_message(msg, 3) == msg);
  CHECK(top_of_message(msg, 1000) == msg);
}

TEST_CASE("TOP of a message without a body separator is the whole message") {
  CHECK(top_of_message("From: a\r\nSubject: b\r\n", 0) == "From: a\r\nSubject: b\r\n");
  CHECK(top_of_message("From: a", 0) == "From: a");
}

TEST_CASE("TOP of a message that starts with the blank line has an empty header") {
  CHECK(top_of_message("\r\nbody\r\nmore\r\n", 1) == "\r\nbody\r\n");
}

TEST_CASE("TOP with a last body line lacking CRLF") {
  CHECK(top_of_message("H: v\r\n\r\nb1\r\nb2", 5) == "H: v\r\n\r\nb1\r\nb2");
}
