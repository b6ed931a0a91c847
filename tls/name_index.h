// Host name -> certificate lookup for SNI (RFC 6066 §3): exact DNS names and wildcards whose
// "*" stands for exactly one left-most label, as RFC 6125 §6.4.3 lets clients match them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace satchel::tls {

class NameIndex {
 public:
  // Lower-cases a host name and drops one trailing dot; returns "" for a name that cannot be a
  // DNS name here (empty, or containing bytes outside printable ASCII).
  static std::string normalize(std::string_view host);

  // Registers `pattern` ("imap.example.com" or "*.example.com") for certificate `index`.
  // Returns false, changing nothing, when the pattern is already registered (the first
  // registration wins) or is not usable: a wildcard other than a whole left-most label
  // ("f*.example.com"), or one covering a top-level domain ("*.com").
  bool add(std::string_view pattern, std::size_t index);

  // The certificate for `host`: an exact name first, then a wildcard one label up
  // ("a.example.com" matches "*.example.com"; "a.b.example.com" and "example.com" do not).
  std::optional<std::size_t> find(std::string_view host) const;

  // The certificate a pattern was registered for, looked up as a pattern (not matched).
  std::optional<std::size_t> owner_of(std::string_view pattern) const;

  bool empty() const { return exact_.empty() && wildcard_.empty(); }

 private:
  std::unordered_map<std::string, std::size_t> exact_;
  std::unordered_map<std::string, std::size_t> wildcard_;  // Keyed by the part after "*.".
};

}  // namespace satchel::tls
