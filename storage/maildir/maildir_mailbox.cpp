#include "storage/maildir/maildir_mailbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "message/message.h"
#include "storage/index/flag_ops.h"
#include "storage/maildir/maildir_copy.h"
#include "storage/maildir/maildir_filename.h"
#include "storage/maildir/maildir_sync.h"

namespace satchel::storage::maildir {
namespace {

Error read_only_error() {
  return Error::permanent("", "Mailbox is open read-only");
}

std::vector<Uid> sorted_unique(std::span<const Uid> uids) {
  std::vector<Uid> out(uids.begin(), uids.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

MaildirMailbox::MaildirMailbox(std::shared_ptr<MaildirContext> ctx, std::string name, UniqueFd dir,
                               const index::MailboxRow& row, bool read_only)
    : ctx_(std::move(ctx)), name_(std::move(name)), dir_(std::move(dir)), id_(row.id) {
  info_.uidvalidity = row.uidvalidity;
  info_.uidnext = row.uidnext;
  info_.highest_modseq = row.highest_modseq;
  info_.read_only = read_only;
}

Result<index::MailboxRow> MaildirMailbox::refresh() {
  auto row = sync_mailbox(*ctx_, name_, dir_.get(), !info_.read_only, false, false);
  if (!row) return row.error();
  // RFC 3501 §2.3.1.1: UIDs of this session mean nothing under another UIDVALIDITY (the
  // mailbox was recreated or the index rebuilt); the session has to select again.
  if (row->uidvalidity != info_.uidvalidity || row->id != id_) {
    return Error::permanent("NONEXISTENT", "Mailbox was recreated: " + name_);
  }
  // RFC 3501 §2.3.2: a message is \Recent in exactly one session, the first read-write one
  // to see it. The claim is a transaction, so two sessions cannot both take it.
  if (!info_.read_only && row->first_recent_uid < row->uidnext) {
    index::Transaction tx(ctx_->index->db());
    if (!tx.begun()) return tx.begun().error();
    auto fresh = ctx_->index->find_mailbox(name_);
    if (!fresh) return fresh.error();
    if (!*fresh) return Error::permanent("NONEXISTENT", "Mailbox vanished: " + name_);
    index::MailboxRow r = std::move(**fresh);
    if (r.first_recent_uid < r.uidnext) {
      recent_.insert({r.first_recent_uid, r.uidnext});
      r.first_recent_uid = r.uidnext;
      if (auto st = ctx_->index->save_mailbox(r); !st) return st.error();
    }
    if (auto st = tx.commit(); !st) return st.error();
    *row = std::move(r);
  }
  id_ = row->id;
  info_.uidvalidity = row->uidvalidity;
  info_.uidnext = row->uidnext;
  info_.highest_modseq = row->highest_modseq;
  return row;
}

MessageInfo MaildirMailbox::to_info(const index::MessageRow& row) const {
  MessageInfo m;
  m.uid = row.uid;
  m.flags.system = row.flags;
  m.flags.keywords = row.keywords;
  m.modseq = row.modseq;
  m.internal_date = static_cast<std::time_t>(row.internal_date);
  m.internal_tz = row.tz;
  m.size = row.size;
  // recent_ holds half-open ranges [first, last) claimed by this object.
  auto it = recent_.upper_bound({row.uid, UINT32_MAX});
  if (it != recent_.begin()) {
    --it;
    m.recent = row.uid >= it->first && row.uid < it->second;
  }
  return m;
}

Result<std::vector<MessageInfo>> MaildirMailbox::snapshot() {
  auto row = refresh();
  if (!row) return row.error();
  auto msgs = ctx_->index->messages(id_);
  if (!msgs) return msgs.error();
  std::vector<MessageInfo> out;
  out.reserve(msgs->size());
  for (const auto& m : *msgs) out.push_back(to_info(m));
  return out;
}

Result<Changes> MaildirMailbox::changes_since(ModSeq since) {
  auto row = refresh();
  if (!row) return row.error();
  Changes out;
  out.info = info_;
  auto msgs = ctx_->index->messages(id_, since == 0 ? 0 : since);
  if (!msgs) return msgs.error();
  for (const auto& m : *msgs) {
    if (m.modseq > since) out.changed.push_back(to_info(m));
  }
  auto gone = ctx_->index->expunged_since(id_, since);
  if (!gone) return gone.error();
  out.expunged = std::move(*gone);
  return out;
}

Result<Mailbox::StoreResult> MaildirMailbox::store_flags(std::span<const Uid> uids, FlagOp op,
                                                         const Flags& flags,
                                                         ModSeq unchanged_since) {
  if (info_.read_only) return read_only_error();
  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun().error();
  auto row_r = idx.find_mailbox(name_);
  if (!row_r) return row_r.error();
  if (!*row_r) return Error::permanent("NONEXISTENT", "Mailbox vanished: " + name_);
  index::MailboxRow row = std::move(**row_r);
  StoreResult out;
  ModSeq modseq = 0;
  bool renamed = false;
  for (Uid uid : sorted_unique(uids)) {
    auto m_r = idx.message(row.id, uid);
    if (!m_r) return m_r.error();
    if (!*m_r) continue;
    index::MessageRow m = std::move(**m_r);
    // RFC 7162 §3.1.3: a message modified after UNCHANGEDSINCE is left alone and reported.
    if (unchanged_since != 0 && m.modseq > unchanged_since) {
      out.modified.push_back(uid);
      continue;
    }
    Flags old{m.flags, m.keywords};
    Flags now = index::apply_flags(old, op, flags);
    if (now == old) {
      // RFC 7162 §3.1: setting a flag that is already set does not change the modseq.
      out.updated.push_back(to_info(m));
      continue;
    }
    if (now.system != old.system) {
      std::string file = m.location.substr(m.location.find('/') + 1);
      auto parsed = parse_file_name(file);
      std::string target =
          "cur/" + file_name_with_info(parsed.base, letters_for_flags(parsed.letters, now.system));
      if (::renameat(dir_.get(), m.location.c_str(), dir_.get(), target.c_str()) != 0) {
        if (errno == ENOENT) continue;  // Expunged by someone else; the next sync says so.
        return errno_error("rename " + m.location, errno);
      }
      m.location = std::move(target);
      renamed = true;
    }
    if (modseq == 0) modseq = ++row.highest_modseq;
    m.flags = now.system;
    m.keywords = std::move(now.keywords);
    m.modseq = modseq;
    if (auto st = idx.update_message(row.id, m); !st) return st.error();
    out.updated.push_back(to_info(m));
  }
  if (renamed) {
    if (auto st = fsync_subdirs(dir_.get()); !st) return st.error();
  }
  if (modseq != 0) {
    if (auto st = idx.save_mailbox(row); !st) return st.error();
  }
  if (auto st = tx.commit(); !st) return st.error();
  return out;
}

Result<std::vector<Uid>> MaildirMailbox::expunge(const std::vector<Uid>* only) {
  return remove_messages(only, true);
}

Result<std::vector<Uid>> MaildirMailbox::remove_messages(const std::vector<Uid>* only,
                                                         bool deleted_only) {
  if (info_.read_only) return read_only_error();
  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun().error();
  auto row_r = idx.find_mailbox(name_);
  if (!row_r) return row_r.error();
  if (!*row_r) return Error::permanent("NONEXISTENT", "Mailbox vanished: " + name_);
  index::MailboxRow row = std::move(**row_r);
  auto msgs = deleted_only ? idx.messages_flagged(row.id, kDeleted) : idx.messages(row.id);
  if (!msgs) return msgs.error();
  std::vector<Uid> filter;
  if (only != nullptr) filter = sorted_unique(*only);
  std::vector<Uid> out;
  for (const auto& m : *msgs) {
    if (deleted_only && (m.flags & kDeleted) == 0) continue;
    if (only != nullptr && !std::binary_search(filter.begin(), filter.end(), m.uid)) continue;
    if (::unlinkat(dir_.get(), m.location.c_str(), 0) != 0 && errno != ENOENT) {
      return errno_error("unlink " + m.location, errno);
    }
    if (out.empty()) ++row.highest_modseq;
    if (auto st = idx.expunge_message(row.id, m.uid, row.highest_modseq); !st) return st.error();
    out.push_back(m.uid);
  }
  if (out.empty()) return out;
  if (auto st = fsync_subdirs(dir_.get()); !st) return st.error();
  if (auto st = idx.save_mailbox(row); !st) return st.error();
  if (auto st = tx.commit(); !st) return st.error();
  return out;
}

Result<CopyResult> MaildirMailbox::copy_to(std::span<const Uid> uids, std::string_view dest) {
  auto dest_dir = ctx_->open_mailbox_dir(dest);
  if (!dest_dir) {
    if (dest_dir.error().code == "NONEXISTENT") {
      return Error::permanent("TRYCREATE", "No such mailbox: " + std::string(dest));
    }
    return dest_dir.error();
  }
  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun().error();
  std::vector<index::MessageRow> sources;
  for (Uid uid : sorted_unique(uids)) {
    auto m = idx.message(id_, uid);
    if (!m) return m.error();
    if (*m) sources.push_back(std::move(**m));
  }
  auto dest_row = idx.find_or_create_mailbox(dest);
  if (!dest_row) return dest_row.error();
  CopyResult out;
  out.dest_uidvalidity = dest_row->uidvalidity;
  ModSeq modseq = dest_row->highest_modseq + 1;
  for (auto& m : sources) {
    auto placed = place_copy(dir_.get(), m, dest_dir->get());
    if (!placed) {
      if (placed.error().code == "NONEXISTENT") continue;  // Expunged meanwhile.
      return placed.error();
    }
    index::MessageRow copy = m;
    copy.key = placed->key;
    copy.location = placed->location;
    copy.uid = dest_row->uidnext++;
    copy.modseq = modseq;
    if (auto st = idx.insert_message(dest_row->id, copy); !st) return st.error();
    out.source_uids.push_back(m.uid);
    out.dest_uids.push_back(copy.uid);
  }
  if (out.dest_uids.empty()) return out;
  dest_row->highest_modseq = modseq;
  if (auto st = fsync_subdirs(dest_dir->get()); !st) return st.error();
  if (auto st = idx.save_mailbox(*dest_row); !st) return st.error();
  if (auto st = tx.commit(); !st) return st.error();
  return out;
}

Result<std::string> MaildirMailbox::read_message(Uid uid) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto m = ctx_->index->message(id_, uid);
    if (!m) return m.error();
    if (!*m) break;
    auto text = read_file_at(dir_.get(), (*m)->location);
    if (text) return message::to_crlf(*text);
    if (text.error().code != "NONEXISTENT") return text.error();
    // Renamed by another tool (flags changed) or expunged: look again once.
    auto row = sync_mailbox(*ctx_, name_, dir_.get(), !info_.read_only, true, false);
    if (!row) return row.error();
  }
  return Error::permanent("NONEXISTENT", "Message " + std::to_string(uid) + " was expunged");
}

std::optional<std::string> MaildirMailbox::cache_get(Uid uid, std::string_view field) {
  return ctx_->index->cache_get(id_, uid, field);
}

void MaildirMailbox::cache_put(Uid uid, std::string_view field, std::string_view value) {
  ctx_->index->cache_put(id_, uid, field, value);
}

}  // namespace satchel::storage::maildir
