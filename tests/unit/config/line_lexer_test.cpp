#include "config/line_lexer.h"

#include <doctest/doctest.h>

using namespace satchel::config;
using Type = LexedLine::Type;

TEST_CASE("blank lines and comments") {
  CHECK(lex_line("").type == Type::Blank);
  CHECK(lex_line("   \t ").type == Type::Blank);
  CHECK(lex_line("# a comment").type == Type::Blank);
  CHECK(lex_line("   # indented comment").type == Type::Blank);
  CHECK(lex_line("\r").type == Type::Blank);
}

TEST_CASE("assignments, trailing comments and quoting") {
  auto l = lex_line("  max_line = 64k   # the longest line");
  REQUIRE(l.type == Type::Assignment);
  CHECK(l.key == "max_line");
  CHECK(l.value == "64k");

  CHECK(lex_line("ciphers = HIGH:#x").value == "HIGH:#x");  // '#' inside a word is kept.
  CHECK(lex_line("hostname =").value.empty());
  CHECK(lex_line("hostname = # nothing").value.empty());
  CHECK(lex_line("key=value\r").value == "value");

  auto q = lex_line(R"(mail_root = "/srv/mail # not a comment" # comment)");
  REQUIRE(q.type == Type::Assignment);
  CHECK(q.value == "/srv/mail # not a comment");
  CHECK(lex_line(R"(x = "a \"quoted\" \\ word")").value == R"(a "quoted" \ word)");
  CHECK(lex_line(R"(x = " padded ")").value == " padded ");
}

TEST_CASE("sections with and without names") {
  auto s = lex_line("[limits]");
  REQUIRE(s.type == Type::Section);
  CHECK(s.section == "limits");
  CHECK(s.name.empty());
  auto n = lex_line(" [listener  imaps ]  # implicit TLS");
  REQUIRE(n.type == Type::Section);
  CHECK(n.section == "listener");
  CHECK(n.name == "imaps");
}

TEST_CASE("syntax errors name the problem") {
  CHECK(lex_line("[limits").error == "missing ']' after section name");
  CHECK(lex_line("[limits] x").error == "unexpected text after ']'");
  CHECK(lex_line("[]").error == "empty section name");
  CHECK(lex_line("[listener a/b]").error ==
        "invalid name 'a/b': use letters, digits, '_', '-' and '.'");
  CHECK(lex_line("just words").error == "expected 'key = value', '[section]' or a comment");
  CHECK(lex_line("= 5").error == "missing key before '='");
  CHECK(lex_line("Max_Line = 5").error ==
        "invalid key 'Max_Line': keys are lower-case letters, digits and '_'");
  CHECK(lex_line(R"(x = "open)").error == "unterminated quoted value for x");
  CHECK(lex_line(R"(x = "a" b)").error == "unexpected text after quoted value for x");
  CHECK(lex_line(R"(x = "a\n")").error == "bad escape '\\n' for x");
  CHECK(lex_line(std::string("x = a\0b", 7)).error == "control character in line");
}
