// Session-level literal handling: continuations, TOOBIG before "+", {n+} rejection keeping
// framing, NUL, limits, and byte-at-a-time equivalence of whole conversations.
#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

TEST_CASE("a synchronizing literal gets a continuation; LITERAL+ does not") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("a LOGIN {4}\r\n") == "+ Ready for literal data\r\n");
  CHECK(d.send("demo {6}\r\n") == "+ Ready for literal data\r\n");
  CHECK(d.send("secret\r\n").rfind("a OK", 0) == 0);
  ImapDriver e(w);
  CHECK(e.send("a LOGIN {4+}\r\ndemo {6+}\r\nsecret\r\n").rfind("a OK", 0) == 0);
}

TEST_CASE("a literal over the pre-login limit is NO [TOOBIG] before any continuation") {
  ImapWorld w;
  protocol::Limits limits;
  limits.max_literal_prelogin = 100;
  ImapDriver d(w, ImapDriver::loopback(), limits);
  CHECK(d.send("a LOGIN {101}\r\n") == "a NO [TOOBIG] Literal too large\r\n");
  CHECK(d.send("b NOOP\r\n") == "b OK NOOP completed.\r\n");
  // {n+}: the n octets are on their way and must be skipped, whatever they contain.
  std::string evil = "c LOGIN {120+}\r\n" + std::string("x LOGIN demo secret\r\n") +
                     std::string(120 - 21, 'q') + " rest\r\nd NOOP\r\n";
  std::string out = d.send(evil);
  CHECK(out == "c NO [TOOBIG] Literal too large\r\nd OK NOOP completed.\r\n");
  CHECK_FALSE(d.session().authenticated());
}

TEST_CASE("a literal on an unknown or forbidden command is refused before +") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("a BOGUS {5}\r\n") == "a BAD Unknown command\r\n");
  CHECK(d.send("a SELECT {5}\r\n") == "a BAD Command not allowed in this state\r\n");
  CHECK(d.send("b NOOP\r\n") == "b OK NOOP completed.\r\n");
}

TEST_CASE("NUL in a command is a BAD, never a truncation") {
  ImapWorld w;
  ImapDriver d(w);
  std::string in("a LOGIN demo\0x secret\r\nb NOOP\r\n", 31);
  CHECK(d.send(in) == "a BAD [CLIENTBUG] NUL octet in command\r\nb OK NOOP completed.\r\n");
  std::string lit("c LOGIN demo {7}\r\nsec\0ret\r\n", 27);
  CHECK(d.send(lit).find("c BAD") != std::string::npos);
  CHECK_FALSE(d.session().authenticated());
}

TEST_CASE("too long lines, deep nesting and too many arguments get clean BADs") {
  ImapWorld w;
  protocol::Limits limits;
  limits.max_line = 200;
  limits.max_nesting = 4;
  limits.max_arguments = 20;
  ImapDriver d(w, ImapDriver::loopback(), limits);
  d.login();
  d.select();
  CHECK(d.send("a NOOP " + std::string(500, 'x') + "\r\nb NOOP\r\n") ==
        "a BAD [TOOBIG] Command line too long\r\nb OK NOOP completed.\r\n");
  CHECK(d.send("c SEARCH ((((((ALL))))))\r\n").rfind("c BAD [LIMIT]", 0) == 0);
  std::string many = "d SEARCH";
  for (int i = 0; i < 30; ++i) many += " ALL";
  CHECK(d.send(many + "\r\n").rfind("d BAD [LIMIT]", 0) == 0);
  std::string nots = "e SEARCH";
  for (int i = 0; i < 300; ++i) nots += " NOT";
  CHECK(d.send(nots + " ALL\r\n").rfind("e BAD", 0) == 0);
  CHECK(d.send("f NOOP\r\n") == "f OK NOOP completed.\r\n");
}

TEST_CASE("malformed arguments are BAD") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("a LOGIN \"demo secret\r\n").rfind("a BAD", 0) == 0);
  CHECK(d.send("a LOGIN \"de\\mo\" secret\r\n").rfind("a BAD", 0) == 0);
  CHECK(d.send("a LOGIN demo\r\n").rfind("a BAD", 0) == 0);
  CHECK(d.send("a LOGIN demo secret extra\r\n").rfind("a BAD", 0) == 0);
  CHECK(d.send("a LOGIN  demo secret\r\n").rfind("a BAD", 0) == 0);
  CHECK(d.send("a LOGIN \"de\\\"mo\" secret\r\n").rfind("a NO [AUTHENTICATIONFAILED]", 0) == 0);
}

TEST_CASE("whole conversations give the same output fed one byte at a time") {
  const std::string script =
      "a CAPABILITY\r\n"
      "b LOGIN {4}\r\ndemo \"secret\"\r\n"
      "c CREATE \"Sent\"\r\n"
      "d APPEND Sent (\\Seen) \"05-Mar-2024 10:00:00 +0100\" {21}\r\nSubject: "
      "x\r\n\r\nhello\r\n\r\n"
      "e SELECT Sent\r\n"
      "f FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT]<0.3>)\r\n"
      "g UID STORE 1 +FLAGS (\\Flagged)\r\n"
      "h SEARCH CHARSET UTF-8 OR SUBJECT {1+}\r\nx BODY nothing\r\n"
      "i LIST \"\" *\r\n"
      "j STATUS Sent (MESSAGES UIDNEXT UNSEEN)\r\n"
      "k LOGOUT\r\n";
  ImapWorld w1, w2;
  ImapDriver a(w1), b(w2);
  std::string whole = a.send(script);
  std::string bytes = b.send_bytewise(script);
  CHECK(whole == bytes);
  CHECK(whole.find("h OK") != std::string::npos);
  CHECK(whole.find("* SEARCH 1\r\n") != std::string::npos);
  CHECK(whole.find("k OK") != std::string::npos);
}
