#include "server/auth/auth_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "base/log.h"
#include "ipc/wire.h"

namespace satchel::server {

namespace {

using ipc::AuthOp;
using ipc::AuthRequest;
using ipc::AuthResponse;
using ipc::AuthResult;
using Clock = std::chrono::steady_clock;

Error unavailable() {
  return Error::temporary("UNAVAILABLE", "auth process unavailable");
}

Error unexpected(const AuthResponse& p) {
  return Error::internal("unexpected auth process answer " +
                         std::to_string(static_cast<int>(p.result)));
}

// Whether the protocol can carry the request (ipc/auth_protocol.h limits). Everything here comes
// from a client; what does not fit could never be a valid credential.
bool fits(const AuthRequest& q) {
  auto name = [](const std::string& s) { return s.size() <= ipc::kMaxAuthName; };
  bool ok = name(q.user) && name(q.remote_ip) && name(q.mech) && name(q.ticket) &&
            name(q.sasl.service) && name(q.sasl.local_ip) && name(q.sasl.remote_ip) &&
            q.password.size() <= ipc::kMaxAuthSecret;
  if (q.initial_response) ok = ok && q.initial_response->size() <= ipc::kMaxAuthSecret;
  return ok;
}

// The SASL exchange of one AUTHENTICATE / AUTH command, run in the auth process.
class RemoteExchange : public auth::SaslExchange {
 public:
  RemoteExchange(const AuthClient& client, auth::SaslContext ctx)
      : client_(client), ctx_(std::move(ctx)) {}

  ~RemoteExchange() override {
    if (state_ != State::Continuing) return;
    AuthRequest q;
    q.op = AuthOp::SaslAbort;
    q.exchange = exchange_;
    client_.send_only(std::move(q));
  }

  auth::SaslStep start(std::string_view mechanism,
                       const std::optional<SecureString>& initial_response) override {
    if (state_ != State::Fresh) return fail(Error::internal("SASL exchange started twice"));
    AuthRequest q;
    q.op = AuthOp::SaslStart;
    q.sasl = ctx_;
    q.mech = std::string(mechanism);
    q.initial_response = initial_response;
    if (!fits(q)) {
      // A mechanism name no server offers, or a response no mechanism needs.
      return fail(q.mech.size() > ipc::kMaxAuthName
                      ? Error::permanent("", "mechanism not offered")
                      : Error::permanent("AUTHENTICATIONFAILED", "response too long"));
    }
    return outcome(client_.call(std::move(q)));
  }

  auth::SaslStep step(const SecureString& response) override {
    if (state_ != State::Continuing) return fail(Error::internal("SASL step without a challenge"));
    AuthRequest q;
    q.op = AuthOp::SaslStep;
    q.exchange = exchange_;
    q.password = response;
    if (!fits(q)) {
      // The auth process still holds the exchange: tell it to drop it.
      AuthRequest abort;
      abort.op = AuthOp::SaslAbort;
      abort.exchange = exchange_;
      client_.send_only(std::move(abort));
      return fail(Error::permanent("AUTHENTICATIONFAILED", "response too long"));
    }
    return outcome(client_.call(std::move(q)));
  }

 private:
  enum class State { Fresh, Continuing, Finished };

  auth::SaslStep fail(Error e, std::string authcid = {}) {
    state_ = State::Finished;
    return auth::SaslFailed{std::move(e), std::move(authcid)};
  }

  auth::SaslStep outcome(Result<AuthResponse> r) {
    if (!r.ok()) {
      // The auth process may still hold the exchange; it expires there.
      return fail(r.error());
    }
    AuthResponse& p = r.value();
    switch (p.result) {
      case AuthResult::Continue:
        state_ = State::Continuing;
        exchange_ = p.exchange;
        return auth::SaslContinue{std::move(p.challenge)};
      case AuthResult::User:
        state_ = State::Finished;
        return auth::SaslDone{std::move(p.user), std::move(p.authcid)};
      case AuthResult::Failed:
        return fail(std::move(p.error), std::move(p.authcid));
      default:
        return fail(unexpected(p));
    }
  }

  const AuthClient& client_;
  const auth::SaslContext ctx_;
  State state_ = State::Fresh;
  std::uint64_t exchange_ = 0;
};

}  // namespace

AuthClient::AuthClient(std::vector<int> fds, AuthClientOptions options) : options_(options) {
  slots_.reserve(fds.size());
  for (int fd : fds) {
    // Non-blocking: a stuck auth process must never hold a worker thread in send().
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    slots_.push_back(Slot{UniqueFd(fd)});
  }
}

AuthClient::~AuthClient() = default;

AuthClient::Slot* AuthClient::checkout(bool wait) const {
  std::unique_lock lock(mu_);
  for (;;) {
    bool any_usable = false;
    for (auto& s : slots_) {
      if (s.broken) continue;
      any_usable = true;
      if (!s.busy) {
        s.busy = true;
        return &s;
      }
    }
    if (!any_usable || !wait) return nullptr;
    free_cv_.wait(lock);
  }
}

void AuthClient::checkin(Slot* slot, bool broken) const {
  {
    std::lock_guard lock(mu_);
    slot->busy = false;
    if (broken && !slot->broken) {
      slot->broken = true;
      // Wakes the peer's serving thread at once; the descriptor is closed with the client.
      ::shutdown(slot->fd.get(), SHUT_RDWR);
      log::error("auth process channel broken; " +
                 std::to_string(std::count_if(slots_.begin(), slots_.end(),
                                              [](const Slot& s) { return !s.broken; })) +
                 " left");
    }
  }
  // Every waiter: with a broken channel, those waiting may have to give up.
  free_cv_.notify_all();
}

Result<AuthResponse> AuthClient::exchange_on(Slot& slot, const AuthRequest& q, bool& broken) const {
  int fd = slot.fd.get();
  {
    SecureString bytes = ipc::encode(q);
    auto sent = send_message(fd, bytes.view());
    if (!sent) {
      broken = sent.error().code != "AGAIN";
      log::warning("auth process: " + sent.error().message);
      return unavailable();
    }
  }
  auto deadline = Clock::now() + options_.timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      // The channel stays usable: the late answer will carry this id and be dropped.
      log::warning("auth process: no answer within " + std::to_string(options_.timeout.count()) +
                   " ms");
      return unavailable();
    }
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (n < 0 && errno != EINTR) {
      broken = true;
      return unavailable();
    }
    if (n <= 0) continue;
    auto got = receive_message(fd, ipc::kMaxAuthMessage, 0);
    if (!got) {
      if (got.error().code == "AGAIN") continue;
      broken = true;
      log::error("auth process: " + got.error().message);
      return unavailable();
    }
    if (got->eof) {
      broken = true;
      return unavailable();
    }
    auto response = ipc::decode_auth_response(got->bytes);
    ipc::wipe(got->bytes);
    if (!response) {
      broken = true;  // CONVENTIONS.md rule 8: a peer that sends garbage is not trusted again.
      log::error("auth process: " + response.error().message);
      return unavailable();
    }
    if (response->id != q.id) continue;  // The late answer to an earlier request.
    return response;
  }
}

