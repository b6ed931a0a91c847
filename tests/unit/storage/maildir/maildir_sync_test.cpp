#include "storage/maildir/maildir_sync.h"

#include <doctest/doctest.h>

#include "../storage_test_util.h"

using namespace satchel;
using namespace satchel::storage;
using namespace satchel::storage::test;

TEST_CASE("a 20,000-message mailbox is not rescanned when its directories did not change") {
  TempDir tmp;
  {
    auto store = open_store(tmp);  // creates the Maildir
  }
  // Written as another delivery agent would, straight into cur/.
  for (int i = 0; i < 20000; ++i) {
    std::string name = std::to_string(1600000000 + i) + ".M0P1R" + std::to_string(i) +
                       ".mx,S=4,W=5:2," + (i % 2 == 0 ? "S" : "");
    write_file(tmp.maildir() + "/cur/" + name, "msg\n", 1600000000 + i);
  }
  age_dir(tmp.maildir() + "/cur");
  age_dir(tmp.maildir() + "/new");
  {
    auto store = open_store(tmp);
    auto before = maildir::scan_count();
    auto mb = store->open("INBOX", false);

    REQUIRE(mb.ok());
    auto msgs = (*mb)->snapshot();
    REQUIRE(msgs.ok());
    REQUIRE(msgs->size() == 20000);
    CHECK(msgs->front().internal_date == 1600000000);
    CHECK(msgs->back().uid == 20000);
    CHECK(msgs->front().flags.system == kSeen);
    CHECK(msgs->front().size == 5);
    CHECK(maildir::scan_count() == before + 1);
  }
  auto store = open_store(tmp);
  auto before = maildir::scan_count();
  auto mb = store->open("INBOX", false);
  REQUIRE(mb.ok());
  auto msgs = (*mb)->snapshot();
  REQUIRE(msgs.ok());
  CHECK(msgs->size() == 20000);
  CHECK((*mb)->changes_since((*mb)->info().highest_modseq).ok());
  CHECK(store->status("INBOX").ok());
  CHECK(maildir::scan_count() == before);  // no directory was read
  // A change to new/ is noticed by its mtime.
  write_file(tmp.maildir() + "/new/1700000000.M1P1.mx", "late\n");
  auto ch = (*mb)->changes_since((*mb)->info().highest_modseq);
  REQUIRE(ch.ok());
  CHECK(maildir::scan_count() == before + 1);
  REQUIRE(ch->changed.size() == 1);
  CHECK(ch->changed[0].uid == 20001);
  CHECK(ch->changed[0].recent);
}

TEST_CASE("a recently changed directory is rescanned rather than trusted") {
  TempDir tmp;
  auto store = open_store(tmp);
  append(*store, "INBOX", "x\r\n");
  auto mb = store->open("INBOX", false);
  REQUIRE(mb.ok());
  REQUIRE((*mb)->snapshot().ok());
  auto before = maildir::scan_count();
  REQUIRE((*mb)->changes_since(0).ok());
  // cur/ changed less than two seconds ago: a change in the same mtime tick could hide.
  CHECK(maildir::scan_count() == before + 1);
}
