#include "storage/index/mail_index.h"

#include <doctest/doctest.h>

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
