#include "tests/support/memory_store.h"

#include <algorithm>

namespace satchel::testing {
namespace {

using storage::FlagOp;
using storage::Flags;
using storage::MessageInfo;
using storage::Uid;

bool is_inbox(std::string_view name) {
  return name == "INBOX";
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/' || name.front() == '~')
    return false;
  if (name.find("//") != std::string_view::npos) return false;
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

bool is_child_of(const std::string& name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.compare(0, parent.size(), parent) == 0 &&
         name[parent.size()] == '/';
}

void apply(Flags& target, FlagOp op, const Flags& flags) {
  switch (op) {
    case FlagOp::Replace:
      target = flags;
      return;
    case FlagOp::Add:
      target.system |= flags.system;
      for (const auto& k : flags.keywords)
        if (std::find(target.keywords.begin(), target.keywords.end(), k) == target.keywords.end())
          target.keywords.push_back(k);
      std::sort(target.keywords.begin(), target.keywords.end());
      return;
    case FlagOp::Remove:
      target.system &= static_cast<std::uint8_t>(~flags.system);
      std::erase_if(target.keywords, [&](const std::string& k) {
        return std::find(flags.keywords.begin(), flags.keywords.end(), k) != flags.keywords.end();
      });
      return;
  }
}

class MemoryMailboxView : public storage::Mailbox {
 public:
  MemoryMailboxView(std::shared_ptr<MemoryUserData> data, std::string name, bool read_only)
      : data_(std::move(data)), name_(std::move(name)) {
    info_.read_only = read_only;
  }

  const std::string& name() const override { return name_; }
  const storage::MailboxInfo& info() const override { return info_; }

  Result<std::vector<MessageInfo>> snapshot() override {
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    claim_recent(*box);
    refresh_info(*box);
    std::vector<MessageInfo> out;
    for (auto& [uid, m] : box->messages) out.push_back(view_of(m));
    return out;
  }

  Result<storage::Changes> changes_since(storage::ModSeq since) override {
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    claim_recent(*box);
    refresh_info(*box);
    storage::Changes c;
    c.info = info_;
    for (auto& [uid, m] : box->messages)
      if (m.info.modseq > since) c.changed.push_back(view_of(m));
    for (auto& [uid, modseq] : box->expunged)
      if (modseq > since) c.expunged.push_back(uid);
    return c;
  }

  Result<StoreResult> store_flags(std::span<const Uid> uids, FlagOp op, const Flags& flags,
                                  storage::ModSeq unchanged_since) override {
    if (info_.read_only) return Error::permanent("READ-ONLY", "mailbox is read-only");
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    StoreResult result;
    for (Uid uid : uids) {
      auto it = box->messages.find(uid);
      if (it == box->messages.end()) continue;
      if (unchanged_since != 0 && it->second.info.modseq > unchanged_since) {
        result.modified.push_back(uid);
        continue;
      }
      Flags before = it->second.info.flags;
      apply(it->second.info.flags, op, flags);
      if (!(before == it->second.info.flags)) it->second.info.modseq = ++box->highest_modseq;
      result.updated.push_back(view_of(it->second));
    }
    return result;
  }

  Result<std::vector<Uid>> expunge(const std::vector<Uid>* only) override {
    if (info_.read_only) return Error::permanent("READ-ONLY", "mailbox is read-only");
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    std::vector<Uid> gone;
    for (auto it = box->messages.begin(); it != box->messages.end();) {
      bool wanted = !only || std::find(only->begin(), only->end(), it->first) != only->end();
      if (wanted && it->second.info.flags.has(storage::kDeleted)) {
        gone.push_back(it->first);
        box->expunged[it->first] = ++box->highest_modseq;
        it = box->messages.erase(it);
      } else {
        ++it;
      }
    }
    return gone;
  }

  Result<storage::CopyResult> copy_to(std::span<const Uid> uids, std::string_view dest) override {
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    auto target = data_->mailboxes.find(std::string(dest));
    if (target == data_->mailboxes.end()) return Error::permanent("TRYCREATE", "no such mailbox");
    storage::CopyResult result;
    result.dest_uidvalidity = target->second.uidvalidity;
    std::vector<Uid> sorted(uids.begin(), uids.end());
    std::sort(sorted.begin(), sorted.end());
    for (Uid uid : sorted) {
      auto it = box->messages.find(uid);
      if (it == box->messages.end()) continue;
      MemoryMessage copy = it->second;
      copy.info.uid = target->second.uidnext++;
      copy.info.modseq = ++target->second.highest_modseq;
      result.source_uids.push_back(uid);
      result.dest_uids.push_back(copy.info.uid);
      target->second.messages[copy.info.uid] = std::move(copy);
    }
    return result;
  }

  Result<std::string> read_message(Uid uid) override {
    MemoryMailbox* box = box_or_null();
    if (!box) return Error::permanent("NONEXISTENT", "mailbox vanished");
    auto it = box->messages.find(uid);
    if (it == box->messages.end()) return Error::permanent("NONEXISTENT", "message expunged");
    return it->second.text;
  }

  std::optional<std::string> cache_get(Uid uid, std::string_view field) override {
    MemoryMailbox* box = box_or_null();
    if (!box) return std::nullopt;
    auto it = box->cache.find({uid, std::string(field)});
    if (it == box->cache.end()) return std::nullopt;
    return it->second;
  }

  void cache_put(Uid uid, std::string_view field, std::string_view value) override {
    if (MemoryMailbox* box = box_or_null())
      box->cache[{uid, std::string(field)}] = std::string(value);
  }

 private:
  MemoryMailbox* box_or_null() {
    auto it = data_->mailboxes.find(name_);
    return it == data_->mailboxes.end() ? nullptr : &it->second;
  }

  // RFC 3501 §2.3.2: a new message is \Recent in exactly one session.
  void claim_recent(MemoryMailbox& box) {
    if (info_.read_only) return;
    for (auto& [uid, m] : box.messages)
      if (uid >= box.first_recent_uid) recent_.push_back(uid);
    box.first_recent_uid = box.uidnext;
  }

  void refresh_info(const MemoryMailbox& box) {
    info_.uidvalidity = box.uidvalidity;
    info_.uidnext = box.uidnext;
    info_.highest_modseq = box.highest_modseq;
  }

  MessageInfo view_of(const MemoryMessage& m) const {
    MessageInfo info = m.info;
    info.recent = std::find(recent_.begin(), recent_.end(), info.uid) != recent_.end();
    return info;
  }

  std::shared_ptr<MemoryUserData> data_;
  std::string name_;
  storage::MailboxInfo info_;
  std::vector<Uid> recent_;
};

class MemoryAppendSink : public storage::AppendSink {
 public:
  MemoryAppendSink(std::shared_ptr<MemoryUserData> data, std::string mailbox)
      : data_(std::move(data)), mailbox_(std::move(mailbox)) {}

  Status write(std::string_view chunk) override {
    text_.append(chunk);
    return ok_status();
  }

  Result<storage::AppendResult> commit(const Flags& flags, std::time_t internal_date,
                                       std::int32_t internal_tz) override {
    auto it = data_->mailboxes.find(mailbox_);
    if (it == data_->mailboxes.end()) return Error::permanent("TRYCREATE", "no such mailbox");
    MemoryMailbox& box = it->second;
    MemoryMessage m;
    m.text = std::move(text_);
    m.info.uid = box.uidnext++;
    m.info.flags = flags;
    m.info.modseq = ++box.highest_modseq;
    m.info.internal_date = internal_date;
    m.info.internal_tz = internal_tz;
    m.info.size = m.text.size();
    storage::AppendResult result{box.uidvalidity, m.info.uid};
    box.messages[m.info.uid] = std::move(m);
    return result;
  }

 private:
  std::shared_ptr<MemoryUserData> data_;
  std::string mailbox_;
  std::string text_;
};

class MemoryLock : public storage::SessionLock {
 public:
  explicit MemoryLock(bool* flag) : flag_(flag) { *flag_ = true; }
  ~MemoryLock() override { *flag_ = false; }

 private:
  bool* flag_;
};

}  // namespace

MemoryStore::MemoryStore(std::shared_ptr<MemoryUserData> data) : data_(std::move(data)) {
  if (!data_->mailboxes.count("INBOX"))
    data_->mailboxes["INBOX"].uidvalidity = data_->next_uidvalidity++;
}

Result<std::vector<storage::MailboxEntry>> MemoryStore::list() {
  std::map<std::string, storage::MailboxEntry> entries;
  for (auto& [name, box] : data_->mailboxes) {
    entries[name].name = name;
    for (std::size_t pos = name.find('/'); pos != std::string::npos;
         pos = name.find('/', pos + 1)) {
      std::string parent = name.substr(0, pos);
      if (!data_->mailboxes.count(parent)) {
        entries[parent].name = parent;
        entries[parent].no_select = true;
      }
    }
  }
  std::vector<storage::MailboxEntry> out;
  for (auto& [name, e] : entries) {
    for (auto& [other, unused] : entries)
      if (is_child_of(other, name)) e.has_children = true;
    e.subscribed = data_->subscriptions.count(name) > 0;
    if (is_inbox(name))
      out.insert(out.begin(), e);
    else
      out.push_back(e);
  }
  return out;
}

Status MemoryStore::create(std::string_view name) {
  if (!valid_name(name)) return Error::permanent("CANNOT", "invalid mailbox name");
  std::string key(name);
  if (data_->mailboxes.count(key)) return Error::permanent("ALREADYEXISTS", "mailbox exists");
  data_->mailboxes[key].uidvalidity = data_->next_uidvalidity++;
  return ok_status();
}

Status MemoryStore::remove(std::string_view name) {
  if (is_inbox(name)) return Error::permanent("CANNOT", "INBOX cannot be deleted");
  std::string key(name);
  auto it = data_->mailboxes.find(key);
  if (it == data_->mailboxes.end()) return Error::permanent("NONEXISTENT", "no such mailbox");
  data_->mailboxes.erase(it);
  return ok_status();
}

Status MemoryStore::rename(std::string_view from, std::string_view to) {
  if (!valid_name(to)) return Error::permanent("CANNOT", "invalid mailbox name");
  std::string src(from), dst(to);
  if (!data_->mailboxes.count(src)) return Error::permanent("NONEXISTENT", "no such mailbox");
  if (data_->mailboxes.count(dst)) return Error::permanent("ALREADYEXISTS", "target exists");
  if (is_inbox(src)) {
    // RFC 3501 §6.3.5: renaming INBOX moves its messages and leaves INBOX empty.
    MemoryMailbox& inbox = data_->mailboxes[src];
    MemoryMailbox moved = inbox;
    moved.uidvalidity = data_->next_uidvalidity++;
    inbox.messages.clear();
    data_->mailboxes[dst] = std::move(moved);
    return ok_status();
  }
  std::vector<std::string> names;
  for (auto& [name, box] : data_->mailboxes)
    if (name == src || is_child_of(name, src)) names.push_back(name);
  for (const auto& name : names) {
    auto node = data_->mailboxes.extract(name);
    node.key() = dst + name.substr(src.size());
    data_->mailboxes.insert(std::move(node));
  }
  return ok_status();
}

Status MemoryStore::subscribe(std::string_view name) {
  data_->subscriptions[std::string(name)] = true;
  return ok_status();
}

Status MemoryStore::unsubscribe(std::string_view name) {
  data_->subscriptions.erase(std::string(name));
  return ok_status();
}

Result<std::vector<std::string>> MemoryStore::subscriptions() {
  std::vector<std::string> out;
  for (auto& [name, unused] : data_->subscriptions) out.push_back(name);
  return out;
}

Result<storage::MailboxStatus> MemoryStore::status(std::string_view name) {
  auto it = data_->mailboxes.find(std::string(name));
  if (it == data_->mailboxes.end()) return Error::permanent("NONEXISTENT", "no such mailbox");
  const MemoryMailbox& box = it->second;
  storage::MailboxStatus s;
  s.messages = static_cast<std::uint32_t>(box.messages.size());
  for (auto& [uid, m] : box.messages) {
    if (uid >= box.first_recent_uid) ++s.recent;
    if (!m.info.flags.has(storage::kSeen)) ++s.unseen;
    s.size += m.info.size;
  }
  s.uidnext = box.uidnext;
  s.uidvalidity = box.uidvalidity;
  s.highest_modseq = box.highest_modseq;
  return s;
}

Result<std::unique_ptr<storage::Mailbox>> MemoryStore::open(std::string_view name, bool read_only) {
  if (!data_->mailboxes.count(std::string(name)))
    return Error::permanent("NONEXISTENT", "no such mailbox");
  return std::unique_ptr<storage::Mailbox>(
      std::make_unique<MemoryMailboxView>(data_, std::string(name), read_only));
}

Result<std::unique_ptr<storage::AppendSink>> MemoryStore::begin_append(std::string_view mailbox) {
  if (!data_->mailboxes.count(std::string(mailbox)))
    return Error::permanent("TRYCREATE", "no such mailbox");
  return std::unique_ptr<storage::AppendSink>(
      std::make_unique<MemoryAppendSink>(data_, std::string(mailbox)));
}

Result<std::unique_ptr<storage::SessionLock>> MemoryStore::lock_exclusive(
    std::string_view mailbox) {
  auto it = data_->mailboxes.find(std::string(mailbox));
  if (it == data_->mailboxes.end()) return Error::permanent("NONEXISTENT", "no such mailbox");
  if (it->second.locked) return Error::temporary("INUSE", "maildrop is locked");
  return std::unique_ptr<storage::SessionLock>(std::make_unique<MemoryLock>(&it->second.locked));
}

storage::Uid MemoryStore::deliver(std::string_view mailbox, std::string_view text,
                                  std::uint8_t flags) {
  MemoryMailbox& box = data_->mailboxes[std::string(mailbox)];
  MemoryMessage m;
  m.text = std::string(text);
  m.info.uid = box.uidnext++;
  m.info.flags.system = flags;
  m.info.modseq = ++box.highest_modseq;
  m.info.internal_date = 1700000000;
  m.info.size = m.text.size();
  storage::Uid uid = m.info.uid;
  box.messages[uid] = std::move(m);
  return uid;
}

Result<std::unique_ptr<storage::MailStore>> MemoryStoreFactory::open(
    const storage::StoreLocation& where) {
  return std::unique_ptr<storage::MailStore>(std::make_unique<MemoryStore>(user(where.user)));
}

std::shared_ptr<MemoryUserData> MemoryStoreFactory::user(const std::string& name) {
  auto& slot = users_[name];
  if (!slot) slot = std::make_shared<MemoryUserData>();
  return slot;
}

}  // namespace satchel::testing
