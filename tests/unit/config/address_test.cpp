#include "config/address.h"

#include <doctest/doctest.h>

using namespace satchel::config;

TEST_CASE("IPv4, bracketed IPv6, * and host names parse with their port") {
  auto v4 = parse_address("127.0.0.1:1143");
  REQUIRE(v4.ok());
  CHECK(v4->family == AddressFamily::V4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 1143);

  auto v6 = parse_address("[::1]:143");
  REQUIRE(v6.ok());
  CHECK(v6->family == AddressFamily::V6);
  CHECK(v6->host == "::1");
  CHECK(v6->to_string() == "[::1]:143");

  auto any = parse_address("*:993");
  REQUIRE(any.ok());
  CHECK(any->family == AddressFamily::Any);
  CHECK(any->is_wildcard());
  CHECK(any->to_string() == "*:993");

  auto name = parse_address("Mail.Example.com:110");
  REQUIRE(name.ok());
  CHECK(name->family == AddressFamily::Name);
  CHECK(name->host == "mail.example.com");
}

TEST_CASE("IPv6 literals are canonicalised") {
  CHECK(parse_address("[0:0:0:0:0:0:0:1]:143")->to_string() == "[::1]:143");
  CHECK(parse_address("[2001:DB8::0001]:993")->host == "2001:db8::1");
  CHECK(parse_address("[::]:143")->is_wildcard());
  CHECK(parse_address("0.0.0.0:143")->is_wildcard());
}

TEST_CASE("malformed addresses are refused with a reason") {
  CHECK(parse_address("::1:143").error().message ==
        "IPv6 addresses must be in brackets, as [::1]:143");
  CHECK(parse_address("127.0.0.1:70000").error().message == "port 70000 out of range");
  CHECK(parse_address("127.0.0.1").error().message == "expected host:port, [ipv6]:port or *:port");
  CHECK(parse_address("127.0.0.1:").error().message == "expected a port number after ':'");
  CHECK(parse_address("1.2.3.256:143").error().message == "invalid IPv4 address");
  CHECK(parse_address("[::g]:143").error().message == "invalid IPv6 address");
  CHECK(parse_address("[::1:143").error().message == "expected [ipv6]:port");
  CHECK(parse_address("bad_host:143").error().message == "invalid host name");
  CHECK_FALSE(parse_address(":143").ok());
}

TEST_CASE("overlap: same port and hosts that share a socket") {
  auto a = [](const char* s) { return parse_address(s).value(); };
  CHECK(addresses_overlap(a("*:143"), a("127.0.0.1:143")));
  CHECK(addresses_overlap(a("[::1]:143"), a("*:143")));
  CHECK(addresses_overlap(a("0.0.0.0:143"), a("10.0.0.1:143")));
  CHECK(addresses_overlap(a("[::]:143"), a("[::1]:143")));
  CHECK(addresses_overlap(a("[::1]:143"), a("[0::1]:143")));
  CHECK_FALSE(addresses_overlap(a("0.0.0.0:143"), a("[::1]:143")));
  CHECK_FALSE(addresses_overlap(a("127.0.0.1:143"), a("127.0.0.2:143")));
  CHECK_FALSE(addresses_overlap(a("*:143"), a("*:993")));
  CHECK_FALSE(addresses_overlap(a("127.0.0.1:0"), a("127.0.0.1:0")));  // Kernel-chosen ports.
}
