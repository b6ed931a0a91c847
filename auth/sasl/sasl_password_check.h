// SaslPasswordCheck: an Authenticator for plain passwords (IMAP LOGIN, POP3 USER/PASS) of users
// that exist only in Cyrus SASL's own secrets (sasldb, or the auxprop plugins SASL's
// configuration names): the "sasl" entry of [auth] backends. It asks sasl_checkpass(), that is
// SASL's pwcheck_method, so no mechanism plugin (not even PLAIN) is needed for it.
//
// It owns a CyrusSasl of its own, made without a userdb: Satchel's other backends were already
// asked by the chain before this one, and asking them again from inside SASL would double the
// work (and recurse, were this object itself the userdb).
//
// Blocking: reads sasldb. Thread-safe: each call uses its own sasl_conn_t.
#pragma once

#include <memory>

#include "auth/api/authenticator.h"
#include "auth/sasl/cyrus_sasl.h"

namespace satchel::auth {

class SaslPasswordCheck : public Authenticator {
 public:
  // `options` as for the deployment's CyrusSasl; its userdb and mechanisms are ignored.
  // Errors as CyrusSasl::create.
  static Result<std::unique_ptr<SaslPasswordCheck>> create(CyrusSaslOptions options);

  // Permanent AUTHENTICATIONFAILED for a wrong password or unknown user, Temporary UNAVAILABLE
  // when SASL cannot answer. The record: home = mail_root/NAME, as CyrusSasl makes them.
  Result<UserRecord> verify_password(std::string_view user, const SecureString& password) override;

  // sasl_user_exists; Permanent NONEXISTENT for an unknown user.
  Result<UserRecord> lookup(std::string_view user) override;

 private:
  explicit SaslPasswordCheck(std::unique_ptr<CyrusSasl> sasl) : sasl_(std::move(sasl)) {}

  std::unique_ptr<CyrusSasl> sasl_;
};

}  // namespace satchel::auth
