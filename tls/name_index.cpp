#include "tls/name_index.h"

#include "base/ascii.h"

namespace satchel::tls {

std::string NameIndex::normalize(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return {};
  for (char c : host)
    if (c <= ' ' || c > '~') return {};
  return ascii::lower(host);
}

bool NameIndex::add(std::string_view pattern, std::size_t index) {
  std::string name = normalize(pattern);
  if (name.empty()) return false;
  if (name.starts_with("*.")) {
    std::string suffix = name.substr(2);
    // The suffix must itself have two labels and no further wildcard.
    if (suffix.find('.') == std::string::npos || suffix.find('*') != std::string::npos)
      return false;
    if (suffix.front() == '.' || suffix.find("..") != std::string::npos) return false;
    return wildcard_.emplace(std::move(suffix), index).second;
  }
  if (name.find('*') != std::string::npos) return false;
  return exact_.emplace(std::move(name), index).second;
}

std::optional<std::size_t> NameIndex::find(std::string_view host) const {
  std::string name = normalize(host);
  if (name.empty()) return std::nullopt;
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  if (auto it = wildcard_.find(name.substr(dot + 1)); it != wildcard_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::size_t> NameIndex::owner_of(std::string_view pattern) const {
  std::string name = normalize(pattern);
  const auto& map = name.starts_with("*.") ? wildcard_ : exact_;
  if (name.starts_with("*.")) name.erase(0, 2);
  if (auto it = map.find(name); it != map.end()) return it->second;
  return std::nullopt;
}

}  // namespace satchel::tls
