// The system account database (getpwnam_r), for users that PAM authenticates: their uid, gid
// and home come from /etc/passwd (or NSS), not from PAM.
//
// Blocking: NSS may read files or ask a network service. Thread-safe (getpwnam_r).
#pragma once

#include <sys/types.h>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::auth {

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

// Looks a user up. Errors: Permanent NONEXISTENT when there is no such account, Temporary
// UNAVAILABLE when NSS fails (a network directory down, out of memory).
using PasswdLookup = std::function<Result<PasswdEntry>(std::string_view user)>;

// The real lookup through getpwnam_r.
Result<PasswdEntry> system_passwd_lookup(std::string_view user);

}  // namespace satchel::auth
