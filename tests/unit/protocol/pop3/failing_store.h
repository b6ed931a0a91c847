// A MailStore decorator over MemoryStore whose mailboxes fail chosen calls, to test how the
// POP3 session answers storage trouble.
#pragma once

#include <memory>
#include <string>

#include "tests/support/memory_store.h"

namespace satchel::pop3::test {

struct Failures {
  bool snapshot = false;
  bool store_flags = false;
  bool expunge = false;
  bool read = false;
};

class FailingMailbox : public storage::Mailbox {
 public:
  FailingMailbox(std::unique_ptr<storage::Mailbox> inner, const Failures& fail)
      : inner_(std::move(inner)), fail_(fail) {}
  const std::string& name() const override { return inner_->name(); }
  const storage::MailboxInfo& info() const override { return inner_->info(); }
  Result<std::vector<storage::MessageInfo>> snapshot() override {
    if (fail_.snapshot) return Error::temporary("", "disk trouble");
    return inner_->snapshot();
  }
  Result<storage::Changes> changes_since(storage::ModSeq since) override {
    return inner_->changes_since(since);
  }
  Result<StoreResult> store_flags(std::span<const storage::Uid> uids, storage::FlagOp op,
                                  const storage::Flags& flags, storage::ModSeq since) override {
    if (fail_.store_flags) return Error::temporary("", "disk full");
    return inner_->store_flags(uids, op, flags, since);
  }
  Result<std::vector<storage::Uid>> expunge(const std::vector<storage::Uid>* only) override {
    if (fail_.expunge) return Error::temporary("", "disk full");
    return inner_->expunge(only);
  }
  Result<storage::CopyResult> copy_to(std::span<const storage::Uid> uids,
                                      std::string_view dest) override {
    return inner_->copy_to(uids, dest);
  }
  Result<std::string> read_message(storage::Uid uid) override {
    if (fail_.read) return Error::temporary("", "I/O error");
    return inner_->read_message(uid);
  }
  std::optional<std::string> cache_get(storage::Uid uid, std::string_view field) override {
    return inner_->cache_get(uid, field);
  }
  void cache_put(storage::Uid uid, std::string_view field, std::string_view value) override {
    inner_->cache_put(uid, field, value);
  }

 private:
  std::unique_ptr<storage::Mailbox> inner_;
  const Failures& fail_;
};

class FailingStore : public testing::MemoryStore {
 public:
  FailingStore(std::shared_ptr<testing::MemoryUserData> data, const Failures& fail)
      : MemoryStore(std::move(data)), fail_(fail) {}
  Result<std::unique_ptr<storage::Mailbox>> open(std::string_view name, bool read_only) override {
    auto box = MemoryStore::open(name, read_only);
    if (!box) return box.error();
    return std::unique_ptr<storage::Mailbox>(
        std::make_unique<FailingMailbox>(std::move(box.value()), fail_));
  }

 private:
  const Failures& fail_;
};

// Hands out FailingStores over the data of a MemoryStoreFactory.
class FailingStoreFactory : public storage::MailStoreFactory {
 public:
  FailingStoreFactory(testing::MemoryStoreFactory& data, const Failures& fail)
      : data_(data), fail_(fail) {}
  Result<std::unique_ptr<storage::MailStore>> open(const storage::StoreLocation& where) override {
    return std::unique_ptr<storage::MailStore>(
        std::make_unique<FailingStore>(data_.user(where.user), fail_));
  }

 private:
  testing::MemoryStoreFactory& data_;
  const Failures& fail_;
};

}  // namespace satchel::pop3::test
