#include "auth/sqlite/sqlite_userdb.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <ctime>

#include "auth/sqlite/password_hash.h"
#include "auth/sqlite/statement.h"
#include "auth/sqlite/user_name.h"
#include "base/crypto.h"

namespace satchel::auth {

namespace {

constexpr int kSchemaVersion = 1;

constexpr std::string_view kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version)
  SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
CREATE TABLE IF NOT EXISTS users (
  name          TEXT PRIMARY KEY NOT NULL,  -- BINARY collation: names are case-sensitive.
  password      TEXT NOT NULL,              -- crypt(3) hash, yescrypt for new ones.
  home          TEXT NOT NULL,
  mail_location TEXT NOT NULL,
  uid           INTEGER NOT NULL DEFAULT 0, -- 0: the configured default.
  gid           INTEGER NOT NULL DEFAULT 0,
  created       INTEGER NOT NULL            -- Seconds since the epoch.
);
)sql";

constexpr std::string_view kSelectUser =
    "SELECT name, password, home, mail_location, uid, gid, created FROM users WHERE name = ?1";

Error auth_failed() {
  return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");
}

Error no_such_user(std::string_view name) {
  return Error::permanent("NONEXISTENT", "user '" + std::string(name) + "' does not exist");
}

// Runs SQL without results; `what` names the step in error messages.
Status exec(sqlite3* db, std::string_view sql, std::string_view what) {
  std::string text(sql);
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  return ok_status();
}

// The password file holds hashes: create it readable by its owner only, before SQLite would
// create it with the umask's permissions (SQLite gives -wal and -shm the same mode).
void precreate_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

}  // namespace

SqliteUserDb::SqliteUserDb(sqlite3* db, std::string path, Defaults defaults, std::string dummy_hash)
    : db_(db),
      path_(std::move(path)),
      defaults_(std::move(defaults)),
      dummy_hash_(std::move(dummy_hash)) {}

SqliteUserDb::~SqliteUserDb() {
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteUserDb>> SqliteUserDb::open(const std::string& path, Defaults defaults,
                                                         bool create) {
  if (defaults.mail_root.empty())
    return Error::permanent("CANNOT", "the default mail root is empty");
  auto probe = expand_location(defaults.mail_location, "user", "/home");
  if (!probe.ok()) return probe.error();

  if (create) precreate_private(path);
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = Error::temporary(
        "UNAVAILABLE", path + ": cannot open: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_close_v2(raw);
    return e;
  }
  sqlite3_busy_timeout(raw, defaults.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);

  // The dummy hash makes a check for an unknown user cost what a real one costs. Its password
  // is random and forgotten, so nothing can match it.
  auto dummy = hash_password(SecureString(crypto::base64_encode(crypto::random_bytes(18))));
  if (!dummy.ok()) {
    sqlite3_close_v2(raw);
    return dummy.error();
  }
  std::unique_ptr<SqliteUserDb> db(
      new SqliteUserDb(raw, path, std::move(defaults), std::move(dummy.value())));
  auto schema = db->init_schema(create);
  if (!schema.ok()) {
    Error e = schema.error();
    e.message = path + ": " + e.message;
    return e;
  }
  return db;
}

Status SqliteUserDb::init_schema(bool create) {
  std::lock_guard lock(mu_);
  bool empty = false;
  bool ours = false;
  {
    // Scoped: an unfinished statement keeps a read transaction open, and the journal mode
    // cannot change inside a transaction.
    auto tables =
        Statement::prepare(db_,
                           "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'),"
                           " (SELECT count(*) FROM sqlite_master WHERE name = 'schema_version')");
    if (!tables.ok()) {
      // SQLite reads the header when the first statement is prepared.
      if ((sqlite3_errcode(db_) & 0xff) == SQLITE_NOTADB)
        return Error::permanent("", "not a SQLite database");
      return tables.error();
    }
    int rc = tables->step();
    if (rc == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
      return Error::permanent("", "not a SQLite database");
    if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "reading the schema");
    empty = tables->integer(0) == 0;
    ours = tables->integer(1) == 1;
  }
  if (!ours && !(create && empty)) return Error::permanent("", "not a Satchel user database");

  if (!ours) {
    // WAL lets the auth process and worker processes read while satchel-admin writes.
    // The journal mode is stored in the file, so it is set once, at creation.
    auto wal = exec(db_, "PRAGMA journal_mode = WAL", "enabling WAL");
    if (!wal.ok()) return wal;
    auto begin = exec(db_, "BEGIN IMMEDIATE", "creating the schema");
    if (!begin.ok()) return begin;
    auto made = exec(db_, kCreateSchema, "creating the schema");
    if (!made.ok()) {
      (void)exec(db_, "ROLLBACK", "rollback");
      return made;
    }
    auto commit = exec(db_, "COMMIT", "creating the schema");
    if (!commit.ok()) return commit;
  }

  auto version = Statement::prepare(db_, "SELECT max(version) FROM schema_version");
  if (!version.ok()) return version.error();
  int rc = version->step();
  if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "reading the schema version");
  std::int64_t v = version->integer(0);
  if (v > kSchemaVersion)
    return Error::permanent("", "schema version " + std::to_string(v) +
                                    " is newer than this Satchel supports (" +
                                    std::to_string(kSchemaVersion) + ")");
  return ok_status();
}

