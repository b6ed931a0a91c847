// AuthClient: what workers of the split process model use instead of the backends. It turns
// every Authenticator, SaslMechanisms and LoginPolicy call into one request to the auth process
// (ipc/auth_protocol.h) over the channels the master gave the worker.
//
// Each channel carries one request at a time; a call checks a free channel out (waiting while
// all are busy), so a worker runs as many requests at once as it has channels. Every request
// has an id, and a response with another id (the late answer to a request that timed out) is
// dropped, so a timeout never shifts answers onto the wrong caller.
//
// Errors: a transport failure, a malformed answer or no answer within the timeout is Temporary
// UNAVAILABLE ("auth process unavailable"); a channel that broke (peer gone, garbage) is not
// used again. Input the protocol cannot carry (a user name over ipc::kMaxAuthName ...) is
// refused locally as the auth process would refuse it.
//
// Blocking: every call waits for the auth process (up to the timeout). Call from the thread
// pool, like the backends it stands for. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "auth/api/authenticator.h"
#include "auth/api/login_policy.h"
#include "auth/api/sasl_exchange.h"
#include "base/result.h"
#include "ipc/auth_protocol.h"
#include "server/auth/unix_channel.h"

namespace satchel::server {

struct AuthClientOptions {
  // How long one request may wait for its answer.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // The failed-login delay to use when the auth process cannot be asked.
  std::chrono::milliseconds fallback_delay{std::chrono::seconds(2)};
};

class AuthClient : public auth::Authenticator,
                   public auth::SaslMechanisms,
                   public auth::LoginPolicy {
 public:
  // Takes ownership of `fds` (connected SOCK_SEQPACKET channels to the auth process; made
  // non-blocking here). With no fds every call is UNAVAILABLE.
  explicit AuthClient(std::vector<int> fds, AuthClientOptions options = {});
  ~AuthClient() override;
  AuthClient(const AuthClient&) = delete;
  AuthClient& operator=(const AuthClient&) = delete;

  // Authenticator. verify_password's record carries the auth process's login ticket in
  // UserRecord::login_ticket; lookup's carries none.
  Result<auth::UserRecord> verify_password(std::string_view user,
                                           const SecureString& password) override;
  Result<auth::UserRecord> lookup(std::string_view user) override;

  // SaslMechanisms. mechanisms() caches each answer per (service, tls_active,
  // plaintext_allowed), which is all it depends on; it answers an empty list (nothing to offer)
  // when the auth process cannot be asked, and does not cache that. new_exchange never fails:
  // the exchange is made in the auth process on start(). An unfinished exchange that is
  // destroyed sends SaslAbort when a channel is free at once (best effort; the auth process
  // expires abandoned exchanges anyway). Exchanges must not outlive the AuthClient.
  std::vector<std::string> mechanisms(const auth::SaslContext& ctx) const override;
  Result<std::unique_ptr<auth::SaslExchange>> new_exchange(const auth::SaslContext& ctx) override;

  // Asks for the mechanism list of every (service, tls_active, plaintext_allowed) once, before
  // the worker's loop runs: the IMAP greeting lists them and is written on the loop, which
  // must never wait for the auth process. Blocks (up to the timeout per question).
  void prefetch_mechanisms() const;

  // LoginPolicy. failed() answers options.fallback_delay when the auth process cannot be asked.
  std::chrono::milliseconds failed(std::string_view user, std::string_view remote_ip) override;
  void succeeded(std::string_view user, std::string_view remote_ip) override;

  // A mail worker's check of a login ticket handed over with a connection: the record of that
  // login, once. Errors: Permanent AUTHENTICATIONFAILED for an unknown, used or expired ticket;
  // Temporary UNAVAILABLE as above.
  Result<auth::UserRecord> redeem(std::string_view ticket);

  // One request and its response (the id is set here). Used by the remote SaslExchange.
  Result<ipc::AuthResponse> call(ipc::AuthRequest request) const;
  // Sends a request without waiting for its answer, if a channel is free right now.
  void send_only(ipc::AuthRequest request) const;

 private:
  struct Slot {
    UniqueFd fd;
    bool busy = false;
    bool broken = false;
  };

  // Waits for a free channel; nullptr when every channel is broken.
  Slot* checkout(bool wait) const;
  void checkin(Slot* slot, bool broken) const;
  Result<ipc::AuthResponse> exchange_on(Slot& slot, const ipc::AuthRequest& request,
                                        bool& broken) const;
  Result<auth::UserRecord> user_call(ipc::AuthRequest request) const;

  const AuthClientOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable free_cv_;
  mutable std::vector<Slot> slots_;
  mutable std::uint64_t next_id_ = 0;
  using MechKey = std::tuple<std::string, bool, bool>;
  mutable std::map<MechKey, std::vector<std::string>> mech_cache_;
};

}  // namespace satchel::server
