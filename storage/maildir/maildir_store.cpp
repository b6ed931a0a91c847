#include "storage/maildir/maildir_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "storage/maildir/mailbox_name.h"
#include "storage/maildir/maildir_append_sink.h"
#include "storage/maildir/maildir_mailbox.h"
#include "storage/maildir/maildir_sync.h"

namespace satchel::storage::maildir {
namespace {

constexpr const char* kLockFile = "satchel-pop3.lock";
constexpr const char* kIndexFile = "satchel.index.sqlite";

bool is_dir_at(int dirfd, const std::string& rel) {
  struct stat st {};
  return ::fstatat(dirfd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

// mkdir -p with mode 0700 for the components that are missing.
Status make_dirs(const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return errno_error("mkdir " + prefix, errno);
    }
  }
  return ok_status();
}

class FlockSessionLock : public SessionLock {
 public:
  explicit FlockSessionLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // Closing it releases the flock().
};

}  // namespace

Result<UniqueFd> MaildirContext::open_mailbox_dir(std::string_view name) {
  auto rel = folder_dir_name(name);
  if (!rel) return rel.error();
  auto dir = open_dir_at(root.get(), *rel);
  if (!dir) {
    if (dir.error().code == "NONEXISTENT") {
      // A parent that exists only because a child does is \Noselect, not missing.
      auto names = list_dir_at(root.get(), "", false);
      if (names && !rel->empty()) {
        for (const auto& n : *names) {
          if (n.starts_with(*rel + ".") && mailbox_name_from_dir(n)) {
            return Error::permanent("CANNOT", "Mailbox is \\Noselect: " + std::string(name));
          }
        }
      }
      return Error::permanent("NONEXISTENT", "No such mailbox: " + std::string(name));
    }
    return dir.error();
  }
  if (!is_dir_at(dir->get(), "cur")) {
    return Error::permanent("CANNOT", "Mailbox is \\Noselect: " + std::string(name));
  }
  return dir;
}

Result<std::unique_ptr<MaildirStore>> MaildirStore::open_root(const std::string& root_path,
                                                              const std::string& index_path) {
  if (root_path.empty() || root_path.front() != '/') {
    return Error::permanent("", "Maildir path must be absolute: " + root_path);
  }
  if (auto st = make_dirs(root_path); !st) return st.error();
  auto ctx = std::make_shared<MaildirContext>();
  ctx->root_path = root_path;
  // The root itself may be a symlink an administrator made; everything below is not followed.
  ctx->root = UniqueFd(::open(root_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!ctx->root.valid()) return errno_error("open " + root_path, errno);
  if (auto st = make_maildir_at(ctx->root.get(), ""); !st) return st.error();
  std::string path = index_path.empty() ? root_path + "/" + kIndexFile : index_path;
  if (!index_path.empty()) {
    // An index kept outside the mail (e.g. /var/lib/satchel/index/<user>.sqlite): create its
    // directory like the Maildir root, private to the mail owner.
    std::size_t slash = index_path.rfind('/');
    if (index_path.front() != '/' || slash == std::string::npos) {
      return Error::permanent("", "Index path must be absolute: " + index_path);
    }
    if (slash > 0) {
      if (auto st = make_dirs(index_path.substr(0, slash)); !st) return st.error();
    }
  }
  bool fresh = false;
  auto idx = index::MailIndex::open(path, &fresh);
  if (!idx) return idx.error();
  ctx->index = std::move(*idx);
  return std::unique_ptr<MaildirStore>(new MaildirStore(std::move(ctx)));
}

Result<std::map<std::string, MaildirStore::Folder>> MaildirStore::scan_folders() {
  auto names = list_dir_at(ctx_->root.get(), "", false);
  if (!names) return names.error();
  std::map<std::string, Folder> out;
  out["INBOX"] = Folder{true, true};
  for (const auto& n : *names) {
    if (n.size() < 2 || n.front() != '.') continue;
    auto name = mailbox_name_from_dir(n);
    if (!name || !is_dir_at(ctx_->root.get(), n)) continue;
    Folder& f = out[*name];
    f.has_dir = true;
    f.selectable = is_dir_at(ctx_->root.get(), n + "/cur");
    // Parents that exist only because a child exists (RFC 3501 §6.3.3: \Noselect).
    for (std::size_t slash = name->find('/'); slash != std::string::npos;
         slash = name->find('/', slash + 1)) {
      out.try_emplace(name->substr(0, slash));
    }
  }
  return out;
}

Result<std::vector<MailboxEntry>> MaildirStore::list() {
  auto folders = scan_folders();
  if (!folders) return folders.error();
  auto subs = ctx_->index->subscriptions();
  if (!subs) return subs.error();
  std::set<std::string> subscribed(subs->begin(), subs->end());
  std::vector<MailboxEntry> out;
  for (const auto& [name, f] : *folders) {
    MailboxEntry e;
    e.name = name;
    e.no_select = !f.selectable;
    auto child = folders->lower_bound(name + "/");
    e.has_children = child != folders->end() && child->first.starts_with(name + "/");
    e.subscribed = subscribed.count(name) != 0;
    if (name == "INBOX") {
      out.insert(out.begin(), std::move(e));
    } else {
      out.push_back(std::move(e));
    }
  }
  return out;
}

Status MaildirStore::subscribe(std::string_view name) {
  // RFC 3501 §6.3.6: subscribing to a name that does not exist is allowed.
  if (auto st = validate_mailbox_name(name); !st) return st;
  return ctx_->index->subscribe(name);
}

Status MaildirStore::unsubscribe(std::string_view name) {
  return ctx_->index->unsubscribe(name);
}

Result<std::vector<std::string>> MaildirStore::subscriptions() {
  return ctx_->index->subscriptions();
}

Result<MailboxStatus> MaildirStore::status(std::string_view name) {
  auto dir = ctx_->open_mailbox_dir(name);
  if (!dir) return dir.error();
  // Read-only sync: STATUS must not move files or claim \Recent (RFC 3501 §6.3.10).
  auto row = sync_mailbox(*ctx_, name, dir->get(), false);
  if (!row) return row.error();
  auto counts = ctx_->index->counts(*row);
  if (!counts) return counts.error();
  MailboxStatus s;
  s.messages = counts->messages;
  s.recent = counts->recent;
  s.unseen = counts->unseen;
  s.uidnext = row->uidnext;
  s.uidvalidity = row->uidvalidity;
  s.highest_modseq = row->highest_modseq;
  s.size = counts->size;
  return s;
}

Result<std::unique_ptr<Mailbox>> MaildirStore::open(std::string_view name, bool read_only) {
  auto dir = ctx_->open_mailbox_dir(name);
  if (!dir) return dir.error();
  auto row = sync_mailbox(*ctx_, name, dir->get(), !read_only);
  if (!row) return row.error();
  return std::unique_ptr<Mailbox>(
      new MaildirMailbox(ctx_, std::string(name), std::move(*dir), *row, read_only));
}

Result<std::unique_ptr<AppendSink>> MaildirStore::begin_append(std::string_view mailbox) {
  auto dir = ctx_->open_mailbox_dir(mailbox);
  if (!dir) {
    // RFC 3501 §6.3.11: APPEND to a mailbox that does not exist answers NO [TRYCREATE].
    if (dir.error().code == "NONEXISTENT") {
      return Error::permanent("TRYCREATE", "No such mailbox: " + std::string(mailbox));
    }
    return dir.error();
  }
  auto sink = MaildirAppendSink::start(ctx_, std::string(mailbox), std::move(*dir));
  if (!sink) return sink.error();
  return std::unique_ptr<AppendSink>(std::move(*sink));
}

Result<std::unique_ptr<SessionLock>> MaildirStore::lock_exclusive(std::string_view mailbox) {
  auto dir = ctx_->open_mailbox_dir(mailbox);
  if (!dir) return dir.error();
  UniqueFd fd(::openat(dir->get(), kLockFile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno_error("open lock file", errno);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Error::temporary("INUSE", "Mailbox is locked by another POP3 session");
    }
    return errno_error("flock", errno);
  }
  return std::unique_ptr<SessionLock>(new FlockSessionLock(std::move(fd)));
}

void MaildirStore::release_memory() {
  if (ctx_->index) ctx_->index->db().release_memory();
}

}  // namespace satchel::storage::maildir
