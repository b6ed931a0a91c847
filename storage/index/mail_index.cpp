#include "storage/index/mail_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "base/log.h"

namespace satchel::storage::index {
namespace {

constexpr std::int64_t kSchemaVersion = 1;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  first_recent_uid INTEGER NOT NULL DEFAULT 1,
  new_mtime_ns INTEGER NOT NULL DEFAULT -1,
  cur_mtime_ns INTEGER NOT NULL DEFAULT -1,
  special_use TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS messages (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  key TEXT NOT NULL,
  location TEXT NOT NULL,
  flags INTEGER NOT NULL,
  keywords TEXT NOT NULL DEFAULT '',
  modseq INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  tz INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_modseq ON messages (mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS expunged (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cache (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  field TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (mailbox_id, uid, field)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscriptions (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', 1);
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_uidvalidity', 0);
)sql";

constexpr std::string_view kMailboxColumns =
    "id, name, uidvalidity, uidnext, highest_modseq, first_recent_uid, new_mtime_ns, "
    "cur_mtime_ns, special_use";

MailboxRow mailbox_from(const Statement& s) {
  MailboxRow r;
  r.id = s.int64(0);
  r.name = s.text(1);
  r.uidvalidity = static_cast<std::uint32_t>(s.int64(2));
  r.uidnext = static_cast<Uid>(s.int64(3));
  r.highest_modseq = static_cast<ModSeq>(s.int64(4));
  r.first_recent_uid = static_cast<Uid>(s.int64(5));
  r.new_mtime_ns = s.int64(6);
  r.cur_mtime_ns = s.int64(7);
  r.special_use = s.text(8);
  return r;
}

constexpr std::string_view kMessageColumns =
    "uid, key, location, flags, keywords, modseq, internal_date, tz, size";

MessageRow message_from(const Statement& s) {
  MessageRow r;
  r.uid = static_cast<Uid>(s.int64(0));
  r.key = s.text(1);
  r.location = s.text(2);
  r.flags = static_cast<std::uint8_t>(s.int64(3));
  r.keywords = split_keywords(s.text(4));
  r.modseq = static_cast<ModSeq>(s.int64(5));
  r.internal_date = s.int64(6);
  r.tz = static_cast<std::int32_t>(s.int64(7));
  r.size = static_cast<std::uint64_t>(s.int64(8));
  return r;
}

#define SATCHEL_PREPARE(var, sql)       \
  auto var##_r = db_->prepare(sql);     \
  if (!var##_r) return var##_r.error(); \
  Statement& var = **var##_r

}  // namespace

std::string join_keywords(const std::vector<std::string>& keywords) {
  std::string out;
  for (const auto& k : keywords) {
    if (!out.empty()) out.push_back(' ');
    out += k;
  }
  return out;
}

std::vector<std::string> split_keywords(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t sp = text.find(' ', start);
    if (sp == std::string_view::npos) sp = text.size();
    if (sp > start) out.emplace_back(text.substr(start, sp - start));
    start = sp + 1;
  }
  return out;
}

Result<std::unique_ptr<MailIndex>> MailIndex::open(const std::string& path, bool* fresh) {
  *fresh = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // stat, never open+close: closing any descriptor of the database file drops every POSIX
    // lock this process holds on it, including those of other sessions' SQLite connections,
    // and another process may then checkpoint and reset the WAL under them (SHORT_READ).
    struct stat file {};
    bool existed = ::stat(path.c_str(), &file) == 0;
    auto db = Database::open(path);
    if (db) {
      std::unique_ptr<MailIndex> idx(new MailIndex(std::move(*db)));
      auto st = idx->init_schema();
      if (st) {
        *fresh = !existed || *fresh;
        return idx;
      }
      if (st.error().kind == ErrorKind::Temporary) return st.error();
      log::warning("index " + path + " unusable (" + st.error().message + "), rebuilding");
    } else if (db.error().kind == ErrorKind::Temporary) {
      return db.error();
    } else {
      log::warning("index " + path + " cannot be opened (" + db.error().message + "), rebuilding");
    }
    // Keep the broken file for inspection; the mail files hold everything that matters.
    std::string aside = path + ".corrupt";
    std::rename(path.c_str(), aside.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    *fresh = true;
  }
  return Error::internal("index " + path + ": cannot be created");
}

Status MailIndex::init_schema() {
  Transaction tx(*db_);
  if (!tx.begun()) return tx.begun().error();
  if (auto st = db_->exec(kSchema); !st) return st;
  SATCHEL_PREPARE(q, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!q.step()) return Error::internal("index: no schema version");
  if (q.int64(0) != kSchemaVersion) {
    return Error::internal("index: schema version " + std::to_string(q.int64(0)));
  }
  return tx.commit();
}

Result<std::optional<MailboxRow>> MailIndex::find_mailbox(std::string_view name) {
  SATCHEL_PREPARE(q, "SELECT " + std::string(kMailboxColumns) + " FROM mailboxes WHERE name = ?");
  q.bind(1, name);
  if (q.step()) return std::optional<MailboxRow>(mailbox_from(q));
  if (auto st = q.status(); !st) return st.error();
  return std::optional<MailboxRow>();
}

Result<std::vector<MailboxRow>> MailIndex::mailboxes() {
  SATCHEL_PREPARE(q, "SELECT " + std::string(kMailboxColumns) + " FROM mailboxes ORDER BY name");
  std::vector<MailboxRow> out;
  while (q.step()) out.push_back(mailbox_from(q));
  if (auto st = q.status(); !st) return st.error();
  return out;
}

Result<MailboxRow> MailIndex::create_mailbox(std::string_view name) {
  std::int64_t last = 0;
  {
    SATCHEL_PREPARE(q, "SELECT value FROM meta WHERE key = 'last_uidvalidity'");
    if (q.step()) last = q.int64(0);
    if (auto st = q.status(); !st) return st.error();
  }
  // RFC 3501 §2.3.1.1: UIDVALIDITY must change when UIDs are reassigned; time based values
  // keep increasing across index rebuilds, and the stored maximum keeps them strictly
  // increasing within one index.
  std::int64_t v = std::max<std::int64_t>(static_cast<std::int64_t>(std::time(nullptr)), last + 1);
  v &= 0xffffffff;
  if (v == 0) v = 1;
  {
    SATCHEL_PREPARE(u, "UPDATE meta SET value = ? WHERE key = 'last_uidvalidity'");
    u.bind(1, v);
    if (auto st = u.run(); !st) return st.error();
  }
  SATCHEL_PREPARE(ins, "INSERT INTO mailboxes (name, uidvalidity) VALUES (?, ?)");
  ins.bind(1, name).bind(2, v);
  if (auto st = ins.run(); !st) return st.error();
  MailboxRow row;
  row.id = db_->last_insert_rowid();
  row.name = std::string(name);
  row.uidvalidity = static_cast<std::uint32_t>(v);
  return row;
}

Result<MailboxRow> MailIndex::find_or_create_mailbox(std::string_view name) {
  auto found = find_mailbox(name);
  if (!found) return found.error();
  if (*found) return std::move(**found);
  return create_mailbox(name);
}

Status MailIndex::save_mailbox(const MailboxRow& row) {
  SATCHEL_PREPARE(q,
                  "UPDATE mailboxes SET uidnext = ?, highest_modseq = ?, first_recent_uid = ?, "
                  "new_mtime_ns = ?, cur_mtime_ns = ?, special_use = ? WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(row.uidnext))
      .bind(2, static_cast<std::int64_t>(row.highest_modseq))
      .bind(3, static_cast<std::int64_t>(row.first_recent_uid))
      .bind(4, row.new_mtime_ns)
      .bind(5, row.cur_mtime_ns)
      .bind(6, row.special_use)
      .bind(7, row.id);
  return q.run();
}

Status MailIndex::delete_mailbox(std::int64_t id) {
  for (std::string_view sql :
       {"DELETE FROM messages WHERE mailbox_id = ?", "DELETE FROM expunged WHERE mailbox_id = ?",
        "DELETE FROM cache WHERE mailbox_id = ?", "DELETE FROM mailboxes WHERE id = ?"}) {
    SATCHEL_PREPARE(q, sql);
    q.bind(1, id);
    if (auto st = q.run(); !st) return st;
  }
  return ok_status();
}

Status MailIndex::rename_mailbox(std::int64_t id, std::string_view new_name) {
  SATCHEL_PREPARE(q, "UPDATE mailboxes SET name = ? WHERE id = ?");
  q.bind(1, new_name).bind(2, id);
  return q.run();
}

Result<std::vector<MessageRow>> MailIndex::messages(std::int64_t mailbox_id, ModSeq since) {
  std::vector<MessageRow> out;
  if (since == 0) {
    SATCHEL_PREPARE(q, "SELECT " + std::string(kMessageColumns) +
                           " FROM messages WHERE mailbox_id = ? ORDER BY uid");
    q.bind(1, mailbox_id);
    while (q.step()) out.push_back(message_from(q));
    if (auto st = q.status(); !st) return st.error();
  } else {
    SATCHEL_PREPARE(q, "SELECT " + std::string(kMessageColumns) +
                           " FROM messages WHERE mailbox_id = ? AND modseq > ?");
    q.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(since));
    while (q.step()) out.push_back(message_from(q));
    if (auto st = q.status(); !st) return st.error();
    std::sort(out.begin(), out.end(),
              [](const MessageRow& a, const MessageRow& b) { return a.uid < b.uid; });
  }
  return out;
}

Result<std::vector<MessageRow>> MailIndex::messages_flagged(std::int64_t mailbox_id,
                                                            std::uint8_t mask) {
  SATCHEL_PREPARE(q, "SELECT " + std::string(kMessageColumns) +
                         " FROM messages WHERE mailbox_id = ? AND (flags & ?) != 0 ORDER BY uid");
  q.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(mask));
  std::vector<MessageRow> out;
  while (q.step()) out.push_back(message_from(q));
  if (auto st = q.status(); !st) return st.error();
  return out;
}

Result<std::optional<MessageRow>> MailIndex::message(std::int64_t mailbox_id, Uid uid) {
  SATCHEL_PREPARE(q, "SELECT " + std::string(kMessageColumns) +
                         " FROM messages WHERE mailbox_id = ? AND uid = ?");
  q.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid));
  if (q.step()) return std::optional<MessageRow>(message_from(q));
  if (auto st = q.status(); !st) return st.error();
  return std::optional<MessageRow>();
}

Status MailIndex::insert_message(std::int64_t mailbox_id, const MessageRow& r) {
  SATCHEL_PREPARE(q,
                  "INSERT INTO messages (mailbox_id, uid, key, location, flags, keywords, "
                  "modseq, internal_date, tz, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, mailbox_id)
      .bind(2, static_cast<std::int64_t>(r.uid))
      .bind(3, r.key)
      .bind(4, r.location)
      .bind(5, static_cast<std::int64_t>(r.flags))
      .bind(6, join_keywords(r.keywords))
      .bind(7, static_cast<std::int64_t>(r.modseq))
      .bind(8, r.internal_date)
      .bind(9, static_cast<std::int64_t>(r.tz))
      .bind(10, static_cast<std::int64_t>(r.size));
  return q.run();
}

Status MailIndex::update_message(std::int64_t mailbox_id, const MessageRow& r) {
  SATCHEL_PREPARE(q,
                  "UPDATE messages SET location = ?, flags = ?, keywords = ?, modseq = ? "
                  "WHERE mailbox_id = ? AND uid = ?");
  q.bind(1, r.location)
      .bind(2, static_cast<std::int64_t>(r.flags))
      .bind(3, join_keywords(r.keywords))
      .bind(4, static_cast<std::int64_t>(r.modseq))
      .bind(5, mailbox_id)
      .bind(6, static_cast<std::int64_t>(r.uid));
  return q.run();
}

Status MailIndex::expunge_message(std::int64_t mailbox_id, Uid uid, ModSeq modseq) {
  for (std::string_view sql : {"DELETE FROM messages WHERE mailbox_id = ? AND uid = ?",
                               "DELETE FROM cache WHERE mailbox_id = ? AND uid = ?"}) {
    SATCHEL_PREPARE(q, sql);
    q.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid));
    if (auto st = q.run(); !st) return st;
  }
  SATCHEL_PREPARE(q, "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)");
  q.bind(1, mailbox_id)
      .bind(2, static_cast<std::int64_t>(uid))
      .bind(3, static_cast<std::int64_t>(modseq));
  return q.run();
}

Result<std::vector<Uid>> MailIndex::expunged_since(std::int64_t mailbox_id, ModSeq since) {
  SATCHEL_PREPARE(q, "SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid");
  q.bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(since));
  std::vector<Uid> out;
  while (q.step()) out.push_back(static_cast<Uid>(q.int64(0)));
  if (auto st = q.status(); !st) return st.error();
  return out;
}

