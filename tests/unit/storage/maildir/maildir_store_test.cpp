#include "storage/maildir/maildir_store.h"

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "../storage_test_util.h"

using namespace satchel;
using namespace satchel::storage;
using namespace satchel::storage::test;

namespace {

std::map<std::string, MailboxEntry> listed(MailStore& store) {
  auto l = store.list();
  REQUIRE(l.ok());
  REQUIRE_FALSE(l->empty());
  CHECK(l->front().name == "INBOX");
  std::map<std::string, MailboxEntry> out;
  for (auto& e : *l) out[e.name] = e;
  return out;
}

}  // namespace

TEST_CASE("opening a store creates the Maildir root with cur/new/tmp, mode 0700") {
  TempDir tmp;
  auto store = open_store(tmp);
  for (const char* sub : {"cur", "new", "tmp"}) {
    CHECK(std::filesystem::is_directory(tmp.maildir() + "/" + sub));
  }
  auto perms = std::filesystem::status(tmp.maildir()).permissions();
  CHECK((perms & std::filesystem::perms::all) == std::filesystem::perms::owner_all);
  CHECK(std::filesystem::exists(tmp.maildir() + "/satchel.index.sqlite"));
}

TEST_CASE("create makes a Maildir++ folder; its implied parents are \\Noselect") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("a/b/c").ok());
  CHECK(std::filesystem::is_directory(tmp.maildir() + "/.a.b.c/cur"));
  CHECK(std::filesystem::exists(tmp.maildir() + "/.a.b.c/maildirfolder"));
  CHECK_FALSE(std::filesystem::exists(tmp.maildir() + "/.a"));
  auto l = listed(*store);
  REQUIRE(l.size() == 4);
  CHECK(l["a"].no_select);
  CHECK(l["a"].has_children);
  CHECK(l["a/b"].no_select);
  CHECK_FALSE(l["a/b/c"].no_select);
  CHECK_FALSE(l["a/b/c"].has_children);
  CHECK_FALSE(l["INBOX"].no_select);
  auto again = store->create("a/b/c");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "ALREADYEXISTS");
  CHECK(store->create("INBOX").error().code == "ALREADYEXISTS");
  REQUIRE(store->create("a").ok());  // an implied parent can be created explicitly
  CHECK_FALSE(listed(*store)["a"].no_select);
  auto noselect = store->open("a/b", false);
  REQUIRE_FALSE(noselect.ok());
  CHECK(noselect.error().code == "CANNOT");
  CHECK(store->open("zz", false).error().code == "NONEXISTENT");
}

TEST_CASE("bad names are refused with CANNOT and create nothing outside the root") {
  TempDir tmp;
  auto store = open_store(tmp);
  for (const char* bad : {"../x", "a//b", "~x", "/x", "a/./b", "a\nb", "a/../../etc"}) {
    CAPTURE(bad);
    auto st = store->create(bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "CANNOT");
  }
  CHECK(files_in(tmp.path) == std::vector<std::string>{"Maildir"});
}

TEST_CASE("delete of INBOX, of a leaf, and of a parent with children") {
  TempDir tmp;
  auto store = open_store(tmp);
  CHECK(store->remove("INBOX").error().code == "CANNOT");
  CHECK(store->remove("nothing").error().code == "NONEXISTENT");
  REQUIRE(store->create("p").ok());
  REQUIRE(store->create("p/kid").ok());
  append(*store, "p", "parent mail\r\n");
  // RFC 3501 §6.3.4: its messages go, the name stays as \Noselect.
  REQUIRE(store->remove("p").ok());
  auto l = listed(*store);
  CHECK(l["p"].no_select);
  CHECK(l.count("p/kid") == 1);
  // A \Noselect name with children cannot be deleted.
  CHECK(store->remove("p").error().code == "CANNOT");
  REQUIRE(store->remove("p/kid").ok());
  l = listed(*store);
  CHECK(l.size() == 1);
  // Nothing left behind in the root but INBOX's own directories and files.
  for (const auto& f : files_in(tmp.maildir())) CHECK(f.front() != '.');
}

