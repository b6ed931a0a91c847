#include "protocol/pop3/command_line.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

using namespace satchel::pop3;

TEST_CASE("Command keywords are upper-cased and arguments split on spaces") {
  CommandLine cmd = parse_command_line("top 1  10");
  CHECK(cmd.keyword == "TOP");
  REQUIRE(cmd.args.size() == 2);
  CHECK(cmd.args[0] == "1");
  CHECK(cmd.args[1] == "10");
  CHECK(cmd.rest == "1  10");
}

TEST_CASE("The rest of the line keeps a password with spaces") {
  CommandLine cmd = parse_command_line("PASS my secret pass ");
  CHECK(cmd.keyword == "PASS");
  CHECK(cmd.rest == "my secret pass ");
  CHECK(cmd.args.size() == 3);
}

TEST_CASE("An empty line and a bare keyword have no arguments") {
  CHECK(parse_command_line("").keyword.empty());
  CommandLine cmd = parse_command_line("Stat");
  CHECK(cmd.keyword == "STAT");
  CHECK(cmd.args.empty());
  CHECK(cmd.rest.empty());
}

TEST_CASE("Numbers are digits only and bounded") {
  constexpr auto kMax32 = std::numeric_limits<std::uint32_t>::max();
  CHECK(parse_number("0", kMax32) == 0u);
  CHECK(parse_number("0042", kMax32) == 42u);
  CHECK(parse_number("4294967295", kMax32) == 4294967295u);
  CHECK_FALSE(parse_number("4294967296", kMax32));
  CHECK_FALSE(parse_number("99999999999999999999", std::numeric_limits<std::uint64_t>::max()));
  CHECK(parse_number("18446744073709551615", std::numeric_limits<std::uint64_t>::max()) ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(parse_number("", kMax32));
  CHECK_FALSE(parse_number("-1", kMax32));
  CHECK_FALSE(parse_number("+1", kMax32));
  CHECK_FALSE(parse_number("1a", kMax32));
  CHECK_FALSE(parse_number("abc", kMax32));
}
