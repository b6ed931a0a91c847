// MemoryStore: an in-memory MailStore for protocol unit tests (CONVENTIONS.md: fakes over
// mocks). It follows the storage/api contract (UIDs, modseqs, \Recent claimed by one
// Mailbox, TRYCREATE, INUSE) without touching the disk. Several MemoryStore objects made by
// one MemoryStoreFactory for the same user share the same data, as two sessions of one user
// share an index.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "storage/api/mail_store.h"

namespace satchel::testing {

struct MemoryMessage {
  storage::MessageInfo info;  // `recent` unused here.
  std::string text;           // CRLF form.
};

struct MemoryMailbox {
  std::uint32_t uidvalidity = 0;
  storage::Uid uidnext = 1;
  storage::ModSeq highest_modseq = 1;
  storage::Uid first_recent_uid = 1;
  std::map<storage::Uid, MemoryMessage> messages;
  std::map<storage::Uid, storage::ModSeq> expunged;
  std::map<std::pair<storage::Uid, std::string>, std::string> cache;
  bool locked = false;
};

struct MemoryUserData {
  std::map<std::string, MemoryMailbox> mailboxes;  // Only selectable ones; parents implied.
  std::map<std::string, bool> subscriptions;
  std::uint32_t next_uidvalidity = 1000;
};

class MemoryStore : public storage::MailStore {
 public:
  explicit MemoryStore(std::shared_ptr<MemoryUserData> data);

  Result<std::vector<storage::MailboxEntry>> list() override;
  Status create(std::string_view name) override;
  Status remove(std::string_view name) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status subscribe(std::string_view name) override;
  Status unsubscribe(std::string_view name) override;
  Result<std::vector<std::string>> subscriptions() override;
  Result<storage::MailboxStatus> status(std::string_view name) override;
  Result<std::unique_ptr<storage::Mailbox>> open(std::string_view name, bool read_only) override;
  Result<std::unique_ptr<storage::AppendSink>> begin_append(std::string_view mailbox) override;
  Result<std::unique_ptr<storage::SessionLock>> lock_exclusive(std::string_view mailbox) override;

  // Test helper: appends a message directly, as an MTA would deliver it.
  storage::Uid deliver(std::string_view mailbox, std::string_view text, std::uint8_t flags = 0);

  MemoryUserData& data() { return *data_; }

 private:
  std::shared_ptr<MemoryUserData> data_;
};

class MemoryStoreFactory : public storage::MailStoreFactory {
 public:
  Result<std::unique_ptr<storage::MailStore>> open(const storage::StoreLocation& where) override;
  // The shared data of one user (created on first use, with an empty INBOX).
  std::shared_ptr<MemoryUserData> user(const std::string& name);

 private:
  std::map<std::string, std::shared_ptr<MemoryUserData>> users_;
};

}  // namespace satchel::testing
