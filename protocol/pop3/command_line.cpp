#include "protocol/pop3/command_line.h"

#include "base/ascii.h"

namespace satchel::pop3 {

CommandLine parse_command_line(std::string_view line) {
  CommandLine cmd;
  std::size_t space = line.find(' ');
  std::string_view keyword = line.substr(0, space);
  cmd.keyword = ascii::upper(keyword);
  if (space == std::string_view::npos) return cmd;
  cmd.rest = line.substr(space + 1);
  std::string_view rest = cmd.rest;
  while (!rest.empty()) {
    std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = rest.find(' ');
    cmd.args.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return cmd;
}

std::optional<std::uint64_t> parse_number(std::string_view text, std::uint64_t max) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (digit > max) return std::nullopt;
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace satchel::pop3
