// The per-user SQLite index (DESIGN.md, Storage): mailboxes with their counters, messages
// with UID, flags, keywords, modseq, dates and sizes, expunge history for changes_since and
// QRESYNC, a cache of parsed facts, and subscriptions. Backend-neutral: a message has a
// backend `key` (the Maildir base file name; an mbox offset later) and a `location` (where
// the backend found it last, e.g. "cur/<file name>").
//
// The mail files are the truth for content; this index can be deleted and rebuilt from them.
// All methods block on disk I/O. Changes must run inside an index::Transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/api/types.h"
#include "storage/index/sqlite_db.h"

namespace satchel::storage::index {

struct MailboxRow {
  std::int64_t id = 0;
  std::string name;
  std::uint32_t uidvalidity = 0;
  Uid uidnext = 1;
  ModSeq highest_modseq = 1;
  Uid first_recent_uid = 1;
  // Directory mtimes in nanoseconds as of the last complete scan; -1 forces a scan.
  std::int64_t new_mtime_ns = -1;
  std::int64_t cur_mtime_ns = -1;
  std::string special_use;
};

struct MessageRow {
  Uid uid = 0;
  std::string key;
  std::string location;
  std::uint8_t flags = 0;  // SystemFlag bits.
  std::vector<std::string> keywords;
  ModSeq modseq = 0;
  std::int64_t internal_date = 0;
  std::int32_t tz = 0;
  std::uint64_t size = 0;
};

struct MailboxCounts {
  std::uint32_t messages = 0;
  std::uint32_t unseen = 0;
  std::uint32_t recent = 0;  // uid >= first_recent_uid (not yet claimed by a session).
  std::uint64_t size = 0;
};

class MailIndex {
 public:
  // Opens or creates the index at `path`. A file that is not a usable index (corrupt, wrong
  // schema) is moved aside to "<path>.corrupt" and a fresh one created: the backends rebuild
  // it from the mail files. `*fresh` is set when the index was (re)created.
  static Result<std::unique_ptr<MailIndex>> open(const std::string& path, bool* fresh);

  Database& db() { return *db_; }

  Result<std::optional<MailboxRow>> find_mailbox(std::string_view name);
  Result<std::vector<MailboxRow>> mailboxes();
  // In a transaction. A new row with a fresh UIDVALIDITY, strictly greater than any this
  // index handed out before (time based, so a rebuilt index gets new values too).
  Result<MailboxRow> create_mailbox(std::string_view name);
  Result<MailboxRow> find_or_create_mailbox(std::string_view name);
  // Saves the counters and mtimes of `row` (not its name).
  Status save_mailbox(const MailboxRow& row);
  // Removes the row and everything that belongs to it.
  Status delete_mailbox(std::int64_t id);
  Status rename_mailbox(std::int64_t id, std::string_view new_name);

  // Messages sorted by UID; only those with modseq > since when since > 0.
  Result<std::vector<MessageRow>> messages(std::int64_t mailbox_id, ModSeq since = 0);
  // Messages with any of the SystemFlag bits in `mask` set (EXPUNGE looks for \Deleted
  // without reading the whole mailbox), sorted by UID.
  Result<std::vector<MessageRow>> messages_flagged(std::int64_t mailbox_id, std::uint8_t mask);
  Result<std::optional<MessageRow>> message(std::int64_t mailbox_id, Uid uid);
  Status insert_message(std::int64_t mailbox_id, const MessageRow& row);
  // Updates location, flags, keywords and modseq.
  Status update_message(std::int64_t mailbox_id, const MessageRow& row);
  // Deletes the message and its cache entries and records the expunge at `modseq`.
  Status expunge_message(std::int64_t mailbox_id, Uid uid, ModSeq modseq);
  Result<std::vector<Uid>> expunged_since(std::int64_t mailbox_id, ModSeq since);
  Result<MailboxCounts> counts(const MailboxRow& row);

  std::optional<std::string> cache_get(std::int64_t mailbox_id, Uid uid, std::string_view field);
  void cache_put(std::int64_t mailbox_id, Uid uid, std::string_view field, std::string_view value);

  Status subscribe(std::string_view name);
  Status unsubscribe(std::string_view name);
  Result<std::vector<std::string>> subscriptions();

 private:
  explicit MailIndex(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Status init_schema();

  std::unique_ptr<Database> db_;
};

// Keywords as stored: space separated (IMAP atoms contain no space).
std::string join_keywords(const std::vector<std::string>& keywords);
std::vector<std::string> split_keywords(std::string_view text);

}  // namespace satchel::storage::index
