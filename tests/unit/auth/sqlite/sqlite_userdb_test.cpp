#include "auth/sqlite/sqlite_userdb.h"

#include <crypt.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>

#include "temp_dir.h"

using namespace satchel;
using namespace satchel::auth;
using satchel::testing::TempDir;

namespace {

SqliteUserDb::Defaults test_defaults() {
  SqliteUserDb::Defaults d;
  d.mail_root = "/srv/mail";
  d.mail_location = "maildir:%h/Maildir";
  d.uid = 5000;
  d.gid = 5001;
  d.busy_timeout_ms = 200;
  return d;
}

std::unique_ptr<SqliteUserDb> open_new(const TempDir& dir) {
  auto db = SqliteUserDb::open(dir.file("users.db"), test_defaults(), true);
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  return std::move(db.value());
}

// The stored hash, read directly from the file.
std::string stored_hash(const std::string& path, const std::string& user) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT password FROM users WHERE name = ?1", -1, &st, nullptr) ==
          SQLITE_OK);
  sqlite3_bind_text(st, 1, user.c_str(), -1, SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("add, verify, wrong password and unknown user") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("s3cret")).ok());

  auto ok = db->verify_password("alice", SecureString("s3cret"));
  REQUIRE_MESSAGE(ok.ok(), ok.error().message);
  CHECK(ok->name == "alice");
  CHECK(ok->home == "/srv/mail/alice");
  CHECK(ok->mail_location == "maildir:/srv/mail/alice/Maildir");

  auto wrong = db->verify_password("alice", SecureString("S3cret"));
  REQUIRE_FALSE(wrong.ok());
  auto unknown = db->verify_password("bob", SecureString("s3cret"));
  REQUIRE_FALSE(unknown.ok());
  // The same answer for both, so a client cannot probe for names.
  for (const Error& e : {wrong.error(), unknown.error()}) {
    CHECK(e.kind == ErrorKind::Permanent);
    CHECK(e.code == "AUTHENTICATIONFAILED");
  }
  CHECK(wrong.error().message == unknown.error().message);
  // Names are case-sensitive.
  CHECK_FALSE(db->verify_password("Alice", SecureString("s3cret")).ok());
  CHECK_FALSE(db->verify_password("", SecureString("s3cret")).ok());
}

TEST_CASE("stored hashes are yescrypt") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("pw")).ok());
  CHECK(stored_hash(dir.file("users.db"), "alice").rfind("$y$", 0) == 0);
}

TEST_CASE("adding an existing user fails with ALREADYEXISTS") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("one")).ok());
  auto again = db->add_user("alice", SecureString("two"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "ALREADYEXISTS");
  CHECK(again.error().message == "user 'alice' already exists");
  CHECK(db->verify_password("alice", SecureString("one")).ok());  // Unchanged.
  CHECK(db->add_user("Alice", SecureString("two")).ok());         // Another name.
}

TEST_CASE("invalid names and passwords are refused on add") {
  TempDir dir;
  auto db = open_new(dir);
  CHECK(db->add_user("a/b", SecureString("pw")).error().code == "CANNOT");
  CHECK(db->add_user("..", SecureString("pw")).error().code == "CANNOT");
  CHECK(db->add_user("", SecureString("pw")).error().code == "CANNOT");
  CHECK(db->add_user("ok", SecureString("")).error().code == "CANNOT");
  CHECK(db->list_users()->empty());
}

TEST_CASE("set_password replaces the password") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("old")).ok());
  std::string before = stored_hash(dir.file("users.db"), "alice");
  REQUIRE(db->set_password("alice", SecureString("new")).ok());
  CHECK(stored_hash(dir.file("users.db"), "alice") != before);
  CHECK_FALSE(db->verify_password("alice", SecureString("old")).ok());
  CHECK(db->verify_password("alice", SecureString("new")).ok());
  auto missing = db->set_password("bob", SecureString("x"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "NONEXISTENT");
  CHECK(missing.error().message == "user 'bob' does not exist");
}

TEST_CASE("remove_user removes only that user") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("a")).ok());
  REQUIRE(db->add_user("bob", SecureString("b")).ok());
  REQUIRE(db->remove_user("alice").ok());
  CHECK(db->lookup("alice").error().code == "NONEXISTENT");
  CHECK(db->verify_password("alice", SecureString("a")).error().code == "AUTHENTICATIONFAILED");
  CHECK(db->lookup("bob").ok());
  CHECK(db->remove_user("alice").error().code == "NONEXISTENT");
}

TEST_CASE("list_users returns every user sorted by name, with records") {
  TempDir dir;
  auto db = open_new(dir);
  for (const char* n : {"carol", "alice", "Bob"}) REQUIRE(db->add_user(n, SecureString("p")).ok());
  auto list = db->list_users();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].record.name == "Bob");  // Byte order: upper case first.
  CHECK((*list)[1].record.name == "alice");
  CHECK((*list)[2].record.name == "carol");
  CHECK((*list)[1].record.home == "/srv/mail/alice");
  CHECK((*list)[1].record.uid == 5000);
  CHECK((*list)[1].created > 1'600'000'000);
}

