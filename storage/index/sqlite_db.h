// A thin RAII layer over one SQLite connection: prepared statements, typed binds and
// columns, and BEGIN IMMEDIATE transactions. Errors become satchel::Error values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace satchel::storage::index {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();  // Resets (the prepared statement itself is cached by the Database).

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);

  // One step: true with a row, false when done. Errors land in `error()`.
  bool step();
  // Runs to completion, for statements that return no rows.
  Status run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;

  const std::optional<Error>& error() const { return error_; }
  Status status() const;

 private:
  sqlite3_stmt* stmt_;
  std::optional<Error> error_;
};

class Database {
 public:
  // Opens (creating if needed) with WAL, busy_timeout and synchronous=FULL. Internal error
  // if the file cannot be opened or is not a database.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A cached prepared statement, reset and unbound. Aborts on a syntax error (a bug).
  Result<std::unique_ptr<Statement>> prepare(std::string_view sql);
  Status exec(std::string_view sql);
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;

  Error make_error(std::string_view what) const;

  // Frees the page cache and the cached prepared statements (prepared again when next used).
  // No Statement of this database may be alive.
  void release_memory();
  sqlite3* raw() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
// IMMEDIATE takes the write lock at once, so concurrent sessions serialize instead of failing
// with SQLITE_BUSY on lock upgrade.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& begun() const { return begun_; }
  Status commit();

 private:
  Database& db_;
  Status begun_;
  bool open_ = false;
};

}  // namespace satchel::storage::index
