#include "base/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace satchel {
namespace {

// Fills 4 or 16 bytes from a textual address; an IPv4-mapped IPv6 address becomes IPv4.
bool to_bytes(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& out) {
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1) return false;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, out.begin())) {
    std::copy(out.begin() + 12, out.end(), out.begin());
    v6 = false;
    return true;
  }
  v6 = true;
  return true;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  Cidr c;
  std::string_view addr = text;
  std::optional<unsigned> bits;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view b = text.substr(slash + 1);
    unsigned n = 0;
    auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), n);
    if (b.empty() || ec != std::errc() || p != b.data() + b.size()) return std::nullopt;
    bits = n;
  }
  if (addr.empty() || !to_bytes(addr, c.v6_, c.addr_)) return std::nullopt;
  unsigned max = c.v6_ ? 128 : 32;
  c.bits_ = bits.value_or(max);
  if (c.bits_ > max) return std::nullopt;
  return c;
}

bool Cidr::contains(std::string_view ip) const {
  bool v6 = false;
  std::array<std::uint8_t, 16> a{};
  if (!to_bytes(ip, v6, a) || v6 != v6_) return false;
  unsigned full = bits_ / 8, rest = bits_ % 8;
  for (unsigned i = 0; i < full; ++i)
    if (a[i] != addr_[i]) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (addr_[full] & mask);
}

std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* bad) {
  std::vector<Cidr> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == ',' || text[i] == '\t') {
      ++i;
      continue;
    }
    std::size_t end = text.find_first_of(" ,\t", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(i, end - i);
    auto c = Cidr::parse(item);
    if (!c) {
      if (bad) *bad = std::string(item);
      return std::nullopt;
    }
    out.push_back(*c);
    i = end;
  }
  return out;
}

bool any_contains(const std::vector<Cidr>& nets, std::string_view ip) {
  for (const Cidr& c : nets)
    if (c.contains(ip)) return true;
  return false;
}

}  // namespace satchel
