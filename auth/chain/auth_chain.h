// AuthChain: several Authenticator backends asked in the configured order ([auth] backends =
// sqlite pam sasl), presented as one (DESIGN.md, Authentication).
//
// Blocking: as blocking as the slowest backend it reaches (PAM, yescrypt). Call it from the
// thread pool or the auth process.
//
// Thread-safe when every backend is: the chain itself keeps no mutable state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/api/authenticator.h"

namespace satchel::auth {

class AuthChain : public Authenticator {
 public:
  struct Backend {
    std::string name;                              // For log lines: "sqlite", "pam", "sasl".
    std::shared_ptr<Authenticator> authenticator;  // Shared: the server also hands the sqlite
                                                   // userdb to the SASL checkpass bridge.
  };

  explicit AuthChain(std::vector<Backend> backends);

  // Asks each backend in order; the first success wins. A Permanent "no" moves on to the next
  // backend (the user may live there). A Temporary (or Internal) failure is remembered and
  // also moves on; if no backend accepts, the first such failure is returned, so that a
  // backend being down gives UNAVAILABLE rather than a misleading "wrong password". When every
  // backend says no: Permanent AUTHENTICATIONFAILED, with the message of the last backend that
  // gave a reason other than the plain failure (e.g. "account expired") for the log.
  Result<UserRecord> verify_password(std::string_view user, const SecureString& password) override;

  // The same order: the first backend that knows the user answers. Temporary failures are
  // remembered as above; when none knows the user: Permanent NONEXISTENT.
  Result<UserRecord> lookup(std::string_view user) override;

  std::size_t size() const { return backends_.size(); }

 private:
  std::vector<Backend> backends_;
};

}  // namespace satchel::auth
