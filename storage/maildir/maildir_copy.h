// Placing a copy of an existing message file into another Maildir folder (COPY, MOVE and
// RENAME of INBOX): a hard link when the file system allows it, else a byte copy through
// tmp/. The copy gets a fresh unique base name and keeps the flag letters and the mtime
// (the internal date).
#pragma once

#include <string>

#include "base/result.h"
#include "storage/index/mail_index.h"

namespace satchel::storage::maildir {

struct PlacedFile {
  std::string key;       // The new base name.
  std::string location;  // "cur/<base>:2,<letters>".
};

// Links or copies `msg` (found at msg.location below `src_dirfd`) into cur/ of the folder at
// `dest_dirfd`. The source missing: Permanent NONEXISTENT. The caller fsyncs the
// destination directory. Blocks.
Result<PlacedFile> place_copy(int src_dirfd, const index::MessageRow& msg, int dest_dirfd);

// Writes `data` as a new file `rel` below `dirfd` (O_EXCL, mode 0600), sets its mtime, and
// fsyncs it. Used by the copy fallback.
Status write_new_file(int dirfd, const std::string& rel, std::string_view data,
                      std::int64_t mtime_sec, std::int64_t mtime_nsec);

}  // namespace satchel::storage::maildir
