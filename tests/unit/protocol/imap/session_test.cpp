#include "protocol/imap/session.h"

#include <doctest/doctest.h>

#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

namespace {
const std::string kMsg = "From: a@example.com\r\nSubject: hello\r\n\r\nbody text\r\n";
}

TEST_CASE("greeting advertises capabilities; LOGIN succeeds and fails with the right codes") {
  ImapWorld w;
  ImapDriver d(w);
  std::string g = d.session().greeting();
  CHECK(g.rfind("* OK [CAPABILITY IMAP4rev1 ", 0) == 0);
  CHECK(contains(g, "AUTH=PLAIN"));
  CHECK_FALSE(contains(g, "LOGINDISABLED"));

  std::string out = d.send("a LOGIN demo wrong\r\n");
  CHECK(out == "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  CHECK(d.last().delay.count() > 0);
  CHECK_FALSE(d.session().authenticated());

  out = d.send("b LOGIN demo secret\r\n");
  CHECK(out.rfind("b OK [CAPABILITY IMAP4rev1", 0) == 0);
  CHECK(d.session().authenticated());
  CHECK(d.session().user() == "demo");
  CHECK(d.send("c LOGIN demo secret\r\n") == "c BAD Command not allowed in this state\r\n");
}

TEST_CASE("a failed login stops processing pipelined commands until the delay is over") {
  ImapWorld w;
  ImapDriver d(w);
  std::string in = "a LOGIN demo wrong\r\nb NOOP\r\n";
  std::string out;
  auto r = d.session().feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.delay.count() > 0);
  CHECK(r.consumed == std::string("a LOGIN demo wrong\r\n").size());
  CHECK_FALSE(contains(out, "b OK"));
}

TEST_CASE("without TLS and without plaintext permission LOGIN is refused") {
  ImapWorld w;
  protocol::ConnectionInfo c;
  c.remote_ip = "192.0.2.1";
  c.starttls_offered = true;
  ImapDriver d(w, c);
  std::string g = d.session().greeting();
  CHECK(contains(g, "LOGINDISABLED"));
  CHECK(contains(g, "STARTTLS"));
  CHECK_FALSE(contains(g, "AUTH=PLAIN"));
  CHECK(contains(d.send("a LOGIN demo secret\r\n"), "a NO [PRIVACYREQUIRED]"));
  CHECK(contains(d.send("b AUTHENTICATE PLAIN\r\n"), "b NO [PRIVACYREQUIRED]"));
  CHECK_FALSE(d.session().authenticated());
}

TEST_CASE("STARTTLS consumes exactly its own line; what follows is never executed") {
  ImapWorld w;
  protocol::ConnectionInfo c;
  c.starttls_offered = true;
  ImapDriver d(w, c);
  std::string in = "a STARTTLS\r\nb LOGIN demo secret\r\n";
  std::string out;
  auto r = d.session().feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::StartTls);
  CHECK(r.consumed == 12);
  CHECK(out == "a OK Begin TLS negotiation now.\r\n");
  d.session().on_tls_started();
  CHECK_FALSE(d.session().authenticated());
  std::string caps = d.send("c CAPABILITY\r\n");
  CHECK_FALSE(contains(caps, "STARTTLS"));
  CHECK(contains(caps, "AUTH=PLAIN"));
  CHECK(contains(d.send("d STARTTLS\r\n"), "d BAD"));
}

TEST_CASE("STARTTLS drops a partial line buffered before it") {
  ImapWorld w;
  protocol::ConnectionInfo c;
  c.starttls_offered = true;
  ImapDriver d(w, c);
  std::string in = "a STARTTLS\r\nb LOG";
  std::string out;
  auto r = d.session().feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::StartTls);
  d.session().on_tls_started();
  CHECK(d.send("IN LOGIN demo secret\r\n").rfind("IN OK", 0) == 0);
}

TEST_CASE("STARTTLS is refused when not offered") {
  ImapWorld w;
  ImapDriver d(w);
  std::string out = d.send("a STARTTLS\r\n");
  CHECK(out.rfind("a BAD", 0) == 0);
  CHECK(d.last().next == protocol::Next::Read);
}

