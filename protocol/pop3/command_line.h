// A POP3 command line split into its keyword and arguments (RFC 1939 §3, RFC 2449 §3:
// "keyword *(SP param)"), and the number arguments of the TRANSACTION commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace satchel::pop3 {

struct CommandLine {
  std::string keyword;                 // Upper-cased (keywords are case-insensitive).
  std::vector<std::string_view> args;  // Views into the line given to parse_command_line().
  std::string_view rest;               // Everything after the keyword and one space (PASS takes
                                       // the whole rest: RFC 1939 §7 allows spaces in it).
};

// Splits a line (without its CRLF). Arguments are separated by runs of spaces (RFC 1939 says
// one space; clients that send two are tolerated). The keyword is empty for an empty line.
CommandLine parse_command_line(std::string_view line);

// A non-negative decimal number made only of digits (no sign, no spaces), at most
// `max`; nullopt otherwise (so "abc", "-1", "+1" and 99999999999999999999 are refused).
std::optional<std::uint64_t> parse_number(std::string_view text, std::uint64_t max);

}  // namespace satchel::pop3
