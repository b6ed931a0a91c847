#include "server/auth/auth_service.h"

#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "tests/unit/server/auth/auth_fakes.h"

using namespace satchel;
using namespace satchel::server;
using namespace satchel::ipc;
using satchel::testing::FakeBackends;

namespace {

struct ManualClock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1)};
  void advance(std::chrono::milliseconds d) { t += d; }
};

struct Fixture {
  FakeBackends fakes;
  ManualClock clock;
  std::unique_ptr<AuthService> service;

  explicit Fixture(AuthServiceOptions o = {}) {
    o.now = [this] { return clock.t; };
    service = std::make_unique<AuthService>(fakes.make(), o);
  }

  AuthResponse verify(const std::string& user, const std::string& pw) {
    AuthRequest q;
    q.id = 7;
    q.op = AuthOp::VerifyPassword;
    q.user = user;
    q.password = SecureString(pw);
    q.remote_ip = "192.0.2.1";
    q.mech = "LOGIN";
    return service->handle(q);
  }
  AuthResponse redeem(const std::string& ticket) {
    AuthRequest q;
    q.id = 8;
    q.op = AuthOp::Redeem;
    q.ticket = ticket;
    return service->handle(q);
  }
  AuthResponse start(std::optional<SecureString> ir = std::nullopt) {
    AuthRequest q;
    q.id = 9;
    q.op = AuthOp::SaslStart;
    q.mech = "TWOSTEP";
    q.initial_response = std::move(ir);
    return service->handle(q);
  }
  AuthResponse step(std::uint64_t exchange, const std::string& response) {
    AuthRequest q;
    q.id = 10;
    q.op = AuthOp::SaslStep;
    q.exchange = exchange;
    q.password = SecureString(response);
    return service->handle(q);
  }
};

}  // namespace

TEST_CASE("AuthService: a right password gives the record and a single-use ticket") {
  Fixture f;
  auto p = f.verify("alice", "alice pw");
  REQUIRE(p.result == AuthResult::User);
  CHECK(p.id == 7);
  CHECK(p.user.name == "alice");
  CHECK(p.user.uid == 1001);
  CHECK(p.authcid == "alice");
  REQUIRE(p.user.login_ticket.size() == 32);
  CHECK(p.user.login_ticket.find_first_not_of("0123456789abcdef") == std::string::npos);

  auto r = f.redeem(p.user.login_ticket);
  REQUIRE(r.result == AuthResult::User);
  CHECK(r.user.name == "alice");
  CHECK(r.user.home == "/home/alice");
  CHECK(f.redeem(p.user.login_ticket).result == AuthResult::Failed);
  CHECK(f.service->tickets() == 0);
}

TEST_CASE("AuthService: each success gets its own ticket") {
  Fixture f;
  auto a = f.verify("alice", "alice pw");
  auto b = f.verify("alice", "alice pw");
  CHECK(a.user.login_ticket != b.user.login_ticket);
  CHECK(f.service->tickets() == 2);
}

TEST_CASE("AuthService: a wrong password fails with the backend's error and the claimed user") {
  Fixture f;
  auto p = f.verify("alice", "guess");
  REQUIRE(p.result == AuthResult::Failed);
  CHECK(p.error.code == "AUTHENTICATIONFAILED");
  CHECK(p.error.kind == ErrorKind::Permanent);
  CHECK(p.authcid == "alice");
  CHECK(f.service->tickets() == 0);
}

TEST_CASE("AuthService: tickets expire after their time, and unknown ones fail") {
  Fixture f;
  auto p = f.verify("alice", "alice pw");
  f.clock.advance(std::chrono::seconds(61));
  CHECK(f.redeem(p.user.login_ticket).result == AuthResult::Failed);
  CHECK(f.redeem("").result == AuthResult::Failed);
  CHECK(f.redeem("00000000000000000000000000000000").result == AuthResult::Failed);
}

TEST_CASE("AuthService: lookup answers without a ticket") {
  Fixture f;
  AuthRequest q;
  q.op = AuthOp::Lookup;
  q.user = "alice";
  auto p = f.service->handle(q);
  REQUIRE(p.result == AuthResult::User);
  CHECK(p.user.login_ticket.empty());
  q.user = "zed";
  auto none = f.service->handle(q);
  REQUIRE(none.result == AuthResult::Failed);
  CHECK(none.error.code == "NONEXISTENT");
  CHECK(f.service->tickets() == 0);
}

TEST_CASE("AuthService: a multi-step SASL exchange ends with a ticket") {
  Fixture f;
  auto c1 = f.start();
  REQUIRE(c1.result == AuthResult::Continue);
  CHECK(c1.challenge.view() == "who?");
  CHECK(c1.exchange != 0);
  auto c2 = f.step(c1.exchange, "alice");
  REQUIRE(c2.result == AuthResult::Continue);
  CHECK(c2.exchange == c1.exchange);
  CHECK(c2.challenge.view() == "secret?");
  CHECK(f.service->exchanges() == 1);
  auto done = f.step(c1.exchange, "alice pw");
  REQUIRE(done.result == AuthResult::User);
  CHECK(done.user.name == "alice");
  CHECK(done.authcid == "alice");
  CHECK(done.user.login_ticket.size() == 32);
  CHECK(f.service->exchanges() == 0);
  CHECK(f.fakes.sasl->live == 0);
  // The finished exchange is gone.
  CHECK(f.step(c1.exchange, "again").result == AuthResult::Failed);
  CHECK(f.redeem(done.user.login_ticket).result == AuthResult::User);
}

