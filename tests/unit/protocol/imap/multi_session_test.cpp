// Two sessions of one user on one mailbox (RFC 3501 §5.2, §7.4.1; RFC 2180).
#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

namespace {
const std::string kMsg = "Subject: s\r\n\r\nbody\r\n";
}

TEST_CASE("APPEND by one session shows up as EXISTS/RECENT in the other on NOOP") {
  ImapWorld w;
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.send("x APPEND INBOX {" + std::to_string(kMsg.size()) + "+}\r\n" + kMsg + "\r\n");
  CHECK(a.send("n NOOP\r\n") == "* 1 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed.\r\n");
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed.\r\n");
}

TEST_CASE("\\Recent belongs to one session only") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  CHECK(contains(a.select(), "* 1 RECENT"));
  CHECK(contains(b.select(), "* 0 RECENT"));
  CHECK(contains(a.send("f FETCH 1 FLAGS\r\n"), "(\\Recent)"));
  CHECK(contains(b.send("f FETCH 1 FLAGS\r\n"), "FLAGS ()"));
  CHECK(contains(a.send("s SEARCH RECENT\r\n"), "* SEARCH 1\r\n"));
  CHECK(contains(b.send("s SEARCH RECENT\r\n"), "* SEARCH\r\n"));
}

TEST_CASE("flag changes by another session are reported as FETCH FLAGS") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  b.send("s STORE 2 +FLAGS.SILENT (\\Flagged)\r\n");
  CHECK(a.send("n NOOP\r\n") ==
        "* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\nn OK NOOP completed.\r\n");
  // Our own STORE is not reported twice.
  a.send("s STORE 1 +FLAGS (\\Seen)\r\n");
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed.\r\n");
  CHECK(b.send("n NOOP\r\n") == "* 1 FETCH (FLAGS (\\Seen))\r\nn OK NOOP completed.\r\n");
}

TEST_CASE("EXPUNGE by another session is not sent during FETCH, STORE or SEARCH") {
  ImapWorld w;
  for (int i = 0; i < 3; ++i) w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  b.send("s STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(b.send("e EXPUNGE\r\n") == "* 2 EXPUNGE\r\ne OK Expunge completed.\r\n");

  // RFC 3501 §7.4.1: no EXPUNGE during FETCH; message 2 keeps its number meanwhile.
  std::string out = a.send("f FETCH 1:3 (UID FLAGS)\r\n");
  CHECK_FALSE(contains(out, "EXPUNGE"));
  CHECK(contains(out, "* 3 FETCH (UID 3"));
  CHECK(contains(out, "* 2 FETCH (UID 2"));
  // Content of the vanished message: RFC 2180 §4.1.2, NO [EXPUNGEISSUED].
  out = a.send("g FETCH 2 BODY.PEEK[]\r\n");
  CHECK_FALSE(contains(out, "EXPUNGE\r\n"));
  CHECK(contains(out, "g NO [EXPUNGEISSUED]"));
  out = a.send("h STORE 3 +FLAGS (\\Seen)\r\n");
  CHECK_FALSE(contains(out, "EXPUNGE"));
  CHECK(contains(out, "* 3 FETCH (FLAGS (\\Seen \\Recent))"));
  out = a.send("i SEARCH ALL\r\n");
  CHECK_FALSE(contains(out, "EXPUNGE"));
  CHECK(contains(out, "* SEARCH 1 2 3\r\n"));
  out = a.send("j UID FETCH 1:* UID\r\n");
  CHECK_FALSE(contains(out, "EXPUNGE"));
  // NOOP may send it; afterwards the numbers shift.
  CHECK(a.send("n NOOP\r\n") == "* 2 EXPUNGE\r\nn OK NOOP completed.\r\n");
  CHECK(contains(a.send("f FETCH 2 UID\r\n"), "* 2 FETCH (UID 3)"));
}

TEST_CASE("several expunges elsewhere are reported with numbers valid in order") {
  ImapWorld w;
  for (int i = 0; i < 6; ++i) w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  b.send("s STORE 2,3,5 +FLAGS.SILENT (\\Deleted)\r\n");
  b.send("e EXPUNGE\r\n");
  CHECK(a.send("n CHECK\r\n") ==
        "* 5 EXPUNGE\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nn OK Check completed.\r\n");
  CHECK(contains(a.send("f FETCH 1:* UID\r\n"), "* 3 FETCH (UID 6)"));
}

TEST_CASE("new messages and expunges together: EXPUNGE first, then EXISTS") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  b.send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\n");
  w.store().deliver("INBOX", kMsg);
  CHECK(a.send("n NOOP\r\n") ==
        "* 1 EXPUNGE\r\n* 1 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed.\r\n");
}

TEST_CASE("EXAMINE does not claim \\Recent and does not set \\Seen") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  ImapDriver e(w);
  e.login();
  CHECK(contains(e.send("x EXAMINE INBOX\r\n"), "* 0 RECENT"));
  e.send("f FETCH 1 RFC822\r\n");
  CHECK_FALSE(
      w.store().data().mailboxes["INBOX"].messages.begin()->second.info.flags.has(storage::kSeen));
  ImapDriver s(w);
  s.login();
  CHECK(contains(s.select(), "* 1 RECENT"));
}

TEST_CASE("IDLE: poll() pushes EXISTS, FETCH and EXPUNGE until DONE") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  CHECK(a.send("i IDLE\r\n") == "+ idling\r\n");
  std::string out;
  a.session().poll(out);
  CHECK(out.empty());
  w.store().deliver("INBOX", kMsg);
  b.send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\n");
  a.session().poll(out);
  CHECK(out == "* 1 EXPUNGE\r\n* 2 EXISTS\r\n* 1 RECENT\r\n");
  CHECK(a.send("DONE\r\n") == "i OK Idle completed.\r\n");
  CHECK(a.send("n NOOP\r\n") == "n OK NOOP completed.\r\n");
  a.send("i IDLE\r\n");
  CHECK(a.send("NOPE\r\n").rfind("i BAD", 0) == 0);
}

TEST_CASE("poll() outside IDLE sends EXISTS and FETCH but never EXPUNGE") {
  ImapWorld w;
  w.store().deliver("INBOX", kMsg);
  ImapDriver a(w), b(w);
  a.login();
  b.login();
  a.select();
  b.select();
  b.send("s STORE 1 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\n");
  w.store().deliver("INBOX", kMsg);
  std::string out;
  a.session().poll(out);
  // The expunged message keeps its number (and \\Recent) until EXPUNGE may be sent.
  CHECK(out == "* 2 EXISTS\r\n* 2 RECENT\r\n");
  CHECK(a.send("n NOOP\r\n") == "* 1 EXPUNGE\r\nn OK NOOP completed.\r\n");
}
