#include "protocol/sasl/authentication.h"

#include <algorithm>
#include <utility>

#include "auth/api/authenticator.h"
#include "auth/api/login_policy.h"
#include "base/ascii.h"
#include "base/crypto.h"
#include "protocol/sasl/plain.h"

namespace satchel::sasl {
namespace {

// PLAIN over an Authenticator, for a session the server gave no SaslMechanisms (no authzid
// other than the authcid: nobody is configured as an admin here).
class FallbackPlainExchange : public auth::SaslExchange {
 public:
  FallbackPlainExchange(auth::Authenticator* authenticator, bool offered)
      : authenticator_(authenticator), offered_(offered) {}

  auth::SaslStep start(std::string_view mechanism,
                       const std::optional<SecureString>& initial_response) override {
    if (!offered_ || !ascii::iequals(mechanism, "PLAIN"))
      return auth::SaslFailed{Error::permanent("", "mechanism not offered"), ""};
    if (!initial_response) {
      waiting_ = true;
      return auth::SaslContinue{};
    }
    return check(*initial_response);
  }

  auth::SaslStep step(const SecureString& response) override {
    if (!waiting_) return auth::SaslFailed{Error::internal("no pending challenge"), ""};
    waiting_ = false;
    return check(response);
  }

 private:
  auth::SaslStep check(const SecureString& message) {
    auto creds = parse_plain(message.view());
    if (!creds)
      return auth::SaslFailed{Error::permanent("AUTHENTICATIONFAILED", "malformed PLAIN"), ""};
    if (!creds->authzid.empty() && creds->authzid != creds->authcid)
      return auth::SaslFailed{Error::permanent("AUTHORIZATIONFAILED", "authzid not allowed"),
                              creds->authcid};
    auto record = authenticator_->verify_password(creds->authcid, creds->password);
    if (!record) {
      if (record.error().kind == ErrorKind::Temporary)
        return auth::SaslFailed{Error::temporary("UNAVAILABLE", record.error().message),
                                creds->authcid};
      return auth::SaslFailed{Error::permanent("AUTHENTICATIONFAILED", record.error().message),
                              creds->authcid};
    }
    return auth::SaslDone{std::move(record).value(), creds->authcid};
  }

  auth::Authenticator* authenticator_;
  bool offered_;
  bool waiting_ = false;
};

class FallbackPlain : public auth::SaslMechanisms {
 public:
  explicit FallbackPlain(auth::Authenticator* authenticator) : authenticator_(authenticator) {}
  std::vector<std::string> mechanisms(const auth::SaslContext& ctx) const override {
    if (!authenticator_ || !(ctx.tls_active || ctx.plaintext_allowed)) return {};
    return {"PLAIN"};
  }
  Result<std::unique_ptr<auth::SaslExchange>> new_exchange(const auth::SaslContext& ctx) override {
    return std::unique_ptr<auth::SaslExchange>(
        std::make_unique<FallbackPlainExchange>(authenticator_, !mechanisms(ctx).empty()));
  }

