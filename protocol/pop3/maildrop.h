// Maildrop: the mailbox of a POP3 session in the TRANSACTION state (RFC 1939 §5, §6). It
// holds the maildrop lock for its whole life, numbers the messages 1..n in UID order as of
// login, remembers which ones DELE marked, and removes them only in commit_deletions() (the
// UPDATE state). Destroying it without commit deletes nothing (a dropped connection).
//
// Every method may block on storage: call from the thread pool, as Session::feed() is.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/api/mail_store.h"

namespace satchel::pop3 {

class Maildrop {
 public:
  struct Entry {
    // Ordered to pack into 16 bytes: a maildrop of 100,000 messages costs 1.6 MB.
    storage::Uid uid = 0;
    bool deleted = false;
    bool retrieved = false;  // RETR'd in this session: flagged \Seen at UPDATE.
    std::uint64_t size = 0;  // Octets of the CRLF form, before byte-stuffing (RFC 1939 §5).
  };

  struct Totals {
    std::size_t messages = 0;
    std::uint64_t octets = 0;
  };

  // Takes the maildrop lock of `mailbox` (an error with code INUSE when another POP3 session
  // has it), opens the mailbox read-write and takes its snapshot. Messages IMAP flagged
  // \Deleted are listed too: POP3 does not know IMAP flags. On failure the lock is released.
  static Result<std::unique_ptr<Maildrop>> open(std::unique_ptr<storage::MailStore> store,
                                                std::string_view mailbox);

  // The number of messages at login, deleted ones included (the highest message number).
  std::size_t size() const { return entries_.size(); }

  // Message `number` (1-based), or nullptr when out of range or marked deleted.
  const Entry* find(std::uint64_t number) const;

  // Messages not marked deleted and their octets (STAT, RFC 1939 §5).
  Totals totals() const;

  // The unique-id listing of a message (RFC 1939 §7 UIDL): the mailbox UIDVALIDITY and the
  // message UID, each as 8 lower-case hex digits ("000003e80000002a"). Both come from the
  // store's index, so the value is the same in every session and every worker for as long as
  // the mailbox keeps its UIDVALIDITY, and IMAP sees the same message under the same UID.
  std::string unique_id(const Entry& entry) const;

  // The message in CRLF form (exactly entry.size octets). NONEXISTENT when it was expunged
  // elsewhere (an IMAP session) since login.
  Result<std::string> read(const Entry& entry);

  // RETR: remembers that the message was read, for \Seen at UPDATE.
  void mark_retrieved(const Entry& entry);

  // DELE: false when the number does not name a listed, not yet deleted message.
  bool mark_deleted(std::uint64_t number);
  // RSET: unmarks every message.
  void unmark_all();
  std::size_t marked_count() const;

  // UPDATE (RFC 1939 §6): flags the messages RETR'd and kept \Seen (as Dovecot does, so an
  // IMAP client sees them as read), then flags the marked messages \Deleted and expunges
  // exactly them. Returns how many were removed (messages already expunged elsewhere are not
  // counted).
  Result<std::size_t> commit_deletions();

 private:
  Maildrop() = default;

  // Destroyed in reverse order: the mailbox is closed before the lock is released.
  std::unique_ptr<storage::MailStore> store_;
  std::unique_ptr<storage::SessionLock> lock_;
  std::unique_ptr<storage::Mailbox> mailbox_;
  std::uint32_t uidvalidity_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace satchel::pop3
