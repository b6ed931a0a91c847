#include "protocol/sasl/plain.h"

namespace satchel::sasl {

std::optional<PlainCredentials> parse_plain(std::string_view message) {
  std::size_t first = message.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = message.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (message.find('\0', second + 1) != std::string_view::npos) return std::nullopt;
  PlainCredentials creds;
  creds.authzid = std::string(message.substr(0, first));
  creds.authcid = std::string(message.substr(first + 1, second - first - 1));
  creds.password = SecureString(message.substr(second + 1));
  if (creds.authcid.empty() || creds.password.empty()) return std::nullopt;
  return creds;
}

}  // namespace satchel::sasl
