// pop3::Session: greeting, input handling (byte-at-a-time, pipelining, long lines, bad
// commands), CAPA, STLS and the connection-level behaviour.
#include "protocol/pop3/session.h"

#include <doctest/doctest.h>

#include "tests/unit/protocol/pop3/pop3_fixture.h"

using namespace satchel;
using pop3::test::Pop3Fixture;
using protocol::Next;

TEST_CASE("The greeting has no APOP timestamp") {
  Pop3Fixture f;
  CHECK(f.start() == "+OK Satchel POP3 ready.\r\n");
}

TEST_CASE("A whole conversation fed one byte at a time gives the same answers") {
  std::string script =
      "capa\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST 1\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n";
  Pop3Fixture whole, bytewise;
  for (Pop3Fixture* f : {&whole, &bytewise}) {
    f->store_of("alice").deliver("INBOX", "Subject: hi\r\n\r\n.dot\r\n");
    f->start();
  }
  std::string a = whole.send(script);
  std::string b = bytewise.send_bytewise(script);
  CHECK(a == b);
  CHECK(a.find("+OK 1 21\r\n") != std::string::npos);
  CHECK(a.find("+OK 21 octets\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n") != std::string::npos);
  CHECK(a.ends_with("+OK Bye, 1 messages deleted.\r\n"));
  CHECK(whole.last.next == Next::Close);
  CHECK(bytewise.last.next == Next::Close);
}

TEST_CASE("Pipelined commands in one feed are all answered in order") {
  Pop3Fixture f;
  f.store_of("alice").deliver("INBOX", "A: 1\r\n\r\nx\r\n");
  f.start();
  std::string input = "USER alice\r\nPASS secret\r\nSTAT\r\nNOOP\r\nUIDL 1\r\n";
  std::string out = f.send(input);
  CHECK(f.last.consumed == input.size());
  CHECK(f.last.next == Next::Read);
  CHECK(out ==
        "+OK\r\n+OK Logged in, 1 messages (11 octets).\r\n+OK 1 11\r\n+OK\r\n"
        "+OK 1 000003e800000001\r\n");
}

TEST_CASE("A partial line is kept until its end arrives") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("NO").empty());
  CHECK(f.last.consumed == 2);
  CHECK(f.send("OP\r").empty());
  CHECK(f.send("\n") == "-ERR Command not allowed in this state.\r\n");
}

TEST_CASE("Keywords are case-insensitive") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("uSeR alice\r\n") == "+OK\r\n");
  CHECK(f.send("pass secret\r\n").starts_with("+OK Logged in"));
  CHECK(f.send("sTaT\r\n") == "+OK 0 0\r\n");
}

TEST_CASE("Unknown commands and commands in the wrong state get -ERR and the session goes on") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("FROB\r\n") == "-ERR Unknown command.\r\n");
  CHECK(f.send("\r\n") == "-ERR Unknown command.\r\n");
  CHECK(f.send("RETR 1\r\n") == "-ERR Command not allowed in this state.\r\n");
  CHECK(f.send("STAT\r\n") == "-ERR Command not allowed in this state.\r\n");
  f.login();
  CHECK(f.send("USER alice\r\n") == "-ERR Command not allowed in this state.\r\n");
  CHECK(f.send("AUTH PLAIN\r\n") == "-ERR Command not allowed in this state.\r\n");
  CHECK(f.send("STLS\r\n") == "-ERR Command not allowed in this state.\r\n");
  CHECK(f.send("NOOP\r\n") == "+OK\r\n");
  CHECK(f.last.next == Next::Read);
}

TEST_CASE("A command line over 512 octets is refused and the stream resyncs") {
  Pop3Fixture f;
  f.start();
  std::string input = "USER " + std::string(600, 'a') + "\r\nCAPA\r\n";
  std::string out = f.send(input);
  CHECK(out.starts_with("-ERR Line too long\r\n+OK Capability list follows\r\n"));
  CHECK(f.last.consumed == input.size());
  CHECK(f.last.next == Next::Read);

  Pop3Fixture g;
  g.start();
  out = g.send_bytewise(input);
  CHECK(out.starts_with("-ERR Line too long\r\n+OK Capability list follows\r\n"));
  // Exactly 512 octets with the CRLF is still a command.
  std::string max_line = "NOOP" + std::string(506, ' ') + "\r\n";
  REQUIRE(max_line.size() == 512);
  CHECK(g.send(max_line) == "-ERR Command not allowed in this state.\r\n");
}

TEST_CASE("Too many bad commands close the connection") {
  Pop3Fixture f;
  f.start();
  std::string input;
  for (int i = 0; i < 25; ++i) input += "BOGUS\r\n";
  std::string out = f.send(input);
  CHECK(f.last.next == Next::Close);
  CHECK(f.last.consumed == 20 * 7);
  CHECK(out.ends_with("-ERR Too many bad commands, closing connection.\r\n"));
  // Once closed, the session takes nothing more.
  CHECK(f.send("CAPA\r\n").empty());
  CHECK(f.last.next == Next::Close);
}

