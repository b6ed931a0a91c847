// Vocabulary of the storage interface: UIDs, modseqs, flags, per-message and per-mailbox facts.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace satchel::storage {

using Uid = std::uint32_t;
using ModSeq = std::uint64_t;

// The IMAP system flags that a store keeps (RFC 3501 §2.3.2). \Recent is not stored: it is a
// per-session property, reported in MessageInfo::recent.
enum SystemFlag : std::uint8_t {
  kSeen = 1,
  kAnswered = 2,
  kFlagged = 4,
  kDeleted = 8,
  kDraft = 16,
};

struct Flags {
  std::uint8_t system = 0;            // SystemFlag bits.
  std::vector<std::string> keywords;  // Sorted, unique, case-preserved atoms ($Forwarded...).

  bool has(SystemFlag f) const { return (system & f) != 0; }
  bool operator==(const Flags&) const = default;
};

// One message as a mailbox snapshot knows it.
struct MessageInfo {
  Uid uid = 0;
  Flags flags;
  ModSeq modseq = 0;
  std::time_t internal_date = 0;  // Seconds since the epoch, UTC.
  std::int32_t internal_tz = 0;   // Zone offset of the internal date, in minutes east of UTC.
  std::uint64_t size = 0;         // RFC822.SIZE: octets in the CRLF form.
  bool recent = false;            // \Recent in this session (RFC 3501 §2.3.2).
};

// The mailbox-wide counters an IMAP client caches.
struct MailboxInfo {
  std::uint32_t uidvalidity = 0;
  Uid uidnext = 1;
  ModSeq highest_modseq = 1;
  bool read_only = false;
};

// STATUS items (RFC 3501 §6.3.10, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ).
struct MailboxStatus {
  std::uint32_t messages = 0;
  std::uint32_t recent = 0;
  std::uint32_t unseen = 0;
  Uid uidnext = 1;
  std::uint32_t uidvalidity = 0;
  ModSeq highest_modseq = 1;
  std::uint64_t size = 0;
};

// Mailbox names in the storage interface are UTF-8 with '/' as the hierarchy separator.
// "INBOX" is always spelled in upper case here; the protocol layer folds its case.
struct MailboxEntry {
  std::string name;
  bool no_select = false;     // \Noselect: exists only as a parent (RFC 3501 §7.2.2).
  bool has_children = false;  // \HasChildren / \HasNoChildren (RFC 3348).
  bool subscribed = false;
  std::string special_use;  // "\Sent", "\Trash"... or empty (RFC 6154).
};

// How STORE changes flags (RFC 3501 §6.4.6).
enum class FlagOp { Replace, Add, Remove };

// What changed in a mailbox since a modseq. New messages and flag changes are both in
// `changed` (a client tells them apart by UID against what it already has).
struct Changes {
  MailboxInfo info;
  std::vector<MessageInfo> changed;  // Messages with modseq > since, sorted by UID.
  std::vector<Uid> expunged;         // UIDs expunged with modseq > since, sorted.
};

struct CopyResult {
  std::uint32_t dest_uidvalidity = 0;
  std::vector<Uid> source_uids;  // In the order copied.
  std::vector<Uid> dest_uids;    // dest_uids[i] is the copy of source_uids[i] (RFC 4315 COPYUID).
};

// Per-user location of mail, as the userdb gives it (DESIGN.md: `maildir:~/Maildir`).
struct StoreLocation {
  std::string user;
  std::string home;
  std::string location;    // "maildir:/path" (and later "mbox:..."); "~" expands to home.
  std::string index_path;  // Where the SQLite index lives; empty: inside the mail root.
};

}  // namespace satchel::storage