 private:
  auth::Authenticator* authenticator_;
};

std::optional<SecureString> decode(std::string_view text) {
  auto decoded = crypto::base64_decode(text);
  if (!decoded) return std::nullopt;
  SecureString s(*decoded);
  std::fill(decoded->begin(), decoded->end(), '\0');
  return s;
}

}  // namespace

auth::SaslContext sasl_context(const protocol::ConnectionInfo& conn, std::string_view service) {
  auth::SaslContext ctx;
  ctx.service = std::string(service);
  ctx.tls_active = conn.tls_active;
  ctx.plaintext_allowed = conn.plaintext_auth_allowed;
  ctx.local_ip = conn.local_ip;
  ctx.remote_ip = conn.remote_ip;
  return ctx;
}

std::vector<std::string> offered_mechanisms(const protocol::Services& services,
                                            const auth::SaslContext& ctx) {
  if (services.sasl) return services.sasl->mechanisms(ctx);
  return FallbackPlain(services.authenticator).mechanisms(ctx);
}

std::chrono::milliseconds record_failure(const protocol::Services& services,
                                         const protocol::Limits& limits, std::string_view user,
                                         std::string_view remote_ip) {
  if (services.login_policy) return services.login_policy->failed(user, remote_ip);
  return limits.failed_login_delay;
}

protocol::LoginHandoff make_handoff(const auth::UserRecord& record, std::string_view mech,
                                    std::string_view imap_tag) {
  protocol::LoginHandoff h;
  h.user = record.name;
  h.mech = std::string(mech);
  h.imap_tag = std::string(imap_tag);
  h.ticket = record.login_ticket;
  h.uid = record.uid;
  h.gid = record.gid;
  return h;
}

std::string failure_reason(const Error& error) {
  bool temporary = error.kind == ErrorKind::Temporary || error.code == "UNAVAILABLE";
  std::string text = !error.message.empty() ? error.message
                     : error.code.empty()   ? std::string("failed")
                                            : ascii::lower(error.code);
  if (text.size() > 128) text.resize(128);
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return temporary ? "temporary failure: " + text : text;
}

void record_success(const protocol::Services& services, std::string_view user,
                    std::string_view remote_ip) {
  if (services.login_policy) services.login_policy->succeeded(user, remote_ip);
}

Authentication::Authentication(const protocol::Services& services, auth::SaslContext ctx)
    : ctx_(std::move(ctx)), sasl_(services.sasl) {
  if (!sasl_) fallback_ = std::make_unique<FallbackPlain>(services.authenticator);
}

Authentication::~Authentication() = default;

auth::SaslMechanisms* Authentication::mechs() const {
  return sasl_ ? sasl_ : fallback_.get();
}

std::vector<std::string> Authentication::mechanisms() const {
  return mechs()->mechanisms(ctx_);
}

Outcome Authentication::start(std::string_view mechanism,
                              std::optional<std::string_view> initial_response) {
  exchange_.reset();
  mechanism_ = ascii::upper(mechanism);
  std::vector<std::string> offered = mechanisms();
  if (std::find(offered.begin(), offered.end(), mechanism_) == offered.end()) {
    Outcome o;
    o.kind = Outcome::Kind::NotOffered;
    return o;
  }
  std::optional<SecureString> initial;
  if (initial_response) {
    // RFC 4959 §3 / RFC 5034 §4: "=" is an empty initial response.
    if (*initial_response == "=") {
      initial = SecureString();
    } else {
      initial = decode(*initial_response);
      if (!initial) {
        Outcome o;
        o.kind = Outcome::Kind::BadBase64;
        return o;
      }
    }
  }
  auto exchange = mechs()->new_exchange(ctx_);
  if (!exchange) {
    Outcome o;
    o.kind = Outcome::Kind::Failed;
    o.error = exchange.error();
    if (o.error.code.empty()) o.error.code = "UNAVAILABLE";
    return o;
  }
  exchange_ = std::move(exchange.value());
  return finish(exchange_->start(mechanism_, initial));
}

Outcome Authentication::respond(std::string_view line) {
  Outcome o;
  if (!exchange_) {
    o.error = Error::internal("no SASL exchange in progress");
    return o;
  }
  // RFC 3501 §6.2.2, RFC 5034 §4: "*" cancels the exchange.
  if (line == "*") {
    exchange_.reset();
    o.kind = Outcome::Kind::Cancelled;
    return o;
  }
  std::optional<SecureString> response = decode(line);
  if (!response) {
    exchange_.reset();
    o.kind = Outcome::Kind::BadBase64;
    return o;
  }
  return finish(exchange_->step(*response));
}

Outcome Authentication::finish(auth::SaslStep step) {
  Outcome o;
  if (auto* c = std::get_if<auth::SaslContinue>(&step)) {
    o.kind = Outcome::Kind::Continue;
    o.challenge = crypto::base64_encode(c->challenge.view());
    return o;
  }
  exchange_.reset();
  if (auto* d = std::get_if<auth::SaslDone>(&step)) {
    o.kind = Outcome::Kind::Done;
    o.record = std::move(d->user);
    o.authcid = std::move(d->authcid);
    return o;
  }
  auto& f = std::get<auth::SaslFailed>(step);
  o.kind = f.error.code.empty() && f.error.kind != ErrorKind::Internal ? Outcome::Kind::NotOffered
                                                                       : Outcome::Kind::Failed;
  o.error = std::move(f.error);
  o.authcid = std::move(f.authcid);
  return o;
}

}  // namespace satchel::sasl
