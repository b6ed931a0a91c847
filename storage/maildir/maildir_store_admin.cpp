// CREATE, DELETE and RENAME for the Maildir store (RFC 3501 §6.3.3 - §6.3.5).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/crypto.h"
#include "storage/maildir/mailbox_name.h"
#include "storage/maildir/maildir_mailbox.h"
#include "storage/maildir/maildir_store.h"
#include "storage/maildir/maildir_sync.h"

namespace satchel::storage::maildir {
namespace {

bool is_dir_at(int dirfd, const std::string& rel) {
  struct stat st {};
  return ::fstatat(dirfd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

Error already_exists(std::string_view name) {
  return Error::permanent("ALREADYEXISTS", "Mailbox already exists: " + std::string(name));
}

bool has_children(const std::map<std::string, bool>& names, const std::string& name) {
  auto it = names.lower_bound(name + "/");
  return it != names.end() && it->first.starts_with(name + "/");
}

}  // namespace

Status MaildirStore::create(std::string_view name_in) {
  // RFC 3501 §6.3.3: a trailing separator only says the name will have children.
  std::string_view name = name_in;
  if (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
  auto rel = folder_dir_name(name);
  if (!rel) return rel.error();
  if (rel->empty()) return already_exists(name);
  int root = ctx_->root.get();
  if (is_dir_at(root, *rel + "/cur")) return already_exists(name);
  if (auto st = make_maildir_at(root, *rel); !st) return st;
  // Maildir++: the marker that this directory is a folder, not a root.
  UniqueFd marker(::openat(root, (*rel + "/maildirfolder").c_str(),
                           O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!marker.valid()) return errno_error("create maildirfolder", errno);

  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun();
  // A row left by a folder removed behind our back belongs to another incarnation: a new
  // mailbox gets a new UIDVALIDITY (RFC 3501 §2.3.1.1).
  auto stale = idx.find_mailbox(name);
  if (!stale) return stale.error();
  if (*stale) {
    if (auto st = idx.delete_mailbox((*stale)->id); !st) return st;
  }
  if (auto row = idx.create_mailbox(name); !row) return row.error();
  return tx.commit();
}

Status MaildirStore::remove(std::string_view name) {
  auto rel = folder_dir_name(name);
  if (!rel) return rel.error();
  if (rel->empty()) return Error::permanent("CANNOT", "INBOX cannot be deleted");
  auto folders = scan_folders();
  if (!folders) return folders.error();
  std::map<std::string, bool> names;
  for (const auto& [n, f] : *folders) names[n] = f.selectable;
  auto it = folders->find(std::string(name));
  if (it == folders->end()) {
    return Error::permanent("NONEXISTENT", "No such mailbox: " + std::string(name));
  }
  // RFC 3501 §6.3.4: deleting a \Noselect name that has children is an error.
  if (!it->second.selectable && has_children(names, it->first)) {
    return Error::permanent("CANNOT",
                            "Mailbox has children and is \\Noselect: " + std::string(name));
  }
  int root = ctx_->root.get();
  // Make it vanish at once (a rename), then delete at leisure. The aside name starts with
  // "..", which no mailbox name maps to.
  std::string aside = "..deleted." + std::to_string(crypto::random_u32());
  if (it->second.has_dir) {
    if (::renameat(root, rel->c_str(), root, aside.c_str()) != 0) {
      return errno_error("rename " + *rel, errno);
    }
    if (auto st = fsync_fd(root, "maildir root"); !st) return st;
  }
  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun();
  auto row = idx.find_mailbox(name);
  if (!row) return row.error();
  if (*row) {
    if (auto st = idx.delete_mailbox((*row)->id); !st) return st;
  }
  if (auto st = tx.commit(); !st) return st;
  // With children the name stays as an implied \Noselect parent.
  if (it->second.has_dir) return remove_tree_at(root, aside);
  return ok_status();
}

Status MaildirStore::rename(std::string_view from, std::string_view to) {
  auto from_rel = folder_dir_name(from);
  if (!from_rel) return from_rel.error();
  auto to_rel = folder_dir_name(to);
  if (!to_rel) return to_rel.error();
  if (to_rel->empty()) return already_exists(to);
  std::string from_s(from);
  std::string to_s(to);
  if (to_s.starts_with(from_s + "/")) {
    return Error::permanent("CANNOT", "Cannot rename a mailbox into itself");
  }
  int root = ctx_->root.get();
  if (is_dir_at(root, *to_rel)) return already_exists(to);
  if (from_rel->empty()) return rename_inbox(to);

  auto folders = scan_folders();
  if (!folders) return folders.error();
  if (folders->find(from_s) == folders->end()) {
    return Error::permanent("NONEXISTENT", "No such mailbox: " + from_s);
  }
  // RFC 3501 §6.3.5: inferior hierarchical names are renamed too.
  struct Move {
    std::string old_name, new_name, old_dir, new_dir;
  };
  std::vector<Move> moves;
  for (const auto& [n, f] : *folders) {
    if (!f.has_dir || (n != from_s && !n.starts_with(from_s + "/"))) continue;
    Move m{n, to_s + n.substr(from_s.size()), "", ""};
    auto od = folder_dir_name(m.old_name);
    auto nd = folder_dir_name(m.new_name);
    if (!od) return od.error();
    if (!nd) return nd.error();
    if (is_dir_at(root, *nd)) return already_exists(m.new_name);
    m.old_dir = std::move(*od);
    m.new_dir = std::move(*nd);
    moves.push_back(std::move(m));
  }
  for (std::size_t i = 0; i < moves.size(); ++i) {
    if (::renameat2(root, moves[i].old_dir.c_str(), root, moves[i].new_dir.c_str(),
                    RENAME_NOREPLACE) != 0) {
      int err = errno;
      for (std::size_t k = 0; k < i; ++k) {  // Undo, so the tree stays as it was.
        (void)::renameat(root, moves[k].new_dir.c_str(), root, moves[k].old_dir.c_str());
      }
      if (err == EEXIST) return already_exists(moves[i].new_name);
      return errno_error("rename " + moves[i].old_dir, err);
    }
  }
  if (auto st = fsync_fd(root, "maildir root"); !st) return st;
  // The messages keep their UIDs, so the UIDVALIDITY of each moved mailbox is kept.
  index::MailIndex& idx = *ctx_->index;
  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun();
  for (const auto& m : moves) {
    auto stale = idx.find_mailbox(m.new_name);
    if (!stale) return stale.error();
    if (*stale) {
      if (auto st = idx.delete_mailbox((*stale)->id); !st) return st;
    }
    auto row = idx.find_mailbox(m.old_name);
    if (!row) return row.error();
    if (*row) {
      if (auto st = idx.rename_mailbox((*row)->id, m.new_name); !st) return st;
    }
  }
  return tx.commit();
}

// RFC 3501 §6.3.5: renaming INBOX moves all its messages to a new mailbox and leaves INBOX
// empty; its inferior names are not affected.
Status MaildirStore::rename_inbox(std::string_view to) {
  if (auto st = create(to); !st) return st;
  auto dir = ctx_->open_mailbox_dir("INBOX");
  if (!dir) return dir.error();
  auto row = sync_mailbox(*ctx_, "INBOX", dir->get(), true);
  if (!row) return row.error();
  auto msgs = ctx_->index->messages(row->id);
  if (!msgs) return msgs.error();
  std::vector<Uid> uids;
  for (const auto& m : *msgs) uids.push_back(m.uid);
  MaildirMailbox inbox(ctx_, "INBOX", std::move(*dir), *row, false);
  auto copied = inbox.copy_to(uids, to);
  if (!copied) return copied.error();
  auto removed = inbox.remove_messages(&copied->source_uids, false);
  if (!removed) return removed.error();
  return ok_status();
}

}  // namespace satchel::storage::maildir
