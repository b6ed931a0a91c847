// Typed value parsers of satchel.conf: numbers, sizes, durations and booleans. Pure functions;
// each returns the value or a short reason ("expected a number") that the parser turns into
// "file:line: bad value 'V' for KEY: REASON".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace satchel::config {

// A parsed value, or the reason it was refused.
template <typename T>
struct Parsed {
  std::variant<T, std::string> v;

  bool ok() const { return v.index() == 0; }
  const T& value() const { return std::get<0>(v); }
  const std::string& reason() const { return std::get<1>(v); }
};

// Decimal digits only ("0" .. "18446744073709551615"); no sign, no spaces.
Parsed<std::uint64_t> parse_number(std::string_view text);

// A byte count with an optional binary suffix: "512", "64k", "64K", "64M", "1G", "1T", and the
// same followed by "B" ("64kB"). k = 1024.
Parsed<std::uint64_t> parse_size(std::string_view text);

// A duration in milliseconds: one or more number+unit groups, units ms, s, m, h, d
// ("30m", "1h30m", "500ms"). A bare number means seconds.
Parsed<std::uint64_t> parse_duration_ms(std::string_view text);

// yes/no, true/false, on/off, 1/0 (case-insensitive).
Parsed<bool> parse_bool(std::string_view text);

}  // namespace satchel::config
