// pop3::Session AUTH for any mechanism of services.sasl (RFC 5034), the failed-login policy,
// and the login-worker hand-off with its after-login session.
#include <doctest/doctest.h>

#include "tests/support/fake_sasl.h"
#include "tests/unit/protocol/pop3/pop3_fixture.h"

using namespace satchel;
using pop3::test::Pop3Fixture;
using protocol::Next;

namespace {

struct SaslFixture : Pop3Fixture {
  testing::FakeSasl fake{auth};
  testing::RecordingPolicy policy;
  SaslFixture() {
    services.sasl = &fake;
    services.login_policy = &policy;
    auth.add("demo", "pw");
  }
};

std::unique_ptr<protocol::Session> after_login(Pop3Fixture& f, const std::string& user,
                                               const std::string& mech = "USER") {
  protocol::LoginHandoff h;
  h.user = user;
  h.mech = mech;
  auto record = f.auth.lookup(user);
  REQUIRE(record.ok());
  return pop3::make_pop3_session_after_login(f.info, f.limits, f.services, h, *record);
}

std::string feed(protocol::Session& s, std::string_view in, protocol::FeedResult* r = nullptr) {
  std::string out;
  auto res = s.feed(std::span<const char>(in.data(), in.size()), out);
  if (r) *r = res;
  return out;
}

}  // namespace

TEST_CASE("CAPA lists the offered SASL mechanisms") {
  SaslFixture f;
  f.start();
  CHECK(f.send("CAPA\r\n").find("\r\nSASL X-TEST X-EMPTY\r\n") != std::string::npos);
  f.info.plaintext_auth_allowed = false;
  f.start();
  CHECK(f.send("CAPA\r\n").find("\r\nSASL X-TEST\r\n") != std::string::npos);
}

TEST_CASE("AUTH runs a multi-step mechanism with + base64 continuations") {
  SaslFixture f;
  f.start();
  CHECK(f.send("AUTH X-TEST\r\n") == "+ d2hvPw==\r\n");
  CHECK(f.fake.last_context().service == "pop");
  CHECK(f.send("ZGVtbw==\r\n") == "+ dj1vaw==\r\n");
  CHECK(f.send("\r\n") == "+OK Logged in, 0 messages (0 octets).\r\n");
  CHECK(f.session->user() == "demo");
  CHECK(f.policy.successes == std::vector<std::string>{"demo@192.0.2.7"});
}

TEST_CASE("AUTH with an initial response, = for empty") {
  SaslFixture f;
  f.start();
  CHECK(f.send("AUTH X-TEST ZGVtbw==\r\n") == "+ dj1vaw==\r\n");
  CHECK(f.send("\r\n").rfind("+OK Logged in", 0) == 0);
  f.start();
  CHECK(f.send("AUTH X-EMPTY =\r\n").rfind("+OK Logged in", 0) == 0);
}

TEST_CASE("AUTH: * cancels, bad base64 and unknown mechanisms are -ERR, no delay") {
  SaslFixture f;
  f.start();
  f.send("AUTH X-TEST\r\n");
  CHECK(f.send("*\r\n") == "-ERR Authentication cancelled.\r\n");
  CHECK(f.fake.exchanges_alive() == 0);
  f.send("AUTH X-TEST\r\n");
  CHECK(f.send("@@@\r\n").rfind("-ERR", 0) == 0);
  CHECK(f.fake.exchanges_alive() == 0);
  CHECK(f.send("AUTH X-TEST @@@\r\n").rfind("-ERR", 0) == 0);
  CHECK(f.send("AUTH CRAM-MD5\r\n") == "-ERR Unsupported authentication mechanism.\r\n");
  CHECK(f.last.delay.count() == 0);
  CHECK(f.policy.failures.empty());
  CHECK(f.send("NOOP\r\n").rfind("-ERR", 0) == 0);  // Still AUTHORIZATION.
}

TEST_CASE("AUTH failures answer -ERR [AUTH] with the policy's delay") {
  SaslFixture f;
  f.start();
  CHECK(f.send("AUTH X-TEST ZmFpbA==\r\n") == "-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.last.delay == std::chrono::milliseconds(1234));
  CHECK(f.send("USER alice\r\nPASS nope\r\n") == "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
  CHECK(f.policy.failures == std::vector<std::string>{"fail@192.0.2.7", "alice@192.0.2.7"});
  CHECK(f.send("AUTH X-TEST ZG93bg==\r\n").rfind("-ERR [SYS/TEMP]", 0) == 0);
  CHECK(f.last.delay.count() == 0);
}

TEST_CASE("a session destroyed mid-AUTH frees the exchange") {
  SaslFixture f;
  f.start();
  f.send("AUTH X-TEST\r\n");
  CHECK(f.fake.exchanges_alive() == 1);
  f.session.reset();
  CHECK(f.fake.exchanges_alive() == 0);
}

TEST_CASE("handoff: PASS stops with Handoff, writes nothing, consumes through the PASS line") {
  Pop3Fixture f;
  f.auth.add("sys", "pw", 1500, 1600);
  f.auth.set_ticket("tkt");
  f.services.handoff_after_login = true;
  f.start();
  std::string login = "USER sys\r\nPASS pw\r\n";
  std::string out = f.send(login + "STAT\r\nQUIT\r\n");
  CHECK(out == "+OK\r\n");
  CHECK(f.last.next == Next::Handoff);
  CHECK(f.last.consumed == login.size());
  CHECK_FALSE(f.session->authenticated());
  protocol::LoginHandoff h = f.session->take_handoff();
  CHECK(h.user == "sys");
  CHECK(h.mech == "USER");
  CHECK(h.imap_tag.empty());
  CHECK(h.ticket == "tkt");
  CHECK(h.uid == 1500);
  CHECK(h.gid == 1600);
}

TEST_CASE("handoff: AUTH hands off after the last response") {
  SaslFixture f;
  f.services.handoff_after_login = true;
  f.start();
  f.send("AUTH X-TEST ZGVtbw==\r\n");
  CHECK(f.send("\r\nSTAT\r\n").empty());
  CHECK(f.last.next == Next::Handoff);
  CHECK(f.last.consumed == 2);
  CHECK(f.session->take_handoff().ticket == "ticket-of-demo");
}

TEST_CASE("after login: +OK Logged in, then the pipelined commands") {
  Pop3Fixture f;
  f.store_of("alice").deliver("INBOX", "A: b\r\n\r\nhello\r\n");
  auto s = after_login(f, "alice");
  CHECK(s->greeting().empty());
  protocol::FeedResult r;
  CHECK(feed(*s, "STAT\r\n", &r) == "+OK Logged in, 1 messages (15 octets).\r\n+OK 1 15\r\n");
  CHECK(r.next == Next::Read);
  CHECK(s->authenticated());
  CHECK(s->user() == "alice");
}

TEST_CASE("after login: a maildrop in use answers [IN-USE] and closes") {
  Pop3Fixture f;
  f.start();
  f.login();
  REQUIRE(f.session->authenticated());
  auto s = after_login(f, "alice");
  protocol::FeedResult r;
  CHECK(feed(*s, "STAT\r\n", &r) == "-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n");
  CHECK(r.next == Next::Close);
  CHECK_FALSE(s->authenticated());
}

TEST_CASE("after login: no store closes with -ERR") {
  Pop3Fixture f;
  f.services.stores = nullptr;
  auto s = after_login(f, "alice");
  protocol::FeedResult r;
  CHECK(feed(*s, "", &r).rfind("-ERR [SYS/TEMP]", 0) == 0);
  CHECK(r.next == Next::Close);
}
