// AUTHENTICATE for any mechanism of services.sasl (RFC 3501 §6.2.2, RFC 4959), the failed-login
// policy and log line, and the login-worker hand-off (Next::Handoff) with its after-login
// session.
#include <mutex>
#include <vector>

#include <doctest/doctest.h>

#include "base/log.h"
#include "protocol/imap/make_session.h"
#include "tests/support/fake_sasl.h"
#include "tests/unit/protocol/imap/imap_driver.h"

using namespace satchel;
using namespace satchel::testing;

namespace {

// Captures log lines while alive.
struct LogCapture {
  static inline std::mutex mutex;
  static inline std::vector<std::string> lines;
  LogCapture() {
    lines.clear();
    log::set_sink([](log::Level, std::string_view l) {
      std::lock_guard lock(mutex);
      lines.emplace_back(l);
    });
  }
  ~LogCapture() { log::set_sink(nullptr); }
  bool has(std::string_view line) const {
    for (const auto& l : lines)
      if (l == line) return true;
    return false;
  }
};

struct SaslWorld : ImapWorld {
  FakeSasl fake{auth};
  RecordingPolicy policy;
  SaslWorld() {
    sasl = &fake;
    login_policy = &policy;
  }
};

protocol::ConnectionInfo remote_clear() {
  protocol::ConnectionInfo c;
  c.remote_ip = "198.51.100.4";
  c.starttls_offered = true;
  return c;
}

}  // namespace

TEST_CASE("CAPABILITY lists AUTH= for each offered mechanism, and LOGINDISABLED without TLS") {
  SaslWorld w;
  ImapDriver loop(w);
  std::string caps = loop.send("a CAPABILITY\r\n");
  CHECK(contains(caps, " SASL-IR "));
  CHECK(contains(caps, " AUTH=X-TEST AUTH=X-EMPTY"));
  CHECK_FALSE(contains(caps, "LOGINDISABLED"));

  ImapDriver clear(w, remote_clear());
  caps = clear.send("a CAPABILITY\r\n");
  CHECK(contains(caps, " AUTH=X-TEST LOGINDISABLED"));
  CHECK_FALSE(contains(caps, "AUTH=X-EMPTY"));
  CHECK(
      contains(clear.send("b AUTHENTICATE PLAIN AGRlbW8Ac2VjcmV0\r\n"), "b NO [PRIVACYREQUIRED]"));
}

TEST_CASE("a multi-step mechanism with server data on success logs in") {
  SaslWorld w;
  LogCapture logs;
  ImapDriver d(w);
  CHECK(d.send("a AUTHENTICATE x-test\r\n") == "+ d2hvPw==\r\n");
  CHECK(w.fake.last_context().service == "imap");
  CHECK(w.fake.last_context().remote_ip == "127.0.0.1");
  CHECK(w.fake.last_context().plaintext_allowed);
  CHECK(d.send("ZGVtbw==\r\n") == "+ dj1vaw==\r\n");
  CHECK(d.send("\r\n").rfind("a OK [CAPABILITY IMAP4rev1", 0) == 0);
  CHECK(d.session().authenticated());
  CHECK(d.session().user() == "demo");
  CHECK(logs.has("login: user=demo rip=127.0.0.1 mech=X-TEST"));
  CHECK(w.policy.successes == std::vector<std::string>{"demo@127.0.0.1"});
  CHECK(w.fake.exchanges_alive() == 0);
}

TEST_CASE("SASL-IR: the initial response skips the first challenge; = is empty") {
  SaslWorld w;
  ImapDriver d(w);
  CHECK(d.send("a AUTHENTICATE X-TEST ZGVtbw==\r\n") == "+ dj1vaw==\r\n");
  CHECK(d.send("\r\n").rfind("a OK", 0) == 0);
  ImapDriver e(w);
  CHECK(e.send("b AUTHENTICATE X-EMPTY =\r\n").rfind("b OK", 0) == 0);
}

TEST_CASE("AUTHENTICATE: * cancels with BAD, bad base64 is BAD, both end the exchange") {
  SaslWorld w;
  ImapDriver d(w);
  d.send("a AUTHENTICATE X-TEST\r\n");
  CHECK(w.fake.exchanges_alive() == 1);
  CHECK(d.send("*\r\n").rfind("a BAD", 0) == 0);
  CHECK(w.fake.exchanges_alive() == 0);
  d.send("b AUTHENTICATE X-TEST\r\n");
  CHECK(d.send("not base64!\r\n").rfind("b BAD Invalid base64", 0) == 0);
  CHECK(d.send("c AUTHENTICATE X-TEST !!!\r\n").rfind("c BAD Invalid base64", 0) == 0);
  CHECK(w.fake.exchanges_alive() == 0);
  CHECK(d.send("d NOOP\r\n") == "d OK NOOP completed.\r\n");
  CHECK(w.policy.failures.empty());
}

