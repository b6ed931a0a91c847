// Network prefixes ("192.0.2.0/24", "2001:db8::/32", "127.0.0.1") and whether an address
// belongs to one: the trusted networks of the failed-login delay ([auth] trusted_networks).
// Pure: inet_pton only, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace satchel {

class Cidr {
 public:
  // "ADDR" or "ADDR/BITS"; IPv4 or IPv6. nullopt for anything else (a bad address, bits out
  // of range, spaces).
  static std::optional<Cidr> parse(std::string_view text);

  // True when `ip` (a textual IPv4 or IPv6 address; an IPv4-mapped IPv6 address counts as its
  // IPv4 form) is inside this prefix. False for text that is not an address.
  bool contains(std::string_view ip) const;

 private:
  bool v6_ = false;
  unsigned bits_ = 0;
  std::array<std::uint8_t, 16> addr_{};
};

// Parses a list separated by spaces or commas. On a bad item returns nullopt and sets `bad`.
std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* bad);

bool any_contains(const std::vector<Cidr>& nets, std::string_view ip);

}  // namespace satchel
