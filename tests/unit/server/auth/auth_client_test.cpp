#include "server/auth/auth_client.h"

#include <sys/socket.h>

#include <thread>

#include <doctest/doctest.h>

#include "server/auth/auth_process.h"
#include "server/auth/auth_service.h"
#include "tests/unit/server/auth/auth_fakes.h"

using namespace satchel;
using namespace satchel::server;
using satchel::testing::FakeBackends;

namespace {

// An AuthService over fakes, served on `channels` socketpairs by threads, and an AuthClient
// holding the other ends: the real codec and transport, no process.
struct Served {
  FakeBackends fakes;
  std::unique_ptr<AuthService> service;
  std::vector<UniqueFd> server_ends;
  std::vector<std::thread> threads;
  std::unique_ptr<AuthClient> client;

  explicit Served(int channels = 1, AuthClientOptions options = {}) {
    service = std::make_unique<AuthService>(fakes.make());
    std::vector<int> client_fds;
    for (int i = 0; i < channels; ++i) {
      auto pair = make_seqpacket_pair();
      REQUIRE(pair);
      client_fds.push_back(pair->first);
      server_ends.emplace_back(pair->second);
    }
    for (auto& end : server_ends)
      threads.emplace_back([this, fd = end.get()] { serve_auth_channel(*service, fd); });
    client = std::make_unique<AuthClient>(client_fds, options);
  }
  ~Served() {
    client.reset();  // Closes the client ends: the serving threads see end of file.
    for (auto& t : threads) t.join();
  }
};

auth::SaslContext tls() {
  auth::SaslContext c;
  c.tls_active = true;
  return c;
}

}  // namespace

