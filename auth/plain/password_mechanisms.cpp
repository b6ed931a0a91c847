#include "auth/plain/password_mechanisms.h"

#include <algorithm>
#include <utility>

#include "base/ascii.h"

namespace satchel::auth {
namespace {

struct PlainMessage {
  std::string authzid;  // Empty when the client sent none.
  std::string authcid;
  SecureString password;
};

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd; authcid and passwd are
// required (1*SAFE), so an empty one is malformed.
std::optional<PlainMessage> parse_plain(std::string_view message) {
  std::size_t first = message.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = message.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (message.find('\0', second + 1) != std::string_view::npos) return std::nullopt;
  PlainMessage m;
  m.authzid = std::string(message.substr(0, first));
  m.authcid = std::string(message.substr(first + 1, second - first - 1));
  m.password = SecureString(message.substr(second + 1));
  if (m.authcid.empty() || m.password.empty()) return std::nullopt;
  return m;
}

bool offered(const SaslContext& ctx) {
  return ctx.tls_active || ctx.plaintext_allowed;
}

SaslFailed failed(std::string code, std::string message, std::string authcid) {
  return SaslFailed{Error::permanent(std::move(code), std::move(message)), std::move(authcid)};
}

// What a failed verify_password / lookup becomes: Temporary -> UNAVAILABLE, anything else
// -> AUTHENTICATIONFAILED (the same answer for a wrong user and a wrong password).
SaslFailed backend_failure(const Error& e, std::string authcid) {
  if (e.kind == ErrorKind::Temporary)
    return SaslFailed{Error::temporary("UNAVAILABLE", e.message), std::move(authcid)};
  return failed("AUTHENTICATIONFAILED", e.message, std::move(authcid));
}

class PasswordExchange : public SaslExchange {
 public:
  PasswordExchange(std::shared_ptr<Authenticator> authenticator,
                   std::shared_ptr<const std::vector<std::string>> admins, SaslContext ctx)
      : authenticator_(std::move(authenticator)),
        admins_(std::move(admins)),
        ctx_(std::move(ctx)) {}

  SaslStep start(std::string_view mechanism,
                 const std::optional<SecureString>& initial_response) override {
    if (state_ != State::Idle) return internal("start() called twice");
    if (!offered(ctx_) ||
        !(ascii::iequals(mechanism, "PLAIN") || ascii::iequals(mechanism, "LOGIN"))) {
      state_ = State::Finished;
      return SaslFailed{Error::permanent("", "mechanism not offered"), ""};
    }
    if (ascii::iequals(mechanism, "PLAIN")) {
      // RFC 4616 §2: without an initial response the server sends an empty challenge.
      if (!initial_response) {
        state_ = State::PlainWaiting;
        return SaslContinue{};
      }
      return plain(*initial_response);
    }
    // LOGIN: an initial response, when sent, is the user name.
    if (initial_response) {
      username_ = std::string(initial_response->view());
      state_ = State::LoginPassword;
      return SaslContinue{SecureString("Password:")};
    }
    state_ = State::LoginUser;
    return SaslContinue{SecureString("Username:")};
  }

  SaslStep step(const SecureString& response) override {
    switch (state_) {
      case State::PlainWaiting:
        return plain(response);
      case State::LoginUser:
        username_ = std::string(response.view());
        state_ = State::LoginPassword;
        return SaslContinue{SecureString("Password:")};
      case State::LoginPassword:
        state_ = State::Finished;
        if (username_.empty() || response.empty())
          return failed("AUTHENTICATIONFAILED", "empty user name or password", username_);
        return verify(username_, response, "");
      case State::Idle:
      case State::Finished:
        break;
    }
    return internal("step() without a pending challenge");
  }

 private:
  enum class State { Idle, PlainWaiting, LoginUser, LoginPassword, Finished };

  SaslStep internal(std::string message) {
    state_ = State::Finished;
    return SaslFailed{Error::internal(std::move(message)), ""};
  }

  SaslStep plain(const SecureString& message) {
    state_ = State::Finished;
    auto m = parse_plain(message.view());
    if (!m) return failed("AUTHENTICATIONFAILED", "malformed PLAIN message", "");
    return verify(m->authcid, m->password, m->authzid);
  }

  SaslStep verify(const std::string& authcid, const SecureString& password,
                  const std::string& authzid) {
    bool other_user = !authzid.empty() && authzid != authcid;
    // Refuse an authzid before checking the password, so a non-admin learns nothing more.
    if (other_user && std::find(admins_->begin(), admins_->end(), authcid) == admins_->end())
      return failed("AUTHORIZATIONFAILED", "not allowed to log in as " + authzid, authcid);
    auto verified = authenticator_->verify_password(authcid, password);
    if (!verified) return backend_failure(verified.error(), authcid);
    if (!other_user) return SaslDone{std::move(verified).value(), authcid};
    auto target = authenticator_->lookup(authzid);
    if (!target) {
      if (target.error().kind == ErrorKind::Temporary)
        return SaslFailed{Error::temporary("UNAVAILABLE", target.error().message), authcid};
      return failed("AUTHORIZATIONFAILED", "no such user " + authzid, authcid);
    }
    return SaslDone{std::move(target).value(), authcid};
  }

  std::shared_ptr<Authenticator> authenticator_;
  std::shared_ptr<const std::vector<std::string>> admins_;
  SaslContext ctx_;
  State state_ = State::Idle;
  std::string username_;
};

class PasswordMechanisms : public SaslMechanisms {
 public:
  PasswordMechanisms(std::shared_ptr<Authenticator> authenticator, std::vector<std::string> admins)
      : authenticator_(std::move(authenticator)),
        admins_(std::make_shared<const std::vector<std::string>>(std::move(admins))) {}

  std::vector<std::string> mechanisms(const SaslContext& ctx) const override {
    if (!offered(ctx)) return {};
    return {"PLAIN", "LOGIN"};
  }

  Result<std::unique_ptr<SaslExchange>> new_exchange(const SaslContext& ctx) override {
    return std::unique_ptr<SaslExchange>(
        std::make_unique<PasswordExchange>(authenticator_, admins_, ctx));
  }

 private:
  std::shared_ptr<Authenticator> authenticator_;
  std::shared_ptr<const std::vector<std::string>> admins_;
};

}  // namespace

std::unique_ptr<SaslMechanisms> make_password_mechanisms(
    std::shared_ptr<Authenticator> authenticator, std::vector<std::string> admins) {
  return std::make_unique<PasswordMechanisms>(std::move(authenticator), std::move(admins));
}

}  // namespace satchel::auth
