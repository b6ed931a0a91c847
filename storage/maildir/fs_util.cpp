#include "storage/maildir/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace satchel::storage::maildir {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Error errno_error(std::string_view what, int err) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Error::temporary("OVERQUOTA", std::move(msg));
    case EMFILE:
    case ENFILE:
    case EAGAIN:
    case EINTR:
      return Error::temporary("", std::move(msg));
    case ENOENT:
    case ENOTDIR:
      return Error::permanent("NONEXISTENT", std::move(msg));
    case ELOOP:  // O_NOFOLLOW met a symlink where a mailbox should be.
      return Error::permanent("CANNOT", std::move(msg));
    case EACCES:
    case EPERM:
      return Error::permanent("NOPERM", std::move(msg));
    default:
      return Error::internal(std::move(msg));
  }
}

Result<UniqueFd> open_dir_at(int dirfd, const std::string& rel) {
  int fd = ::openat(dirfd, rel.empty() ? "." : rel.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_error("open directory " + rel, errno);
  return UniqueFd(fd);
}

Status fsync_fd(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return errno_error("fsync " + std::string(what), errno);
  return ok_status();
}

Status fsync_subdirs(int dirfd) {
  for (const char* sub : {"cur", "new"}) {
    auto dir = open_dir_at(dirfd, sub);
    if (!dir) return dir.error();
    if (auto st = fsync_fd(dir->get(), sub); !st) return st;
  }
  return ok_status();
}

std::int64_t dir_mtime_ns(int dirfd, const char* name) {
  struct stat st {};
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -1;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

Result<std::string> read_file_at(int dirfd, const std::string& rel) {
  UniqueFd fd(::openat(dirfd, rel.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + rel, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat " + rel, errno);
  if (!S_ISREG(st.st_mode)) return Error::internal(rel + ": not a regular file");
  std::string out;
  try {
    out.reserve(static_cast<std::size_t>(st.st_size));
    char buf[65536];
    while (true) {
      ssize_t n = ::read(fd.get(), buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("read " + rel, errno);
      }
      if (n == 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  } catch (const std::bad_alloc&) {
    return Error::temporary("", "out of memory reading " + rel);
  }
  return out;
}

void CrlfCounter::feed(std::string_view chunk) {
  for (char c : chunk) {
    if (prev_cr_) {
      prev_cr_ = false;
      size_ += 2;  // CR LF, or a bare CR that becomes CR LF.
      if (c == '\n') continue;
    }
    if (c == '\r') {
      prev_cr_ = true;
    } else if (c == '\n') {
      size_ += 2;
    } else {
      size_ += 1;
    }
  }
}

Status make_maildir_at(int dirfd, const std::string& rel) {
  if (!rel.empty() && ::mkdirat(dirfd, rel.c_str(), 0700) != 0 && errno != EEXIST) {
    return errno_error("mkdir " + rel, errno);
  }
  auto dir = open_dir_at(dirfd, rel);
  if (!dir) return dir.error();
  for (const char* sub : {"tmp", "new", "cur"}) {
    if (::mkdirat(dir->get(), sub, 0700) != 0 && errno != EEXIST) {
      return errno_error("mkdir " + rel + "/" + sub, errno);
    }
  }
  if (auto st = fsync_fd(dir->get(), rel); !st) return st;
  return fsync_fd(dirfd, "maildir root");
}

Result<std::vector<std::string>> list_dir_at(int dirfd, const std::string& rel,
                                             bool skip_dot_files) {
  int fd = ::openat(dirfd, rel.empty() ? "." : rel.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_error("open directory " + rel, errno);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return errno_error("fdopendir " + rel, err);
  }
  std::vector<std::string> out;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view n(e->d_name);
    if (n == "." || n == ".." || (skip_dot_files && n.front() == '.')) continue;
    out.emplace_back(n);
    errno = 0;
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return errno_error("readdir " + rel, err);
  return out;
}

Status remove_tree_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return ok_status();
    return errno_error("stat " + name, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return errno_error("unlink " + name, errno);
    }
    return ok_status();
  }
  auto sub = open_dir_at(dirfd, name);
  if (!sub) return sub.error();
  auto entries = list_dir_at(sub->get(), "", false);
  if (!entries) return entries.error();
  for (const auto& e : *entries) {
    if (auto s = remove_tree_at(sub->get(), e); !s) return s;
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return errno_error("rmdir " + name, errno);
  }
  return ok_status();
}

}  // namespace satchel::storage::maildir