TEST_CASE("AUTHENTICATE PLAIN with continuation, SASL-IR, cancel and bad base64") {
  ImapWorld w;
  {
    ImapDriver d(w);
    CHECK(d.send("a AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    // "\0demo\0secret"
    CHECK(d.send("AGRlbW8Ac2VjcmV0\r\n").rfind("a OK [CAPABILITY", 0) == 0);
    CHECK(d.session().authenticated());
  }
  {
    ImapDriver d(w);
    CHECK(d.send("a AUTHENTICATE PLAIN AGRlbW8Ac2VjcmV0\r\n").rfind("a OK", 0) == 0);
  }
  {
    ImapDriver d(w);
    CHECK(d.send("a AUTHENTICATE PLAIN\r\n") == "+ \r\n");
    CHECK(d.send("*\r\n").rfind("a BAD", 0) == 0);
    CHECK(d.send("b NOOP\r\n") == "b OK NOOP completed.\r\n");
  }
  {
    ImapDriver d(w);
    d.send("a AUTHENTICATE PLAIN\r\n");
    CHECK(d.send("!!!notbase64\r\n").rfind("a BAD", 0) == 0);
  }
  {
    ImapDriver d(w);
    // "\0demo\0bad"
    CHECK(contains(d.send("a AUTHENTICATE PLAIN AGRlbW8AYmFk\r\n"), "a NO [AUTHENTICATIONFAILED]"));
    CHECK(d.last().delay.count() > 0);
    // RFC 4616 §2: an empty PLAIN message is malformed; the exchange fails.
    CHECK(contains(d.send("b AUTHENTICATE PLAIN =\r\n"), "b NO [AUTHENTICATIONFAILED]"));
    CHECK(contains(d.send("c AUTHENTICATE CRAM-MD5\r\n"), "c NO"));
  }
}

TEST_CASE("commands are gated by state") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("a FETCH 1 FLAGS\r\n") == "a BAD Command requires authentication\r\n");
  CHECK(d.send("a SELECT INBOX\r\n") == "a BAD Command requires authentication\r\n");
  d.login();
  CHECK(d.send("b FETCH 1 FLAGS\r\n") == "b BAD No mailbox selected\r\n");
  CHECK(d.send("c FOO\r\n") == "c BAD Unknown command\r\n");
  CHECK(d.send("* NOOP\r\n").rfind("* BAD", 0) == 0);
}

