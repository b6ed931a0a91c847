// Small POSIX helpers for the Maildir backend: an owning file descriptor, directory-relative
// opens that never follow symlinks, fsync of a directory, line-ending conversion. All of them
// block on disk I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace satchel::storage::maildir {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// An error from errno: ENOSPC/EDQUOT become Temporary OVERQUOTA-less "disk full" errors,
// EMFILE/EAGAIN Temporary, the rest Internal.
Error errno_error(std::string_view what, int err);

// Opens a directory below `dirfd` (a relative path without ".." components, as produced by
// folder_dir_name) with O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC. ENOENT -> Permanent NONEXISTENT.
Result<UniqueFd> open_dir_at(int dirfd, const std::string& rel);

Status fsync_fd(int fd, std::string_view what);

// fsync()s the cur/ and new/ directories of the Maildir at `dirfd` (after renames, links
// and unlinks in them: the directory entry is what makes a message durable).
Status fsync_subdirs(int dirfd);

// A directory's mtime in nanoseconds, or -1 when it cannot be read.
std::int64_t dir_mtime_ns(int dirfd, const char* name);

// Reads a whole regular file below `dirfd` (no symlinks). ENOENT -> Permanent NONEXISTENT.
Result<std::string> read_file_at(int dirfd, const std::string& rel);

// Counts the octets of the CRLF form of a stream fed in chunks (RFC822.SIZE of an APPEND).
class CrlfCounter {
 public:
  void feed(std::string_view chunk);
  std::uint64_t finish() const { return size_ + (prev_cr_ ? 2 : 0); }

 private:
  std::uint64_t size_ = 0;
  bool prev_cr_ = false;
};

// Names in a directory below `dirfd`, without "." and "..", unsorted. With
// `skip_dot_files`, names starting with '.' are left out too (Maildir ignores them).
Result<std::vector<std::string>> list_dir_at(int dirfd, const std::string& rel,
                                             bool skip_dot_files);

// Removes `name` below `dirfd` and everything inside it, never following symlinks (a symlink
// is unlinked, not entered). A missing entry is not an error.
Status remove_tree_at(int dirfd, const std::string& name);

// Creates a Maildir (cur/new/tmp) below `dirfd` at `rel` ("" for the root itself), mode 0700.
Status make_maildir_at(int dirfd, const std::string& rel);

}  // namespace satchel::storage::maildir