TEST_CASE("CAPA before login lists USER, SASL PLAIN and STLS when they may be used") {
  Pop3Fixture f;
  f.info.starttls_offered = true;
  f.start();
  CHECK(f.send("CAPA\r\n") ==
        "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
        "PIPELINING\r\nSASL PLAIN\r\nSTLS\r\nIMPLEMENTATION Satchel\r\n.\r\n");
  CHECK(f.send("CAPA x\r\n").starts_with("-ERR"));
}

TEST_CASE("CAPA after login lists no USER, SASL or STLS") {
  Pop3Fixture f;
  f.info.starttls_offered = true;
  f.start();
  f.login();
  std::string out = f.send("CAPA\r\n");
  CHECK(out ==
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
        "PIPELINING\r\nIMPLEMENTATION Satchel\r\n.\r\n");
}

TEST_CASE("STLS takes input exactly through its line; pipelined commands never run") {
  Pop3Fixture f;
  f.info.starttls_offered = true;
  f.start();
  std::string input = "STLS\r\nUSER alice\r\nPASS secret\r\n";
  std::string out = f.send(input);
  CHECK(out == "+OK Begin TLS negotiation\r\n");
  CHECK(f.last.next == Next::StartTls);
  CHECK(f.last.consumed == 6);
  f.session->on_tls_started();
  // The server discarded the rest. The session kept nothing: PASS alone has no USER.
  CHECK(f.send("PASS secret\r\n") == "-ERR PASS must follow USER.\r\n");
  CHECK_FALSE(f.session->authenticated());
}

TEST_CASE("STLS drops a partial line buffered before it and a pending USER") {
  Pop3Fixture f;
  f.info.starttls_offered = true;
  f.start();
  CHECK(f.send("USER alice\r\n") == "+OK\r\n");
  CHECK(f.send_bytewise("STLS\r\n") == "+OK Begin TLS negotiation\r\n");
  CHECK(f.last.next == Next::StartTls);
  f.session->on_tls_started();
  CHECK(f.send("PASS secret\r\n") == "-ERR PASS must follow USER.\r\n");
  // After TLS, CAPA no longer offers STLS and a second STLS is refused.
  CHECK(f.send("CAPA\r\n").find("STLS") == std::string::npos);
  CHECK(f.send("STLS\r\n") == "-ERR Already using TLS.\r\n");
  CHECK(f.last.next == Next::Read);
}

TEST_CASE("STLS is refused where the listener does not offer it") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("STLS\r\n") == "-ERR STLS is not available here.\r\n");
  CHECK(f.last.next == Next::Read);
  CHECK(f.send("CAPA\r\n").find("STLS") == std::string::npos);
}

TEST_CASE("QUIT before login closes without touching the mailbox") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("QUIT\r\nCAPA\r\n") == "+OK Bye.\r\n");
  CHECK(f.last.next == Next::Close);
  CHECK(f.last.consumed == 6);
}

TEST_CASE("Shutdown and idle-timeout notices") {
  Pop3Fixture f;
  f.start();
  CHECK(f.session->shutdown_notice(false) == "-ERR Server shutting down\r\n");
  CHECK(f.session->shutdown_notice(true) == "-ERR Autologout; idle for too long\r\n");
  std::string out;
  f.session->poll(out);
  CHECK(out.empty());
}

TEST_CASE("user() names the logged-in user") {
  Pop3Fixture f;
  f.start();
  CHECK(f.session->user().empty());
  f.login();
  CHECK(f.session->user() == "alice");
  CHECK(f.session->authenticated());
}

TEST_CASE("Hostile input in random pieces never breaks the consumed contract") {
  // A deterministic mix of valid commands, garbage, long lines and stray CR/LF, fed in
  // pieces of varying size, following `consumed` as the server does.
  const std::string parts[] = {"USER alice\r\n",
                               "PASS secret\r\n",
                               "RETR 1\r\n",
                               "\r",
                               "\n",
                               "TOP 1 -1\r\n",
                               std::string(700, 'x'),
                               "AUTH PLAIN\r\n",
                               "*\r\n",
                               "LIST\r\n",
                               "DELE 1\r\n",
                               std::string("\0\xff", 2),
                               "UIDL 99999999999999999999\r\n",
                               "CAPA\r\n"};
  std::uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  for (int round = 0; round < 30; ++round) {
    Pop3Fixture f;
    f.store_of("alice").deliver("INBOX", "S: x\r\n\r\n.body\r\n");
    f.start();
    std::string input;
    for (int i = 0; i < 40; ++i) input += parts[next() % std::size(parts)];
    std::size_t pos = 0;
    while (pos < input.size()) {
      std::size_t piece = 1 + next() % 37;
      std::string_view chunk = std::string_view(input).substr(pos, piece);
      std::string out;
      auto r = f.session->feed(std::span<const char>(chunk.data(), chunk.size()), out);
      REQUIRE(r.consumed <= chunk.size());
      if (r.next != Next::Read) break;
      if (r.delay.count() == 0) REQUIRE(r.consumed == chunk.size());
      pos += r.consumed;
    }
  }
}
