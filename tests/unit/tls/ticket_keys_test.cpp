#include "tls/ticket_keys.h"

#include <doctest/doctest.h>

#include <array>

namespace satchel::tls {
namespace {

constexpr std::int64_t kPeriod = 3600;
constexpr std::int64_t kStart = 1'800'000'000;  // Inside some period; not at its boundary.

std::array<unsigned char, TicketKeys::kSeedSize> seed(unsigned char fill) {
  std::array<unsigned char, TicketKeys::kSeedSize> s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<unsigned char>(fill + i);
  return s;
}

bool same(const TicketKeys::Key& a, const TicketKeys::Key& b) {
  return a.name == b.name && a.aes == b.aes && a.hmac == b.hmac;
}

std::span<const unsigned char, 16> name_of(const TicketKeys::Key& k) {
  return std::span<const unsigned char, 16>(k.name.data(), 16);
}

}  // namespace

TEST_CASE("TicketKeys: the seed is the first period's key; a new period gets a new key") {
  auto s = seed(1);
  TicketKeys keys(s, kPeriod, kStart);
  TicketKeys::Key first = keys.sealing_key(kStart);
  CHECK(std::equal(first.name.begin(), first.name.end(), s.begin()));
  CHECK(same(keys.sealing_key(kStart + 1), first));
  TicketKeys::Key next = keys.sealing_key(kStart + kPeriod);
  CHECK_FALSE(next.name == first.name);
  CHECK_FALSE(next.aes == first.aes);
  CHECK_FALSE(next.hmac == first.hmac);
}

TEST_CASE("TicketKeys: workers forked with the same keys agree whatever times they look at") {
  // One "worker" visits every period, the other jumps straight to the fifth.
  TicketKeys a(seed(7), kPeriod, kStart);
  TicketKeys b(seed(7), kPeriod, kStart);
  for (int p = 1; p <= 5; ++p) a.sealing_key(kStart + p * kPeriod);
  CHECK(same(a.sealing_key(kStart + 5 * kPeriod), b.sealing_key(kStart + 5 * kPeriod)));
  // A different seed (another generation, after a reload) has nothing in common.
  TicketKeys c(seed(8), kPeriod, kStart);
  CHECK_FALSE(c.sealing_key(kStart + 5 * kPeriod).name == a.sealing_key(kStart + 5 * kPeriod).name);
}

TEST_CASE("TicketKeys: a ticket opens in its period, renews in the next, then never") {
  TicketKeys keys(seed(3), kPeriod, kStart);
  TicketKeys::Key sealed = keys.sealing_key(kStart);
  TicketKeys::Key out;
  bool renew = true;
  REQUIRE(keys.opening_key(name_of(sealed), kStart + 10, out, renew));
  CHECK(same(out, sealed));
  CHECK_FALSE(renew);

  REQUIRE(keys.opening_key(name_of(sealed), kStart + kPeriod, out, renew));
  CHECK(same(out, sealed));
  CHECK(renew);

  CHECK_FALSE(keys.opening_key(name_of(sealed), kStart + 2 * kPeriod, out, renew));
  // Wiped: even going back in time does not bring it back.
  CHECK_FALSE(keys.opening_key(name_of(sealed), kStart, out, renew));
}

TEST_CASE("TicketKeys: unknown names are refused; a clock going back keeps the current key") {
  TicketKeys keys(seed(5), kPeriod, kStart);
  TicketKeys::Key out;
  bool renew = false;
  std::array<unsigned char, 16> stranger{};
  CHECK_FALSE(keys.opening_key(std::span<const unsigned char, 16>(stranger), kStart, out, renew));

  TicketKeys::Key later = keys.sealing_key(kStart + 3 * kPeriod);
  CHECK(same(keys.sealing_key(kStart), later));
  REQUIRE(keys.opening_key(name_of(later), kStart - kPeriod, out, renew));
  CHECK_FALSE(renew);
}

TEST_CASE("TicketKeys::create gives distinct random chains") {
  auto a = TicketKeys::create(kPeriod, kStart);
  auto b = TicketKeys::create(kPeriod, kStart);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE((*a)->sealing_key(kStart).aes == (*b)->sealing_key(kStart).aes);
}

}  // namespace satchel::tls