TEST_CASE("lookup returns home, expanded location and default or own uid/gid") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("p")).ok());
  SqliteUserDb::AddOptions opts;
  opts.home = "/home/bob";
  opts.mail_location = "mbox:%h/mail:INBOX=/var/mail/%u";
  opts.uid = 1001;
  opts.gid = 1002;
  REQUIRE(db->add_user("bob", SecureString("p"), opts).ok());

  auto a = db->lookup("alice");
  REQUIRE(a.ok());
  CHECK(a->home == "/srv/mail/alice");
  CHECK(a->mail_location == "maildir:/srv/mail/alice/Maildir");
  CHECK(a->uid == 5000);
  CHECK(a->gid == 5001);

  auto b = db->lookup("bob");
  REQUIRE(b.ok());
  CHECK(b->home == "/home/bob");
  CHECK(b->mail_location == "mbox:/home/bob/mail:INBOX=/var/mail/bob");
  CHECK(b->uid == 1001);
  CHECK(b->gid == 1002);

  SqliteUserDb::AddOptions relative;
  relative.home = "home/x";
  CHECK(db->add_user("x", SecureString("p"), relative).error().message ==
        "home must be an absolute path");
  SqliteUserDb::AddOptions bad_location;
  bad_location.mail_location = "maildir:%x";
  CHECK(db->add_user("y", SecureString("p"), bad_location).error().code == "CANNOT");
}

TEST_CASE("imported hashes of other schemes verify") {
  TempDir dir;
  auto db = open_new(dir);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn("$6$", 0, nullptr, 0, setting, sizeof setting) != nullptr);
  crypt_data data{};
  std::string sha512 = crypt_rn("from shadow", setting, &data, sizeof data);
  REQUIRE(db->add_user_with_hash("legacy", sha512).ok());
  CHECK(db->verify_password("legacy", SecureString("from shadow")).ok());
  CHECK_FALSE(db->verify_password("legacy", SecureString("wrong")).ok());
  CHECK(db->add_user_with_hash("locked", "!").error().code == "CANNOT");
  // A hash locked after import ("!" prefix, as usermod -L does) stops the login.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.file("users.db").c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "UPDATE users SET password = '!' || password", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  CHECK(db->verify_password("legacy", SecureString("from shadow")).error().code ==
        "AUTHENTICATIONFAILED");
}

TEST_CASE("the database persists, is private, and is reopened without create") {
  TempDir dir;
  std::string path = dir.file("users.db");
  {
    auto db = open_new(dir);
    REQUIRE(db->add_user("alice", SecureString("pw")).ok());
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);  // Hashes are readable by the owner only.

  auto reopened = SqliteUserDb::open(path, test_defaults(), false);
  REQUIRE(reopened.ok());
  CHECK(reopened.value()->verify_password("alice", SecureString("pw")).ok());
}

TEST_CASE("open refuses a missing file without create, and files of other kinds") {
  TempDir dir;
  auto missing = SqliteUserDb::open(dir.file("none.db"), test_defaults(), false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "UNAVAILABLE");
  CHECK(missing.error().message.find(dir.file("none.db")) == 0);

  {
    std::ofstream junk(dir.file("junk.db"));
    junk << "this is not a database, just text that is long enough to have a header......\n";
  }
  auto junk = SqliteUserDb::open(dir.file("junk.db"), test_defaults(), true);
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.error().message == dir.file("junk.db") + ": not a SQLite database");

  {
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(dir.file("other.db").c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
  }
  auto foreign = SqliteUserDb::open(dir.file("other.db"), test_defaults(), true);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().message == dir.file("other.db") + ": not a Satchel user database");

  SqliteUserDb::Defaults bad = test_defaults();
  bad.mail_location = "maildir:%q";
  CHECK_FALSE(SqliteUserDb::open(dir.file("x.db"), bad, true).ok());
}

TEST_CASE("a newer schema version is refused") {
  TempDir dir;
  std::string path = dir.file("users.db");
  { open_new(dir); }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(raw);
  auto db = SqliteUserDb::open(path, test_defaults(), false);
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().message == path + ": schema version 99 is newer than this Satchel supports (1)");
}

TEST_CASE("a locked database answers Temporary UNAVAILABLE") {
  TempDir dir;
  std::string path = dir.file("users.db");
  auto db = open_new(dir);
  REQUIRE(db->add_user("alice", SecureString("pw")).ok());
  // Another connection holds the write lock (as a stuck satchel-admin might); ours gives up
  // after the busy timeout.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  int locked = sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (locked != SQLITE_OK) sqlite3_close(raw);
  REQUIRE(locked == SQLITE_OK);
  auto r = db->add_user("bob", SecureString("pw"));
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(r.error().code == "UNAVAILABLE");
}

TEST_CASE("verify_password from 4 threads at once") {
  TempDir dir;
  auto db = open_new(dir);
  for (int i = 0; i < 4; ++i)
    REQUIRE(db->add_user("user" + std::to_string(i), SecureString("pw" + std::to_string(i))).ok());
  std::atomic<int> good{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        std::string user = "user" + std::to_string((t + round) % 4);
        std::string right = "pw" + std::to_string((t + round) % 4);
        if (db->verify_password(user, SecureString(right)).ok()) ++good;
        if (!db->verify_password(user, SecureString(right + "x")).ok()) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 8);
  CHECK(refused == 8);
}

TEST_CASE("a second process-like connection sees users added by the first") {
  TempDir dir;
  auto writer = open_new(dir);
  auto reader = SqliteUserDb::open(dir.file("users.db"), test_defaults(), false);
  REQUIRE(reader.ok());
  CHECK(reader.value()->lookup("late").error().code == "NONEXISTENT");
  REQUIRE(writer->add_user("late", SecureString("pw")).ok());
  CHECK(reader.value()->lookup("late").ok());
}