TEST_CASE("a recreated mailbox gets a new UIDVALIDITY") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("x").ok());
  auto first = store->status("x").value().uidvalidity;
  REQUIRE(store->remove("x").ok());
  REQUIRE(store->create("x").ok());
  CHECK(store->status("x").value().uidvalidity > first);
}

TEST_CASE("rename moves children along and refuses existing targets") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("old").ok());
  REQUIRE(store->create("old/sub").ok());
  REQUIRE(store->create("taken").ok());
  append(*store, "old/sub", "kept\r\n", kSeen);
  auto uidvalidity = store->status("old/sub").value().uidvalidity;
  CHECK(store->rename("old", "taken").error().code == "ALREADYEXISTS");
  CHECK(store->rename("ghost", "new").error().code == "NONEXISTENT");
  CHECK(store->rename("old", "old/inner").error().code == "CANNOT");
  REQUIRE(store->rename("old", "new/name").ok());
  auto l = listed(*store);
  CHECK(l.count("old") == 0);
  CHECK(l.count("old/sub") == 0);
  CHECK(l["new"].no_select);
  CHECK_FALSE(l["new/name"].no_select);
  CHECK_FALSE(l["new/name/sub"].no_select);
  auto st = store->status("new/name/sub").value();
  CHECK(st.messages == 1);
  CHECK(st.uidvalidity == uidvalidity);
  auto mb = store->open("new/name/sub", false).value();
  CHECK(mb->read_message(1).value() == "kept\r\n");
}

TEST_CASE("renaming INBOX moves its messages and leaves INBOX empty") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "one\r\n", kSeen, 1400000000);
  append(*store, "INBOX", "two\r\n");
  REQUIRE(store->create("INBOX/child").ok());
  REQUIRE(store->rename("INBOX", "Old Mail").ok());
  CHECK(store->status("INBOX").value().messages == 0);
  auto st = store->status("Old Mail").value();
  CHECK(st.messages == 2);
  CHECK(st.unseen == 1);
  auto mb = store->open("Old Mail", false).value();
  auto msgs = mb->snapshot().value();
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].internal_date == 1400000000);
  CHECK(mb->read_message(msgs[0].uid).value() == "one\r\n");
  CHECK(listed(*store).count("INBOX/child") == 1);  // inferiors of INBOX stay
  // New mail still goes to INBOX, with UIDs after the old ones.
  CHECK(append(*store, "INBOX", "three\r\n").uid == 3);
}

TEST_CASE("subscriptions are kept, including names that do not exist") {
  TempDir tmp;
  auto store = open_store(tmp);
  REQUIRE(store->create("Lists").ok());
  REQUIRE(store->subscribe("Lists").ok());
  REQUIRE(store->subscribe("Elsewhere").ok());
  CHECK(store->subscribe("../x").error().code == "CANNOT");
  CHECK(store->subscriptions().value() == std::vector<std::string>{"Elsewhere", "Lists"});
  CHECK(listed(*store)["Lists"].subscribed);
  REQUIRE(store->unsubscribe("Lists").ok());
  CHECK(store->subscriptions().value() == std::vector<std::string>{"Elsewhere"});
}

TEST_CASE("status counts messages, unseen, recent and size") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "12345\r\n", kSeen);
  append(*store, "INBOX", "1\r\n");
  auto st = store->status("INBOX").value();
  CHECK(st.messages == 2);
  CHECK(st.unseen == 1);
  CHECK(st.recent == 2);
  CHECK(st.size == 10);
  CHECK(st.uidnext == 3);
  CHECK(st.highest_modseq >= 3);
  CHECK(store->status("none").error().code == "NONEXISTENT");
}

