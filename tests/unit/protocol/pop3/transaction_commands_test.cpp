// pop3::Session TRANSACTION and UPDATE: STAT, LIST, RETR, TOP, DELE, RSET, UIDL, QUIT.
#include <doctest/doctest.h>

#include "tests/unit/protocol/pop3/failing_store.h"
#include "tests/unit/protocol/pop3/pop3_fixture.h"

using namespace satchel;
using pop3::test::Pop3Fixture;
using protocol::Next;

namespace {

const std::string kFirst = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n.hidden dot\r\n";
const std::string kSecond = "Subject: two\r\n\r\nline1\r\nline2\r\n..two dots\r\nlast";
const std::string kThird = "Subject: three\r\n\r\nbody\r\n";

// A fixture logged in as alice with three messages delivered.
struct Loaded : Pop3Fixture {
  storage::Uid uids[3];
  Loaded() {
    auto store = store_of("alice");
    uids[0] = store.deliver("INBOX", kFirst);
    uids[1] = store.deliver("INBOX", kSecond);
    uids[2] = store.deliver("INBOX", kThird, storage::kDeleted | storage::kSeen);
    start();
    login();
  }
  std::size_t inbox_size() { return store_of("alice").data().mailboxes["INBOX"].messages.size(); }
};

std::string sz(const std::string& s) {
  return std::to_string(s.size());
}

}  // namespace

TEST_CASE("STAT counts every message, IMAP \\Deleted ones included, in CRLF octets") {
  Loaded f;
  std::size_t total = kFirst.size() + kSecond.size() + kThird.size();
  CHECK(f.send("STAT\r\n") == "+OK 3 " + std::to_string(total) + "\r\n");
  CHECK(f.send("STAT 1\r\n").starts_with("-ERR"));
}

