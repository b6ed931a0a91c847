// AuthService: what the auth process does with one request (DESIGN.md, process model), without
// any transport: auth_process.cpp feeds it decoded requests from workers' channels, and unit
// tests call it directly.
//
// It keeps two tables a worker cannot forge:
//  - SASL exchanges in progress, by a random 64-bit id (a worker only ever holds the id); they
//    expire after `exchange_ttl`, and at most `max_exchanges` live at once.
//  - Login tickets: every successful password check or SASL exchange issues a random 128-bit
//    ticket (32 hex digits), kept with the UserRecord for `ticket_ttl` and redeemable once. A
//    mail worker redeems the ticket a login worker handed over, so a compromised login worker
//    cannot make a mail worker open a mailbox without a successful login.
//
// Thread-safe: several serving threads call handle() at once. The tables are guarded by one
// mutex that is never held while a backend runs; a SASL exchange is taken out of its table for
// the duration of a step, so two requests can never drive the same exchange at once.
//
// Blocking: handle() blocks as long as the backends do (PAM, yescrypt, sasldb).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ipc/auth_protocol.h"
#include "server/auth/backends.h"

namespace satchel::server {

struct AuthServiceOptions {
  std::chrono::milliseconds exchange_ttl{std::chrono::minutes(5)};
  std::size_t max_exchanges = 10000;
  std::chrono::milliseconds ticket_ttl{std::chrono::seconds(60)};
  std::size_t max_tickets = 100000;
  // The clock (tests inject one); empty: std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

class AuthService {
 public:
  explicit AuthService(AuthBackends backends, AuthServiceOptions options = {});
  ~AuthService();
  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;

  // Answers one request; the response carries the request's id. Never fails as a call:
  // backend errors become AuthResult::Failed with the backend's Error (and the claimed
  // authentication identity, when known, for the failed-login log line and delay).
  ipc::AuthResponse handle(const ipc::AuthRequest& request);

  // Live entries (for tests and the status log).
  std::size_t exchanges() const;
  std::size_t tickets() const;

 private:
  using Clock = std::chrono::steady_clock;

  struct Exchange {
    std::unique_ptr<auth::SaslExchange> exchange;
    Clock::time_point expires;
  };
  struct Ticket {
    auth::UserRecord user;
    std::string authcid;
    Clock::time_point expires;
  };

  ipc::AuthResponse verify_password(const ipc::AuthRequest& q);
  ipc::AuthResponse sasl_start(const ipc::AuthRequest& q);
  ipc::AuthResponse sasl_step(const ipc::AuthRequest& q);
  ipc::AuthResponse redeem(const ipc::AuthRequest& q);

  // A SaslStep result as a response; a Continue puts `exchange` back under `id`.
  ipc::AuthResponse from_step(std::uint64_t request_id, auth::SaslStep step,
                              std::unique_ptr<auth::SaslExchange> exchange, std::uint64_t id);
  // Issues a ticket for `user` and returns the User response carrying it.
  ipc::AuthResponse success(std::uint64_t request_id, auth::UserRecord user, std::string authcid);

  Clock::time_point now() const;
  // Drops expired entries (at most once a second, or when `force`). mu_ held.
  void sweep_locked(Clock::time_point t, bool force);

  AuthBackends backends_;
  const AuthServiceOptions options_;

  mutable std::mutex mu_;
  std::map<std::uint64_t, Exchange> exchanges_;
  std::map<std::string, Ticket> tickets_;
  Clock::time_point last_sweep_{};
};

}  // namespace satchel::server