TEST_CASE("AuthClient: a right password gives the record with a ticket; a wrong one fails") {
  Served s;
  auto ok = s.client->verify_password("alice", SecureString("alice pw"));
  REQUIRE(ok);
  CHECK(ok->name == "alice");
  CHECK(ok->uid == 1001);
  CHECK(ok->login_ticket.size() == 32);
  auto wrong = s.client->verify_password("alice", SecureString("guess"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == "AUTHENTICATIONFAILED");
  CHECK(wrong.error().kind == ErrorKind::Permanent);
  auto found = s.client->lookup("alice");
  REQUIRE(found);
  CHECK(found->login_ticket.empty());
  CHECK(s.client->lookup("nobody").error().code == "NONEXISTENT");
}

TEST_CASE("AuthClient: a ticket is redeemed once") {
  Served s;
  auto ok = s.client->verify_password("alice", SecureString("alice pw"));
  REQUIRE(ok);
  auto first = s.client->redeem(ok->login_ticket);
  REQUIRE(first);
  CHECK(first->name == "alice");
  auto second = s.client->redeem(ok->login_ticket);
  REQUIRE_FALSE(second);
  CHECK(second.error().code == "AUTHENTICATIONFAILED");
}

TEST_CASE("AuthClient: SASL over several round trips, with the ticket at the end") {
  Served s;
  auto mechs = s.client->mechanisms(tls());
  CHECK(mechs == std::vector<std::string>{"TWOSTEP"});
  auto ex = s.client->new_exchange(tls());
  REQUIRE(ex);
  auto c1 = (*ex)->start("TWOSTEP", std::nullopt);
  REQUIRE(std::holds_alternative<auth::SaslContinue>(c1));
  CHECK(std::get<auth::SaslContinue>(c1).challenge.view() == "who?");
  auto c2 = (*ex)->step(SecureString("alice"));
  REQUIRE(std::holds_alternative<auth::SaslContinue>(c2));
  auto done = (*ex)->step(SecureString("alice pw"));
  REQUIRE(std::holds_alternative<auth::SaslDone>(done));
  auto& d = std::get<auth::SaslDone>(done);
  CHECK(d.user.name == "alice");
  CHECK(d.authcid == "alice");
  CHECK(s.client->redeem(d.user.login_ticket));
  // Stepping a finished exchange fails locally.
  CHECK(std::holds_alternative<auth::SaslFailed>((*ex)->step(SecureString("x"))));
}

TEST_CASE("AuthClient: SASL failures carry the claimed authcid; unknown mechanisms fail") {
  Served s;
  auto ex = s.client->new_exchange(tls());
  REQUIRE(ex);
  auto c = (*ex)->start("TWOSTEP", SecureString("alice"));
  REQUIRE(std::holds_alternative<auth::SaslContinue>(c));
  auto f = (*ex)->step(SecureString("nope"));
  REQUIRE(std::holds_alternative<auth::SaslFailed>(f));
  CHECK(std::get<auth::SaslFailed>(f).authcid == "alice");
  CHECK(std::get<auth::SaslFailed>(f).error.code == "AUTHENTICATIONFAILED");

  auto other = s.client->new_exchange(tls());
  auto none = (*other)->start("CRAM-MD5", std::nullopt);
  REQUIRE(std::holds_alternative<auth::SaslFailed>(none));
  CHECK(std::get<auth::SaslFailed>(none).error.code.empty());
}

TEST_CASE("AuthClient: an abandoned exchange is aborted in the auth process") {
  Served s;
  {
    auto ex = s.client->new_exchange(tls());
    REQUIRE(std::holds_alternative<auth::SaslContinue>((*ex)->start("TWOSTEP", std::nullopt)));
    CHECK(s.service->exchanges() == 1);
  }
  // The abort's Ack is left on the channel; the next call skips it and gets its own answer.
  auto ok = s.client->verify_password("alice", SecureString("alice pw"));
  REQUIRE(ok);
  CHECK(s.service->exchanges() == 0);
  CHECK(s.fakes.sasl->live == 0);
}

TEST_CASE("AuthClient: mechanisms are cached per connection kind") {
  Served s;
  CHECK(s.client->mechanisms(tls()).size() == 1);
  CHECK(s.client->mechanisms(tls()).size() == 1);
  CHECK(s.fakes.sasl->mechanism_calls == 1);
  auth::SaslContext pop = tls();
  pop.service = "pop";
  CHECK(s.client->mechanisms(pop).size() == 2);
  CHECK(s.fakes.sasl->mechanism_calls == 2);
}

TEST_CASE("AuthClient: after prefetch, no mechanism list needs the auth process") {
  Served s;
  s.client->prefetch_mechanisms();
  CHECK(s.fakes.sasl->mechanism_calls == 8);  // imap/pop x TLS or not x cleartext or not.
  auth::SaslContext pop = tls();
  pop.service = "pop";
  pop.plaintext_allowed = false;
  CHECK(s.client->mechanisms(pop).size() == 2);
  CHECK(s.client->mechanisms(tls()).size() == 1);
  CHECK(s.fakes.sasl->mechanism_calls == 8);
}

TEST_CASE("AuthClient: failure delays and successes reach the policy") {
  Served s;
  CHECK(s.client->failed("alice", "192.0.2.4") == std::chrono::milliseconds(1500));
  s.client->succeeded("alice", "192.0.2.4");
  CHECK(s.fakes.policy->log ==
        std::vector<std::string>{"failed alice 192.0.2.4", "succeeded alice 192.0.2.4"});
}

TEST_CASE("AuthClient: input the protocol cannot carry is refused without asking") {
  Served s;
  std::string huge(ipc::kMaxAuthName + 1, 'u');
  auto r = s.client->verify_password(huge, SecureString("x"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "AUTHENTICATIONFAILED");
  CHECK(s.client->lookup(huge).error().code == "NONEXISTENT");
  // The policy still sees the (cut) name.
  CHECK(s.client->failed(huge, "192.0.2.4") == std::chrono::milliseconds(1500));
}

TEST_CASE("AuthClient: several threads share few channels") {
  Served s(2);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (s.client->verify_password("alice", SecureString("alice pw"))) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 120);
}

TEST_CASE("AuthClient: no answer in time is UNAVAILABLE, and a late answer is not misread") {
  auto pair = make_seqpacket_pair();
  REQUIRE(pair);
  UniqueFd server(pair->second);
  AuthClientOptions o;
  o.timeout = std::chrono::milliseconds(50);
  AuthClient client({pair->first}, o);

  auto r = client.verify_password("alice", SecureString("pw"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Temporary);
  CHECK(r.error().code == "UNAVAILABLE");

  // Now answer the old request late, then serve properly: the next call must get its own answer.
  auto old = receive_message(server.get(), ipc::kMaxAuthMessage, 0);
  REQUIRE(old);
  auto old_q = ipc::decode_auth_request(old->bytes);
  REQUIRE(old_q);
  ipc::AuthResponse late;
  late.id = old_q->id;
  late.result = ipc::AuthResult::User;
  late.user.name = "wrong-answer";
  REQUIRE(send_message(server.get(), ipc::encode(late).view()));
  std::thread answer([&] {
    auto got = receive_message(server.get(), ipc::kMaxAuthMessage, 0);
    REQUIRE(got);
    auto q = ipc::decode_auth_request(got->bytes);
    REQUIRE(q);
    ipc::AuthResponse p;
    p.id = q->id;
    p.result = ipc::AuthResult::User;
    p.user.name = q->user;
    REQUIRE(send_message(server.get(), ipc::encode(p).view()));
  });
  auto again = client.lookup("bob");
  answer.join();
  REQUIRE(again);
  CHECK(again->name == "bob");
}

TEST_CASE("AuthClient: a vanished or babbling auth process makes calls UNAVAILABLE") {
  SUBCASE("peer gone") {
    auto pair = make_seqpacket_pair();
    REQUIRE(pair);
    ::close(pair->second);
    AuthClient client({pair->first});
    CHECK(client.lookup("x").error().code == "UNAVAILABLE");
    // The broken channel is not used again: no waiting, an answer at once.
    CHECK(client.lookup("x").error().code == "UNAVAILABLE");
    CHECK(client.mechanisms(tls()).empty());
    CHECK(client.failed("x", "y") == std::chrono::milliseconds(2000));
  }
  SUBCASE("garbage") {
    auto pair = make_seqpacket_pair();
    REQUIRE(pair);
    UniqueFd server(pair->second);
    AuthClient client({pair->first});
    std::thread babble([&] {
      auto got = receive_message(server.get(), ipc::kMaxAuthMessage, 0);
      REQUIRE(got);
      REQUIRE(send_message(server.get(), "garbage"));
    });
    CHECK(client.lookup("x").error().code == "UNAVAILABLE");
    babble.join();
    CHECK(client.lookup("x").error().code == "UNAVAILABLE");
  }
  SUBCASE("no channels at all") {
    AuthClient client({});
    CHECK(client.verify_password("a", SecureString("b")).error().code == "UNAVAILABLE");
  }
}
