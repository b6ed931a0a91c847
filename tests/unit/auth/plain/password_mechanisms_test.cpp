#include "auth/plain/password_mechanisms.h"

#include <doctest/doctest.h>

#include "tests/support/fake_authenticator.h"

using namespace satchel;
using namespace satchel::auth;
using namespace std::string_literals;

namespace {

struct Fixture {
  std::shared_ptr<testing::FakeAuthenticator> users =
      std::make_shared<testing::FakeAuthenticator>();
  std::unique_ptr<SaslMechanisms> mechs;
  SaslContext tls;

  Fixture() {
    users->add("alice", "secret", 1001, 1002);
    users->add("bob", "hunter2");
    users->add("admin", "root-pw");
    mechs = make_password_mechanisms(users, {"admin"});
    tls.tls_active = true;
  }

  std::unique_ptr<SaslExchange> exchange(const SaslContext& ctx) {
    auto r = mechs->new_exchange(ctx);
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  std::unique_ptr<SaslExchange> exchange() { return exchange(tls); }
};

std::optional<SecureString> ir(std::string_view s) {
  return SecureString(s);
}

SaslDone done(const SaslStep& s) {
  REQUIRE(std::holds_alternative<SaslDone>(s));
  return std::get<SaslDone>(s);
}
SaslFailed failed(const SaslStep& s) {
  REQUIRE(std::holds_alternative<SaslFailed>(s));
  return std::get<SaslFailed>(s);
}
std::string challenge(const SaslStep& s) {
  REQUIRE(std::holds_alternative<SaslContinue>(s));
  return std::string(std::get<SaslContinue>(s).challenge.view());
}

}  // namespace

TEST_CASE("PLAIN and LOGIN are offered only with TLS or when cleartext is allowed") {
  Fixture f;
  SaslContext clear;
  CHECK(f.mechs->mechanisms(clear).empty());
  CHECK(f.mechs->mechanisms(f.tls) == std::vector<std::string>{"PLAIN", "LOGIN"});
  SaslContext loopback;
  loopback.plaintext_allowed = true;
  CHECK(f.mechs->mechanisms(loopback) == std::vector<std::string>{"PLAIN", "LOGIN"});
  // And starting one anyway fails without a code (not offered).
  auto x = f.exchange(clear);
  CHECK(failed(x->start("PLAIN", ir("\0alice\0secret"s))).error.code.empty());
}

TEST_CASE("PLAIN with an initial response logs the user in with the backend's record") {
  Fixture f;
  f.users->set_ticket("ticket-123");
  auto x = f.exchange();
  SaslDone d = done(x->start("plain", ir("\0alice\0secret"s)));
  CHECK(d.user.name == "alice");
  CHECK(d.authcid == "alice");
  CHECK(d.user.uid == 1001);
  CHECK(d.user.gid == 1002);
  CHECK(d.user.login_ticket == "ticket-123");
}

TEST_CASE("PLAIN without an initial response sends an empty challenge first") {
  Fixture f;
  auto x = f.exchange();
  CHECK(challenge(x->start("PLAIN", std::nullopt)).empty());
  CHECK(done(x->step(SecureString("\0bob\0hunter2"s))).user.name == "bob");
}

TEST_CASE("PLAIN with a wrong password fails AUTHENTICATIONFAILED naming the authcid") {
  Fixture f;
  auto x = f.exchange();
  SaslFailed e = failed(x->start("PLAIN", ir("\0alice\0wrong"s)));
  CHECK(e.error.code == "AUTHENTICATIONFAILED");
  CHECK(e.authcid == "alice");
}

TEST_CASE("PLAIN with a malformed message fails AUTHENTICATIONFAILED") {
  Fixture f;
  for (std::string m : {"alice"s, "\0alice"s, "\0\0secret"s, "\0alice\0"s, "a\0b\0c\0d"s}) {
    auto x = f.exchange();
    CHECK(failed(x->start("PLAIN", ir(m))).error.code == "AUTHENTICATIONFAILED");
  }
  CHECK(f.users->verify_calls() == 0);
}

TEST_CASE("PLAIN: an authzid equal to the authcid is the same user") {
  Fixture f;
  auto x = f.exchange();
  CHECK(done(x->start("PLAIN", ir("alice\0alice\0secret"s))).user.name == "alice");
}

TEST_CASE("PLAIN: an admin may act as another user") {
  Fixture f;
  auto x = f.exchange();
  SaslDone d = done(x->start("PLAIN", ir("alice\0admin\0root-pw"s)));
  CHECK(d.user.name == "alice");
  CHECK(d.user.uid == 1001);
  CHECK(d.authcid == "admin");
}

TEST_CASE("PLAIN: an admin with a wrong password is refused") {
  Fixture f;
  auto x = f.exchange();
  CHECK(failed(x->start("PLAIN", ir("alice\0admin\0nope"s))).error.code == "AUTHENTICATIONFAILED");
}

TEST_CASE("PLAIN: an admin acting as a user that does not exist gets AUTHORIZATIONFAILED") {
  Fixture f;
  auto x = f.exchange();
  CHECK(failed(x->start("PLAIN", ir("nobody\0admin\0root-pw"s))).error.code ==
        "AUTHORIZATIONFAILED");
}

TEST_CASE("PLAIN: a non-admin with an authzid gets AUTHORIZATIONFAILED") {
  Fixture f;
  auto x = f.exchange();
  SaslFailed e = failed(x->start("PLAIN", ir("alice\0bob\0hunter2"s)));
  CHECK(e.error.code == "AUTHORIZATIONFAILED");
  CHECK(e.authcid == "bob");
}

TEST_CASE("a backend that cannot answer gives UNAVAILABLE") {
  Fixture f;
  f.users->set_unavailable(true);
  auto x = f.exchange();
  SaslFailed e = failed(x->start("PLAIN", ir("\0alice\0secret"s)));
  CHECK(e.error.code == "UNAVAILABLE");
  CHECK(e.error.kind == ErrorKind::Temporary);
  auto y = f.exchange();
  challenge(y->start("LOGIN", std::nullopt));
  challenge(y->step(SecureString("alice")));
  CHECK(failed(y->step(SecureString("secret"))).error.code == "UNAVAILABLE");
}

TEST_CASE("LOGIN asks Username: then Password:") {
  Fixture f;
  f.users->set_ticket("t");
  auto x = f.exchange();
  CHECK(challenge(x->start("LOGIN", std::nullopt)) == "Username:");
  CHECK(challenge(x->step(SecureString("alice"))) == "Password:");
  SaslDone d = done(x->step(SecureString("secret")));
  CHECK(d.user.name == "alice");
  CHECK(d.user.login_ticket == "t");
}

TEST_CASE("LOGIN takes an initial response as the user name") {
  Fixture f;
  auto x = f.exchange();
  CHECK(challenge(x->start("LOGIN", ir("bob"))) == "Password:");
  CHECK(done(x->step(SecureString("hunter2"))).user.name == "bob");
}

TEST_CASE("LOGIN with a wrong password names the user it was given") {
  Fixture f;
  auto x = f.exchange();
  challenge(x->start("LOGIN", std::nullopt));
  challenge(x->step(SecureString("bob")));
  SaslFailed e = failed(x->step(SecureString("wrong")));
  CHECK(e.error.code == "AUTHENTICATIONFAILED");
  CHECK(e.authcid == "bob");
}

TEST_CASE("an unknown mechanism fails without a code, step() before a challenge is Internal") {
  Fixture f;
  auto x = f.exchange();
  CHECK(failed(x->start("CRAM-MD5", std::nullopt)).error.code.empty());
  auto y = f.exchange();
  CHECK(failed(y->step(SecureString("x"))).error.kind == ErrorKind::Internal);
  auto z = f.exchange();
  done(z->start("PLAIN", ir("\0alice\0secret"s)));
  CHECK(failed(z->step(SecureString("x"))).error.kind == ErrorKind::Internal);
}
