// Maildrop: lock, numbering, deletion marks and UPDATE, including storage failures (through
// a MailStore decorator over MemoryStore that fails chosen calls).
#include "protocol/pop3/maildrop.h"

#include <doctest/doctest.h>

#include "tests/support/memory_store.h"
#include "tests/unit/protocol/pop3/failing_store.h"

using namespace satchel;
using pop3::Maildrop;

namespace {

using pop3::test::FailingStore;
using pop3::test::Failures;

struct DropFixture {
  std::shared_ptr<testing::MemoryUserData> data = std::make_shared<testing::MemoryUserData>();
  Failures fail;
  testing::MemoryStore view{data};  // Another session's view of the same user.

  Result<std::unique_ptr<Maildrop>> open() {
    return Maildrop::open(std::make_unique<FailingStore>(data, fail), "INBOX");
  }
  testing::MemoryMailbox& inbox() { return data->mailboxes["INBOX"]; }
};

}  // namespace

TEST_CASE("Messages are numbered 1..n in UID order with their CRLF sizes") {
  DropFixture f;
  auto u1 = f.view.deliver("INBOX", "a\r\n");
  auto u2 = f.view.deliver("INBOX", "bb\r\n", storage::kDeleted);
  auto drop = f.open();
  REQUIRE(drop.ok());
  Maildrop& d = **drop;
  CHECK(d.size() == 2);
  REQUIRE(d.find(1));
  CHECK(d.find(1)->uid == u1);
  CHECK(d.find(1)->size == 3);
  REQUIRE(d.find(2));
  CHECK(d.find(2)->uid == u2);
  CHECK_FALSE(d.find(0));
  CHECK_FALSE(d.find(3));
  CHECK(d.totals().messages == 2);
  CHECK(d.totals().octets == 7);
  CHECK(d.read(*d.find(2)).value() == "bb\r\n");
}

TEST_CASE("The maildrop lock is held while the Maildrop lives") {
  DropFixture f;
  auto first = f.open();
  REQUIRE(first.ok());
  CHECK(f.inbox().locked);
  auto second = f.open();
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "INUSE");
  first = Error::internal("dropped");
  CHECK_FALSE(f.inbox().locked);
  CHECK(f.open().ok());
}

TEST_CASE("A failed snapshot releases the lock") {
  DropFixture f;
  f.fail.snapshot = true;
  CHECK_FALSE(f.open().ok());
  CHECK_FALSE(f.inbox().locked);
}

TEST_CASE("Deletion marks, unique ids and commit") {
  DropFixture f;
  f.view.deliver("INBOX", "one\r\n");
  auto u2 = f.view.deliver("INBOX", "two\r\n");
  f.view.deliver("INBOX", "three\r\n");
  auto drop = f.open();
  REQUIRE(drop.ok());
  Maildrop& d = **drop;
  char expected[17];
  std::snprintf(expected, sizeof expected, "%08x%08x", f.inbox().uidvalidity, u2);
  CHECK(d.unique_id(*d.find(2)) == expected);
  CHECK(d.mark_deleted(1));
  CHECK_FALSE(d.mark_deleted(1));
  CHECK_FALSE(d.mark_deleted(4));
  CHECK(d.mark_deleted(3));
  CHECK(d.marked_count() == 2);
  CHECK_FALSE(d.find(1));
  CHECK(d.totals().messages == 1);
  d.unmark_all();
  CHECK(d.marked_count() == 0);
  CHECK(d.mark_deleted(3));
  auto removed = d.commit_deletions();
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  CHECK(f.inbox().messages.size() == 2);
}

TEST_CASE("Commit with nothing marked touches nothing") {
  DropFixture f;
  f.view.deliver("INBOX", "x\r\n");
  f.fail.store_flags = true;
  f.fail.expunge = true;
  auto drop = f.open();
  REQUIRE(drop.ok());
  auto removed = (*drop)->commit_deletions();
  REQUIRE(removed.ok());
  CHECK(*removed == 0);
}

TEST_CASE("Commit reports storage failures") {
  DropFixture f;
  f.view.deliver("INBOX", "x\r\n");
  auto drop = f.open();
  REQUIRE(drop.ok());
  REQUIRE((*drop)->mark_deleted(1));
  f.fail.store_flags = true;
  CHECK_FALSE((*drop)->commit_deletions().ok());
  f.fail.store_flags = false;
  f.fail.expunge = true;
  CHECK_FALSE((*drop)->commit_deletions().ok());
  CHECK(f.inbox().messages.size() == 1);
}

TEST_CASE("A message expunged elsewhere is not counted at commit") {
  DropFixture f;
  auto u1 = f.view.deliver("INBOX", "x\r\n");
  f.view.deliver("INBOX", "y\r\n");
  auto drop = f.open();
  REQUIRE(drop.ok());
  REQUIRE((*drop)->mark_deleted(1));
  REQUIRE((*drop)->mark_deleted(2));
  f.inbox().messages.erase(u1);
  auto removed = (*drop)->commit_deletions();
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  CHECK(f.inbox().messages.empty());
}
