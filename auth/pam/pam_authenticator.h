// PamAuthenticator: system users checked through PAM (DESIGN.md, Authentication), with their
// uid, gid and home taken from the account database (getpwnam_r).
//
// Blocking: PAM modules read files, ask daemons and sleep after failures (pam_unix's delay,
// pam_faillock). Call verify_password and lookup from the thread pool or the auth process,
// never on a worker's event loop. With pam_unix and /etc/shadow, the calling process must be
// root (or in group shadow); without that, every password is refused.
//
// Thread-safe: every call opens its own PAM handle (pam_start .. pam_end); nothing is shared.
// Only authentication and account management are run: no pam_setcred, no session, because the
// mail worker gets its uid/gid from the returned record, not from PAM.
#pragma once

#include <string>

#include "auth/api/authenticator.h"
#include "auth/pam/passwd_lookup.h"

namespace satchel::auth {

struct PamOptions {
  std::string service = "satchel";  // /etc/pam.d/<service>.
  // The mail location of a system user: "~" at the start of the path is the home, %u the
  // user name, %h the home, %% a '%'.
  std::string mail_location = "maildir:~/Maildir";
  // Accounts with a smaller uid are refused even with the right password: uid 0 would mean
  // "the worker's own uid" in a UserRecord, and system accounts should not read mail.
  uid_t first_valid_uid = 1;
};

class PamAuthenticator : public Authenticator {
 public:
  // `passwd` is the account lookup (tests inject one; the default is getpwnam_r).
  explicit PamAuthenticator(PamOptions options, PasswdLookup passwd = system_passwd_lookup);

  // pam_authenticate then pam_acct_mgmt under the configured service. Errors: Permanent
  // AUTHENTICATIONFAILED for a wrong password or unknown user ("authentication failed") and for
  // accounts PAM refuses, with the reason in the message ("account expired", "password
  // expired", "account locked or access denied") so the log line can tell them apart while the
  // client learns nothing more; Permanent AUTHENTICATIONFAILED too when PAM accepts a user that
  // has no system account or a uid below first_valid_uid. Temporary UNAVAILABLE when PAM or
  // its modules cannot answer (missing service file, authinfo unavailable, system error).
  Result<UserRecord> verify_password(std::string_view user, const SecureString& password) override;

  // The account database only (PAM has no lookup): Permanent NONEXISTENT for an unknown user
  // or one below first_valid_uid.
  Result<UserRecord> lookup(std::string_view user) override;

  const PamOptions& options() const { return options_; }

 private:
  Result<UserRecord> record_for(std::string_view user);

  const PamOptions options_;
  const PasswdLookup passwd_;
};

// Why a PAM step refused, as the log should say it ("account expired"); exposed for tests.
// `account_step` is true for pam_acct_mgmt results, false for pam_authenticate.
std::string pam_refusal_reason(int pam_code, bool account_step);

// True when a pam_authenticate/pam_acct_mgmt result means "no" rather than "cannot answer".
bool pam_is_refusal(int pam_code);

// Expands a PamOptions::mail_location template for a user (see there). Errors: Permanent
// CANNOT for an unknown '%' sequence.
Result<std::string> expand_pam_location(std::string_view templ, std::string_view user,
                                        std::string_view home);

}  // namespace satchel::auth
