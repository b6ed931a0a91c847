// SASL for protocol/ (DESIGN.md, Authentication): what IMAP AUTHENTICATE (RFC 3501 §6.2.2,
// RFC 4959 SASL-IR) and POP3 AUTH (RFC 5034) drive, without knowing the SASL library behind it.
// The Cyrus SASL implementation is auth/sasl/cyrus_sasl.h; the server hands protocol/ a
// SaslMechanisms* next to its Authenticator*.
//
// Framing is protocol/'s job: base64 on the wire, "*" to cancel, "=" for an empty initial
// response, invalid base64 → BAD. These interfaces see decoded bytes only.
//
// Blocking: start() and step() may check passwords (sasldb, PAM through checkpass, yescrypt):
// call them where Authenticator::verify_password may be called (pool thread, auth process).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/api/authenticator.h"
#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::auth {

// The facts about a connection that decide which mechanisms are offered and how.
struct SaslContext {
  std::string service = "imap";  // "imap" or "pop": the GSSAPI service and DIGEST-MD5 digest-uri.
  bool tls_active = false;
  // Cleartext-password mechanisms (PLAIN, LOGIN) may be used without TLS (loopback or
  // configured; the server decides, as for LOGIN/USER).
  bool plaintext_allowed = false;
  std::string local_ip;  // Informational; "" when unknown.
  std::string remote_ip;
};

// The server needs another client response: send `challenge` (raw bytes; the protocol
// base64-encodes it, and an empty one is "+ " alone).
struct SaslContinue {
  SecureString challenge;
};

// Authenticated. `user` is the authorization identity's record: the user the session runs as.
// `authcid` is who proved their identity (differs from user.name when an admin used an
// authzid). There is never "additional data with success": IMAP and POP3 have no field for it,
// so (RFC 4422 §3.6) such data (SCRAM's server signature, DIGEST-MD5's rspauth) arrives as one
// more SaslContinue, which the client answers with an empty response before SaslDone.
struct SaslDone {
  UserRecord user;
  std::string authcid;
};

// Refused. error.code is AUTHENTICATIONFAILED (wrong credentials, mechanism-level garbage),
// AUTHORIZATIONFAILED (an authzid the authcid may not use), UNAVAILABLE (Temporary: the
// backend cannot answer now) or empty for a mechanism that is not offered (answer NO without a
// code). `authcid` is the user name the client claimed, when the mechanism revealed it, for the
// failed-login log line and delay.
struct SaslFailed {
  Error error;
  std::string authcid;
};

using SaslStep = std::variant<SaslContinue, SaslDone, SaslFailed>;

// One authentication exchange on one connection. Not thread-safe: one call at a time.
class SaslExchange {
 public:
  virtual ~SaslExchange() = default;

  // Starts `mechanism` (case-insensitive). `initial_response` is the RFC 4959 / RFC 5034
  // initial response when the client sent one (an empty SecureString for "="), nullopt when
  // it did not. A mechanism not in SaslMechanisms::mechanisms() for this context fails.
  virtual SaslStep start(std::string_view mechanism,
                         const std::optional<SecureString>& initial_response) = 0;

  // The client's response to the last SaslContinue. Only after a SaslContinue; otherwise
  // SaslFailed with an Internal error.
  virtual SaslStep step(const SecureString& response) = 0;
};

// The mechanisms a deployment offers, and a factory of exchanges. Thread-safe: one object
// serves every connection of a process.
class SaslMechanisms {
 public:
  virtual ~SaslMechanisms() = default;

  // Upper-case mechanism names to advertise (IMAP CAPABILITY AUTH=..., POP3 CAPA SASL ...):
  // installed, allowed by configuration, and allowed on this connection (PLAIN and LOGIN are
  // left out without TLS unless ctx.plaintext_allowed).
  virtual std::vector<std::string> mechanisms(const SaslContext& ctx) const = 0;

  // A new exchange for one AUTHENTICATE / AUTH command. Errors: Temporary UNAVAILABLE when
  // the SASL library cannot make a connection context.
  virtual Result<std::unique_ptr<SaslExchange>> new_exchange(const SaslContext& ctx) = 0;
};

}  // namespace satchel::auth
