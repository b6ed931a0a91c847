#include "protocol/pop3/maildrop.h"

#include <cstdio>

static_assert(sizeof(satchel::pop3::Maildrop::Entry) == 16);

namespace satchel::pop3 {

Result<std::unique_ptr<Maildrop>> Maildrop::open(std::unique_ptr<storage::MailStore> store,
                                                 std::string_view mailbox) {
  if (!store) return Error::internal("no mail store");
  std::unique_ptr<Maildrop> drop(new Maildrop());
  drop->store_ = std::move(store);
  // RFC 1939 §4: the exclusive-access lock is taken before the maildrop is read.
  auto lock = drop->store_->lock_exclusive(mailbox);
  if (!lock) return lock.error();
  drop->lock_ = std::move(lock.value());
  auto box = drop->store_->open(mailbox, /*read_only=*/false);
  if (!box) return box.error();
  drop->mailbox_ = std::move(box.value());
  auto snapshot = drop->mailbox_->snapshot();
  if (!snapshot) return snapshot.error();
  drop->uidvalidity_ = drop->mailbox_->info().uidvalidity;
  drop->entries_.reserve(snapshot->size());
  for (const auto& m : *snapshot) drop->entries_.push_back(Entry{m.uid, false, false, m.size});
  return drop;
}

const Maildrop::Entry* Maildrop::find(std::uint64_t number) const {
  if (number == 0 || number > entries_.size()) return nullptr;
  const Entry& e = entries_[number - 1];
  return e.deleted ? nullptr : &e;
}

Maildrop::Totals Maildrop::totals() const {
  Totals t;
  for (const auto& e : entries_) {
    if (e.deleted) continue;
    ++t.messages;
    t.octets += e.size;
  }
  return t;
}

std::string Maildrop::unique_id(const Entry& entry) const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", static_cast<unsigned>(uidvalidity_),
                static_cast<unsigned>(entry.uid));
  return buf;
}

Result<std::string> Maildrop::read(const Entry& entry) {
  return mailbox_->read_message(entry.uid);
}

bool Maildrop::mark_deleted(std::uint64_t number) {
  if (number == 0 || number > entries_.size()) return false;
  Entry& e = entries_[number - 1];
  if (e.deleted) return false;
  e.deleted = true;
  return true;
}

void Maildrop::unmark_all() {
  for (auto& e : entries_) e.deleted = false;
}

std::size_t Maildrop::marked_count() const {
  std::size_t n = 0;
  for (const auto& e : entries_) n += e.deleted ? 1 : 0;
  return n;
}

void Maildrop::mark_retrieved(const Entry& entry) {
  // `entry` is one of entries_ (handed out by find()).
  entries_[static_cast<std::size_t>(&entry - entries_.data())].retrieved = true;
}

Result<std::size_t> Maildrop::commit_deletions() {
  std::vector<storage::Uid> uids, read;
  for (const auto& e : entries_) {
    if (e.deleted)
      uids.push_back(e.uid);
    else if (e.retrieved)
      read.push_back(e.uid);
  }
  if (!read.empty()) {
    storage::Flags seen;
    seen.system = storage::kSeen;
    auto marked = mailbox_->store_flags(read, storage::FlagOp::Add, seen, 0);
    if (!marked) return marked.error();
  }
  if (uids.empty()) return std::size_t{0};
  storage::Flags deleted;
  deleted.system = storage::kDeleted;
  auto stored = mailbox_->store_flags(uids, storage::FlagOp::Add, deleted, 0);
  if (!stored) return stored.error();
  // Only the UIDs this session marked: a message IMAP flagged \Deleted stays until IMAP
  // expunges it (RFC 4315 UID EXPUNGE semantics through `only`).
  auto expunged = mailbox_->expunge(&uids);
  if (!expunged) return expunged.error();
  return expunged->size();
}

}  // namespace satchel::pop3
