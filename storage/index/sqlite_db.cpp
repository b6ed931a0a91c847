#include "storage/index/sqlite_db.h"

#include <sqlite3.h>

namespace satchel::storage::index {
namespace {

constexpr int kBusyTimeoutMs = 10000;

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg = "index: " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  // The extended code tells the kind of I/O error (SQLITE_IOERR_SHMMAP, _LOCK, ...).
  if (db != nullptr) msg += " (sqlite " + std::to_string(sqlite3_extended_errcode(db)) + ")";
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL || rc == SQLITE_IOERR) {
    return Error::temporary("", std::move(msg));
  }
  return Error::internal(std::move(msg));
}

}  // namespace

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

bool Statement::step() {
  if (error_) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) error_ = sqlite_error(sqlite3_db_handle(stmt_), rc, "step");
  return false;
}

Status Statement::run() {
  while (step()) {
  }
  return status();
}

Status Statement::status() const {
  if (error_) return *error_;
  return ok_status();
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return e;
  }
  std::unique_ptr<Database> out(new Database(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // synchronous=FULL: flags and keywords live partly only in the index, so a committed
  // STORE must survive a power cut, not only a process crash (DESIGN.md "never loses mail").
  if (auto st = out->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !st) {
    return st.error();
  }
  return out;
}

Database::~Database() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Statement>> Database::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    it = cache_.emplace(std::move(key), stmt).first;
  }
  return std::make_unique<Statement>(it->second);
}

void Database::release_memory() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
  sqlite3_db_release_memory(db_);
}

Status Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db_, rc, err != nullptr ? err : "exec");
    sqlite3_free(err);
    return e;
  }
  return ok_status();
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}
std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

Error Database::make_error(std::string_view what) const {
  return sqlite_error(db_, sqlite3_errcode(db_), what);
}

Transaction::Transaction(Database& db) : db_(db), begun_(db.exec("BEGIN IMMEDIATE")) {
  open_ = begun_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!open_) return begun_.ok() ? Status(Error::internal("index: commit twice")) : begun_;
  auto st = db_.exec("COMMIT");
  if (st) open_ = false;
  return st;
}

}  // namespace satchel::storage::index
