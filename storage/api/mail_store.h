// The MailStore interface: one user's mailboxes (DESIGN.md, Storage). Backends: Maildir
// (storage/maildir) now, mbox later; chosen by the location string through MailStoreFactory.
//
// Every method may block on disk I/O: call from the thread pool. Errors carry the IMAP
// response code to answer with (NONEXISTENT, ALREADYEXISTS, CANNOT, NOPERM, OVERQUOTA,
// SERVERBUG...).
#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/api/mailbox.h"
#include "storage/api/types.h"

namespace satchel::storage {

// A message being appended: the body arrives in chunks (an IMAP literal is streamed, never
// held whole) and becomes visible only at commit(). Destroying an uncommitted sink removes
// whatever it wrote (an aborted APPEND leaves no file behind).
struct AppendResult {
  std::uint32_t uidvalidity = 0;
  Uid uid = 0;
};

class AppendSink {
 public:
  virtual ~AppendSink() = default;
  // Writes the next chunk of the message exactly as the client sent it.
  virtual Status write(std::string_view chunk) = 0;
  // Makes the message durable (fsync of file and directory) and visible. Returns its UID and
  // the mailbox's UIDVALIDITY (RFC 4315 APPENDUID).
  virtual Result<AppendResult> commit(const Flags& flags, std::time_t internal_date,
                                      std::int32_t internal_tz) = 0;
};

// An exclusive hold on a mailbox for a POP3 session (RFC 1939 §8: the maildrop is locked while
// a POP3 session is in the TRANSACTION state). Released when the object dies, and by the
// kernel if the process dies.
class SessionLock {
 public:
  virtual ~SessionLock() = default;
};

class MailStore {
 public:
  virtual ~MailStore() = default;

  // Every mailbox of the user (INBOX first), with \Noselect parents that exist only as such.
  virtual Result<std::vector<MailboxEntry>> list() = 0;

  // Name checks (valid UTF-8, no empty, "." or ".." component, no control characters, no
  // leading "/" or "~") are the store's: a bad name is Permanent with code CANNOT.
  virtual Status create(std::string_view name) = 0;
  // RFC 3501 §6.3.4: deleting a mailbox with children removes its messages and leaves it
  // \Noselect; deleting INBOX is refused (CANNOT).
  virtual Status remove(std::string_view name) = 0;
  // RFC 3501 §6.3.5, including renaming INBOX (moves its messages, INBOX stays) and moving
  // the children of a renamed mailbox along.
  virtual Status rename(std::string_view from, std::string_view to) = 0;

  virtual Status subscribe(std::string_view name) = 0;
  virtual Status unsubscribe(std::string_view name) = 0;
  virtual Result<std::vector<std::string>> subscriptions() = 0;

  virtual Result<MailboxStatus> status(std::string_view name) = 0;

  // Opens a mailbox; NONEXISTENT if there is none, CANNOT if it is \Noselect.
  virtual Result<std::unique_ptr<Mailbox>> open(std::string_view name, bool read_only) = 0;

  // Starts appending to a mailbox (NONEXISTENT with TRYCREATE semantics left to the caller:
  // the code is "TRYCREATE" when the mailbox does not exist, RFC 3501 §6.3.11).
  virtual Result<std::unique_ptr<AppendSink>> begin_append(std::string_view mailbox) = 0;

  // Takes the POP3 maildrop lock of a mailbox, held across processes. Temporary with code
  // INUSE when another session holds it.
  virtual Result<std::unique_ptr<SessionLock>> lock_exclusive(std::string_view mailbox) = 0;

  // The session is going idle (IMAP IDLE): give back caches that only speed up the next
  // command (DESIGN.md, memory per session: an index connection's page cache and prepared
  // statements). Nothing stored changes. Call between commands only.
  virtual void release_memory() {}
};

// Opens the store of one user from its location. Implemented where the backends are known
// (storage/ as a whole); protocol/ receives an instance and sees only this interface.
class MailStoreFactory {
 public:
  virtual ~MailStoreFactory() = default;
  virtual Result<std::unique_ptr<MailStore>> open(const StoreLocation& where) = 0;
};

}  // namespace satchel::storage