TEST_CASE("SELECT reports the mailbox; EXAMINE is read-only") {
  ImapWorld w;
  MemoryStore store = w.store();
  store.deliver("INBOX", kMsg, storage::kSeen);
  store.deliver("INBOX", kMsg);
  ImapDriver d(w);
  d.login();
  std::string out = d.select();
  CHECK(contains(out, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"));
  CHECK(contains(out, "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)]"));
  CHECK(contains(out, "* 2 EXISTS\r\n"));
  CHECK(contains(out, "* 2 RECENT\r\n"));
  CHECK(contains(out, "* OK [UNSEEN 2]"));
  CHECK(contains(out, "* OK [UIDVALIDITY "));
  CHECK(contains(out, "* OK [UIDNEXT 3]"));
  CHECK(contains(out, "S1 OK [READ-WRITE]"));

  ImapDriver e(w);
  e.login();
  out = e.send("x EXAMINE inbox\r\n");
  CHECK(contains(out, "* 0 RECENT\r\n"));  // \Recent was claimed by the first session.
  CHECK(contains(out, "x OK [READ-ONLY]"));
  CHECK(contains(e.send("y STORE 1 +FLAGS (\\Deleted)\r\n"), "y NO [READ-ONLY]"));
  CHECK(contains(e.send("y EXPUNGE\r\n"), "y NO [READ-ONLY]"));
  out = e.send("z FETCH 2 BODY[]\r\n");
  CHECK(contains(out, "* 2 FETCH (BODY[] {"));
  CHECK_FALSE(contains(out, "\\Seen"));
  CHECK(contains(e.send("z FETCH 2 FLAGS\r\n"), "* 2 FETCH (FLAGS ())"));
  CHECK(contains(d.send("n SELECT nosuch\r\n"), "n NO [NONEXISTENT]"));
  CHECK(d.send("m FETCH 1 FLAGS\r\n") == "m BAD No mailbox selected\r\n");
}

TEST_CASE("FETCH FLAGS, UID, INTERNALDATE, RFC822.SIZE, BODY[] and partials") {
  ImapWorld w;
  MemoryStore store = w.store();
  store.deliver("INBOX", kMsg);
  ImapDriver d(w);
  d.login();
  d.select();
  std::string out = d.send("a FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE)\r\n");
  CHECK(out == "* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE " + std::to_string(kMsg.size()) +
                   " INTERNALDATE \"14-Nov-2023 22:13:20 +0000\")\r\na OK Fetch completed.\r\n");
  out = d.send("b FETCH 1 BODY.PEEK[]<0.4>\r\n");
  CHECK(out == "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nb OK Fetch completed.\r\n");
  out = d.send("b FETCH 1 BODY.PEEK[]<1000.4>\r\n");
  CHECK(out == "* 1 FETCH (BODY[]<1000> {0}\r\n)\r\nb OK Fetch completed.\r\n");
  out = d.send("c FETCH 1 BODY[]\r\n");
  CHECK(out == "* 1 FETCH (BODY[] {" + std::to_string(kMsg.size()) + "}\r\n" + kMsg +
                   " FLAGS (\\Seen \\Recent))\r\nc OK Fetch completed.\r\n");
  out = d.send("d UID FETCH 1 FLAGS\r\n");
  CHECK(out == "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\nd OK Fetch completed.\r\n");
  CHECK(contains(d.send("e FETCH 2 FLAGS\r\n"), "e BAD"));
  CHECK(contains(d.send("e FETCH 0 FLAGS\r\n"), "e BAD"));
  CHECK(contains(d.send("e FETCH 4294967296 FLAGS\r\n"), "e BAD"));
  CHECK(d.send("f UID FETCH 5:7 FLAGS\r\n") == "f OK Fetch completed.\r\n");
  CHECK(contains(d.send("g FETCH 1 (FLAGS BOGUS)\r\n"), "g BAD"));
  out = d.send("h FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT])\r\n");
  CHECK(contains(out, "BODY[HEADER.FIELDS (SUBJECT)] {"));
  CHECK(contains(out, "Subject: hello\r\n\r\n"));
  CHECK(contains(out, "BODY[TEXT] {11}\r\nbody text\r\n"));
  out = d.send("i FETCH 1 FAST\r\n");
  CHECK(contains(out, "* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE"));
  out = d.send("j FETCH 1 (ENVELOPE BODYSTRUCTURE)\r\n");
  CHECK(contains(out, "ENVELOPE ("));
  CHECK(contains(out, "\"hello\""));
  CHECK(contains(out, "BODYSTRUCTURE (\"text\" \"plain\""));
}

TEST_CASE("STORE flags with FLAGS, +FLAGS, -FLAGS and .SILENT; \\Recent cannot be stored") {
  ImapWorld w;
  MemoryStore store = w.store();
  store.deliver("INBOX", kMsg);
  store.deliver("INBOX", kMsg);
  ImapDriver d(w);
  d.login();
  d.select();
  CHECK(d.send("a STORE 1:* +FLAGS (\\Flagged $Work)\r\n") ==
        "* 1 FETCH (FLAGS (\\Flagged \\Recent $Work))\r\n* 2 FETCH (FLAGS (\\Flagged \\Recent "
        "$Work))\r\na OK Store completed.\r\n");
  CHECK(d.send("b STORE 2 -FLAGS.SILENT ($Work)\r\n") == "b OK Store completed.\r\n");
  CHECK(d.send("c UID STORE 2 FLAGS \\Seen\r\n") ==
        "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\nc OK Store completed.\r\n");
  CHECK(contains(d.send("d STORE 1 +FLAGS (\\Recent)\r\n"), "d BAD"));
  CHECK(contains(d.send("d STORE 1 +FLAGS (\\Bogus)\r\n"), "d BAD"));
  CHECK(contains(d.send("e STORE 1 XFLAGS (\\Seen)\r\n"), "e BAD"));
}

TEST_CASE("EXPUNGE and UID EXPUNGE send EXPUNGE responses in a safe order") {
  ImapWorld w;
  MemoryStore store = w.store();
  for (int i = 0; i < 5; ++i) store.deliver("INBOX", kMsg);
  ImapDriver d(w);
  d.login();
  d.select();
  d.send("a STORE 2,4 +FLAGS.SILENT (\\Deleted)\r\n");
  CHECK(d.send("b EXPUNGE\r\n") == "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\nb OK Expunge completed.\r\n");
  d.send("c STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n");
  // UIDs now 1,3,5: expunge only UID 3.
  CHECK(d.send("d UID EXPUNGE 3\r\n") == "* 2 EXPUNGE\r\nd OK Expunge completed.\r\n");
  CHECK(contains(d.send("e FETCH 2 UID\r\n"), "* 2 FETCH (UID 5)"));
}

TEST_CASE("CLOSE expunges silently; UNSELECT does not") {
  ImapWorld w;
  MemoryStore store = w.store();
  store.deliver("INBOX", kMsg, storage::kDeleted);
  store.deliver("INBOX", kMsg);
  ImapDriver d(w);
  d.login();
  d.select();
  CHECK(d.send("a UNSELECT\r\n") == "a OK Unselect completed.\r\n");
  CHECK(w.store().data().mailboxes["INBOX"].messages.size() == 2);
  d.select();
  CHECK(d.send("b CLOSE\r\n") == "b OK Close completed.\r\n");
  CHECK(w.store().data().mailboxes["INBOX"].messages.size() == 1);
  CHECK(d.send("c NOOP\r\n") == "c OK NOOP completed.\r\n");
}

TEST_CASE("LOGOUT says BYE and closes") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(d.send("a LOGOUT\r\nb NOOP\r\n") == "* BYE Logging out\r\na OK Logout completed.\r\n");
  CHECK(d.last().next == protocol::Next::Close);
}

TEST_CASE("FETCH of MIME parts, RFC822.HEADER and BINARY") {
  ImapWorld w;
  std::string mime =
      "Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
      "--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
      "--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "aGVsbG8=\r\n--XX--\r\n";
  w.store().deliver("INBOX", mime);
  ImapDriver d(w);
  d.login();
  d.select();
  std::string out =
      d.send("a FETCH 1 (BODY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[2] RFC822.HEADER)\r\n");
  CHECK(contains(out, "BODY[1] {10}\r\nfirst part"));
  CHECK(contains(out, "BINARY[2] {5}\r\nhello"));
  CHECK(contains(out, "BINARY.SIZE[2] 5"));
  CHECK(contains(out, "RFC822.HEADER {"));
  CHECK_FALSE(contains(out, "\\Seen"));
  out = d.send("b FETCH 1 BODY[3]\r\n");
  CHECK(contains(out, "BODY[3] {0}\r\n"));
  CHECK(contains(out, "FLAGS (\\Seen \\Recent)"));
  CHECK(contains(d.send("c FETCH 1 BODY.PEEK[0]\r\n"), "c BAD"));
  CHECK(contains(d.send("c FETCH 1 BODY.PEEK[MIME]\r\n"), "c BAD"));
  CHECK(contains(d.send("c FETCH 1 BODY.PEEK[]<0.4294967296>\r\n"), "c BAD"));
  // Already \Seen: no FLAGS side effect to report.
  CHECK_FALSE(contains(d.send("d FETCH 1 RFC822.TEXT\r\n"), "FLAGS"));
}

TEST_CASE("A NUL stored in a message is sent as 0x80 in BODY[] but kept in a BINARY literal8") {
  ImapWorld w;
  std::string text("Subject: nul\r\n\r\na\0b\r\n", 21);
  w.store().deliver("INBOX", text);
  ImapDriver d(w);
  d.login();
  d.select();
  std::string out = d.send("a FETCH 1 (BODY.PEEK[TEXT] RFC822.SIZE)\r\n");
  // RFC 3501 §9: literals are CHAR8 (no NUL); the size does not change.
  CHECK(contains(out, std::string("BODY[TEXT] {5}\r\na\x80"
                                  "b\r\n")));
  CHECK(contains(out, "RFC822.SIZE 21"));
  CHECK_FALSE(contains(out, std::string(1, '\0')));
  out = d.send("b FETCH 1 BINARY.PEEK[1]\r\n");
  CHECK(contains(out, std::string("BINARY[1] ~{5}\r\na\0b\r\n", 19)));
}
