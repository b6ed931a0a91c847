#include "storage/index/mail_index.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "../storage_test_util.h"

using namespace satchel;
using namespace satchel::storage;
using namespace satchel::storage::index;

TEST_CASE("keywords are stored space separated and read back in order") {
  CHECK(join_keywords({"$Forwarded", "Work"}) == "$Forwarded Work");
  CHECK(split_keywords("$Forwarded Work") == std::vector<std::string>{"$Forwarded", "Work"});
  CHECK(split_keywords("").empty());
}

TEST_CASE("UIDVALIDITY values handed out by one index strictly increase") {
  test::TempDir tmp;
  bool fresh = false;
  auto idx = MailIndex::open(tmp.path + "/i.sqlite", &fresh);
  REQUIRE(idx.ok());
  CHECK(fresh);
  std::uint32_t last = 0;
  for (int i = 0; i < 5; ++i) {
    Transaction tx((*idx)->db());
    REQUIRE(tx.begun().ok());
    auto row = (*idx)->create_mailbox("m" + std::to_string(i));
    REQUIRE(row.ok());
    CHECK(row->uidvalidity > last);
    last = row->uidvalidity;
    REQUIRE(tx.commit().ok());
  }
  bool fresh2 = true;
  auto again = MailIndex::open(tmp.path + "/i.sqlite", &fresh2);
  REQUIRE(again.ok());
  CHECK_FALSE(fresh2);
  CHECK((*again)->find_mailbox("m4").value()->uidvalidity == last);
}

TEST_CASE("an uncommitted transaction leaves no trace") {
  test::TempDir tmp;
  bool fresh = false;
  auto idx = MailIndex::open(tmp.path + "/i.sqlite", &fresh);
  REQUIRE(idx.ok());
  {
    Transaction tx((*idx)->db());
    REQUIRE((*idx)->create_mailbox("gone").ok());
  }
  CHECK_FALSE((*idx)->find_mailbox("gone").value().has_value());
}

TEST_CASE("stores in several threads share one index and never reuse a UID") {
  test::TempDir tmp;
  { auto s = test::open_store(tmp); }
  constexpr int kThreads = 3;
  constexpr int kEach = 15;
  std::vector<std::vector<Uid>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = maildir::MaildirStore::open_root(tmp.maildir(), "");
      if (!store) return;
      auto mb = (*store)->open("INBOX", false);
      for (int i = 0; i < kEach; ++i) {
        auto sink = (*store)->begin_append("INBOX");
        if (!sink || !(*sink)->write("m\r\n")) continue;
        auto r = (*sink)->commit(Flags{}, 1700000000, 0);
        if (r) got[t].push_back(r->uid);
        if (mb) (void)(*mb)->changes_since(0);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<Uid> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == kThreads * kEach);
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  auto store = test::open_store(tmp);
  auto st = store->status("INBOX");
  REQUIRE(st.ok());
  CHECK(st->messages == kThreads * kEach);
  CHECK(st->uidnext == kThreads * kEach + 1);
}

// SQLite keeps a SHARED lock on a WAL database file for as long as a connection is open: it
// tells another process's last closing connection not to checkpoint and reset the WAL. POSIX
// drops every lock a process holds on a file when any descriptor of it is closed, so opening
// a second index in the process (another session of the same user) must not open+close the
// file itself. (It once did, to probe for existence: concurrent sessions then failed with
// "disk I/O error" (SQLITE_IOERR_SHORT_READ).)
TEST_CASE("opening the index again in the process keeps the first connection's file lock") {
  test::TempDir tmp;
  std::string path = tmp.path + "/i.sqlite";
  bool fresh = false;
  auto first = MailIndex::open(path, &fresh);
  REQUIRE(first.ok());
  REQUIRE((*first)->find_mailbox("INBOX").ok());  // A read: the connection is in WAL mode.
  auto second = MailIndex::open(path, &fresh);
  REQUIRE(second.ok());

  // Another process asks whether it could take SQLite's exclusive lock (the shared-lock byte
  // range at 1 GiB + 2, 510 bytes): someone, this process, must still hold it.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd = ::open(path.c_str(), O_RDWR);
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 0x40000002;
    probe.l_len = 510;
    bool held = fd >= 0 && fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
    _exit(held ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
