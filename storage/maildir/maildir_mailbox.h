// A Maildir folder opened as a Mailbox (storage/api/mailbox.h has the contract). Flags of
// messages live in the file names (":2,FS"), keywords in the index only.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "storage/api/mailbox.h"
#include "storage/maildir/maildir_context.h"

namespace satchel::storage::maildir {

class MaildirMailbox : public Mailbox {
 public:
  MaildirMailbox(std::shared_ptr<MaildirContext> ctx, std::string name, UniqueFd dir,
                 const index::MailboxRow& row, bool read_only);

  const std::string& name() const override { return name_; }
  const MailboxInfo& info() const override { return info_; }
  Result<std::vector<MessageInfo>> snapshot() override;
  Result<Changes> changes_since(ModSeq since) override;
  Result<StoreResult> store_flags(std::span<const Uid> uids, FlagOp op, const Flags& flags,
                                  ModSeq unchanged_since) override;
  Result<std::vector<Uid>> expunge(const std::vector<Uid>* only) override;
  Result<CopyResult> copy_to(std::span<const Uid> uids, std::string_view dest) override;
  Result<std::string> read_message(Uid uid) override;
  std::optional<std::string> cache_get(Uid uid, std::string_view field) override;
  void cache_put(Uid uid, std::string_view field, std::string_view value) override;

  // Removes the listed messages whether or not they carry \Deleted (RENAME of INBOX moves
  // its messages with copy_to + this). Returns the UIDs removed.
  Result<std::vector<Uid>> remove_messages(const std::vector<Uid>* only, bool deleted_only);

 private:
  // Syncs with the directory, then claims \Recent for this object when read-write.
  Result<index::MailboxRow> refresh();
  MessageInfo to_info(const index::MessageRow& row) const;

  std::shared_ptr<MaildirContext> ctx_;
  std::string name_;
  UniqueFd dir_;
  std::int64_t id_;
  MailboxInfo info_;
  std::set<std::pair<Uid, Uid>> recent_;  // Half-open UID ranges that are \Recent here.
};

}  // namespace satchel::storage::maildir
