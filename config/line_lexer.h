// One line of satchel.conf split into its syntactic parts. Used by config/parser.cpp only.
#pragma once

#include <string>
#include <string_view>

namespace satchel::config {

struct LexedLine {
  enum class Type { Blank, Section, Assignment, Error };
  Type type = Type::Blank;
  std::string section;  // Section: the kind ("listener").
  std::string name;     // Section: the NAME of [listener NAME], or empty.
  std::string key;      // Assignment.
  std::string value;    // Assignment: unquoted, without the trailing comment.
  std::string error;    // Error: the reason, without file:line.
};

// Splits one line (without its line break). Comments: "#" at the start of the line or after
// whitespace, outside quotes. Values may be double-quoted with \" and \\ escapes.
LexedLine lex_line(std::string_view line);

}  // namespace satchel::config
