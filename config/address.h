// Listener addresses of satchel.conf: "host:port", "[v6]:port" or "*:port".
// Pure (no name resolution): host names are checked for syntax only and resolved by server/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::config {

enum class AddressFamily {
  Any,   // "*": every IPv4 and IPv6 address of the host.
  V4,    // A dotted-quad literal; 0.0.0.0 is the IPv4 wildcard.
  V6,    // A bracketed IPv6 literal; [::] is the IPv6 wildcard.
  Name,  // A host name, resolved when binding.
};

struct Address {
  AddressFamily family = AddressFamily::Any;
  std::string host;        // Canonical literal without brackets ("::1", "127.0.0.1"), the name, or
                           // empty for Any.
  std::uint16_t port = 0;  // 0 asks the kernel for a free port (used by tests).

  // True for "*", 0.0.0.0 and [::].
  bool is_wildcard() const;
  // "host:port" with IPv6 in brackets and "*" for Any: the canonical form of the input.
  std::string to_string() const;
};

// Parses one address. On failure: Permanent error whose message is the reason, e.g.
// "expected host:port" or "port 70000 out of range".
Result<Address> parse_address(std::string_view text);

// True when binding both would collide: same non-zero port and overlapping hosts ("*" overlaps
// everything, 0.0.0.0 every IPv4 address, [::] every IPv6 address).
bool addresses_overlap(const Address& a, const Address& b);

}  // namespace satchel::config
