// The Authenticator interface (DESIGN.md, Authentication): verifies credentials and looks up
// users. Backends: SQLite userdb (auth/sqlite) now; PAM and Cyrus SASL later, chained.
//
// Methods may block (yescrypt, PAM): call them from the thread pool or the auth process.
#pragma once

#include <sys/types.h>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::auth {

struct UserRecord {
  std::string name;
  uid_t uid = 0;  // The mail owner; 0 means "the worker's own uid".
  gid_t gid = 0;
  std::string home;           // Mail root of the user.
  std::string mail_location;  // "maildir:/path/Maildir"; may use ~ for home.
  // Set by the auth process client (split process model): the single-use proof of this login
  // that a mail worker redeems with the auth process for this very record. Empty in-process.
  std::string login_ticket;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Checks a user name and password (LOGIN, AUTHENTICATE PLAIN, POP3 USER/PASS).
  // Wrong user and wrong password give the same error: Permanent, code AUTHENTICATIONFAILED.
  // A backend that cannot answer now gives Temporary, code UNAVAILABLE.
  virtual Result<UserRecord> verify_password(std::string_view user,
                                             const SecureString& password) = 0;

  // Finds a user without a password (for an authorization identity, the admin CLI, LDA).
  virtual Result<UserRecord> lookup(std::string_view user) = 0;
};

}  // namespace satchel::auth
