// A prepared SQLite statement that finalizes itself. Internal to auth/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::auth {

// An error for a failed SQLite call: busy, locked, I/O and other "cannot answer now"
// conditions are Temporary with code UNAVAILABLE (the interface's contract); a failed
// constraint is left to the caller, which knows what it means.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);

  // sqlite3_step: SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }

  std::string text(int column) const;
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace satchel::auth