TEST_CASE("AuthService: a failing SASL exchange reports the claimed authcid") {
  Fixture f;
  auto c = f.start(SecureString("alice"));  // Initial response: skips the first round.
  REQUIRE(c.result == AuthResult::Continue);
  CHECK(c.challenge.view() == "secret?");
  auto fail = f.step(c.exchange, "wrong");
  REQUIRE(fail.result == AuthResult::Failed);
  CHECK(fail.error.code == "AUTHENTICATIONFAILED");
  CHECK(fail.authcid == "alice");
  CHECK(f.service->exchanges() == 0);
}

TEST_CASE("AuthService: abort drops an exchange; unknown ids fail") {
  Fixture f;
  auto c = f.start();
  REQUIRE(c.result == AuthResult::Continue);
  AuthRequest abort;
  abort.op = AuthOp::SaslAbort;
  abort.exchange = c.exchange;
  CHECK(f.service->handle(abort).result == AuthResult::Ack);
  CHECK(f.service->exchanges() == 0);
  CHECK(f.fakes.sasl->live == 0);
  CHECK(f.step(c.exchange, "alice").result == AuthResult::Failed);
  CHECK(f.service->handle(abort).result == AuthResult::Ack);  // Twice is harmless.
}

TEST_CASE("AuthService: exchanges expire after five minutes") {
  Fixture f;
  auto c = f.start();
  f.clock.advance(std::chrono::minutes(5) + std::chrono::seconds(1));
  CHECK(f.step(c.exchange, "alice").result == AuthResult::Failed);
  CHECK(f.fakes.sasl->live == 0);
}

TEST_CASE("AuthService: at most max_exchanges live; expired ones make room") {
  AuthServiceOptions o;
  o.max_exchanges = 3;
  Fixture f(o);
  for (int i = 0; i < 3; ++i) REQUIRE(f.start().result == AuthResult::Continue);
  auto full = f.start();
  REQUIRE(full.result == AuthResult::Failed);
  CHECK(full.error.code == "UNAVAILABLE");
  CHECK(f.fakes.sasl->live == 3);
  f.clock.advance(std::chrono::minutes(6));
  CHECK(f.start().result == AuthResult::Continue);
  CHECK(f.service->exchanges() == 1);
}

TEST_CASE("AuthService: at most max_tickets; the oldest goes first") {
  AuthServiceOptions o;
  o.max_tickets = 2;
  Fixture f(o);
  auto t1 = f.verify("alice", "alice pw").user.login_ticket;
  f.clock.advance(std::chrono::seconds(2));
  auto t2 = f.verify("alice", "alice pw").user.login_ticket;
  f.clock.advance(std::chrono::seconds(2));
  auto t3 = f.verify("alice", "alice pw").user.login_ticket;
  CHECK(f.service->tickets() == 2);
  CHECK(f.redeem(t1).result == AuthResult::Failed);
  CHECK(f.redeem(t2).result == AuthResult::User);
  CHECK(f.redeem(t3).result == AuthResult::User);
}

TEST_CASE("AuthService: mechanisms, failure delays and successes go to the backends") {
  Fixture f;
  AuthRequest m;
  m.op = AuthOp::Mechanisms;
  m.sasl.service = "pop";
  auto mechs = f.service->handle(m);
  REQUIRE(mechs.result == AuthResult::Mechanisms);
  CHECK(mechs.mechanisms == std::vector<std::string>{"TWOSTEP", "POPONLY"});

  AuthRequest failed;
  failed.op = AuthOp::LoginFailed;
  failed.user = "alice";
  failed.remote_ip = "198.51.100.1";
  auto d = f.service->handle(failed);
  REQUIRE(d.result == AuthResult::Delay);
  CHECK(d.delay == std::chrono::milliseconds(1500));
  AuthRequest ok = failed;
  ok.op = AuthOp::LoginSucceeded;
  CHECK(f.service->handle(ok).result == AuthResult::Ack);
  CHECK(f.fakes.policy->log ==
        std::vector<std::string>{"failed alice 198.51.100.1", "succeeded alice 198.51.100.1"});
}

TEST_CASE("AuthService: concurrent logins from several threads all get distinct tickets") {
  Fixture f;
  std::mutex mu;
  std::set<std::string> tickets;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto p = f.verify("alice", "alice pw");
        auto c = f.start(SecureString("alice"));
        auto s = f.step(c.exchange, "alice pw");
        std::lock_guard lock(mu);
        tickets.insert(p.user.login_ticket);
        tickets.insert(s.user.login_ticket);
      }
    });
  for (auto& t : threads) t.join();
  CHECK(tickets.size() == 400);
  CHECK(f.service->exchanges() == 0);
}
