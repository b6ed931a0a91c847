#include "protocol/sasl/plain.h"

#include <doctest/doctest.h>

using namespace satchel;
using namespace std::string_view_literals;

TEST_CASE("PLAIN splits authzid, authcid and password") {
  auto c = sasl::parse_plain("admin\0demo\0secret"sv);
  REQUIRE(c.has_value());
  CHECK(c->authzid == "admin");
  CHECK(c->authcid == "demo");
  CHECK(c->password.view() == "secret");
}

TEST_CASE("PLAIN without authzid leaves it empty") {
  auto c = sasl::parse_plain("\0demo\0pw"sv);
  REQUIRE(c.has_value());
  CHECK(c->authzid.empty());
  CHECK(c->authcid == "demo");
}

TEST_CASE("PLAIN refuses missing or extra separators and empty fields") {
  CHECK_FALSE(sasl::parse_plain("demo\0pw"sv).has_value());
  CHECK_FALSE(sasl::parse_plain("a\0b\0c\0d"sv).has_value());
  CHECK_FALSE(sasl::parse_plain("\0\0pw"sv).has_value());
  CHECK_FALSE(sasl::parse_plain("\0demo\0"sv).has_value());
}
