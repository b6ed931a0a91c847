#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

TEST_CASE("APPEND streams the literal and commits with flags and date") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  std::string msg = "Subject: hi\r\n\r\nbody\r\n";
  std::string out = d.send("a APPEND INBOX (\\Seen $Work) \"05-Mar-2024 10:00:00 +0100\" {" +
                           std::to_string(msg.size()) + "}\r\n");
  CHECK(out == "+ Ready for literal data\r\n");
  out = d.send(msg.substr(0, 5));
  CHECK(out.empty());
  out = d.send(msg.substr(5) + "\r\n");
  auto& box = w.store().data().mailboxes["INBOX"];
  REQUIRE(box.messages.size() == 1);
  CHECK(out == "a OK [APPENDUID " + std::to_string(box.uidvalidity) + " 1] Append completed.\r\n");
  const auto& m = box.messages.begin()->second;
  CHECK(m.text == msg);
  CHECK(m.info.flags.has(storage::kSeen));
  CHECK(m.info.flags.keywords == std::vector<std::string>{"$Work"});
  CHECK(m.info.internal_tz == 60);
  CHECK(m.info.internal_date == 1709629200);
}

TEST_CASE("APPEND without a date uses the clock; a mailbox name may itself be a literal") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  CHECK(d.send("a APPEND {5+}\r\nINBOX {3+}\r\nabc\r\n").rfind("a OK [APPENDUID", 0) == 0);
  auto& box = w.store().data().mailboxes["INBOX"];
  REQUIRE(box.messages.size() == 1);
  CHECK(box.messages.begin()->second.text == "abc");
  CHECK(box.messages.begin()->second.info.internal_date == 1700000000);
}

TEST_CASE("APPEND to a missing mailbox is NO [TRYCREATE] before the continuation") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  CHECK(d.send("a APPEND Nope {5}\r\n") == "a NO [TRYCREATE] no such mailbox\r\n");
  CHECK(d.send("b NOOP\r\n") == "b OK NOOP completed.\r\n");
  // Non-synchronizing: the octets are skipped.
  CHECK(d.send("c APPEND Nope {5+}\r\nb BAD\r\nd NOOP\r\n") ==
        "c NO [TRYCREATE] no such mailbox\r\nd OK NOOP completed.\r\n");
}

TEST_CASE("APPEND over the message limit is NO [TOOBIG]; bad flags or dates are BAD") {
  ImapWorld w;
  protocol::Limits limits;
  limits.max_message = 10;
  ImapDriver d(w, ImapDriver::loopback(), limits);
  d.login();
  CHECK(d.send("a APPEND INBOX {11}\r\n") == "a NO [TOOBIG] Message too large\r\n");
  CHECK(d.send("b APPEND INBOX (\\Recent) {3}\r\n").rfind("b BAD", 0) == 0);
  CHECK(d.send("c APPEND INBOX \"31-Feb-2024 00:00:00 +0000\" {3}\r\n").rfind("c BAD", 0) == 0);
  CHECK(d.send("d APPEND INBOX \"message as quoted\"\r\n").rfind("d BAD", 0) == 0);
  CHECK(contains(d.send("e APPEND INBOX {3}\r\nabc extra\r\n"), "e BAD"));
  CHECK(w.store().data().mailboxes["INBOX"].messages.empty());
  CHECK(d.send("f APPEND &Jjo {3}\r\n").rfind("f NO [CANNOT]", 0) == 0);
}

TEST_CASE("APPEND to the selected mailbox announces the new message") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  d.select();
  std::string out = d.send("a APPEND INBOX {3+}\r\nabc\r\n");
  CHECK(out.find("* 1 EXISTS\r\n* 1 RECENT\r\n") == 0);
  CHECK(out.find("a OK [APPENDUID") != std::string::npos);
}
