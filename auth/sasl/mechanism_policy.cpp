#include "auth/sasl/mechanism_policy.h"

#include <algorithm>

#include "base/ascii.h"

namespace satchel::auth {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& m) { return ascii::iequals(m, name); });
}

}  // namespace

const std::vector<std::string>& known_sasl_mechanisms() {
  static const std::vector<std::string> kKnown = {
      "SCRAM-SHA-256", "SCRAM-SHA-1", "GSSAPI", "DIGEST-MD5", "CRAM-MD5", "PLAIN", "LOGIN",
  };
  return kKnown;
}

bool is_plaintext_mechanism(std::string_view mechanism) {
  return ascii::iequals(mechanism, "PLAIN") || ascii::iequals(mechanism, "LOGIN");
}

Result<std::vector<std::string>> parse_mechanism_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '\t') ++i;
    if (start == i) break;
    std::string name = ascii::upper(text.substr(start, i - start));
    if (!contains(known_sasl_mechanisms(), name))
      return Error::permanent("CANNOT", "unknown SASL mechanism '" + name + "'");
    if (!contains(out, name)) out.push_back(std::move(name));
  }
  return out;
}

std::vector<std::string> select_mechanisms(const std::vector<std::string>& installed,
                                           const MechanismPolicy& policy, const SaslContext& ctx) {
  const auto& order = policy.allowed.empty() ? known_sasl_mechanisms() : policy.allowed;
  std::vector<std::string> out;
  for (const auto& m : order) {
    if (!contains(known_sasl_mechanisms(), m) || !contains(installed, m)) continue;
    if (ascii::iequals(m, "GSSAPI") && !policy.keytab_configured) continue;
    if (is_plaintext_mechanism(m) && !ctx.tls_active && !ctx.plaintext_allowed) continue;
    out.push_back(ascii::upper(m));
  }
  return out;
}

}  // namespace satchel::auth
