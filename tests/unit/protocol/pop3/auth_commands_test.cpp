// pop3::Session AUTHORIZATION: USER/PASS, AUTH PLAIN, the plaintext policy, failed logins,
// maildrop lock.
#include <doctest/doctest.h>

#include "base/crypto.h"
#include "tests/unit/protocol/pop3/pop3_fixture.h"

using namespace satchel;
using pop3::test::Pop3Fixture;
using protocol::Next;
using namespace std::string_literals;

namespace {
std::string plain(std::string_view authzid, std::string_view authcid, std::string_view pass) {
  std::string msg = std::string(authzid) + '\0' + std::string(authcid) + '\0' + std::string(pass);
  return crypto::base64_encode(msg);
}
}  // namespace

TEST_CASE("USER and PASS log in and report the maildrop") {
  Pop3Fixture f;
  f.store_of("alice").deliver("INBOX", "A: b\r\n\r\nhello\r\n");
  f.start();
  CHECK(f.send("USER alice\r\n") == "+OK\r\n");
  CHECK(f.send("PASS secret\r\n") == "+OK Logged in, 1 messages (15 octets).\r\n");
  CHECK(f.session->authenticated());
  CHECK(f.last.delay.count() == 0);
}

TEST_CASE("PASS keeps spaces in the password") {
  Pop3Fixture f;
  f.auth.add("carol", "with two spaces");
  f.start();
  CHECK(f.send("USER carol\r\nPASS with two spaces\r\n") ==
        "+OK\r\n+OK Logged in, 0 messages (0 octets).\r\n");
}

TEST_CASE("A wrong password fails with [AUTH], a delay, and input taken only through PASS") {
  Pop3Fixture f;
  f.start();
  std::string input = "USER alice\r\nPASS wrong\r\nUSER alice\r\nPASS secret\r\n";
  CHECK(f.send(input) == "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.last.delay == protocol::Limits{}.failed_login_delay);
  CHECK(f.last.next == Next::Read);
  std::size_t taken = std::string("USER alice\r\nPASS wrong\r\n").size();
  CHECK(f.last.consumed == taken);
  CHECK_FALSE(f.session->authenticated());
  // The server feeds the rest after the delay: the client may try again.
  CHECK(f.send(input.substr(taken)) == "+OK\r\n+OK Logged in, 0 messages (0 octets).\r\n");
  CHECK(f.session->authenticated());
}

TEST_CASE("An unknown user fails the same way as a wrong password") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("USER nobody\r\nPASS secret\r\n") ==
        "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.last.delay == protocol::Limits{}.failed_login_delay);
}

TEST_CASE("USER and PASS syntax errors") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("USER\r\n").starts_with("-ERR USER takes one argument"));
  CHECK(f.send("USER a b\r\n").starts_with("-ERR USER takes one argument"));
  CHECK(f.send("PASS secret\r\n") == "-ERR PASS must follow USER.\r\n");
  CHECK(f.send("USER alice\r\nPASS\r\n")
            .ends_with("-ERR PASS takes one argument: the password.\r\n"));
  // RFC 1939: PASS only right after USER.
  CHECK(
      f.send("USER alice\r\nCAPA\r\nPASS secret\r\n").ends_with("-ERR PASS must follow USER.\r\n"));
  CHECK_FALSE(f.session->authenticated());
}

TEST_CASE("Plaintext passwords are refused on an insecure connection when not allowed") {
  Pop3Fixture f;
  f.info.plaintext_auth_allowed = false;
  f.info.starttls_offered = true;
  f.start();
  const std::string refused =
      "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections\r\n";
  CHECK(f.send("USER alice\r\n") == refused);
  CHECK(f.send("PASS secret\r\n") == refused);
  CHECK(f.send("AUTH PLAIN " + plain("", "alice", "secret") + "\r\n") == refused);
  CHECK(f.send("AUTH PLAIN\r\n") == refused);
  std::string capa = f.send("CAPA\r\n");
  CHECK(capa.find("USER") == std::string::npos);
  CHECK(capa.find("SASL") == std::string::npos);
  CHECK(capa.find("STLS\r\n") != std::string::npos);
  CHECK_FALSE(f.session->authenticated());
  // After STLS the same commands work.
  CHECK(f.send("STLS\r\n") == "+OK Begin TLS negotiation\r\n");
  f.session->on_tls_started();
  capa = f.send("CAPA\r\n");
  CHECK(capa.find("USER\r\n") != std::string::npos);
  CHECK(capa.find("SASL PLAIN\r\n") != std::string::npos);
  CHECK(f.send("USER alice\r\nPASS secret\r\n") ==
        "+OK\r\n+OK Logged in, 0 messages (0 octets).\r\n");
}

TEST_CASE("Plaintext passwords are accepted on implicit TLS") {
  Pop3Fixture f;
  f.info.plaintext_auth_allowed = false;
  f.info.tls_active = true;
  f.start();
  CHECK(f.send("AUTH PLAIN " + plain("", "alice", "secret") + "\r\n") ==
        "+OK Logged in, 0 messages (0 octets).\r\n");
}

TEST_CASE("AUTH PLAIN with an initial response") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("auth plain " + plain("", "alice", "secret") + "\r\n") ==
        "+OK Logged in, 0 messages (0 octets).\r\n");
  CHECK(f.session->user() == "alice");
}

TEST_CASE("AUTH PLAIN with the authzid equal to the authcid") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN " + plain("alice", "alice", "secret") + "\r\n")
            .starts_with("+OK Logged in"));
}

