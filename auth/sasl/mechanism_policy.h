// Which SASL mechanisms Satchel offers: the pure part of the decision (no SASL library), so it
// is testable with any list of installed plugins.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/api/sasl_exchange.h"

namespace satchel::auth {

// The mechanisms Satchel knows how to run, in the order they are advertised by default
// (strongest first). Others the plugins may offer are never advertised: ANONYMOUS (no user),
// NTLM and OTP (not asked for), EXTERNAL (no client certificates yet), SCRAM-*-PLUS (no
// channel binding data is handed to the library).
const std::vector<std::string>& known_sasl_mechanisms();

// PLAIN and LOGIN send the password itself.
bool is_plaintext_mechanism(std::string_view mechanism);

struct MechanismPolicy {
  std::vector<std::string> allowed;  // Configured list ([auth] sasl_mechanisms); empty: all known.
  bool keytab_configured = false;    // GSSAPI only with a keytab.
};

// Splits a configured list ("PLAIN LOGIN, SCRAM-SHA-256") into upper-case names. Errors:
// Permanent CANNOT naming a mechanism Satchel does not know.
Result<std::vector<std::string>> parse_mechanism_list(std::string_view text);

// `installed`: what the SASL library lists (any case, any order). Returns the mechanisms to
// advertise on a connection, upper-case, in the configured order (or the known order).
std::vector<std::string> select_mechanisms(const std::vector<std::string>& installed,
                                           const MechanismPolicy& policy, const SaslContext& ctx);

}  // namespace satchel::auth
