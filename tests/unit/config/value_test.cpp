#include "config/value.h"

#include <doctest/doctest.h>

using namespace satchel::config;

TEST_CASE("numbers are decimal digits only, with overflow detected") {
  CHECK(parse_number("0").value() == 0);
  CHECK(parse_number("10000").value() == 10000);
  CHECK(parse_number("18446744073709551615").value() == 18446744073709551615ull);
  CHECK(parse_number("18446744073709551616").reason() == "number too large");
  CHECK(parse_number("abc").reason() == "expected a number");
  CHECK_FALSE(parse_number("").ok());
  CHECK_FALSE(parse_number("-1").ok());
  CHECK_FALSE(parse_number("12 ").ok());
  CHECK_FALSE(parse_number("1e3").ok());
}

TEST_CASE("sizes take binary k/M/G/T suffixes, with or without B") {
  CHECK(parse_size("512").value() == 512);
  CHECK(parse_size("64k").value() == 64 * 1024);
  CHECK(parse_size("64K").value() == 64 * 1024);
  CHECK(parse_size("64kB").value() == 64 * 1024);
  CHECK(parse_size("64M").value() == 64ull * 1024 * 1024);
  CHECK(parse_size("1G").value() == 1ull << 30);
  CHECK(parse_size("2T").value() == 2ull << 40);
  CHECK_FALSE(parse_size("64X").ok());
  CHECK_FALSE(parse_size("64kk").ok());
  CHECK_FALSE(parse_size("M").ok());
  CHECK_FALSE(parse_size("1.5M").ok());
  CHECK(parse_size("20000000T").reason() == "size too large");
}

TEST_CASE("durations take ms/s/m/h/d units and combinations; a bare number is seconds") {
  CHECK(parse_duration_ms("45").value() == 45'000);
  CHECK(parse_duration_ms("30s").value() == 30'000);
  CHECK(parse_duration_ms("30m").value() == 30 * 60'000);
  CHECK(parse_duration_ms("2h").value() == 2 * 3'600'000);
  CHECK(parse_duration_ms("1d").value() == 86'400'000);
  CHECK(parse_duration_ms("500ms").value() == 500);
  CHECK(parse_duration_ms("1h30m").value() == 90 * 60'000);
  CHECK(parse_duration_ms("1M").value() == 60'000);
  CHECK_FALSE(parse_duration_ms("").ok());
  CHECK_FALSE(parse_duration_ms("1h30").ok());
  CHECK_FALSE(parse_duration_ms("30x").ok());
  CHECK_FALSE(parse_duration_ms("m").ok());
  CHECK_FALSE(parse_duration_ms("-5s").ok());
  CHECK(parse_duration_ms("99999999999999999d").reason() == "duration too large");
}

TEST_CASE("booleans accept yes/no, true/false, on/off in any case") {
  for (const char* t : {"yes", "YES", "true", "True", "on", "1"}) CHECK(parse_bool(t).value());
  for (const char* f : {"no", "No", "false", "off", "OFF", "0"}) CHECK_FALSE(parse_bool(f).value());
  CHECK(parse_bool("maybe").reason() == "expected yes or no");
  CHECK_FALSE(parse_bool("").ok());
}
