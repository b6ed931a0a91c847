// The built-in user database (DESIGN.md, Authentication): one SQLite file of virtual users
// with yescrypt password hashes, managed by satchel-admin and read by the auth process.
//
// Blocking: every method touches the database file, and verify_password / add_user /
// set_password hash a password (tens of milliseconds). Call them from the thread pool, the
// auth process or the CLI.
//
// Thread-safe: one object may be shared by several pool threads. Database access is
// serialised by a mutex; password hashing runs outside it, so verifications proceed in
// parallel. Several processes may open the same file (WAL mode, busy timeout).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/api/authenticator.h"

struct sqlite3;

namespace satchel::auth {

// What users of a SqliteUserDb get when add_user is not told otherwise (from [storage] of
// satchel.conf).
struct UserDbDefaults {
  std::string mail_root = "/var/lib/satchel/mail";   // Home = mail_root/NAME.
  std::string mail_location = "maildir:%h/Maildir";  // %u user, %h home, %% '%'.
  uid_t uid = 0;  // Returned for users stored with uid 0; 0 means "the worker's own uid".
  gid_t gid = 0;
  // How long to wait for another process's write lock before answering UNAVAILABLE.
  int busy_timeout_ms = 5000;
};

struct AddUserOptions {
  std::string home;           // Empty: Defaults::mail_root + "/" + name.
  std::string mail_location;  // Empty: Defaults::mail_location; %u and %h are expanded.
  uid_t uid = 0;              // 0: Defaults::uid at lookup time.
  gid_t gid = 0;
};

struct UserDbEntry {
  UserRecord record;         // As lookup() returns it.
  std::int64_t created = 0;  // Seconds since the epoch.
};

class SqliteUserDb : public Authenticator {
 public:
  using Defaults = UserDbDefaults;
  using AddOptions = AddUserOptions;
  using UserEntry = UserDbEntry;

  // Opens the database at `path`. With `create`, makes the file and schema when missing (and
  // the file's directory must exist); without, a missing file or one that is not a Satchel
  // userdb is an error. Errors: Temporary UNAVAILABLE when SQLite cannot open or read it,
  // Permanent when the file is of another kind or a newer schema, or Defaults are invalid.
  static Result<std::unique_ptr<SqliteUserDb>> open(const std::string& path, Defaults defaults,
                                                    bool create);

  ~SqliteUserDb() override;
  SqliteUserDb(const SqliteUserDb&) = delete;
  SqliteUserDb& operator=(const SqliteUserDb&) = delete;

  // Adds a user. Errors: Permanent ALREADYEXISTS when the name is taken, Permanent CANNOT for
  // an invalid name, password or location, Temporary UNAVAILABLE when the database is busy.
  Status add_user(std::string_view name, const SecureString& password,
                  const AddOptions& options = {});

  // Adds a user with an existing crypt(3) hash ($y$, $6$, $2b$ ...), for migrations.
  // Errors as add_user; an unsupported hash is Permanent CANNOT.
  Status add_user_with_hash(std::string_view name, const std::string& hash,
                            const AddOptions& options = {});

  // Replaces a password with a new yescrypt hash. Permanent NONEXISTENT for an unknown user.
  Status set_password(std::string_view name, const SecureString& password);

  // Removes a user (not their mail). Permanent NONEXISTENT for an unknown user.
  Status remove_user(std::string_view name);

  // Every user, sorted by name (byte order).
  Result<std::vector<UserEntry>> list_users();

  // Authenticator. verify_password: AUTHENTICATIONFAILED for an unknown user and for a wrong
  // password alike, after the same hashing work (an unknown user is checked against a dummy
  // hash). lookup: Permanent NONEXISTENT for an unknown user.
  Result<UserRecord> verify_password(std::string_view user, const SecureString& password) override;
  Result<UserRecord> lookup(std::string_view user) override;

  const std::string& path() const { return path_; }

 private:
  struct Row {
    UserRecord record;
    std::string hash;
    std::int64_t created = 0;
  };

  SqliteUserDb(sqlite3* db, std::string path, Defaults defaults, std::string dummy_hash);

  Status init_schema(bool create);
  Status insert(std::string_view name, const std::string& hash, const AddOptions& options);
  // Reads one user under the mutex; an empty name in the returned record means "absent".
  Result<Row> fetch(std::string_view name);
  UserRecord to_record(Row row) const;

  std::mutex mu_;  // Guards db_ (statements are not shared between threads).
  sqlite3* db_;
  const std::string path_;
  const Defaults defaults_;
  std::string dummy_hash_;  // yescrypt of a random password, verified when a user is absent.
};

}  // namespace satchel::auth
