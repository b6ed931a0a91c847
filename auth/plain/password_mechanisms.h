// PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) checked through an Authenticator's
// verify_password: the SASL mechanisms of a deployment without Cyrus SASL, and what the
// sessions fall back to when the server hands them no SaslMechanisms.
//
// Blocking: the exchanges call Authenticator::verify_password and lookup (see authenticator.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/api/authenticator.h"
#include "auth/api/sasl_exchange.h"

namespace satchel::auth {

// Offers PLAIN and LOGIN, both only when ctx.tls_active || ctx.plaintext_allowed (they send the
// password itself). LOGIN asks "Username:" then "Password:".
//
// Results: SaslDone carries the record verify_password returned, untouched (its login_ticket
// included). A PLAIN authzid different from the authcid is honoured only when the authcid is
// one of `admins` (exact match); the session user is then authenticator->lookup(authzid),
// otherwise SaslFailed AUTHORIZATIONFAILED. A wrong password: SaslFailed AUTHENTICATIONFAILED
// naming the authcid; a backend that cannot answer (Temporary): UNAVAILABLE; a malformed
// message: AUTHENTICATIONFAILED; a mechanism not offered: SaslFailed with an empty code.
//
// Never returns nullptr. The object is thread-safe (it holds only constant data).
std::unique_ptr<SaslMechanisms> make_password_mechanisms(
    std::shared_ptr<Authenticator> authenticator, std::vector<std::string> admins);

}  // namespace satchel::auth
