// Messages between a worker and the auth process (DESIGN.md, process model): one request, one
// response, each one SOCK_SEQPACKET datagram (server/auth/unix_channel.h). Every message starts
// with the protocol version and a request id; the response repeats the id, so a client that gave
// up on a slow answer recognises and drops it when it arrives late.
//
// Wire form: u8 version, u8 op (or result), u64 id, then only the fields of that op, in the
// order listed below. Decoding fails hard (ProtocolViolation, code "IPC") on a wrong version,
// an unknown op, a string over its limit, truncation or trailing bytes; a peer that sends such a
// message is broken and its channel is closed (CONVENTIONS.md rule 8).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/api/authenticator.h"
#include "auth/api/sasl_exchange.h"
#include "base/result.h"
#include "base/secure_string.h"

namespace satchel::ipc {

inline constexpr std::uint8_t kAuthProtocolVersion = 1;

// Limits of single fields, checked on decode. encode() does not check them: a sender validates
// what comes from outside first (AuthClient answers AUTHENTICATIONFAILED for a 5000-octet user
// name without asking), and error texts are cut to size by encode() itself.
inline constexpr std::size_t kMaxAuthName = 1024;     // User names, IPs, mechanism names, service.
inline constexpr std::size_t kMaxAuthPath = 4096;     // home, mail_location.
inline constexpr std::size_t kMaxAuthSecret = 65536;  // Passwords, SASL responses, challenges.
inline constexpr std::size_t kMaxAuthText = 4096;     // Error messages, codes.
inline constexpr std::size_t kMaxAuthMechanisms = 64;
// No message can be larger than this (the receive buffer of both ends).
inline constexpr std::size_t kMaxAuthMessage = 256 * 1024;

enum class AuthOp : std::uint8_t {
  VerifyPassword = 1,  // user, password, remote_ip, mech             -> User | Failed
  Lookup = 2,          // user                                        -> User | Failed
  Mechanisms = 3,      // sasl                                        -> Mechanisms
  SaslStart = 4,       // sasl, mech, initial_response                -> Continue | User | Failed
  SaslStep = 5,        // exchange, password (the client's response)  -> Continue | User | Failed
  SaslAbort = 6,       // exchange                                    -> Ack
  LoginFailed = 7,     // user, remote_ip                             -> Delay
  LoginSucceeded = 8,  // user, remote_ip                             -> Ack
  Redeem = 9,          // ticket                                      -> User | Failed
};

struct AuthRequest {
  std::uint64_t id = 0;
  AuthOp op = AuthOp::Lookup;
  std::string user;
  // VerifyPassword: the password. SaslStep: the client's decoded response.
  SecureString password;
  std::string remote_ip;
  // VerifyPassword: the login command for the log line ("LOGIN", "USER"). SaslStart: the SASL
  // mechanism to start.
  std::string mech;
  auth::SaslContext sasl;
  // SaslStart: RFC 4959 initial response (empty for "="), nullopt when the client sent none.
  std::optional<SecureString> initial_response;
  std::uint64_t exchange = 0;
  std::string ticket;
};

enum class AuthResult : std::uint8_t {
  User = 1,        // user (login_ticket set after a password check or SASL success), authcid
  Failed = 2,      // error, authcid
  Continue = 3,    // exchange, challenge
  Mechanisms = 4,  // mechanisms
  Delay = 5,       // delay
  Ack = 6,         // nothing
};

struct AuthResponse {
  std::uint64_t id = 0;
  AuthResult result = AuthResult::Ack;
  auth::UserRecord user;
  std::string authcid;
  Error error;
  std::uint64_t exchange = 0;
  SecureString challenge;
  std::vector<std::string> mechanisms;
  std::chrono::milliseconds delay{0};
};

// Encodes a request. The result may hold a password: it is a SecureString.
SecureString encode(const AuthRequest& request);
SecureString encode(const AuthResponse& response);

// Decodes one whole message; see the header comment for what fails.
Result<AuthRequest> decode_auth_request(std::string_view bytes);
Result<AuthResponse> decode_auth_response(std::string_view bytes);

// Builders for the common responses.
AuthResponse failed_response(std::uint64_t id, Error error, std::string authcid = {});

}  // namespace satchel::ipc
