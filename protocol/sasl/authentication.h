// The SASL exchange framing shared by IMAP AUTHENTICATE (RFC 3501 §6.2.2, RFC 4959 SASL-IR) and
// POP3 AUTH (RFC 5034): base64 on the wire, "*" to cancel, "=" for an empty initial response,
// which mechanisms a connection offers. The mechanisms themselves are auth::SaslMechanisms.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/api/sasl_exchange.h"
#include "protocol/session.h"

namespace satchel::sasl {

// The SaslContext of a connection; `service` is "imap" or "pop".
auth::SaslContext sasl_context(const protocol::ConnectionInfo& conn, std::string_view service);

// The mechanisms offered on a connection (services.sasl, or the PLAIN fallback when null).
std::vector<std::string> offered_mechanisms(const protocol::Services& services,
                                            const auth::SaslContext& ctx);

// A failed login of `user` from `remote_ip`: how long to hold the answer
// (services.login_policy when set, else limits.failed_login_delay).
std::chrono::milliseconds record_failure(const protocol::Services& services,
                                         const protocol::Limits& limits, std::string_view user,
                                         std::string_view remote_ip);

// The reason=... of the "auth failed:" log line: the backend's words ("authentication failed",
// "account expired", "temporary failure: ..."), so an expired or locked account is told apart
// from a wrong password in the log while the client sees the same answer. One line, printable.
std::string failure_reason(const Error& error);

// What a login worker hands on after a successful login (Services::handoff_after_login).
// `imap_tag` is the tag of LOGIN/AUTHENTICATE; empty for POP3.
protocol::LoginHandoff make_handoff(const auth::UserRecord& record, std::string_view mech,
                                    std::string_view imap_tag = {});

// A successful login: tells services.login_policy, when set.
void record_success(const protocol::Services& services, std::string_view user,
                    std::string_view remote_ip);

// What one framing step tells the protocol to answer.
struct Outcome {
  enum class Kind {
    Continue,    // Send a continuation carrying `challenge` (base64, may be empty).
    Done,        // Logged in as `record` (`authcid` proved it).
    Failed,      // Refused: `error` (code AUTHENTICATIONFAILED, AUTHORIZATIONFAILED,
                 // UNAVAILABLE...); `authcid` is the claimed user when known.
    Cancelled,   // The client sent "*" (IMAP: BAD; POP3: -ERR).
    BadBase64,   // A response or initial response that is not strict base64 (BAD / -ERR).
    NotOffered,  // The mechanism is not offered on this connection.
  };
  Kind kind = Kind::Failed;
  std::string challenge;
  auth::UserRecord record;
  std::string authcid;
  Error error;
};

// One AUTHENTICATE / AUTH command, across the client round trips. Owned by the session; may
// be destroyed at any time (a connection closed mid-exchange).
//
// When services.sasl is null the exchange falls back to PLAIN checked by
// services.authenticator (the server had no SaslMechanisms to hand over).
class Authentication {
 public:
  Authentication(const protocol::Services& services, auth::SaslContext ctx);
  ~Authentication();

  // The upper-case mechanism names offered on this connection (empty: none).
  std::vector<std::string> mechanisms() const;

  // Starts `mechanism` with the client's initial response (still base64; "=" is empty), or
  // none. Blocks on the authenticator (see sasl_exchange.h).
  Outcome start(std::string_view mechanism, std::optional<std::string_view> initial_response);

  // The client's response line to the last Continue ("*" cancels).
  Outcome respond(std::string_view line);

  // True between a Continue and the client's response.
  bool waiting() const { return exchange_ != nullptr; }

  // The mechanism started, upper-case (for the log line).
  const std::string& mechanism() const { return mechanism_; }

 private:
  Outcome finish(auth::SaslStep step);
  auth::SaslMechanisms* mechs() const;

  auth::SaslContext ctx_;
  auth::SaslMechanisms* sasl_ = nullptr;
  std::unique_ptr<auth::SaslMechanisms> fallback_;
  std::unique_ptr<auth::SaslExchange> exchange_;
  std::string mechanism_;
};

}  // namespace satchel::sasl
