// The Selected state's data: the opened Mailbox and this session's view of it (UIDs in
// sequence order with flags and \Recent), plus the rules for untagged updates (RFC 3501
// §5.2, §5.5, §7.4.1; RFC 2180 §4).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/api/mailbox.h"

namespace satchel::imap {

class SelectedMailbox {
 public:
  SelectedMailbox(std::unique_ptr<storage::Mailbox> box, bool read_only,
                  std::vector<storage::MessageInfo> view);

  storage::Mailbox& box() { return *box_; }
  bool read_only() const { return read_only_; }
  const std::vector<storage::MessageInfo>& view() const { return view_; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(view_.size()); }
  std::uint32_t recent() const;
  std::vector<storage::Uid> uids() const;

  // Index in view() of a UID, if present.
  std::optional<std::size_t> find(storage::Uid uid) const;
  // True when another session expunged the message and we have not told the client yet.
  bool expunge_pending(storage::Uid uid) const;

  // Picks up changes and appends the untagged responses: EXPUNGE (only when
  // `allow_expunge`; otherwise remembered for later, RFC 3501 §7.4.1), EXISTS and RECENT for
  // new messages, FETCH (FLAGS) for flags changed by others. `with_uid` adds UID to those
  // FETCH responses (during UID commands).
  Status sync(std::string& out, bool allow_expunge, bool with_uid);

  // Records flags we changed ourselves (so that sync() does not report them again).
  void update(const storage::MessageInfo& info);

  // Removes expunged messages we expunged ourselves, sending EXPUNGE for each (descending
  // sequence numbers, so that each number is valid when it is read). `silent` (CLOSE) only
  // updates the view.
  void remove(const std::vector<storage::Uid>& uids, std::string& out, bool silent);

 private:
  std::unique_ptr<storage::Mailbox> box_;
  bool read_only_;
  std::vector<storage::MessageInfo> view_;
  storage::ModSeq modseq_ = 0;
  std::vector<storage::Uid> pending_expunge_;  // Sorted.
};

}  // namespace satchel::imap