TEST_CASE("LIST with and without a message number") {
  Loaded f;
  CHECK(f.send("LIST\r\n") == "+OK 3 messages (" +
                                  std::to_string(kFirst.size() + kSecond.size() + kThird.size()) +
                                  " octets)\r\n1 " + sz(kFirst) + "\r\n2 " + sz(kSecond) +
                                  "\r\n3 " + sz(kThird) + "\r\n.\r\n");
  CHECK(f.send("LIST 2\r\n") == "+OK 2 " + sz(kSecond) + "\r\n");
  // The listing gives the message-number, however the client wrote it.
  CHECK(f.send("LIST 002\r\n") == "+OK 2 " + sz(kSecond) + "\r\n");
  CHECK(f.send("LIST 4\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("LIST 0\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("LIST abc\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("LIST 99999999999999999999\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("LIST 1 2\r\n").starts_with("-ERR"));
  CHECK(f.last.next == Next::Read);
}

TEST_CASE("RETR sends the message dot-stuffed, with the size before stuffing") {
  Loaded f;
  CHECK(f.send("RETR 1\r\n") == "+OK " + sz(kFirst) +
                                    " octets\r\nFrom: a@example.org\r\nSubject: one\r\n\r\n"
                                    "Hello\r\n..hidden dot\r\n.\r\n");
}

TEST_CASE("RETR of a message without a final CRLF adds one before the terminator") {
  Loaded f;
  CHECK(f.send("RETR 2\r\n") == "+OK " + sz(kSecond) +
                                    " octets\r\nSubject: two\r\n\r\nline1\r\nline2\r\n"
                                    "...two dots\r\nlast\r\n.\r\n");
}

TEST_CASE("RETR argument errors") {
  Loaded f;
  CHECK(f.send("RETR 0\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("RETR abc\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("RETR -1\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("RETR\r\n").starts_with("-ERR RETR takes one argument"));
  CHECK(f.send("RETR 1 2\r\n").starts_with("-ERR RETR takes one argument"));
  CHECK(f.send("RETR 4294967296\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("RETR 9\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("NOOP\r\n") == "+OK\r\n");
}

TEST_CASE("RETR'd messages become \\Seen at QUIT, and not before; TOP does not count") {
  Loaded f;
  f.send("RETR 1\r\n");
  f.send("TOP 2 0\r\n");
  auto& box = f.store_of("alice").data().mailboxes["INBOX"];
  CHECK_FALSE(box.messages[f.uids[0]].info.flags.has(storage::kSeen));
  CHECK(f.send("QUIT\r\n").starts_with("+OK"));
  CHECK(box.messages[f.uids[0]].info.flags.has(storage::kSeen));
  CHECK_FALSE(box.messages[f.uids[1]].info.flags.has(storage::kSeen));
}

TEST_CASE("RETR of a message expunged by another session since login") {
  Loaded f;
  auto& box = f.store_of("alice").data().mailboxes["INBOX"];
  box.messages.erase(f.uids[0]);
  CHECK(f.send("RETR 1\r\n") == "-ERR Message was removed by another session.\r\n");
  CHECK(f.send("RETR 2\r\n").starts_with("+OK"));
}

TEST_CASE("TOP sends the header, the blank line and n body lines, dot-stuffed") {
  Loaded f;
  CHECK(f.send("TOP 1 0\r\n") == "+OK\r\nFrom: a@example.org\r\nSubject: one\r\n\r\n.\r\n");
  CHECK(f.send("TOP 1 1\r\n") ==
        "+OK\r\nFrom: a@example.org\r\nSubject: one\r\n\r\nHello\r\n.\r\n");
  CHECK(f.send("TOP 2 3\r\n") ==
        "+OK\r\nSubject: two\r\n\r\nline1\r\nline2\r\n...two dots\r\n.\r\n");
  CHECK(f.send("TOP 2 100\r\n") ==
        "+OK\r\nSubject: two\r\n\r\nline1\r\nline2\r\n...two dots\r\nlast\r\n.\r\n");
}

TEST_CASE("TOP argument errors") {
  Loaded f;
  CHECK(f.send("TOP 1 -1\r\n") == "-ERR Invalid number of lines.\r\n");
  CHECK(f.send("TOP 1\r\n").starts_with("-ERR TOP takes two arguments"));
  CHECK(f.send("TOP 1 2 3\r\n").starts_with("-ERR TOP takes two arguments"));
  CHECK(f.send("TOP x 1\r\n") == "-ERR Invalid message number.\r\n");
  CHECK(f.send("TOP 7 1\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("TOP 1 99999999999999999999\r\n") == "-ERR Invalid number of lines.\r\n");
}

TEST_CASE("UIDL gives UIDVALIDITY and UID in hex, stable across sessions") {
  Loaded f;
  std::uint32_t validity = f.store_of("alice").data().mailboxes["INBOX"].uidvalidity;
  char expected[17];
  std::snprintf(expected, sizeof expected, "%08x%08x", validity, f.uids[1]);
  CHECK(f.send("UIDL 2\r\n") == "+OK 2 " + std::string(expected) + "\r\n");
  CHECK(f.send("UIDL 0002\r\n") == "+OK 2 " + std::string(expected) + "\r\n");
  std::string all = f.send("UIDL\r\n");
  CHECK(all.starts_with("+OK\r\n1 "));
  CHECK(all.find("2 " + std::string(expected) + "\r\n") != std::string::npos);
  CHECK(all.ends_with("\r\n.\r\n"));
  CHECK(f.send("UIDL 0\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("QUIT\r\n").starts_with("+OK Bye"));

  // A new session: message 1 is gone, message 2 is now number 1 with the same UIDL.
  f.store_of("alice").data().mailboxes["INBOX"].messages.erase(f.uids[0]);
  f.start();
  f.login();
  CHECK(f.send("UIDL 1\r\n") == "+OK 1 " + std::string(expected) + "\r\n");
}

TEST_CASE("DELE hides a message until RSET") {
  Loaded f;
  CHECK(f.send("DELE 1\r\n") == "+OK Message deleted.\r\n");
  CHECK(f.send("DELE 1\r\n") == "-ERR Message is deleted.\r\n");
  CHECK(f.send("RETR 1\r\n") == "-ERR Message is deleted.\r\n");
  CHECK(f.send("LIST 1\r\n") == "-ERR Message is deleted.\r\n");
  CHECK(f.send("TOP 1 0\r\n") == "-ERR Message is deleted.\r\n");
  CHECK(f.send("UIDL 1\r\n") == "-ERR Message is deleted.\r\n");
  std::size_t rest = kSecond.size() + kThird.size();
  CHECK(f.send("STAT\r\n") == "+OK 2 " + std::to_string(rest) + "\r\n");
  std::string list = f.send("LIST\r\n");
  CHECK(list.find("\r\n1 ") == std::string::npos);
  CHECK(list.find("\r\n2 ") != std::string::npos);
  std::size_t all = kFirst.size() + rest;
  CHECK(f.send("RSET\r\n") ==
        "+OK Maildrop has 3 messages (" + std::to_string(all) + " octets).\r\n");
  CHECK(f.send("RETR 1\r\n").starts_with("+OK"));
  CHECK(f.send("DELE 0\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("DELE\r\n").starts_with("-ERR DELE takes one argument"));
  CHECK(f.send("RSET 1\r\n").starts_with("-ERR"));
}

TEST_CASE("DELE then QUIT expunges exactly the deleted messages") {
  Loaded f;
  // Another session (IMAP) has flagged message 3 \Deleted: POP3 must not expunge it.
  CHECK(f.send("DELE 1\r\nDELE 2\r\nQUIT\r\n") ==
        "+OK Message deleted.\r\n+OK Message deleted.\r\n+OK Bye, 2 messages deleted.\r\n");
  CHECK(f.last.next == Next::Close);
  auto& box = f.store_of("alice").data().mailboxes["INBOX"];
  CHECK(box.messages.size() == 1);
  CHECK(box.messages.count(f.uids[2]) == 1);
  CHECK_FALSE(box.locked);
}

TEST_CASE("DELE then RSET then QUIT deletes nothing") {
  Loaded f;
  f.send("DELE 1\r\nRSET\r\n");
  CHECK(f.send("QUIT\r\n") == "+OK Bye, 0 messages deleted.\r\n");
  CHECK(f.inbox_size() == 3);
}

TEST_CASE("DELE then a dropped connection deletes nothing and frees the lock") {
  Loaded f;
  f.send("DELE 1\r\nDELE 2\r\n");
  f.session.reset();
  CHECK(f.inbox_size() == 3);
  auto& box = f.store_of("alice").data().mailboxes["INBOX"];
  CHECK_FALSE(box.messages[f.uids[0]].info.flags.has(storage::kDeleted));
  CHECK_FALSE(box.locked);
}

TEST_CASE("Too many bad commands in TRANSACTION close without deleting") {
  Loaded f;
  f.send("DELE 1\r\n");
  std::string input;
  for (int i = 0; i < 20; ++i) input += "RETR x\r\n";
  f.send(input);
  CHECK(f.last.next == Next::Close);
  CHECK(f.inbox_size() == 3);
  CHECK_FALSE(f.store_of("alice").data().mailboxes["INBOX"].locked);
}

TEST_CASE("A message delivered after login is not seen until the next session") {
  Loaded f;
  f.store_of("alice").deliver("INBOX", "Subject: late\r\n\r\nx\r\n");
  CHECK(f.send("LIST 4\r\n") == "-ERR No such message.\r\n");
  CHECK(f.send("STAT\r\n").starts_with("+OK 3 "));
}

TEST_CASE("QUIT whose deletions fail answers [SYS/TEMP], closes and keeps the messages") {
  Pop3Fixture f;
  pop3::test::Failures fail;
  pop3::test::FailingStoreFactory failing(f.stores, fail);
  f.services.stores = &failing;
  f.store_of("alice").deliver("INBOX", kFirst);
  f.start();
  f.login();
  f.send("DELE 1\r\n");
  fail.expunge = true;
  CHECK(f.send("QUIT\r\n") == "-ERR [SYS/TEMP] Some deleted messages not removed.\r\n");
  CHECK(f.last.next == Next::Close);
  auto& box = f.store_of("alice").data().mailboxes["INBOX"];
  CHECK(box.messages.size() == 1);
  CHECK_FALSE(box.locked);
}

TEST_CASE("RETR and TOP whose read fails answer [SYS/TEMP] and the session goes on") {
  Pop3Fixture f;
  pop3::test::Failures fail;
  pop3::test::FailingStoreFactory failing(f.stores, fail);
  f.services.stores = &failing;
  f.store_of("alice").deliver("INBOX", kFirst);
  f.start();
  f.login();
  fail.read = true;
  CHECK(f.send("RETR 1\r\n") == "-ERR [SYS/TEMP] Unable to read the message.\r\n");
  CHECK(f.send("TOP 1 0\r\n") == "-ERR [SYS/TEMP] Unable to read the message.\r\n");
  fail.read = false;
  CHECK(f.send("RETR 1\r\n").starts_with("+OK"));
}

TEST_CASE("A failed snapshot at login answers [SYS/TEMP] and releases the lock") {
  Pop3Fixture f;
  pop3::test::Failures fail;
  fail.snapshot = true;
  pop3::test::FailingStoreFactory failing(f.stores, fail);
  f.services.stores = &failing;
  f.start();
  CHECK(f.login() == "+OK\r\n-ERR [SYS/TEMP] Unable to open the mailbox.\r\n");
  CHECK_FALSE(f.session->authenticated());
  CHECK_FALSE(f.store_of("alice").data().mailboxes["INBOX"].locked);
  fail.snapshot = false;
  CHECK(f.login().ends_with("+OK Logged in, 0 messages (0 octets).\r\n"));
}