Result<MailboxCounts> MailIndex::counts(const MailboxRow& row) {
  SATCHEL_PREPARE(q,
                  "SELECT count(*), coalesce(sum((flags & 1) = 0), 0), "
                  "coalesce(sum(uid >= ?), 0), coalesce(sum(size), 0) "
                  "FROM messages WHERE mailbox_id = ?");
  q.bind(1, static_cast<std::int64_t>(row.first_recent_uid)).bind(2, row.id);
  MailboxCounts c;
  if (q.step()) {
    c.messages = static_cast<std::uint32_t>(q.int64(0));
    c.unseen = static_cast<std::uint32_t>(q.int64(1));
    c.recent = static_cast<std::uint32_t>(q.int64(2));
    c.size = static_cast<std::uint64_t>(q.int64(3));
  }
  if (auto st = q.status(); !st) return st.error();
  return c;
}

std::optional<std::string> MailIndex::cache_get(std::int64_t mailbox_id, Uid uid,
                                                std::string_view field) {
  auto q = db_->prepare("SELECT value FROM cache WHERE mailbox_id = ? AND uid = ? AND field = ?");
  if (!q) return std::nullopt;
  (*q)->bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid)).bind(3, field);
  if ((*q)->step()) return (*q)->text(0);
  return std::nullopt;
}

