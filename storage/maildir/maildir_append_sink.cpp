#include "storage/maildir/maildir_append_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/crypto.h"
#include "storage/index/flag_ops.h"
#include "storage/maildir/maildir_filename.h"

namespace satchel::storage::maildir {

Result<std::unique_ptr<MaildirAppendSink>> MaildirAppendSink::start(
    std::shared_ptr<MaildirContext> ctx, std::string mailbox, UniqueFd dir) {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  std::int64_t usec = now.tv_nsec / 1000;
  std::string tmp = "tmp/" + std::to_string(now.tv_sec) + ".M" + std::to_string(usec) + "P" +
                    std::to_string(getpid()) + "R" + std::to_string(crypto::random_u32()) +
                    ".append";
  UniqueFd file(
      ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!file.valid()) return errno_error("create " + tmp, errno);
  return std::unique_ptr<MaildirAppendSink>(
      new MaildirAppendSink(std::move(ctx), std::move(mailbox), std::move(dir), std::move(file),
                            std::move(tmp), now.tv_sec, usec));
}

MaildirAppendSink::MaildirAppendSink(std::shared_ptr<MaildirContext> ctx, std::string mailbox,
                                     UniqueFd dir, UniqueFd file, std::string tmp_name,
                                     std::int64_t sec, std::int64_t usec)
    : ctx_(std::move(ctx)),
      mailbox_(std::move(mailbox)),
      dir_(std::move(dir)),
      file_(std::move(file)),
      tmp_rel_(std::move(tmp_name)),
      sec_(sec),
      usec_(usec) {}

MaildirAppendSink::~MaildirAppendSink() {
  discard();
}

void MaildirAppendSink::discard() {
  file_ = UniqueFd();
  if (!tmp_rel_.empty()) {
    ::unlinkat(dir_.get(), tmp_rel_.c_str(), 0);
    tmp_rel_.clear();
  }
}

Status MaildirAppendSink::write(std::string_view chunk) {
  if (failed_) return *failed_;
  if (!file_.valid()) return Error::internal("append: write after commit");
  std::size_t done = 0;
  while (done < chunk.size()) {
    ssize_t n = ::write(file_.get(), chunk.data() + done, chunk.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = errno_error("append to " + mailbox_, errno);
      discard();
      return *failed_;
    }
    done += static_cast<std::size_t>(n);
  }
  bytes_ += chunk.size();
  crlf_.feed(chunk);
  return ok_status();
}

Result<AppendResult> MaildirAppendSink::commit(const Flags& flags, std::time_t internal_date,
                                               std::int32_t internal_tz) {
  if (failed_) return *failed_;
  if (!file_.valid()) return Error::internal("append: commit twice");
  if (internal_date <= 0) internal_date = static_cast<std::time_t>(sec_);
  // The mtime is the internal date, so an index rebuild keeps it (set before the fsync so the
  // metadata is flushed with the data).
  struct timespec times[2] = {{0, UTIME_OMIT}, {internal_date, 0}};
  if (::futimens(file_.get(), times) != 0 || ::fsync(file_.get()) != 0) {
    Error e = errno_error("sync appended message", errno);
    discard();
    return e;
  }
  file_ = UniqueFd();

  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun().error();
  auto row = idx.find_or_create_mailbox(mailbox_);
  if (!row) return row.error();

  index::MessageRow m;
  m.key = make_base_name(sec_, usec_, bytes_, crlf_.finish());
  m.location = "cur/" + file_name_with_info(m.key, letters_for_flags("", flags.system));
  // The rename happens inside the transaction, so a concurrent sync (which takes the same
  // write lock) never sees the file without its UID.
  if (::renameat(dir_.get(), tmp_rel_.c_str(), dir_.get(), m.location.c_str()) != 0) {
    Error e = errno_error("rename appended message", errno);
    discard();
    return e;
  }
  tmp_rel_.clear();
  if (auto st = fsync_subdirs(dir_.get()); !st) return st.error();

  m.flags = flags.system;
  m.keywords = index::normalize_keywords(flags.keywords);
  m.internal_date = internal_date;
  m.tz = internal_tz;
  m.size = crlf_.finish();
  m.uid = row->uidnext++;
  m.modseq = ++row->highest_modseq;
  if (auto st = idx.insert_message(row->id, m); !st) return st.error();
  if (auto st = idx.save_mailbox(*row); !st) return st.error();
  if (auto st = tx.commit(); !st) return st.error();
  return AppendResult{row->uidvalidity, m.uid};
}

}  // namespace satchel::storage::maildir