Status SqliteUserDb::add_user(std::string_view name, const SecureString& password,
                              const AddOptions& options) {
  auto valid = validate_user_name(name);
  if (!valid.ok()) return valid;
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.error();
  return insert(name, hash.value(), options);
}

Status SqliteUserDb::add_user_with_hash(std::string_view name, const std::string& hash,
                                        const AddOptions& options) {
  if (!is_supported_hash(hash))
    return Error::permanent("CANNOT", "not a password hash libxcrypt supports");
  return insert(name, hash, options);
}

Status SqliteUserDb::insert(std::string_view name, const std::string& hash,
                            const AddOptions& options) {
  auto valid = validate_user_name(name);
  if (!valid.ok()) return valid;
  std::string home = options.home;
  if (home.empty()) {
    home = defaults_.mail_root;
    if (home.back() != '/') home += '/';
    home += name;
  }
  if (home.front() != '/') return Error::permanent("CANNOT", "home must be an absolute path");
  auto location = expand_location(
      options.mail_location.empty() ? defaults_.mail_location : options.mail_location, name, home);
  if (!location.ok()) return location.error();

  std::lock_guard lock(mu_);
  auto st = Statement::prepare(db_,
                               "INSERT INTO users (name, password, home, mail_location, uid, gid,"
                               " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st.ok()) return st.error();
  st->bind(1, name);
  st->bind(2, hash);
  st->bind(3, home);
  st->bind(4, location.value());
  st->bind(5, static_cast<std::int64_t>(options.uid));
  st->bind(6, static_cast<std::int64_t>(options.gid));
  st->bind(7, static_cast<std::int64_t>(std::time(nullptr)));
  int rc = st->step();
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    return Error::permanent("ALREADYEXISTS", "user '" + std::string(name) + "' already exists");
  if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "adding user");
  return ok_status();
}

Status SqliteUserDb::set_password(std::string_view name, const SecureString& password) {
  auto hash = hash_password(password);
  if (!hash.ok()) return hash.error();
  std::lock_guard lock(mu_);
  auto st = Statement::prepare(db_, "UPDATE users SET password = ?2 WHERE name = ?1");
  if (!st.ok()) return st.error();
  st->bind(1, name);
  st->bind(2, hash.value());
  int rc = st->step();
  if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "changing password");
  if (sqlite3_changes(db_) == 0) return no_such_user(name);
  return ok_status();
}

Status SqliteUserDb::remove_user(std::string_view name) {
  std::lock_guard lock(mu_);
  auto st = Statement::prepare(db_, "DELETE FROM users WHERE name = ?1");
  if (!st.ok()) return st.error();
  st->bind(1, name);
  int rc = st->step();
  if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "removing user");
  if (sqlite3_changes(db_) == 0) return no_such_user(name);
  return ok_status();
}

Result<std::vector<SqliteUserDb::UserEntry>> SqliteUserDb::list_users() {
  std::vector<UserEntry> out;
  std::lock_guard lock(mu_);
  auto st = Statement::prepare(db_,
                               "SELECT name, home, mail_location, uid, gid, created FROM users"
                               " ORDER BY name");
  if (!st.ok()) return st.error();
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    Row row;
    row.record.name = st->text(0);
    row.record.home = st->text(1);
    row.record.mail_location = st->text(2);
    row.record.uid = static_cast<uid_t>(st->integer(3));
    row.record.gid = static_cast<gid_t>(st->integer(4));
    UserEntry e;
    e.created = st->integer(5);
    e.record = to_record(std::move(row));
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "listing users");
  return out;
}

Result<SqliteUserDb::Row> SqliteUserDb::fetch(std::string_view name) {
  std::lock_guard lock(mu_);
  auto st = Statement::prepare(db_, kSelectUser);
  if (!st.ok()) return st.error();
  st->bind(1, name);
  int rc = st->step();
  Row row;
  if (rc == SQLITE_DONE) return row;
  if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "reading user");
  row.record.name = st->text(0);
  row.hash = st->text(1);
  row.record.home = st->text(2);
  row.record.mail_location = st->text(3);
  row.record.uid = static_cast<uid_t>(st->integer(4));
  row.record.gid = static_cast<gid_t>(st->integer(5));
  row.created = st->integer(6);
  return row;
}

UserRecord SqliteUserDb::to_record(Row row) const {
  UserRecord r = std::move(row.record);
  if (r.uid == 0) r.uid = defaults_.uid;
  if (r.gid == 0) r.gid = defaults_.gid;
  return r;
}

Result<UserRecord> SqliteUserDb::verify_password(std::string_view user,
                                                 const SecureString& password) {
  auto row = fetch(user);
  if (!row.ok()) return row.error();
  bool usable = !row->record.name.empty() && is_supported_hash(row->hash);
  // An unknown user (or one whose hash is locked or unknown) costs the same hashing as a
  // known one, so response time does not tell which names exist.
  bool match = verify_password_hash(password, usable ? row->hash : dummy_hash_);
  if (!usable || !match) return auth_failed();
  return to_record(std::move(row.value()));
}

Result<UserRecord> SqliteUserDb::lookup(std::string_view user) {
  auto row = fetch(user);
  if (!row.ok()) return row.error();
  if (row->record.name.empty()) return no_such_user(user);
  return to_record(std::move(row.value()));
}

}  // namespace satchel::auth
