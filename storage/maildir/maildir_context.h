// What one opened Maildir store shares with the Mailbox and AppendSink objects it hands out:
// the root directory fd (every path is opened relative to it) and the index connection.
// Shared by std::shared_ptr because a Mailbox may outlive the MailStore that opened it; all
// users belong to one session, which uses them from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/index/mail_index.h"
#include "storage/maildir/fs_util.h"

namespace satchel::storage::maildir {

struct MaildirContext {
  std::string root_path;  // For messages only; never used to build paths.
  UniqueFd root;
  std::unique_ptr<index::MailIndex> index;

  // Opens the directory of a selectable mailbox. Bad name: Permanent CANNOT; no such
  // mailbox: Permanent NONEXISTENT; a \Noselect parent (no cur/): Permanent CANNOT.
  Result<UniqueFd> open_mailbox_dir(std::string_view name);
};

}  // namespace satchel::storage::maildir