Result<AuthResponse> AuthClient::call(AuthRequest q) const {
  Slot* slot = checkout(/*wait=*/true);
  if (slot == nullptr) return unavailable();
  {
    std::lock_guard lock(mu_);
    q.id = ++next_id_;
  }
  bool broken = false;
  auto r = exchange_on(*slot, q, broken);
  checkin(slot, broken);
  return r;
}

void AuthClient::send_only(AuthRequest q) const {
  Slot* slot = checkout(/*wait=*/false);
  if (slot == nullptr) return;
  {
    std::lock_guard lock(mu_);
    q.id = ++next_id_;
  }
  // The answer is left on the channel; the next call on it drops it by its id.
  auto sent = send_message(slot->fd.get(), ipc::encode(q).view());
  checkin(slot, !sent && sent.error().code != "AGAIN");
}

Result<auth::UserRecord> AuthClient::user_call(AuthRequest q) const {
  auto r = call(std::move(q));
  if (!r.ok()) return r.error();
  if (r->result == AuthResult::User) return std::move(r->user);
  if (r->result == AuthResult::Failed) return std::move(r->error);
  return unexpected(*r);
}

Result<auth::UserRecord> AuthClient::verify_password(std::string_view user,
                                                     const SecureString& password) {
  AuthRequest q;
  q.op = AuthOp::VerifyPassword;
  q.user = std::string(user);
  q.password = password;
  if (!fits(q)) return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");
  return user_call(std::move(q));
}

Result<auth::UserRecord> AuthClient::lookup(std::string_view user) {
  AuthRequest q;
  q.op = AuthOp::Lookup;
  q.user = std::string(user);
  if (!fits(q)) return Error::permanent("NONEXISTENT", "no such user");
  return user_call(std::move(q));
}

Result<auth::UserRecord> AuthClient::redeem(std::string_view ticket) {
  AuthRequest q;
  q.op = AuthOp::Redeem;
  q.ticket = std::string(ticket);
  if (!fits(q)) return Error::permanent("AUTHENTICATIONFAILED", "unknown login ticket");
  return user_call(std::move(q));
}

std::vector<std::string> AuthClient::mechanisms(const auth::SaslContext& ctx) const {
  MechKey key{ctx.service, ctx.tls_active, ctx.plaintext_allowed};
  {
    std::lock_guard lock(mu_);
    auto it = mech_cache_.find(key);
    if (it != mech_cache_.end()) return it->second;
  }
  AuthRequest q;
  q.op = AuthOp::Mechanisms;
  q.sasl = ctx;
  if (!fits(q)) return {};
  auto r = call(std::move(q));
  if (!r.ok() || r->result != AuthResult::Mechanisms) return {};
  std::lock_guard lock(mu_);
  mech_cache_[key] = r->mechanisms;
  return r->mechanisms;
}

void AuthClient::prefetch_mechanisms() const {
  for (const char* service : {"imap", "pop"})
    for (bool tls : {false, true})
      for (bool plaintext : {false, true}) {
        auth::SaslContext ctx;
        ctx.service = service;
        ctx.tls_active = tls;
        ctx.plaintext_allowed = plaintext;
        mechanisms(ctx);
      }
}

Result<std::unique_ptr<auth::SaslExchange>> AuthClient::new_exchange(const auth::SaslContext& ctx) {
  return std::unique_ptr<auth::SaslExchange>(new RemoteExchange(*this, ctx));
}

std::chrono::milliseconds AuthClient::failed(std::string_view user, std::string_view remote_ip) {
  AuthRequest q;
  q.op = AuthOp::LoginFailed;
  // The policy keys on the name; a longer one than the protocol carries is cut, not dropped.
  q.user = std::string(user.substr(0, ipc::kMaxAuthName));
  q.remote_ip = std::string(remote_ip.substr(0, ipc::kMaxAuthName));
  auto r = call(std::move(q));
  if (!r.ok() || r->result != AuthResult::Delay) return options_.fallback_delay;
  return r->delay;
}

void AuthClient::succeeded(std::string_view user, std::string_view remote_ip) {
  AuthRequest q;
  q.op = AuthOp::LoginSucceeded;
  q.user = std::string(user.substr(0, ipc::kMaxAuthName));
  q.remote_ip = std::string(remote_ip.substr(0, ipc::kMaxAuthName));
  (void)call(std::move(q));
}

}  // namespace satchel::server
