#include "server/auth/auth_service.h"

#include <utility>
#include <variant>

#include "base/crypto.h"
#include "base/log.h"

namespace satchel::server {

namespace {

using ipc::AuthOp;
using ipc::AuthResponse;
using ipc::AuthResult;

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::uint64_t random_u64() {
  std::string b = crypto::random_bytes(8);
  std::uint64_t v = 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return v;
}

AuthResponse simple(std::uint64_t id, AuthResult result) {
  AuthResponse p;
  p.id = id;
  p.result = result;
  return p;
}

// Backends that cannot answer are worth a log line here: the worker only sees UNAVAILABLE.
void log_trouble(std::string_view what, const Error& e) {
  if (e.kind == ErrorKind::Temporary || e.kind == ErrorKind::Internal)
    log::warning(std::string(what) + ": " + e.message);
}

}  // namespace

AuthService::AuthService(AuthBackends backends, AuthServiceOptions options)
    : backends_(std::move(backends)), options_(std::move(options)) {
  SATCHEL_ASSERT(backends_.authenticator && backends_.sasl && backends_.policy);
}

AuthService::~AuthService() = default;

AuthService::Clock::time_point AuthService::now() const {
  return options_.now ? options_.now() : Clock::now();
}

std::size_t AuthService::exchanges() const {
  std::lock_guard lock(mu_);
  return exchanges_.size();
}

std::size_t AuthService::tickets() const {
  std::lock_guard lock(mu_);
  return tickets_.size();
}

AuthResponse AuthService::handle(const ipc::AuthRequest& q) {
  switch (q.op) {
    case AuthOp::VerifyPassword:
      return verify_password(q);
    case AuthOp::Lookup: {
      auto r = backends_.authenticator->lookup(q.user);
      if (!r.ok()) {
        log_trouble("lookup", r.error());
        return ipc::failed_response(q.id, r.error(), q.user);
      }
      AuthResponse p = simple(q.id, AuthResult::User);
      p.user = std::move(r.value());
      p.user.login_ticket.clear();  // A lookup proves nothing: never a ticket.
      p.authcid = q.user;
      return p;
    }
    case AuthOp::Mechanisms: {
      AuthResponse p = simple(q.id, AuthResult::Mechanisms);
      p.mechanisms = backends_.sasl->mechanisms(q.sasl);
      return p;
    }
    case AuthOp::SaslStart:
      return sasl_start(q);
    case AuthOp::SaslStep:
      return sasl_step(q);
    case AuthOp::SaslAbort: {
      std::unique_ptr<auth::SaslExchange> dead;  // Destroyed outside the lock.
      {
        std::lock_guard lock(mu_);
        auto it = exchanges_.find(q.exchange);
        if (it != exchanges_.end()) {
          dead = std::move(it->second.exchange);
          exchanges_.erase(it);
        }
      }
      return simple(q.id, AuthResult::Ack);
    }
    case AuthOp::LoginFailed: {
      AuthResponse p = simple(q.id, AuthResult::Delay);
      p.delay = backends_.policy->failed(q.user, q.remote_ip);
      return p;
    }
    case AuthOp::LoginSucceeded:
      backends_.policy->succeeded(q.user, q.remote_ip);
      return simple(q.id, AuthResult::Ack);
    case AuthOp::Redeem:
      return redeem(q);
  }
  return ipc::failed_response(q.id, Error::internal("unknown auth op"));
}

AuthResponse AuthService::verify_password(const ipc::AuthRequest& q) {
  auto r = backends_.authenticator->verify_password(q.user, q.password);
  if (!r.ok()) {
    log_trouble("verify_password", r.error());
    return ipc::failed_response(q.id, r.error(), q.user);
  }
  return success(q.id, std::move(r.value()), q.user);
}

AuthResponse AuthService::sasl_start(const ipc::AuthRequest& q) {
  auto made = backends_.sasl->new_exchange(q.sasl);
  if (!made.ok()) {
    log_trouble("sasl", made.error());
    return ipc::failed_response(q.id, made.error());
  }
  std::unique_ptr<auth::SaslExchange> exchange = std::move(made.value());
  auth::SaslStep step = exchange->start(q.mech, q.initial_response);
  return from_step(q.id, std::move(step), std::move(exchange), 0);
}

AuthResponse AuthService::sasl_step(const ipc::AuthRequest& q) {
  std::unique_ptr<auth::SaslExchange> exchange;
  {
    std::lock_guard lock(mu_);
    auto it = exchanges_.find(q.exchange);
    if (it != exchanges_.end()) {
      if (it->second.expires > now()) exchange = std::move(it->second.exchange);
      exchanges_.erase(it);
    }
  }
  if (!exchange)
    return ipc::failed_response(
        q.id, Error::permanent("AUTHENTICATIONFAILED", "unknown or expired SASL exchange"));
  auth::SaslStep step = exchange->step(q.password);
  return from_step(q.id, std::move(step), std::move(exchange), q.exchange);
}

AuthResponse AuthService::from_step(std::uint64_t request_id, auth::SaslStep step,
                                    std::unique_ptr<auth::SaslExchange> exchange,
                                    std::uint64_t id) {
  if (auto* done = std::get_if<auth::SaslDone>(&step))
    return success(request_id, std::move(done->user), std::move(done->authcid));
  if (auto* failed = std::get_if<auth::SaslFailed>(&step)) {
    log_trouble("sasl", failed->error);
    return ipc::failed_response(request_id, std::move(failed->error), std::move(failed->authcid));
  }
  auto& cont = std::get<auth::SaslContinue>(step);
  std::unique_ptr<auth::SaslExchange> refused;  // Destroyed outside the lock.
  {
    std::lock_guard lock(mu_);
    auto t = now();
    sweep_locked(t, false);
    if (id == 0) {
      if (exchanges_.size() >= options_.max_exchanges) sweep_locked(t, true);
      if (exchanges_.size() >= options_.max_exchanges) {
        refused = std::move(exchange);
      } else {
        do id = random_u64();
        while (id == 0 || exchanges_.count(id) != 0);
      }
    }
    if (!refused) exchanges_[id] = Exchange{std::move(exchange), t + options_.exchange_ttl};
  }
  if (refused) {
    log::warning("sasl: too many exchanges in progress");
    return ipc::failed_response(request_id,
                                Error::temporary("UNAVAILABLE", "too many SASL exchanges"));
  }
  AuthResponse p = simple(request_id, AuthResult::Continue);
  p.exchange = id;
  p.challenge = std::move(cont.challenge);
  return p;
}

AuthResponse AuthService::success(std::uint64_t request_id, auth::UserRecord user,
                                  std::string authcid) {
  std::string ticket = to_hex(crypto::random_bytes(16));
  user.login_ticket = ticket;
  {
    std::lock_guard lock(mu_);
    auto t = now();
    sweep_locked(t, false);
    if (tickets_.size() >= options_.max_tickets) sweep_locked(t, true);
    // Still full of live tickets: forget the one closest to expiry rather than refuse a login
    // that succeeded.
    if (tickets_.size() >= options_.max_tickets) {
      auto oldest = tickets_.begin();
      for (auto it = tickets_.begin(); it != tickets_.end(); ++it)
        if (it->second.expires < oldest->second.expires) oldest = it;
      tickets_.erase(oldest);
    }
    tickets_[ticket] = Ticket{user, authcid, t + options_.ticket_ttl};
  }
  AuthResponse p = simple(request_id, AuthResult::User);
  p.user = std::move(user);
  p.authcid = std::move(authcid);
  return p;
}

AuthResponse AuthService::redeem(const ipc::AuthRequest& q) {
  std::lock_guard lock(mu_);
  auto it = tickets_.find(q.ticket);
  if (it == tickets_.end() || it->second.expires <= now()) {
    if (it != tickets_.end()) tickets_.erase(it);
    return ipc::failed_response(
        q.id, Error::permanent("AUTHENTICATIONFAILED", "unknown or expired login ticket"));
  }
  AuthResponse p = simple(q.id, AuthResult::User);
  p.user = std::move(it->second.user);
  p.authcid = std::move(it->second.authcid);
  tickets_.erase(it);  // Single use.
  return p;
}

void AuthService::sweep_locked(Clock::time_point t, bool force) {
  if (!force && t - last_sweep_ < std::chrono::seconds(1)) return;
  last_sweep_ = t;
  for (auto it = exchanges_.begin(); it != exchanges_.end();)
    it = it->second.expires <= t ? exchanges_.erase(it) : std::next(it);
  for (auto it = tickets_.begin(); it != tickets_.end();)
    it = it->second.expires <= t ? tickets_.erase(it) : std::next(it);
}

}  // namespace satchel::server
