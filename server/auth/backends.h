// The authentication services of a deployment, built from [auth] of satchel.conf: what the auth
// process serves (split process model) and what workers call directly (single model).
//
// Blocking: building opens the user database and initialises Cyrus SASL; the services it
// returns block as their backends do (see auth/api/). Call from start-up code, after the
// privilege drop of the process that will use them (the SQLite file is then opened as the
// user that reads it).
#pragma once

#include <memory>

#include "auth/api/authenticator.h"
#include "auth/api/login_policy.h"
#include "auth/api/sasl_exchange.h"
#include "base/result.h"
#include "config/settings.h"

namespace satchel::server {

struct AuthBackends {
  // The configured backends in order ([auth] backends), as one AuthChain. Thread-safe.
  std::shared_ptr<auth::Authenticator> authenticator;
  // Cyrus SASL when "sasl" is a backend, else PLAIN and LOGIN over `authenticator`.
  // Thread-safe; each exchange is used by one thread at a time.
  std::unique_ptr<auth::SaslMechanisms> sasl;
  // The failed-login delay ([auth] failure_delay_ms, failure_delay_max_ms, trusted_networks).
  std::unique_ptr<auth::LoginPolicy> policy;
};

// Errors: those of the backends (a missing userdb is Permanent, SASL that cannot start is
// Temporary UNAVAILABLE), Permanent CANNOT for an unknown backend name, an empty backend list
// or a trusted network that is not a CIDR prefix. Messages name the backend or key.
Result<AuthBackends> build_auth_backends(const config::Settings& s);

// True when a configured backend needs root to answer: PAM (pam_unix reads /etc/shadow).
bool auth_needs_root(const config::Settings& s);

}  // namespace satchel::server