TEST_CASE("AUTH PLAIN as another authorization identity fails") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN " + plain("bob", "alice", "secret") + "\r\n") ==
        "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.last.delay == protocol::Limits{}.failed_login_delay);
}

TEST_CASE("AUTH PLAIN without an initial response gets an empty challenge") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN\r\n") == "+ \r\n");
  CHECK(f.send(plain("", "alice", "secret") + "\r\n") ==
        "+OK Logged in, 0 messages (0 octets).\r\n");
}

TEST_CASE("AUTH PLAIN response fed one byte at a time") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send_bytewise("AUTH PLAIN\r\n" + plain("", "alice", "secret") + "\r\nSTAT\r\n") ==
        "+ \r\n+OK Logged in, 0 messages (0 octets).\r\n+OK 0 0\r\n");
}

TEST_CASE("AUTH PLAIN aborted with *") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN\r\n*\r\n") == "+ \r\n-ERR Authentication cancelled.\r\n");
  CHECK(f.last.delay.count() == 0);
  // The session is back in AUTHORIZATION and takes commands.
  CHECK(f.send("USER alice\r\nPASS secret\r\n")
            .ends_with("+OK Logged in, 0 messages (0 octets).\r\n"));
}

TEST_CASE("AUTH PLAIN with bad base64 is refused") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN ###\r\n") == "-ERR Invalid base64 data.\r\n");
  CHECK(f.send("AUTH PLAIN\r\nAAA=BBB\r\n") == "+ \r\n-ERR Invalid base64 data.\r\n");
  CHECK_FALSE(f.session->authenticated());
  CHECK(f.last.next == Next::Read);
}

TEST_CASE("AUTH PLAIN with a wrong password, an empty response or a malformed message fails") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH PLAIN " + plain("", "alice", "nope") + "\r\n") ==
        "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.send("AUTH PLAIN =\r\n") == "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.send("AUTH PLAIN " + crypto::base64_encode("alice") + "\r\n") ==
        "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.last.delay == protocol::Limits{}.failed_login_delay);
}

TEST_CASE("AUTH syntax: no mechanism, unknown mechanism, extra arguments") {
  Pop3Fixture f;
  f.start();
  CHECK(f.send("AUTH\r\n").starts_with("-ERR Syntax: AUTH mechanism"));
  CHECK(f.send("AUTH CRAM-MD5\r\n") == "-ERR Unsupported authentication mechanism.\r\n");
  CHECK(f.send("AUTH PLAIN a b\r\n").starts_with("-ERR Syntax"));
}

TEST_CASE("A SASL response may be longer than a command line") {
  Pop3Fixture f;
  std::string long_pass(600, 'p');
  f.auth.add("dave", long_pass);
  f.start();
  CHECK(f.send("AUTH PLAIN\r\n" + plain("", "dave", long_pass) + "\r\n") ==
        "+ \r\n+OK Logged in, 0 messages (0 octets).\r\n");
}

TEST_CASE("A second POP3 session of the same user gets [IN-USE] and may retry later") {
  Pop3Fixture f;
  f.start();
  f.login();
  REQUIRE(f.session->authenticated());
  auto second = pop3::make_pop3_session(f.info, f.limits, f.services);
  std::string out;
  std::string input = "USER alice\r\nPASS secret\r\n";
  second->feed(std::span<const char>(input.data(), input.size()), out);
  CHECK(out == "+OK\r\n-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n");
  CHECK_FALSE(second->authenticated());
  // Another user is not affected.
  auto bob = pop3::make_pop3_session(f.info, f.limits, f.services);
  out.clear();
  input = "USER bob\r\nPASS hunter2\r\n";
  bob->feed(std::span<const char>(input.data(), input.size()), out);
  CHECK(out.ends_with("+OK Logged in, 0 messages (0 octets).\r\n"));
  // Once the first session is gone (dropped), the lock is free.
  f.session.reset();
  out.clear();
  input = "USER alice\r\nPASS secret\r\n";
  second->feed(std::span<const char>(input.data(), input.size()), out);
  CHECK(out.ends_with("+OK Logged in, 0 messages (0 octets).\r\n"));
}

namespace {
// An authenticator whose backend is down.
class DownAuthenticator : public auth::Authenticator {
 public:
  Result<auth::UserRecord> verify_password(std::string_view, const SecureString&) override {
    return Error::temporary("UNAVAILABLE", "backend down");
  }
  Result<auth::UserRecord> lookup(std::string_view) override {
    return Error::temporary("UNAVAILABLE", "backend down");
  }
};
}  // namespace

TEST_CASE("A temporary authentication failure gives [SYS/TEMP] without delay") {
  Pop3Fixture f;
  DownAuthenticator down;
  f.services.authenticator = &down;
  f.start();
  CHECK(f.send("USER alice\r\nPASS secret\r\n") ==
        "+OK\r\n-ERR [SYS/TEMP] Authentication service unavailable, try again later.\r\n");
  CHECK(f.last.delay.count() == 0);
  CHECK_FALSE(f.session->authenticated());
}

TEST_CASE("A missing POP3 mailbox gives [SYS/PERM] and the session stays in AUTHORIZATION") {
  Pop3Fixture f;
  f.services.pop3_mailbox = "Missing";
  f.start();
  CHECK(f.send("USER alice\r\nPASS secret\r\n") ==
        "+OK\r\n-ERR [SYS/PERM] Unable to open the mailbox.\r\n");
  CHECK_FALSE(f.session->authenticated());
  CHECK(f.send("QUIT\r\n") == "+OK Bye.\r\n");
}