TEST_CASE("the POP3 lock is exclusive until released") {
  TempDir tmp;
  auto store = open_store(tmp);
  auto other = open_store(tmp);
  auto lock = store->lock_exclusive("INBOX");
  REQUIRE(lock.ok());
  auto second = other->lock_exclusive("INBOX");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "INUSE");
  CHECK(second.error().kind == ErrorKind::Temporary);
  lock = Error::internal("released");
  CHECK(other->lock_exclusive("INBOX").ok());
}

TEST_CASE("UIDs and UIDVALIDITY are stable across stores and never reused") {
  TempDir tmp;
  std::uint32_t uidvalidity = 0;
  {
    auto store = open_store(tmp);
    uidvalidity = append(*store, "INBOX", "1\r\n", kDeleted).uidvalidity;
    append(*store, "INBOX", "2\r\n");
    auto mb = store->open("INBOX", false).value();
    REQUIRE(mb->expunge(nullptr).ok());
  }
  auto store = open_store(tmp);
  auto r = append(*store, "INBOX", "3\r\n");
  CHECK(r.uidvalidity == uidvalidity);
  CHECK(r.uid == 3);
}

TEST_CASE("a deleted index is rebuilt from the files without losing mail") {
  TempDir tmp;
  {
    auto store = open_store(tmp);
    REQUIRE(store->create("Work").ok());
    append(*store, "INBOX", "a\r\n", kSeen, 1300000000);
    append(*store, "INBOX", "b\n", kFlagged | kAnswered, 1200000000);
    append(*store, "Work", "w\r\n", kDraft);
  }
  std::filesystem::remove(tmp.maildir() + "/satchel.index.sqlite");
  std::filesystem::remove(tmp.maildir() + "/satchel.index.sqlite-wal");
  std::filesystem::remove(tmp.maildir() + "/satchel.index.sqlite-shm");
  auto store = open_store(tmp);
  CHECK(listed(*store).count("Work") == 1);
  auto mb = store->open("INBOX", false).value();
  auto msgs = mb->snapshot().value();
  REQUIRE(msgs.size() == 2);
  // UIDs follow the internal dates (mtimes), so "b" comes first now.
  CHECK(msgs[0].internal_date == 1200000000);
  CHECK(msgs[0].flags.system == (kFlagged | kAnswered));
  CHECK(msgs[0].size == 3);
  CHECK(mb->read_message(msgs[1].uid).value() == "a\r\n");
  CHECK(store->status("Work").value().messages == 1);
}

TEST_CASE("a corrupt index is set aside and rebuilt") {
  TempDir tmp;
  {
    auto store = open_store(tmp);
    append(*store, "INBOX", "a\r\n");
  }
  std::filesystem::remove(tmp.maildir() + "/satchel.index.sqlite-wal");
  std::filesystem::remove(tmp.maildir() + "/satchel.index.sqlite-shm");
  write_file(tmp.maildir() + "/satchel.index.sqlite", std::string(8192, 'Z'));
  auto store = open_store(tmp);
  CHECK(store->status("INBOX").value().messages == 1);
  CHECK(std::filesystem::exists(tmp.maildir() + "/satchel.index.sqlite.corrupt"));
}

TEST_CASE("release_memory gives back the index caches; the open mailbox and store keep working") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "Subject: one\r\n\r\nbody\r\n");
  auto opened = store->open("INBOX", false);
  REQUIRE(opened.ok());
  auto& mb = *opened.value();
  REQUIRE(mb.snapshot().ok());
  // SQLite's own count of the memory it holds, process-wide (this test is alone in it).
  sqlite3_int64 before = sqlite3_memory_used();
  store->release_memory();
  CHECK(sqlite3_memory_used() < before);

  // Everything still works: statements are prepared again, pages read again.
  append(*store, "INBOX", "Subject: two\r\n\r\nbody\r\n");
  auto changes = mb.snapshot();
  REQUIRE(changes.ok());
  CHECK(changes->size() == 2);
  CHECK(mb.read_message(2).value() == "Subject: two\r\n\r\nbody\r\n");
  auto status = store->status("INBOX");
  REQUIRE(status.ok());
  CHECK(status->messages == 2);
}
