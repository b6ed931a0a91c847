#include "ipc/auth_protocol.h"

#include <vector>

#include <doctest/doctest.h>

using namespace satchel;
using namespace satchel::ipc;

namespace {

auth::SaslContext sample_context() {
  auth::SaslContext c;
  c.service = "pop";
  c.tls_active = true;
  c.plaintext_allowed = false;
  c.local_ip = "192.0.2.1";
  c.remote_ip = "198.51.100.9";
  return c;
}

// One request of every op, with every field that op carries set to something distinctive.
std::vector<AuthRequest> every_request() {
  std::vector<AuthRequest> out;
  AuthRequest q;
  q.id = 1;
  q.op = AuthOp::VerifyPassword;
  q.user = "alice";
  q.password = SecureString(std::string("pa\0ss", 5));
  q.remote_ip = "2001:db8::1";
  q.mech = "LOGIN";
  out.push_back(q);

  q = {};
  q.id = 2;
  q.op = AuthOp::Lookup;
  q.user = "bob";
  out.push_back(q);

  q = {};
  q.id = 3;
  q.op = AuthOp::Mechanisms;
  q.sasl = sample_context();
  out.push_back(q);

  q = {};
  q.id = 4;
  q.op = AuthOp::SaslStart;
  q.sasl = sample_context();
  q.mech = "PLAIN";
  q.initial_response = SecureString(std::string("\0alice\0pw", 9));
  out.push_back(q);

  q = {};
  q.id = 5;
  q.op = AuthOp::SaslStart;
  q.sasl = sample_context();
  q.mech = "SCRAM-SHA-256";
  out.push_back(q);  // No initial response.

  q = {};
  q.id = 6;
  q.op = AuthOp::SaslStart;
  q.mech = "EXTERNAL";
  q.initial_response = SecureString();  // "=": present but empty.
  out.push_back(q);

  q = {};
  q.id = 7;
  q.op = AuthOp::SaslStep;
  q.exchange = 0xfedcba9876543210ULL;
  q.password = SecureString("c=biws,r=abc");
  out.push_back(q);

  q = {};
  q.id = 8;
  q.op = AuthOp::SaslAbort;
  q.exchange = 42;
  out.push_back(q);

  q = {};
  q.id = 9;
  q.op = AuthOp::LoginFailed;
  q.user = "carol";
  q.remote_ip = "203.0.113.5";
  out.push_back(q);

  q = {};
  q.id = 10;
  q.op = AuthOp::LoginSucceeded;
  q.user = "carol";
  q.remote_ip = "203.0.113.5";
  out.push_back(q);

  q = {};
  q.id = ~0ULL;
  q.op = AuthOp::Redeem;
  q.ticket = "0123456789abcdef0123456789abcdef";
  out.push_back(q);
  return out;
}

std::vector<AuthResponse> every_response() {
  std::vector<AuthResponse> out;
  AuthResponse p;
  p.id = 1;
  p.result = AuthResult::User;
  p.user.name = "alice";
  p.user.uid = 5000;
  p.user.gid = 4294967295u;
  p.user.home = "/var/mail/alice";
  p.user.mail_location = "maildir:~/Maildir";
  p.user.login_ticket = "00ff";
  p.authcid = "admin";
  out.push_back(p);

  out.push_back(failed_response(2, Error::permanent("AUTHENTICATIONFAILED", "no"), "mallory"));
  out.push_back(failed_response(3, Error::temporary("UNAVAILABLE", "pam down")));
  out.push_back(failed_response(4, Error{ErrorKind::ProtocolViolation, "", "x"}));
  out.push_back(failed_response(5, Error::internal("bug")));

  p = {};
  p.id = 6;
  p.result = AuthResult::Continue;
  p.exchange = 77;
  p.challenge = SecureString(std::string("r=abc\0,s=x", 10));
  out.push_back(p);

  p = {};
  p.id = 7;
  p.result = AuthResult::Mechanisms;
  p.mechanisms = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
  out.push_back(p);

  p = {};
  p.id = 8;
  p.result = AuthResult::Mechanisms;  // None at all is a valid answer.
  out.push_back(p);

  p = {};
  p.id = 9;
  p.result = AuthResult::Delay;
  p.delay = std::chrono::milliseconds(15000);
  out.push_back(p);

  p = {};
  p.id = 10;
  p.result = AuthResult::Ack;
  out.push_back(p);
  return out;
}

void check_equal(const AuthRequest& a, const AuthRequest& b) {
  CHECK(a.id == b.id);
  CHECK(a.op == b.op);
  CHECK(a.user == b.user);
  CHECK(a.password.view() == b.password.view());
  CHECK(a.remote_ip == b.remote_ip);
  CHECK(a.mech == b.mech);
  CHECK(a.sasl.service == b.sasl.service);
  CHECK(a.sasl.tls_active == b.sasl.tls_active);
  CHECK(a.sasl.plaintext_allowed == b.sasl.plaintext_allowed);
  CHECK(a.sasl.local_ip == b.sasl.local_ip);
  CHECK(a.sasl.remote_ip == b.sasl.remote_ip);
  REQUIRE(a.initial_response.has_value() == b.initial_response.has_value());
  if (a.initial_response) CHECK(a.initial_response->view() == b.initial_response->view());
  CHECK(a.exchange == b.exchange);
  CHECK(a.ticket == b.ticket);
}

void check_equal(const AuthResponse& a, const AuthResponse& b) {
  CHECK(a.id == b.id);
  CHECK(a.result == b.result);
  CHECK(a.user.name == b.user.name);
  CHECK(a.user.uid == b.user.uid);
  CHECK(a.user.gid == b.user.gid);
  CHECK(a.user.home == b.user.home);
  CHECK(a.user.mail_location == b.user.mail_location);
  CHECK(a.user.login_ticket == b.user.login_ticket);
  CHECK(a.authcid == b.authcid);
  CHECK(a.error.kind == b.error.kind);
  CHECK(a.error.code == b.error.code);
  CHECK(a.error.message == b.error.message);
  CHECK(a.exchange == b.exchange);
  CHECK(a.challenge.view() == b.challenge.view());
  CHECK(a.mechanisms == b.mechanisms);
  CHECK(a.delay == b.delay);
}

}  // namespace

