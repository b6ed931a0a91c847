#include "server/master/child_setup.h"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace satchel::server {

void set_process_name(const std::string& name) {
  prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);
}

void close_fds_except(const std::vector<int>& keep) {
  // Collect first: closing while reading /proc/self/fd would change the listing.
  std::vector<int> open;
  if (DIR* d = opendir("/proc/self/fd")) {
    int own = dirfd(d);
    while (dirent* e = readdir(d)) {
      int fd = std::atoi(e->d_name);
      if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd <= 2 || fd == own) continue;
      open.push_back(fd);
    }
    closedir(d);
  }
  for (int fd : open)
    if (std::find(keep.begin(), keep.end(), fd) == keep.end()) close(fd);
}

Status enter_chroot(const std::string& dir) {
  if (chroot(dir.c_str()) != 0)
    return Error::internal("chroot " + dir + ": " + std::strerror(errno));
  if (chdir("/") != 0) return Error::internal(std::string("chdir /: ") + std::strerror(errno));
  return ok_status();
}

Status prepare_empty_dir(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    // Parents first (/var/lib/satchel may not exist yet on a fresh install).
    for (std::size_t i = 1; i < dir.size(); ++i) {
      if (dir[i] != '/') continue;
      std::string parent = dir.substr(0, i);
      if (mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST)
        return Error::internal("mkdir " + parent + ": " + std::strerror(errno));
    }
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return Error::internal("mkdir " + dir + ": " + std::strerror(errno));
    if (stat(dir.c_str(), &st) != 0)
      return Error::internal("stat " + dir + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return Error::permanent("", "login_chroot " + dir + " is not a directory");
  if (st.st_uid != 0 || (st.st_mode & 022) != 0)
    return Error::permanent(
        "", "login_chroot " + dir + " must be owned by root and writable by root only");
  return ok_status();
}

}  // namespace satchel::server