void MailIndex::cache_put(std::int64_t mailbox_id, Uid uid, std::string_view field,
                          std::string_view value) {
  // Only for messages that still exist, so an expunged UID does not leave cache rows behind.
  auto q = db_->prepare(
      "INSERT OR REPLACE INTO cache (mailbox_id, uid, field, value) SELECT ?, ?, ?, ? "
      "WHERE EXISTS (SELECT 1 FROM messages WHERE mailbox_id = ?1 AND uid = ?2)");
  if (!q) return;
  (*q)->bind(1, mailbox_id).bind(2, static_cast<std::int64_t>(uid)).bind(3, field);
  (*q)->bind_blob(4, value);
  (void)(*q)->run();
}

Status MailIndex::subscribe(std::string_view name) {
  SATCHEL_PREPARE(q, "INSERT OR IGNORE INTO subscriptions (name) VALUES (?)");
  q.bind(1, name);
  return q.run();
}

Status MailIndex::unsubscribe(std::string_view name) {
  SATCHEL_PREPARE(q, "DELETE FROM subscriptions WHERE name = ?");
  q.bind(1, name);
  return q.run();
}

Result<std::vector<std::string>> MailIndex::subscriptions() {
  SATCHEL_PREPARE(q, "SELECT name FROM subscriptions ORDER BY name");
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  if (auto st = q.status(); !st) return st.error();
  return out;
}

}  // namespace satchel::storage::index