TEST_CASE("auth_protocol: every request round-trips") {
  for (const AuthRequest& q : every_request()) {
    CAPTURE(q.id);
    SecureString bytes = encode(q);
    CHECK(bytes.size() <= kMaxAuthMessage);
    auto back = decode_auth_request(bytes.view());
    REQUIRE(back);
    check_equal(*back, q);
  }
}

TEST_CASE("auth_protocol: every response round-trips") {
  for (const AuthResponse& p : every_response()) {
    CAPTURE(p.id);
    auto back = decode_auth_response(encode(p).view());
    REQUIRE(back);
    check_equal(*back, p);
  }
}

TEST_CASE("auth_protocol: fields an op does not carry are not sent") {
  AuthRequest q;
  q.op = AuthOp::Lookup;
  q.user = "bob";
  q.password = SecureString("must not travel");
  q.ticket = "nor this";
  auto back = decode_auth_request(encode(q).view());
  REQUIRE(back);
  CHECK(back->password.empty());
  CHECK(back->ticket.empty());
  CHECK(encode(q).view().find("travel") == std::string_view::npos);
}

TEST_CASE("auth_protocol: every truncation of every message is refused") {
  for (const AuthRequest& q : every_request()) {
    SecureString bytes = encode(q);
    for (std::size_t n = 0; n < bytes.size(); ++n)
      CHECK_FALSE(decode_auth_request(bytes.view().substr(0, n)));
  }
  for (const AuthResponse& p : every_response()) {
    SecureString bytes = encode(p);
    for (std::size_t n = 0; n < bytes.size(); ++n)
      CHECK_FALSE(decode_auth_response(bytes.view().substr(0, n)));
  }
}

TEST_CASE("auth_protocol: trailing bytes, versions, unknown ops and results are refused") {
  std::string req(encode(every_request()[0]).view());
  std::string resp(encode(every_response()[0]).view());
  CHECK_FALSE(decode_auth_request(req + std::string(1, '\0')));
  CHECK_FALSE(decode_auth_response(resp + "z"));
  for (int v : {0, 2, 255}) {
    std::string bad = req;
    bad[0] = static_cast<char>(v);
    auto r = decode_auth_request(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "IPC");
  }
  for (int op : {0, 10, 200}) {
    std::string bad = req;
    bad[1] = static_cast<char>(op);
    CHECK_FALSE(decode_auth_request(bad));
  }
  for (int result : {0, 7, 128}) {
    std::string bad = resp;
    bad[1] = static_cast<char>(result);
    CHECK_FALSE(decode_auth_response(bad));
  }
  // A request is not a response, even where the op number is a valid result number.
  AuthRequest lookup;
  lookup.op = AuthOp::Lookup;
  lookup.user = "x";
  CHECK_FALSE(decode_auth_response(encode(lookup).view()));
}

TEST_CASE("auth_protocol: limits are enforced on decode") {
  AuthRequest q;
  q.op = AuthOp::Lookup;
  q.user.assign(kMaxAuthName, 'u');
  CHECK(decode_auth_request(encode(q).view()));
  q.user.push_back('u');
  CHECK_FALSE(decode_auth_request(encode(q).view()));

  AuthRequest step;
  step.op = AuthOp::SaslStep;
  step.password = SecureString(std::string(kMaxAuthSecret + 1, 'r'));
  CHECK_FALSE(decode_auth_request(encode(step).view()));

  AuthResponse many;
  many.result = AuthResult::Mechanisms;
  many.mechanisms.assign(kMaxAuthMechanisms, "PLAIN");
  CHECK(decode_auth_response(encode(many).view()));
  many.mechanisms.push_back("LOGIN");
  CHECK_FALSE(decode_auth_response(encode(many).view()));
}

TEST_CASE("auth_protocol: an unknown error kind or a bad boolean is refused") {
  std::string bytes(encode(failed_response(1, Error::internal("x"))).view());
  // version, result, u64 id, then the error kind.
  bytes[10] = 9;
  CHECK_FALSE(decode_auth_response(bytes));

  AuthRequest q = every_request()[3];  // SaslStart with an initial response.
  std::string req(encode(q).view());
  // The has-initial-response flag sits right before the last length-prefixed string.
  std::size_t flag_at = req.size() - q.initial_response->size() - 4 - 1;
  REQUIRE(req[flag_at] == 1);
  req[flag_at] = 2;
  CHECK_FALSE(decode_auth_request(req));
}

TEST_CASE("auth_protocol: long error texts are cut on encode, so the peer accepts them") {
  auto p = failed_response(1, Error::temporary("UNAVAILABLE", std::string(100000, 'e')));
  auto back = decode_auth_response(encode(p).view());
  REQUIRE(back);
  CHECK(back->error.message.size() == kMaxAuthText);
}

TEST_CASE("auth_protocol: delays are clamped, never wrapped") {
  AuthResponse p;
  p.result = AuthResult::Delay;
  p.delay = std::chrono::milliseconds(-5);
  auto back = decode_auth_response(encode(p).view());
  REQUIRE(back);
  CHECK(back->delay.count() == 0);
}
