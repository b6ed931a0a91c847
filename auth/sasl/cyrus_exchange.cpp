#include "auth/sasl/cyrus_exchange.h"

#include <sasl/sasl.h>

#include <string>

#include "auth/sasl/cyrus_sasl.h"
#include "base/ascii.h"

namespace satchel::auth {

namespace {

Error auth_failed() {
  return Error::permanent("AUTHENTICATIONFAILED", "authentication failed");
}

}  // namespace

Result<std::unique_ptr<SaslExchange>> CyrusExchange::create(CyrusSasl& owner,
                                                            const SaslContext& ctx) {
  const auto& o = owner.options();
  sasl_conn_t* conn = nullptr;
  // Flags 0, without SASL_SUCCESS_DATA: IMAP and POP3 cannot carry data with the final OK, so
  // the library sends such data as one more challenge (RFC 4422 §3.6).
  int rc = sasl_server_new(ctx.service.c_str(), o.hostname.empty() ? nullptr : o.hostname.c_str(),
                           o.realm.empty() ? nullptr : o.realm.c_str(), nullptr, nullptr,
                           owner.callbacks(), 0, &conn);
  if (rc != SASL_OK)
    return Error::temporary(
        "UNAVAILABLE", std::string("sasl_server_new: ") + sasl_errstring(rc, nullptr, nullptr));
  sasl_security_properties_t props{};
  // No security layer: TLS protects the connection, and the protocols do not wrap one.
  props.min_ssf = 0;
  props.max_ssf = 0;
  props.maxbufsize = 0;
  props.security_flags = SASL_SEC_NOANONYMOUS;
  if (!ctx.tls_active && !ctx.plaintext_allowed) props.security_flags |= SASL_SEC_NOPLAINTEXT;
  rc = sasl_setprop(conn, SASL_SEC_PROPS, &props);
  if (rc != SASL_OK) {
    sasl_dispose(&conn);
    return Error::temporary("UNAVAILABLE",
                            std::string("sasl_setprop: ") + sasl_errstring(rc, nullptr, nullptr));
  }
  return std::unique_ptr<SaslExchange>(new CyrusExchange(owner, ctx, conn));
}

CyrusExchange::CyrusExchange(CyrusSasl& owner, SaslContext ctx, sasl_conn_t* conn)
    : owner_(owner), ctx_(std::move(ctx)), conn_(conn) {}

CyrusExchange::~CyrusExchange() {
  sasl_dispose(&conn_);
}

SaslStep CyrusExchange::fail(Error error) {
  state_ = State::Failed;
  return SaslFailed{std::move(error), prop_string(SASL_AUTHUSER)};
}

std::string CyrusExchange::prop_string(int prop) const {
  const void* value = nullptr;
  if (sasl_getprop(conn_, prop, &value) != SASL_OK || value == nullptr) return {};
  return strip_realm(static_cast<const char*>(value));
}

// The library may qualify names with the default realm ("alice@example.com" when the realm is
// example.com); Satchel's users are the bare names there. Other realms stay visible.
std::string CyrusExchange::strip_realm(std::string name) const {
  const std::string& realm = owner_.options().realm;
  std::size_t at = name.rfind('@');
  if (at != std::string::npos && !realm.empty() &&
      name.compare(at + 1, std::string::npos, realm) == 0)
    name.resize(at);
  return name;
}

SaslStep CyrusExchange::start(std::string_view mechanism,
                              const std::optional<SecureString>& initial_response) {
  if (state_ != State::Fresh) return fail(Error::internal("SASL exchange started twice"));
  bool offered = false;
  for (const auto& m : owner_.mechanisms(ctx_))
    if (ascii::iequals(m, mechanism)) offered = true;
  if (!offered)
    return fail(Error::permanent("", "unsupported mechanism " + std::string(mechanism)));
  std::string mech = ascii::upper(mechanism);
  const char* out = nullptr;
  unsigned out_len = 0;
  // A present but empty initial response ("=") is an empty, non-null buffer; an absent one is
  // null, and the library then sends an empty challenge first (RFC 4422 §3.3).
  const char* in = initial_response ? initial_response->c_str() : nullptr;
  unsigned in_len = initial_response ? static_cast<unsigned>(initial_response->size()) : 0;
  int rc = sasl_server_start(conn_, mech.c_str(), in, in_len, &out, &out_len);
  return outcome(rc, out, out_len);
}

SaslStep CyrusExchange::step(const SecureString& response) {
  if (state_ != State::Continuing) return fail(Error::internal("SASL step without a challenge"));
  const char* out = nullptr;
  unsigned out_len = 0;
  int rc = sasl_server_step(conn_, response.c_str(), static_cast<unsigned>(response.size()), &out,
                            &out_len);
  return outcome(rc, out, out_len);
}

SaslStep CyrusExchange::outcome(int rc, const char* out, unsigned out_len) {
  // The output is read only on success or continue: after a failure, plugins may leave `out`
  // pointing at a buffer they already freed (SCRAM does).
  SecureString data;
  if ((rc == SASL_OK || rc == SASL_CONTINUE) && out != nullptr)
    data = SecureString(std::string_view(out, out_len));
  switch (rc) {
    case SASL_CONTINUE:
      state_ = State::Continuing;
      return SaslContinue{std::move(data)};
    case SASL_OK:
      break;
    case SASL_NOAUTHZ:
      return fail(Error::permanent("AUTHORIZATIONFAILED", "not authorized to use that authzid"));
    case SASL_NOMECH:
      return fail(Error::permanent("", "unsupported mechanism"));
    case SASL_TRYAGAIN:
    case SASL_UNAVAIL:
    case SASL_NOMEM:
      return fail(Error::temporary("UNAVAILABLE", std::string("sasl: ") + sasl_errdetail(conn_)));
    default:
      // BADAUTH, NOUSER, BADPROT, EXPIRED, DISABLED, TOOWEAK, ENCRYPT, FAIL ...: a "no". FAIL
      // is also what plugins return for malformed client data, so it cannot mean "retry".
      return fail(auth_failed());
  }

  std::string authz = prop_string(SASL_USERNAME);
  std::string authc = prop_string(SASL_AUTHUSER);
  if (authc.empty()) authc = authz;
  auto record = owner_.record_for(authz);
  if (!record.ok()) {
    if (record.error().kind == ErrorKind::Permanent)
      return fail(Error::permanent("AUTHENTICATIONFAILED",
                                   "no user record for " + authz + ": " + record.error().message));
    return fail(record.error());
  }
  state_ = State::Done;
  SaslDone d;
  d.user = std::move(record.value());
  d.authcid = authc;
  return d;
}

}  // namespace satchel::auth
