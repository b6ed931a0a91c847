#include "protocol/imap/capabilities.h"

namespace satchel::imap {

std::string capabilities(const SessionState& s) {
  std::string caps = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE";
  if (s.state == State::NotAuthenticated) {
    // RFC 3501 §6.2.1 and §7.2.1: STARTTLS when it can be used; LOGINDISABLED (and no
    // mechanism that sends a password) when cleartext passwords are refused.
    if (s.conn.starttls_offered && !s.conn.tls_active) caps += " STARTTLS";
    for (const std::string& mech :
         sasl::offered_mechanisms(s.services, sasl::sasl_context(s.conn, "imap")))
      caps += " AUTH=" + mech;
    if (!s.tls_or_plaintext_ok()) caps += " LOGINDISABLED";
    return caps;
  }
  caps += " UIDPLUS UNSELECT NAMESPACE CHILDREN IDLE";
  return caps;
}

}  // namespace satchel::imap
