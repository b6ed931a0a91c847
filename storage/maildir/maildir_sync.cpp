#include "storage/maildir/maildir_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>

#include "storage/maildir/maildir_filename.h"

namespace satchel::storage::maildir {
namespace {

std::atomic<std::uint64_t> g_scans{0};

// A directory changed within this window may change again within the same timestamp tick
// without its mtime moving; such mtimes are not trusted (stored as -1, forcing a rescan).
constexpr std::int64_t kMtimeSlackNs = 2'000'000'000;

std::int64_t now_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct FoundFile {
  std::string location;  // "cur/<name>" or "new/<name>".
  std::string letters;
  std::optional<std::uint64_t> crlf_size;
};

struct NewFile {
  std::string key;
  FoundFile file;
  std::int64_t mtime_ns = 0;
};

// Moves messages an MTA delivered into new/ to cur/ with an empty ":2," info, as a reader
// that has seen them does (the Maildir convention). Errors are ignored: the file stays in
// new/ and is indexed there.
void move_new_to_cur(int dirfd) {
  auto names = list_dir_at(dirfd, "new", true);
  if (!names) return;
  for (const auto& n : *names) {
    auto parsed = parse_file_name(n);
    std::string target = "cur/" + file_name_with_info(parsed.base, parsed.letters);
    (void)::renameat(dirfd, ("new/" + n).c_str(), dirfd, target.c_str());
  }
}

Status collect(int dirfd, const char* sub, std::map<std::string, FoundFile>* out) {
  auto names = list_dir_at(dirfd, sub, true);
  if (!names) return names.error();
  for (const auto& n : *names) {
    auto parsed = parse_file_name(n);
    if (parsed.base.empty()) continue;
    // The same base in new/ and cur/ (a crash mid-move): cur/ wins, being listed second.
    (*out)[parsed.base] = FoundFile{std::string(sub) + "/" + n, parsed.letters, parsed.crlf_size};
  }
  return ok_status();
}

}  // namespace

std::uint64_t scan_count() {
  return g_scans.load();
}

Result<index::MailboxRow> sync_mailbox(MaildirContext& ctx, std::string_view name, int dirfd,
                                       bool read_write, bool force, bool create_row) {
  index::MailIndex& idx = *ctx.index;
  if (!force) {
    auto found = idx.find_mailbox(name);
    if (!found) return found.error();
    if (*found) {
      const index::MailboxRow& row = **found;
      std::int64_t new_m = dir_mtime_ns(dirfd, "new");
      std::int64_t cur_m = dir_mtime_ns(dirfd, "cur");
      if (new_m >= 0 && cur_m >= 0 && new_m == row.new_mtime_ns && cur_m == row.cur_mtime_ns) {
        return std::move(**found);
      }
    }
  }

  index::Transaction tx(idx.db());
  if (!tx.begun()) return tx.begun().error();
  auto found = idx.find_mailbox(name);
  if (!found) return found.error();
  if (!*found && !create_row) {
    return Error::permanent("NONEXISTENT", "Mailbox was deleted or renamed: " + std::string(name));
  }
  auto row_r = *found ? Result<index::MailboxRow>(std::move(**found)) : idx.create_mailbox(name);
  if (!row_r) return row_r.error();
  index::MailboxRow row = std::move(*row_r);
  g_scans.fetch_add(1);

  if (read_write) move_new_to_cur(dirfd);
  // The mtimes are read before listing: a change during the listing moves them past what we
  // store, so the next sync scans again.
  std::int64_t now = now_ns();
  std::int64_t new_m = dir_mtime_ns(dirfd, "new");
  std::int64_t cur_m = dir_mtime_ns(dirfd, "cur");
  std::map<std::string, FoundFile> files;
  if (auto st = collect(dirfd, "new", &files); !st) return st.error();
  if (auto st = collect(dirfd, "cur", &files); !st) return st.error();

  auto existing = idx.messages(row.id);
  if (!existing) return existing.error();
  ModSeq modseq = 0;  // One new modseq for every change of this sync, taken when needed.
  auto next_modseq = [&]() {
    if (modseq == 0) modseq = ++row.highest_modseq;
    return modseq;
  };
  for (auto& msg : *existing) {
    auto it = files.find(msg.key);
    if (it == files.end()) {
      if (auto st = idx.expunge_message(row.id, msg.uid, next_modseq()); !st) return st.error();
      continue;
    }
    if (it->second.location != msg.location) {
      // Renamed by someone: the letters are the truth for the system flags.
      std::uint8_t flags = flags_from_letters(it->second.letters);
      if (flags != msg.flags) {
        msg.flags = flags;
        msg.modseq = next_modseq();
      }
      msg.location = it->second.location;
      if (auto st = idx.update_message(row.id, msg); !st) return st.error();
    }
    files.erase(it);
  }

  // Files nobody indexed yet get UIDs in (mtime, name) order.
  std::vector<NewFile> fresh;
  for (auto& [key, file] : files) {
    struct stat st {};
    if (::fstatat(dirfd, file.location.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(st.st_mode)) continue;
    NewFile nf{key, std::move(file),
               static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
    fresh.push_back(std::move(nf));
  }
  std::sort(fresh.begin(), fresh.end(), [](const NewFile& a, const NewFile& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.key < b.key;
  });
  for (auto& nf : fresh) {
    index::MessageRow m;
    m.key = nf.key;
    m.location = nf.file.location;
    m.flags = flags_from_letters(nf.file.letters);
    m.internal_date = nf.mtime_ns / 1'000'000'000;
    m.tz = 0;
    if (nf.file.crlf_size) {
      m.size = *nf.file.crlf_size;
    } else {
      // Computed once here and kept in the index (no W= in names other software writes).
      auto text = read_file_at(dirfd, m.location);
      if (!text) continue;  // Vanished meanwhile: the next sync decides.
      CrlfCounter counter;
      counter.feed(*text);
      m.size = counter.finish();
    }
    m.uid = row.uidnext++;
    m.modseq = next_modseq();
    if (auto st = idx.insert_message(row.id, m); !st) return st.error();
  }

  row.new_mtime_ns = (new_m < 0 || new_m > now - kMtimeSlackNs) ? -1 : new_m;
  row.cur_mtime_ns = (cur_m < 0 || cur_m > now - kMtimeSlackNs) ? -1 : cur_m;
  if (auto st = idx.save_mailbox(row); !st) return st.error();
  if (auto st = tx.commit(); !st) return st.error();
  return row;
}

}  // namespace satchel::storage::maildir
