#include "config/value.h"

#include <limits>

#include "base/ascii.h"

namespace satchel::config {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads leading digits of `text` into `out`; returns how many were read, or npos on overflow.
std::size_t read_digits(std::string_view text, std::uint64_t& out) {
  out = 0;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (kMax - digit) / 10) return std::string_view::npos;
    out = out * 10 + digit;
  }
  return i;
}

bool mul_overflows(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > kMax / b;
}

}  // namespace

Parsed<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t n = 0;
  std::size_t used = read_digits(text, n);
  if (used == std::string_view::npos) return {std::string("number too large")};
  if (used == 0 || used != text.size()) return {std::string("expected a number")};
  return {n};
}

Parsed<std::uint64_t> parse_size(std::string_view text) {
  const std::string expected = "expected a size such as 512, 64k, 64M or 1G";
  std::uint64_t n = 0;
  std::size_t used = read_digits(text, n);
  if (used == std::string_view::npos) return {std::string("size too large")};
  if (used == 0) return {expected};
  std::string_view suffix = text.substr(used);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b') && suffix.size() <= 2)
    suffix.remove_suffix(1);
  std::uint64_t mult = 1;
  if (suffix.size() == 1) {
    switch (ascii::to_lower(suffix[0])) {
      case 'k':
        mult = 1ull << 10;
        break;
      case 'm':
        mult = 1ull << 20;
        break;
      case 'g':
        mult = 1ull << 30;
        break;
      case 't':
        mult = 1ull << 40;
        break;
      default:
        return {expected};
    }
  } else if (!suffix.empty()) {
    return {expected};
  }
  if (mul_overflows(n, mult)) return {std::string("size too large")};
  return {n * mult};
}

Parsed<std::uint64_t> parse_duration_ms(std::string_view text) {
  const std::string expected = "expected a duration such as 30s, 30m, 1h or 1h30m";
  if (text.empty()) return {expected};
  std::uint64_t total = 0;
  bool bare_allowed = true;
  while (!text.empty()) {
    std::uint64_t n = 0;
    std::size_t used = read_digits(text, n);
    if (used == std::string_view::npos) return {std::string("duration too large")};
    if (used == 0) return {expected};
    text.remove_prefix(used);
    std::uint64_t unit = 0;
    if (text.empty()) {
      // A bare number is seconds, but only on its own: "1h30" is ambiguous.
      if (!bare_allowed) return {expected};
      unit = 1000;
    } else if (ascii::istarts_with(text, "ms")) {
      unit = 1;
      text.remove_prefix(2);
    } else {
      switch (ascii::to_lower(text[0])) {
        case 's':
          unit = 1000;
          break;
        case 'm':
          unit = 60 * 1000;
          break;
        case 'h':
          unit = 60 * 60 * 1000;
          break;
        case 'd':
          unit = 24 * 60 * 60 * 1000;
          break;
        default:
          return {expected};
      }
      text.remove_prefix(1);
    }
    bare_allowed = false;
    if (mul_overflows(n, unit) || total > kMax - n * unit)
      return {std::string("duration too large")};
    total += n * unit;
  }
  return {total};
}

Parsed<bool> parse_bool(std::string_view text) {
  for (const char* yes : {"yes", "true", "on", "1"})
    if (ascii::iequals(text, yes)) return {true};
  for (const char* no : {"no", "false", "off", "0"})
    if (ascii::iequals(text, no)) return {false};
  return {std::string("expected yes or no")};
}

}  // namespace satchel::config
