#include "storage/maildir/maildir_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "storage/maildir/fs_util.h"
#include "storage/maildir/maildir_filename.h"

namespace satchel::storage::maildir {

Status write_new_file(int dirfd, const std::string& rel, std::string_view data,
                      std::int64_t mtime_sec, std::int64_t mtime_nsec) {
  UniqueFd fd(
      ::openat(dirfd, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_error("create " + rel, errno);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::unlinkat(dirfd, rel.c_str(), 0);
      return errno_error("write " + rel, err);
    }
    done += static_cast<std::size_t>(n);
  }
  struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(mtime_sec), mtime_nsec}};
  if (::futimens(fd.get(), times) != 0 || ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlinkat(dirfd, rel.c_str(), 0);
    return errno_error("sync " + rel, err);
  }
  return ok_status();
}

Result<PlacedFile> place_copy(int src_dirfd, const index::MessageRow& msg, int dest_dirfd) {
  struct stat st {};
  if (::fstatat(src_dirfd, msg.location.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno_error("stat " + msg.location, errno);
  }
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  std::string file = msg.location.substr(msg.location.find('/') + 1);
  PlacedFile out;
  out.key = make_base_name(now.tv_sec, now.tv_nsec / 1000, static_cast<std::uint64_t>(st.st_size),
                           msg.size);
  out.location = "cur/" + file_name_with_info(
                              out.key, letters_for_flags(parse_file_name(file).letters, msg.flags));
  if (::linkat(src_dirfd, msg.location.c_str(), dest_dirfd, out.location.c_str(), 0) == 0) {
    return out;
  }
  int err = errno;
  if (err != EXDEV && err != EPERM && err != EMLINK && err != ENOTSUP) {
    return errno_error("link " + msg.location, err);
  }
  // No hard links here: copy the bytes through tmp/ (file fsync, then rename).
  auto text = read_file_at(src_dirfd, msg.location);
  if (!text) return text.error();
  std::string tmp = "tmp/" + out.key;
  if (auto s = write_new_file(dest_dirfd, tmp, *text, st.st_mtim.tv_sec, st.st_mtim.tv_nsec); !s) {
    return s.error();
  }
  if (::renameat(dest_dirfd, tmp.c_str(), dest_dirfd, out.location.c_str()) != 0) {
    err = errno;
    ::unlinkat(dest_dirfd, tmp.c_str(), 0);
    return errno_error("rename " + tmp, err);
  }
  return out;
}

}  // namespace satchel::storage::maildir
