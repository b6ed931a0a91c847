#include "config/address.h"

#include <arpa/inet.h>

#include "base/ascii.h"
#include "config/value.h"

namespace satchel::config {

namespace {

Error bad(std::string reason) {
  return Error::permanent("", std::move(reason));
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return name.front() != '.' && name.front() != '-';
}

bool all_digits_and_dots(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  return true;
}

// Canonical text of an IP literal (so "::0001" and "::1" compare equal), or empty if invalid.
std::string canonical_ip(int family, const std::string& text) {
  unsigned char buf[16];
  if (inet_pton(family, text.c_str(), buf) != 1) return {};
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(family, buf, out, sizeof out) == nullptr) return {};
  return out;
}

}  // namespace

bool Address::is_wildcard() const {
  return family == AddressFamily::Any || (family == AddressFamily::V4 && host == "0.0.0.0") ||
         (family == AddressFamily::V6 && host == "::");
}

std::string Address::to_string() const {
  std::string p = std::to_string(port);
  switch (family) {
    case AddressFamily::Any:
      return "*:" + p;
    case AddressFamily::V6:
      return "[" + host + "]:" + p;
    default:
      return host + ":" + p;
  }
}

Result<Address> parse_address(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return bad("expected host:port, [ipv6]:port or *:port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);

  auto port = parse_number(port_text);
  if (!port.ok()) return bad("expected a port number after ':'");
  if (port.value() > 65535) return bad("port " + std::string(port_text) + " out of range");

  Address a;
  a.port = static_cast<std::uint16_t>(port.value());
  if (host == "*") {
    a.family = AddressFamily::Any;
  } else if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("expected [ipv6]:port");
    a.host = canonical_ip(AF_INET6, std::string(host.substr(1, host.size() - 2)));
    if (a.host.empty()) return bad("invalid IPv6 address");
    a.family = AddressFamily::V6;
  } else if (host.find(':') != std::string_view::npos) {
    return bad("IPv6 addresses must be in brackets, as [::1]:143");
  } else if (all_digits_and_dots(host)) {
    a.host = canonical_ip(AF_INET, std::string(host));
    if (a.host.empty()) return bad("invalid IPv4 address");
    a.family = AddressFamily::V4;
  } else if (valid_host_name(host)) {
    a.host = ascii::lower(host);
    a.family = AddressFamily::Name;
  } else {
    return bad("invalid host name");
  }
  return a;
}

bool addresses_overlap(const Address& a, const Address& b) {
  if (a.port != b.port || a.port == 0) return false;
  if (a.family == AddressFamily::Any || b.family == AddressFamily::Any) return true;
  if (a.family != b.family) return false;
  return a.host == b.host || a.is_wildcard() || b.is_wildcard();
}

}  // namespace satchel::config
