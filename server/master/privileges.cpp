#include "server/master/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "base/log.h"

namespace satchel::server {

Result<Identity> resolve_identity(const std::string& user, const std::string& group) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return Error::permanent("", "unknown user '" + user + "'");
  Identity id{pw.pw_uid, pw.pw_gid};
  if (!group.empty()) {
    struct group gr {};
    struct group* gfound = nullptr;
    if (getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &gfound) != 0 || !gfound)
      return Error::permanent("", "unknown group '" + group + "'");
    id.gid = gr.gr_gid;
  }
  return id;
}

Status drop_privileges(const Identity& id, bool account_groups) {
  gid_t gid = id.gid;
  if (account_groups) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwuid_r(id.uid, &pw, buf.data(), buf.size(), &found) != 0 || !found)
      return Error::internal("no account for uid " + std::to_string(id.uid));
    if (initgroups(found->pw_name, id.gid) != 0)
      return Error::internal(std::string("initgroups: ") + std::strerror(errno));
  } else if (setgroups(1, &gid) != 0) {
    return Error::internal(std::string("setgroups: ") + std::strerror(errno));
  }
  if (setresgid(id.gid, id.gid, id.gid) != 0)
    return Error::internal(std::string("setresgid: ") + std::strerror(errno));
  if (setresuid(id.uid, id.uid, id.uid) != 0)
    return Error::internal(std::string("setresuid: ") + std::strerror(errno));
  if (id.uid != 0 && (setuid(0) == 0 || geteuid() == 0))
    return Error::internal("privileges could be regained after dropping them");
  return ok_status();
}

Status check_accounts(const config::Settings& s) {
  if (geteuid() != 0) return ok_status();
  std::optional<Identity> mail;
  if (!s.user.empty()) {
    auto found = resolve_identity(s.user, s.group);
    if (!found)
      return Error::permanent("", s.source_file + ": user: " + found.error().message +
                                      " (create it with 'adduser --system --group " + s.user +
                                      "', or set [server] user)");
    mail = *found;
  }
  if (s.process_model != config::ProcessModel::Split) return ok_status();
  auto login = resolve_identity(s.login_user, s.login_group);
  if (!login)
    return Error::permanent("", s.source_file + ": login_user: " + login.error().message +
                                    " (create it with 'adduser --system --group " + s.login_user +
                                    "', or set [server] login_user)");
  if (mail && mail->uid == login->uid)
    log::warning("login_user and user are the same account: login workers could reach mail");
  return ok_status();
}

unsigned long raise_fd_limit(unsigned long wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur >= wanted) return lim.rlim_cur;
  rlimit next = lim;
  next.rlim_cur = wanted;
  if (next.rlim_max < wanted) next.rlim_max = wanted;
  if (setrlimit(RLIMIT_NOFILE, &next) != 0) {
    next = lim;
    next.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &next);
  }
  getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

}  // namespace satchel::server