TEST_CASE("AUTHENTICATE with a mechanism not offered answers NO") {
  SaslWorld w;
  ImapDriver d(w);
  CHECK(d.send("a AUTHENTICATE CRAM-MD5\r\n") ==
        "a NO [CANNOT] Unsupported authentication mechanism\r\n");
}

TEST_CASE("failures: response code, policy delay and one fail2ban line each") {
  SaslWorld w;
  LogCapture logs;
  ImapDriver d(w);
  CHECK(d.send("a AUTHENTICATE X-TEST ZmFpbA==\r\n") ==
        "a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  CHECK(d.last().delay == std::chrono::milliseconds(1234));
  // The reason is the backend's words, so the log tells a wrong password from a refused account.
  CHECK(logs.has("auth failed: user=fail rip=127.0.0.1 mech=X-TEST reason=refused"));
  CHECK(contains(d.send("b AUTHENTICATE X-TEST b3RoZXI=\r\n"), "b NO [AUTHORIZATIONFAILED]"));
  CHECK(d.last().delay == std::chrono::milliseconds(1234));
  CHECK(contains(d.send("c AUTHENTICATE X-TEST ZG93bg==\r\n"), "c NO [UNAVAILABLE]"));
  CHECK(d.last().delay.count() == 0);
  CHECK(
      logs.has("auth failed: user=down rip=127.0.0.1 mech=X-TEST reason=temporary failure: "
               "backend down"));
  CHECK(contains(d.send("e LOGIN demo wrong\r\n"), "e NO [AUTHENTICATIONFAILED]"));
  CHECK(logs.has("auth failed: user=demo rip=127.0.0.1 mech=LOGIN reason=bad user or password"));
  CHECK(w.policy.failures ==
        std::vector<std::string>{"fail@127.0.0.1", "other@127.0.0.1", "demo@127.0.0.1"});
}

TEST_CASE("without a login policy the flat failed_login_delay applies") {
  ImapWorld w;
  protocol::Limits limits;
  limits.failed_login_delay = std::chrono::milliseconds(777);
  ImapDriver d(w, ImapDriver::loopback(), limits);
  d.send("a LOGIN demo wrong\r\n");
  CHECK(d.last().delay == std::chrono::milliseconds(777));
}

TEST_CASE("without services.sasl, AUTHENTICATE PLAIN still works over the authenticator") {
  ImapWorld w;
  ImapDriver d(w);
  CHECK(contains(d.send("a CAPABILITY\r\n"), " AUTH=PLAIN"));
  CHECK(d.send("b AUTHENTICATE PLAIN AGRlbW8Ac2VjcmV0\r\n").rfind("b OK", 0) == 0);
}

TEST_CASE("a session destroyed in the middle of an exchange frees it") {
  SaslWorld w;
  {
    ImapDriver d(w);
    d.send("a AUTHENTICATE X-TEST\r\n");
    CHECK(w.fake.exchanges_alive() == 1);
  }
  CHECK(w.fake.exchanges_alive() == 0);
}

TEST_CASE("a literal in place of a SASL response is refused and ends the exchange") {
  SaslWorld w;
  ImapDriver d(w);
  d.send("a AUTHENTICATE X-TEST\r\n");
  CHECK(d.send("{5}\r\n").rfind("a BAD", 0) == 0);
  CHECK(w.fake.exchanges_alive() == 0);
}

TEST_CASE("STARTTLS forgets an exchange in progress") {
  SaslWorld w;
  ImapDriver d(w);
  d.send("a AUTHENTICATE X-TEST\r\n");
  d.session().on_tls_started();
  CHECK(w.fake.exchanges_alive() == 0);
}

// The login worker side of the split process model.

TEST_CASE("handoff: LOGIN stops with Handoff, writes nothing, consumes exactly the LOGIN line") {
  ImapWorld w;
  w.auth.add("sys", "pw", 1500, 1600);
  w.auth.set_ticket("tkt");
  w.handoff_after_login = true;
  ImapDriver d(w);
  std::string login = "a1 LOGIN sys pw\r\n";
  std::string rest = "a2 SELECT INBOX\r\na3 LOGOUT\r\n";
  std::string out;
  std::string in = login + rest;
  auto r = d.session().feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::Handoff);
  CHECK(r.consumed == login.size());
  CHECK(out.empty());
  CHECK_FALSE(d.session().authenticated());
  protocol::LoginHandoff h = d.session().take_handoff();
  CHECK(h.user == "sys");
  CHECK(h.mech == "LOGIN");
  CHECK(h.imap_tag == "a1");
  CHECK(h.ticket == "tkt");
  CHECK(h.uid == 1500);
  CHECK(h.gid == 1600);
}

