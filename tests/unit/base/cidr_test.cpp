#include "base/cidr.h"

#include <doctest/doctest.h>

using satchel::Cidr;

TEST_CASE("Cidr: IPv4 prefixes contain their addresses only") {
  auto net = Cidr::parse("192.0.2.0/24");
  REQUIRE(net);
  CHECK(net->contains("192.0.2.1"));
  CHECK(net->contains("192.0.2.255"));
  CHECK_FALSE(net->contains("192.0.3.1"));
  CHECK_FALSE(net->contains("2001:db8::1"));
  CHECK_FALSE(net->contains("not an address"));
  // An IPv4 client seen on a dual-stack socket.
  CHECK(net->contains("::ffff:192.0.2.7"));
}

TEST_CASE("Cidr: odd prefix lengths, hosts, IPv6") {
  auto odd = Cidr::parse("10.0.0.0/9");
  REQUIRE(odd);
  CHECK(odd->contains("10.127.255.255"));
  CHECK_FALSE(odd->contains("10.128.0.0"));
  auto host = Cidr::parse("127.0.0.1");
  REQUIRE(host);
  CHECK(host->contains("127.0.0.1"));
  CHECK_FALSE(host->contains("127.0.0.2"));
  auto v6 = Cidr::parse("2001:db8::/32");
  REQUIRE(v6);
  CHECK(v6->contains("2001:db8:1::5"));
  CHECK_FALSE(v6->contains("2001:db9::5"));
  auto all = Cidr::parse("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains("203.0.113.9"));
}

TEST_CASE("Cidr: refuses malformed prefixes") {
  CHECK_FALSE(Cidr::parse(""));
  CHECK_FALSE(Cidr::parse("192.0.2.0/33"));
  CHECK_FALSE(Cidr::parse("::1/129"));
  CHECK_FALSE(Cidr::parse("192.0.2.0/"));
  CHECK_FALSE(Cidr::parse("192.0.2.0/2x"));
  CHECK_FALSE(Cidr::parse("example.com"));
}

TEST_CASE("parse_cidr_list: spaces and commas; names the bad item") {
  std::string bad;
  auto list = satchel::parse_cidr_list("127.0.0.0/8, ::1  10.1.0.0/16", &bad);
  REQUIRE(list);
  CHECK(list->size() == 3);
  CHECK(satchel::any_contains(*list, "::1"));
  CHECK(satchel::any_contains(*list, "10.1.2.3"));
  CHECK_FALSE(satchel::any_contains(*list, "10.2.0.1"));
  CHECK_FALSE(satchel::parse_cidr_list("127.0.0.0/8 bogus", &bad));
  CHECK(bad == "bogus");
}
