// The contract between server/ and a protocol session (IMAP, POP3): a sans-I/O state machine
// fed bytes, returning bytes to send and what the connection must do next (CONVENTIONS.md
// rule 4).
//
// Threading: the server calls a session from one thread at a time, but not always the same
// one: feed() and poll() may block on storage or authentication, so the server runs them on
// its thread pool; greeting() and shutdown_notice() are cheap and called on the loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace satchel::auth {
class Authenticator;
class SaslMechanisms;
class LoginPolicy;
}  // namespace satchel::auth
namespace satchel::storage {
class MailStoreFactory;
}

namespace satchel::protocol {

// What the connection does once the output of a call has been queued.
enum class Next {
  Read,      // Keep reading; feed() again when bytes arrive (or at once if some are left).
  StartTls,  // Send the output in plaintext, discard any unconsumed input, start the TLS
             // handshake, then call on_tls_started(). (RFC 3501 §6.2.1, RFC 2595 §3.1.)
  Close,     // Send the output, then close.
  Handoff,   // Authenticated in a login worker (Services::handoff_after_login): send the output
             // (normally none), then move the connection, with the input not consumed, to a
             // mail worker; take_handoff() says who logged in.
};

struct FeedResult {
  std::size_t consumed = 0;  // Bytes of the input the session has taken (may be less than all
                             // when it returns StartTls or Close, or when it waits for input).
  Next next = Next::Read;
  // Hold the output and stop reading for this long before going on: the failed-login delay
  // (the session never sleeps on a pool thread; the server's timer does the waiting).
  std::chrono::milliseconds delay{0};
};

// Facts about the connection and the services a session may use, given at construction.
struct ConnectionInfo {
  std::string remote_ip;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;
  bool tls_active = false;              // Implicit TLS, or after STARTTLS.
  bool starttls_offered = false;        // The listener allows STARTTLS/STLS.
  bool plaintext_auth_allowed = false;  // Cleartext passwords allowed without TLS (loopback or
                                        // configured); decided by the server.
  std::string listener_name;
};

struct Limits {
  std::size_t max_line = 64 * 1024;                 // One command line, literals excluded.
  std::size_t max_command = 1024 * 1024;            // Whole command, small literals included.
  std::size_t max_literal_prelogin = 8 * 1024;      // Before authentication.
  std::uint64_t max_message = 64ull * 1024 * 1024;  // APPEND size (TOOBIG / APPENDLIMIT).
  std::size_t max_nesting = 32;                     // Parenthesis depth.
  std::size_t max_arguments = 10000;
  // How long the answer to a failed login is held ([auth] failure_delay).
  std::chrono::milliseconds failed_login_delay{2000};
};

struct Services {
  auth::Authenticator* authenticator = nullptr;
  // AUTHENTICATE / AUTH mechanisms (CAPABILITY AUTH=..., CAPA SASL). Required.
  auth::SaslMechanisms* sasl = nullptr;
  // The failed-login delay (per remote IP + user). nullptr: Limits::failed_login_delay flat.
  auth::LoginPolicy* login_policy = nullptr;
  // Login worker (split process model): after a successful authentication the session stops
  // with Next::Handoff instead of opening the store; a mail worker goes on from there.
  bool handoff_after_login = false;
  storage::MailStoreFactory* stores = nullptr;
  std::string server_name = "Satchel";
  std::string hostname = "localhost";
  std::string pop3_mailbox = "INBOX";
};

// Who logged in, and where the login command left off: what a login worker hands to a mail
// worker with the connection (serialised by ipc/handoff.h).
struct LoginHandoff {
  std::string user;      // The authorization identity (the session's user).
  std::string mech;      // "LOGIN", "USER", "PLAIN", "SCRAM-SHA-256"... for the login log line.
  std::string imap_tag;  // IMAP: the tag of LOGIN/AUTHENTICATE, answered by the mail worker.
  std::string ticket;    // auth::UserRecord::login_ticket.
  unsigned uid = 0;      // The record's uid/gid: which mail worker (0: the virtual-user pool).
  unsigned gid = 0;
};

class Session {
 public:
  virtual ~Session() = default;

  // The server greeting. Called once, on the loop.
  virtual std::string greeting() = 0;

  // Takes bytes from the client, runs every complete command (may block), appends what must be
  // sent to `out`. May be called with an empty input to continue work left over.
  virtual FeedResult feed(std::span<const char> input, std::string& out) = 0;

  // Looks for changes made elsewhere (new mail, flags, expunges) and appends the untagged
  // responses that may be sent now, if any (IMAP IDLE; a no-op where not applicable).
  virtual void poll(std::string& out) = 0;

  // True while the session waits for changes made elsewhere to push them (IMAP IDLE). The
  // server then runs poll() every few seconds until this turns false. Read on the loop while
  // no feed() or poll() runs.
  virtual bool wants_poll() const { return false; }

  // The TLS handshake finished; the session forgets anything learned before it.
  virtual void on_tls_started() = 0;

  // True once the user is logged in (selects the idle timeout: RFC 3501 §5.4).
  virtual bool authenticated() const = 0;

  // The last words on server shutdown or idle timeout ("* BYE ..."), on the loop.
  virtual std::string shutdown_notice(bool timeout) = 0;

  // The logged-in user name, or empty before login (for log lines and per-user limits).
  virtual std::string user() const = 0;

  // After Next::Handoff: who logged in. Called once, on the loop.
  virtual LoginHandoff take_handoff() { return {}; }
};

}  // namespace satchel::protocol
