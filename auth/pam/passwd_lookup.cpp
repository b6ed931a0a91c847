#include "auth/pam/passwd_lookup.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace satchel::auth {

Result<PasswdEntry> system_passwd_lookup(std::string_view user) {
  std::string name(user);
  if (name.empty() || name.find('\0') != std::string::npos)
    return Error::permanent("NONEXISTENT", "invalid user name");
  long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::size_t size = hint > 0 ? static_cast<std::size_t>(hint) : 4096;
  // getpwnam_r reports ERANGE when the entry does not fit: grow, but not without bound.
  constexpr std::size_t kMaxBuffer = 1 << 20;
  for (;;) {
    std::vector<char> buf;
    try {
      buf.resize(size);
    } catch (...) {
      return Error::temporary("UNAVAILABLE", "out of memory looking up a system user");
    }
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE && size < kMaxBuffer) {
      size *= 2;
      continue;
    }
    if (rc != 0)
      return Error::temporary("UNAVAILABLE",
                              "getpwnam_r(" + name + "): " + std::string(std::strerror(rc)));
    if (found == nullptr)
      return Error::permanent("NONEXISTENT", "no system account '" + name + "'");
    PasswdEntry e;
    e.name = pw.pw_name;
    e.uid = pw.pw_uid;
    e.gid = pw.pw_gid;
    e.home = pw.pw_dir != nullptr ? pw.pw_dir : "";
    return e;
  }
}

}  // namespace satchel::auth
