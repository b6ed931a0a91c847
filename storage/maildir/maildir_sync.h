// Bringing the index in line with a Maildir folder: new files get UIDs, vanished files are
// expunged, flag letters changed by other tools (mutt) update flags. Cheap when nothing
// changed: two fstatat() calls and one SQL query (DESIGN.md: SELECT of 100,000 messages does
// not touch 100,000 files).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "storage/index/mail_index.h"
#include "storage/maildir/maildir_context.h"

namespace satchel::storage::maildir {

// Syncs mailbox `name` whose directory is `dirfd`, creating its index row if missing
// (unless `create_row` is false: then a missing row is Permanent NONEXISTENT, which is what
// an opened Mailbox sees after its mailbox was deleted or renamed elsewhere).
// `read_write` moves messages found in new/ to cur/ (read-only sessions leave the directory
// as it is). `force` scans even when the directory mtimes did not move. Returns the row as
// committed. May block.
Result<index::MailboxRow> sync_mailbox(MaildirContext& ctx, std::string_view name, int dirfd,
                                       bool read_write, bool force = false, bool create_row = true);

// Number of directory scans done by this process (tests check that unchanged mailboxes are
// not rescanned).
std::uint64_t scan_count();

}  // namespace satchel::storage::maildir
