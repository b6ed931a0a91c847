// CREATE, DELETE, RENAME, SUBSCRIBE, LIST, LSUB, STATUS, COPY.
#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

TEST_CASE("CREATE, DELETE and their errors") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  CHECK(d.send("a CREATE Work/\r\n") == "a OK Create completed.\r\n");
  CHECK(w.store().data().mailboxes.count("Work") == 1);
  CHECK(d.send("b CREATE Work\r\n").rfind("b NO [ALREADYEXISTS]", 0) == 0);
  CHECK(d.send("c CREATE inbox\r\n").rfind("c NO [ALREADYEXISTS]", 0) == 0);
  CHECK(d.send("d CREATE &Jjo\r\n").rfind("d NO [CANNOT]", 0) == 0);
  CHECK(d.send("e DELETE Nope\r\n").rfind("e NO [NONEXISTENT]", 0) == 0);
  CHECK(d.send("f DELETE INBOX\r\n").rfind("f NO [CANNOT]", 0) == 0);
  CHECK(d.send("g CREATE &ZeVnLIqe-\r\n") == "g OK Create completed.\r\n");
  CHECK(w.store().data().mailboxes.count("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e") == 1);
  CHECK(d.send("h DELETE Work\r\n") == "h OK Delete completed.\r\n");
  CHECK(d.send("i CREATE\r\n").rfind("i BAD", 0) == 0);
}

TEST_CASE("RENAME moves hierarchies; RENAME INBOX moves its messages") {
  ImapWorld w;
  w.store().deliver("INBOX", "Subject: a\r\n\r\nx\r\n");
  ImapDriver d(w);
  d.login();
  d.send("a CREATE Old/Child\r\n");
  d.send("a CREATE Old\r\n");
  CHECK(d.send("b RENAME Old New\r\n") == "b OK Rename completed.\r\n");
  CHECK(w.store().data().mailboxes.count("New/Child") == 1);
  CHECK(d.send("c RENAME Nope X\r\n").rfind("c NO [NONEXISTENT]", 0) == 0);
  CHECK(d.send("c RENAME New INBOX\r\n").rfind("c NO [ALREADYEXISTS]", 0) == 0);
  CHECK(d.send("d RENAME inbox Archive\r\n") == "d OK Rename completed.\r\n");
  CHECK(w.store().data().mailboxes["Archive"].messages.size() == 1);
  CHECK(w.store().data().mailboxes["INBOX"].messages.empty());
}

TEST_CASE("LIST patterns, attributes, the empty pattern and modified UTF-7 output") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  d.send("a CREATE Work/Projects/2024\r\na CREATE Work/Notes\r\na CREATE &ZeVnLIqe-\r\n");
  CHECK(d.send("l LIST \"\" \"\"\r\n") ==
        "* LIST (\\Noselect) \"/\" \"\"\r\nl OK List completed.\r\n");
  std::string out = d.send("l LIST \"\" %\r\n");
  CHECK(contains(out, "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"));
  CHECK(contains(out, "* LIST (\\Noselect \\HasChildren) \"/\" \"Work\"\r\n"));
  CHECK(contains(out, "* LIST (\\HasNoChildren) \"/\" \"&ZeVnLIqe-\"\r\n"));
  CHECK_FALSE(contains(out, "Work/Notes"));
  out = d.send("l LIST \"\" *\r\n");
  CHECK(contains(out, "\"Work/Projects/2024\""));
  CHECK(contains(out, "* LIST (\\Noselect \\HasChildren) \"/\" \"Work/Projects\"\r\n"));
  out = d.send("l LIST Work/ %\r\n");
  CHECK(contains(out, "\"Work/Notes\""));
  CHECK(contains(out, "\"Work/Projects\""));
  CHECK_FALSE(contains(out, "2024"));
  CHECK_FALSE(contains(out, "INBOX"));
  CHECK(contains(d.send("l LIST \"\" inBOX\r\n"), "\"INBOX\""));
  CHECK(d.send("l LIST \"\" nomatch*\r\n") == "l OK List completed.\r\n");
  CHECK(d.send("l LIST \"\"\r\n").rfind("l BAD", 0) == 0);
}

