// The CAPA response (RFC 2449 §5, §6): what this session offers in its current state.
#pragma once

#include <string>
#include <vector>

namespace satchel::pop3 {

struct CapabilityContext {
  bool authorization = true;                             // AUTHORIZATION state (else TRANSACTION).
  bool plaintext_allowed = true;                         // USER/PASS may be used now.
  std::vector<std::string> sasl_mechanisms = {"PLAIN"};  // AUTH mechanisms offered now.
  bool stls_available = false;  // STLS offered by the listener and TLS not active yet.
  std::string implementation = "Satchel";
};

// The whole multi-line response, from "+OK" to the terminating ".\r\n".
//
// USER, SASL and STLS are listed only in the AUTHORIZATION state (RFC 2449 §6: the list may
// differ by state; none of them can be used after login). USER is left out when plaintext
// passwords are refused on this connection (RFC 2595 §6); SASL lists `sasl_mechanisms`
// (which leave PLAIN and LOGIN out then, RFC 5034 §4) and is left out when there are none. APOP
// is never offered: the userdb keeps only password hashes, so the shared secret RFC 1939 §7
// needs does not exist. EXPIRE and LOGIN-DELAY are not configured, so not listed.
std::string capability_response(const CapabilityContext& context);

}  // namespace satchel::pop3