TEST_CASE("handoff: a LOGIN with literals is consumed through its last literal") {
  ImapWorld w;
  w.handoff_after_login = true;
  ImapDriver d(w);
  std::string login = "t LOGIN {4+}\r\ndemo {6+}\r\nsecret\r\n";
  std::string in = login + "u NOOP\r\n";
  std::string out;
  auto r = d.session().feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::Handoff);
  CHECK(r.consumed == login.size());
  CHECK(out.empty());
}

TEST_CASE("handoff: AUTHENTICATE tells the policy and hands off with the record's ticket") {
  SaslWorld w;
  w.handoff_after_login = true;
  ImapDriver d(w);
  CHECK(d.send("x AUTHENTICATE X-TEST ZGVtbw==\r\n") == "+ dj1vaw==\r\n");
  CHECK(d.send("\r\n").empty());
  CHECK(d.last().next == protocol::Next::Handoff);
  protocol::LoginHandoff h = d.session().take_handoff();
  CHECK(h.user == "demo");
  CHECK(h.mech == "X-TEST");
  CHECK(h.imap_tag == "x");
  CHECK(h.ticket == "ticket-of-demo");
  CHECK(w.policy.successes == std::vector<std::string>{"demo@127.0.0.1"});
}

TEST_CASE("after login: the mail worker answers the tag, then runs the pipelined commands") {
  ImapWorld w;
  LogCapture logs;
  w.store().deliver("INBOX", "Subject: hi\r\n\r\nbody\r\n");
  protocol::LoginHandoff h;
  h.user = "demo";
  h.mech = "PLAIN";
  h.imap_tag = "a1";
  auto record = w.auth.lookup("demo");
  REQUIRE(record.ok());
  auto s =
      imap::make_imap_session_after_login(ImapDriver::loopback(), {}, w.services(), h, *record);
  CHECK(s->greeting().empty());
  CHECK_FALSE(s->authenticated());
  std::string in = "a2 SELECT INBOX\r\n";
  std::string out;
  auto r = s->feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::Read);
  CHECK(r.consumed == in.size());
  CHECK(out.rfind("a1 OK [CAPABILITY IMAP4rev1", 0) == 0);
  CHECK(contains(out, "] Logged in\r\n* FLAGS"));
  CHECK(contains(out, "* 1 EXISTS"));
  CHECK(contains(out, "a2 OK [READ-WRITE]"));
  CHECK(s->authenticated());
  CHECK(s->user() == "demo");
  CHECK(logs.has("login: user=demo rip=127.0.0.1 mech=PLAIN"));
}

TEST_CASE("after login with no input: only the tagged OK") {
  ImapWorld w;
  protocol::LoginHandoff h;
  h.user = "demo";
  h.mech = "LOGIN";
  h.imap_tag = "z9";
  auto s = imap::make_imap_session_after_login(ImapDriver::loopback(), {}, w.services(), h,
                                               *w.auth.lookup("demo"));
  std::string out;
  auto r = s->feed({}, out);
  CHECK(r.next == protocol::Next::Read);
  CHECK(out.rfind("z9 OK [CAPABILITY", 0) == 0);
  CHECK(out.find("\r\n") == out.size() - 2);
  out.clear();
  s->feed({}, out);
  CHECK(out.empty());
}

TEST_CASE("after login: a store that cannot open answers NO [UNAVAILABLE], BYE, and closes") {
  ImapWorld w;
  protocol::Services services = w.services();
  services.stores = nullptr;
  protocol::LoginHandoff h;
  h.imap_tag = "q";
  h.mech = "LOGIN";
  auto s = imap::make_imap_session_after_login(ImapDriver::loopback(), {}, services, h,
                                               *w.auth.lookup("demo"));
  std::string in = "r NOOP\r\n";
  std::string out;
  auto r = s->feed(std::span<const char>(in.data(), in.size()), out);
  CHECK(r.next == protocol::Next::Close);
  CHECK(out.rfind("q NO [UNAVAILABLE]", 0) == 0);
  CHECK(contains(out, "\r\n* BYE "));
  CHECK_FALSE(contains(out, "r "));
  CHECK_FALSE(s->authenticated());
}