TEST_CASE("LSUB shows subscriptions and \\Noselect parents matched by %") {
  ImapWorld w;
  ImapDriver d(w);
  d.login();
  d.send("a CREATE news/comp/mail/misc\r\n");
  CHECK(d.send("s SUBSCRIBE news/comp/mail/misc\r\n") == "s OK Subscribe completed.\r\n");
  d.send("s SUBSCRIBE INBOX\r\n");
  std::string out = d.send("l LSUB \"\" *\r\n");
  CHECK(contains(out, "* LSUB () \"/\" \"news/comp/mail/misc\"\r\n"));
  CHECK(contains(out, "* LSUB () \"/\" \"INBOX\"\r\n"));
  CHECK_FALSE(contains(out, "\"news/comp\""));
  out = d.send("l LSUB news/ comp/%\r\n");
  CHECK(out == "* LSUB (\\Noselect) \"/\" \"news/comp/mail\"\r\nl OK Lsub completed.\r\n");
  d.send("u UNSUBSCRIBE news/comp/mail/misc\r\n");
  CHECK(d.send("l LSUB \"\" news*\r\n") == "l OK Lsub completed.\r\n");
}

TEST_CASE("STATUS reports the requested items") {
  ImapWorld w;
  w.store().deliver("INBOX", "a\r\n", storage::kSeen);
  w.store().deliver("INBOX", "b\r\n");
  ImapDriver d(w);
  d.login();
  std::string v = std::to_string(w.store().data().mailboxes["INBOX"].uidvalidity);
  CHECK(d.send("s STATUS inbox (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n") ==
        "* STATUS \"INBOX\" (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY " + v +
            " UNSEEN 1)\r\ns OK Status completed.\r\n");
  CHECK(d.send("s STATUS Nope (MESSAGES)\r\n").rfind("s NO [NONEXISTENT]", 0) == 0);
  CHECK(d.send("s STATUS INBOX (BOGUS)\r\n").rfind("s BAD", 0) == 0);
  CHECK(d.send("s STATUS INBOX ()\r\n").rfind("s BAD", 0) == 0);
}

TEST_CASE("COPY with COPYUID and TRYCREATE") {
  ImapWorld w;
  for (int i = 0; i < 3; ++i) w.store().deliver("INBOX", "m\r\n", storage::kFlagged);
  ImapDriver d(w);
  d.login();
  d.send("c CREATE Dest\r\n");
  d.select();
  std::string v = std::to_string(w.store().data().mailboxes["Dest"].uidvalidity);
  CHECK(d.send("c COPY 1,3 Dest\r\n") == "c OK [COPYUID " + v + " 1,3 1:2] Copy completed.\r\n");
  CHECK(w.store().data().mailboxes["Dest"].messages.size() == 2);
  CHECK(w.store().data().mailboxes["Dest"].messages.begin()->second.info.flags.has(
      storage::kFlagged));
  CHECK(d.send("c COPY 1 Nope\r\n").rfind("c NO [TRYCREATE]", 0) == 0);
  CHECK(d.send("c UID COPY 2 Dest\r\n") == "c OK [COPYUID " + v + " 2 3] Copy completed.\r\n");
  CHECK(d.send("c UID COPY 99 Dest\r\n") == "c OK No messages copied.\r\n");
  CHECK(d.send("c COPY 9 Dest\r\n").rfind("c BAD", 0) == 0);
  CHECK(d.send("c COPY 1 INBOX\r\n").find("* 4 EXISTS") == 0);
}

TEST_CASE("NAMESPACE, ID, ENABLE, CAPABILITY after login") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("i ID NIL\r\n") == "* ID (\"name\" \"Satchel\")\r\ni OK ID completed.\r\n");
  CHECK(d.send("i ID (\"name\" \"mutt\" \"version\" NIL)\r\n").find("i OK") != std::string::npos);
  CHECK(d.send("n NAMESPACE\r\n").rfind("n BAD", 0) == 0);
  d.login();
  CHECK(d.send("n NAMESPACE\r\n") ==
        "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nn OK Namespace completed.\r\n");
  CHECK(d.send("e ENABLE CONDSTORE\r\n") == "* ENABLED\r\ne OK Enabled.\r\n");
  std::string caps = d.send("c CAPABILITY\r\n");
  CHECK(contains(caps, "UIDPLUS"));
  CHECK_FALSE(contains(caps, "AUTH=PLAIN"));
}
