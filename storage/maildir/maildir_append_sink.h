// APPEND into a Maildir folder: the message is streamed into tmp/ as it arrives, and commit()
// makes it durable and visible (file fsync, futimens to the internal date, rename into cur/
// with the flag letters, directory fsync, UID assigned in an index transaction).
#pragma once

#include <ctime>
#include <memory>
#include <string>

#include "storage/api/mail_store.h"
#include "storage/maildir/maildir_context.h"

namespace satchel::storage::maildir {

class MaildirAppendSink : public AppendSink {
 public:
  // Creates the tmp/ file. `dir` is the folder's directory.
  static Result<std::unique_ptr<MaildirAppendSink>> start(std::shared_ptr<MaildirContext> ctx,
                                                          std::string mailbox, UniqueFd dir);
  ~MaildirAppendSink() override;

  Status write(std::string_view chunk) override;
  Result<AppendResult> commit(const Flags& flags, std::time_t internal_date,
                              std::int32_t internal_tz) override;

 private:
  MaildirAppendSink(std::shared_ptr<MaildirContext> ctx, std::string mailbox, UniqueFd dir,
                    UniqueFd file, std::string tmp_name, std::int64_t sec, std::int64_t usec);
  void discard();

  std::shared_ptr<MaildirContext> ctx_;
  std::string mailbox_;
  UniqueFd dir_;
  UniqueFd file_;
  std::string tmp_rel_;  // "tmp/<name>"; empty once the file left tmp/.
  std::int64_t sec_;
  std::int64_t usec_;
  std::uint64_t bytes_ = 0;
  CrlfCounter crlf_;
  std::optional<Error> failed_;
};

}  // namespace satchel::storage::maildir
