#include "ipc/auth_protocol.h"

#include <algorithm>

#include "ipc/wire.h"

namespace satchel::ipc {

namespace {

bool valid_op(std::uint8_t v) {
  return v >= static_cast<std::uint8_t>(AuthOp::VerifyPassword) &&
         v <= static_cast<std::uint8_t>(AuthOp::Redeem);
}

bool valid_result(std::uint8_t v) {
  return v >= static_cast<std::uint8_t>(AuthResult::User) &&
         v <= static_cast<std::uint8_t>(AuthResult::Ack);
}

void put_context(Writer& w, const auth::SaslContext& c) {
  w.bytes(c.service);
  w.boolean(c.tls_active);
  w.boolean(c.plaintext_allowed);
  w.bytes(c.local_ip);
  w.bytes(c.remote_ip);
}

void get_context(Reader& r, auth::SaslContext& c) {
  r.bytes(c.service, kMaxAuthName);
  r.boolean(c.tls_active);
  r.boolean(c.plaintext_allowed);
  r.bytes(c.local_ip, kMaxAuthName);
  r.bytes(c.remote_ip, kMaxAuthName);
}

void put_user(Writer& w, const auth::UserRecord& u) {
  w.bytes(u.name);
  w.u32(static_cast<std::uint32_t>(u.uid));
  w.u32(static_cast<std::uint32_t>(u.gid));
  w.bytes(u.home);
  w.bytes(u.mail_location);
  w.bytes(u.login_ticket);
}

void get_user(Reader& r, auth::UserRecord& u) {
  std::uint32_t uid = 0, gid = 0;
  r.bytes(u.name, kMaxAuthName);
  r.u32(uid);
  r.u32(gid);
  r.bytes(u.home, kMaxAuthPath);
  r.bytes(u.mail_location, kMaxAuthPath);
  r.bytes(u.login_ticket, kMaxAuthName);
  u.uid = static_cast<uid_t>(uid);
  u.gid = static_cast<gid_t>(gid);
}

std::string_view clamp(std::string_view s, std::size_t max) {
  return s.substr(0, std::min(s.size(), max));
}

void put_error(Writer& w, const Error& e) {
  w.u8(static_cast<std::uint8_t>(e.kind));
  w.bytes(clamp(e.code, kMaxAuthName));
  w.bytes(clamp(e.message, kMaxAuthText));
}

void get_error(Reader& r, Error& e) {
  std::uint8_t kind = 0;
  if (r.u8(kind) && kind > static_cast<std::uint8_t>(ErrorKind::Internal))
    r.fail("unknown error kind");
  e.kind = static_cast<ErrorKind>(kind);
  r.bytes(e.code, kMaxAuthName);
  r.bytes(e.message, kMaxAuthText);
}

}  // namespace

SecureString encode(const AuthRequest& q) {
  Writer w;
  w.u8(kAuthProtocolVersion);
  w.u8(static_cast<std::uint8_t>(q.op));
  w.u64(q.id);
  switch (q.op) {
    case AuthOp::VerifyPassword:
      w.bytes(q.user);
      w.bytes(q.password.view());
      w.bytes(q.remote_ip);
      w.bytes(q.mech);
      break;
    case AuthOp::Lookup:
      w.bytes(q.user);
      break;
    case AuthOp::Mechanisms:
      put_context(w, q.sasl);
      break;
    case AuthOp::SaslStart:
      put_context(w, q.sasl);
      w.bytes(q.mech);
      w.boolean(q.initial_response.has_value());
      if (q.initial_response) w.bytes(q.initial_response->view());
      break;
    case AuthOp::SaslStep:
      w.u64(q.exchange);
      w.bytes(q.password.view());
      break;
    case AuthOp::SaslAbort:
      w.u64(q.exchange);
      break;
    case AuthOp::LoginFailed:
    case AuthOp::LoginSucceeded:
      w.bytes(q.user);
      w.bytes(q.remote_ip);
      break;
    case AuthOp::Redeem:
      w.bytes(q.ticket);
      break;
  }
  return w.take_secure();
}

Result<AuthRequest> decode_auth_request(std::string_view bytes) {
  Reader r(bytes);
  AuthRequest q;
  std::uint8_t version = 0, op = 0;
  if (r.u8(version) && version != kAuthProtocolVersion) r.fail("unsupported version");
  if (r.u8(op) && !valid_op(op)) r.fail("unknown op");
  r.u64(q.id);
  if (r.ok()) {
    q.op = static_cast<AuthOp>(op);
    switch (q.op) {
      case AuthOp::VerifyPassword:
        r.bytes(q.user, kMaxAuthName);
        r.secure(q.password, kMaxAuthSecret);
        r.bytes(q.remote_ip, kMaxAuthName);
        r.bytes(q.mech, kMaxAuthName);
        break;
      case AuthOp::Lookup:
        r.bytes(q.user, kMaxAuthName);
        break;
      case AuthOp::Mechanisms:
        get_context(r, q.sasl);
        break;
      case AuthOp::SaslStart: {
        get_context(r, q.sasl);
        r.bytes(q.mech, kMaxAuthName);
        bool has_ir = false;
        if (r.boolean(has_ir) && has_ir) {
          SecureString ir;
          if (r.secure(ir, kMaxAuthSecret)) q.initial_response = std::move(ir);
        }
        break;
      }
      case AuthOp::SaslStep:
        r.u64(q.exchange);
        r.secure(q.password, kMaxAuthSecret);
        break;
      case AuthOp::SaslAbort:
        r.u64(q.exchange);
        break;
      case AuthOp::LoginFailed:
      case AuthOp::LoginSucceeded:
        r.bytes(q.user, kMaxAuthName);
        r.bytes(q.remote_ip, kMaxAuthName);
        break;
      case AuthOp::Redeem:
        r.bytes(q.ticket, kMaxAuthName);
        break;
    }
  }
  if (Status s = r.end("auth request"); !s) return s.error();
  return q;
}

SecureString encode(const AuthResponse& p) {
  Writer w;
  w.u8(kAuthProtocolVersion);
  w.u8(static_cast<std::uint8_t>(p.result));
  w.u64(p.id);
  switch (p.result) {
    case AuthResult::User:
      put_user(w, p.user);
      w.bytes(p.authcid);
      break;
    case AuthResult::Failed:
      put_error(w, p.error);
      w.bytes(p.authcid);
      break;
    case AuthResult::Continue:
      w.u64(p.exchange);
      w.bytes(p.challenge.view());
      break;
    case AuthResult::Mechanisms:
      w.u32(static_cast<std::uint32_t>(p.mechanisms.size()));
      for (const auto& m : p.mechanisms) w.bytes(m);
      break;
    case AuthResult::Delay: {
      // Delays are seconds at most; a negative or absurd one is clamped, not wrapped.
      auto ms = std::clamp<std::int64_t>(p.delay.count(), 0, 0xffffffff);
      w.u32(static_cast<std::uint32_t>(ms));
      break;
    }
    case AuthResult::Ack:
      break;
  }
  return w.take_secure();
}

Result<AuthResponse> decode_auth_response(std::string_view bytes) {
  Reader r(bytes);
  AuthResponse p;
  std::uint8_t version = 0, result = 0;
  if (r.u8(version) && version != kAuthProtocolVersion) r.fail("unsupported version");
  if (r.u8(result) && !valid_result(result)) r.fail("unknown result");
  r.u64(p.id);
  if (r.ok()) {
    p.result = static_cast<AuthResult>(result);
    switch (p.result) {
      case AuthResult::User:
        get_user(r, p.user);
        r.bytes(p.authcid, kMaxAuthName);
        break;
      case AuthResult::Failed:
        get_error(r, p.error);
        r.bytes(p.authcid, kMaxAuthName);
        break;
      case AuthResult::Continue:
        r.u64(p.exchange);
        r.secure(p.challenge, kMaxAuthSecret);
        break;
      case AuthResult::Mechanisms: {
        std::uint32_t n = 0;
        if (r.u32(n) && n > kMaxAuthMechanisms) r.fail("too many mechanisms");
        for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
          std::string m;
          if (r.bytes(m, kMaxAuthName)) p.mechanisms.push_back(std::move(m));
        }
        break;
      }
      case AuthResult::Delay: {
        std::uint32_t ms = 0;
        r.u32(ms);
        p.delay = std::chrono::milliseconds(ms);
        break;
      }
      case AuthResult::Ack:
        break;
    }
  }
  if (Status s = r.end("auth response"); !s) return s.error();
  return p;
}

AuthResponse failed_response(std::uint64_t id, Error error, std::string authcid) {
  AuthResponse p;
  p.id = id;
  p.result = AuthResult::Failed;
  p.error = std::move(error);
  p.authcid = std::move(authcid);
  return p;
}

}  // namespace satchel::ipc
