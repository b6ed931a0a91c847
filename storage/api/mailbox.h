// The Mailbox interface: one opened (selected or examined) mailbox of one user's store.
//
// Every method may block on disk I/O (the server calls them from its thread pool, never from
// the event loop). A Mailbox is used by one session at a time; several Mailbox objects, in
// this or other processes, may have the same mailbox open and see each other's changes
// through the index.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/api/types.h"

namespace satchel::storage {

class Mailbox {
 public:
  virtual ~Mailbox() = default;

  virtual const std::string& name() const = 0;

  // Counters as of the last snapshot()/changes_since() call.
  virtual const MailboxInfo& info() const = 0;

  // All messages, sorted by UID, after picking up changes made by anyone (other sessions,
  // an MTA writing into Maildir/new). Used on SELECT. Marks messages \Recent for this
  // session as RFC 3501 §2.3.2 says (never for a read-only mailbox).
  virtual Result<std::vector<MessageInfo>> snapshot() = 0;

  // What changed since `since` (a modseq this Mailbox returned before), after picking up
  // outside changes as snapshot() does. Cheap when nothing changed (no directory rescan
  // unless a directory's mtime moved). Used on NOOP, CHECK, IDLE and after every command.
  virtual Result<Changes> changes_since(ModSeq since) = 0;

  // Changes flags of the listed messages (UIDs that no longer exist are skipped) and fsyncs
  // before returning. `unchanged_since` (RFC 7162), when non-zero, skips messages whose
  // modseq is greater and returns their UIDs in `modified`. Returns the new state of every
  // message that was changed.
  struct StoreResult {
    std::vector<MessageInfo> updated;
    std::vector<Uid> modified;
  };
  virtual Result<StoreResult> store_flags(std::span<const Uid> uids, FlagOp op, const Flags& flags,
                                          ModSeq unchanged_since) = 0;

  // Removes messages flagged \Deleted (only those in `only`, when given: UID EXPUNGE, RFC
  // 4315) and fsyncs. Returns the expunged UIDs, sorted.
  virtual Result<std::vector<Uid>> expunge(const std::vector<Uid>* only) = 0;

  // Copies messages (existing UIDs among `uids`, in UID order) into another mailbox of the
  // same store, keeping flags (but not \Recent) and internal dates. Fsyncs before returning.
  virtual Result<CopyResult> copy_to(std::span<const Uid> uids, std::string_view dest) = 0;

  // The full message in CRLF form (bare LF and bare CR stored on disk are served as CRLF),
  // exactly `MessageInfo::size` octets. NONEXISTENT code if it vanished (expunged elsewhere).
  virtual Result<std::string> read_message(Uid uid) = 0;

  // A small cache of parsed facts (ENVELOPE, BODYSTRUCTURE...) kept in the index so that
  // fetching them again does not reparse the file. `field` is a short name chosen by the
  // caller. Cache failures are not errors: get returns nullopt, put does nothing.
  virtual std::optional<std::string> cache_get(Uid uid, std::string_view field) = 0;
  virtual void cache_put(Uid uid, std::string_view field, std::string_view value) = 0;
};

}  // namespace satchel::storage
