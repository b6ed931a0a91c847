// tls::Engine: TLS for one server-side connection as a byte transform, with no socket. The
// caller (server/) owns the socket: it feeds the ciphertext it reads, sends the ciphertext the
// engine produces, and exchanges plaintext with the protocol session (CONVENTIONS.md rule 4:
// TLS is a transport under the protocol).
//
// The caller's loop, complete:
//
//   on socket bytes B:   engine.feed_ciphertext(B);
//                        auto p = engine.process();
//                        send(engine.take_ciphertext());        // always, even when Failed
//                        if (p.handshake_completed) start_session_or_resume_starttls();
//                        session.feed(engine.take_plaintext());  // may be empty
//                        if (p.state == Failed) log(engine.error()), close after the send;
//                        if (p.state == Closed) close after the send (peer said close_notify);
//   on session output O: engine.write_plaintext(O); send(engine.take_ciphertext());
//   to close:            engine.shutdown(); send(engine.take_ciphertext()); close.
//   on socket EOF:       close; nothing to ask the engine (a peer that skips close_notify
//                        cannot truncate anything a mail protocol relies on: every command
//                        and response is line- or length-delimited).
//
// Spans: pass a std::string or std::string_view; a bare string literal would pass its NUL.
//
// Nothing here blocks or does I/O. Ciphertext out is produced only by process(),
// write_plaintext() and shutdown(), so taking it after each of those is all the flushing
// there is. Plaintext that arrived before a STARTTLS handshake is none of this class's
// business: the session discards it. Not thread-safe; one engine per connection, used by the
// connection's loop thread.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "tls/context_set.h"

struct ssl_st;  // OpenSSL's SSL.
struct bio_st;  // OpenSSL's BIO.

namespace satchel::tls {

class Engine {
 public:
  enum class State {
    Handshaking,  // The handshake is in progress; feed more ciphertext.
    Open,         // Application data flows both ways.
    Closed,       // The peer sent close_notify: no more plaintext will come.
    Failed,       // Fatal TLS error (error() says why); an alert may wait in take_ciphertext().
  };

  struct Progress {
    State state = State::Handshaking;  // The state after the call.
    bool handshake_completed = false;  // True from exactly one process() call: the one that
                                       // finished the handshake.
  };

  // A server-side engine using `contexts`' default certificate until SNI picks another.
  // The engine keeps `contexts` alive (shared: a reload replaces the listener's set while
  // connections made from the old one are still open). Fails only when OpenSSL cannot allocate.
  static Result<std::unique_ptr<Engine>> create(std::shared_ptr<const ContextSet> contexts);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Appends ciphertext read from the socket. Takes any size; nothing is processed until
  // process(). Ignored once the engine is Failed or Closed.
  void feed_ciphertext(std::span<const char> bytes);

  // Runs the handshake as far as the fed bytes allow, then decrypts all complete records into
  // the plaintext buffer. All fed bytes are consumed (a partial record waits inside for the
  // rest), so the next call is useful only after more feed_ciphertext(). Once Closed or Failed
  // it stays so and does nothing. After the handshake it also encrypts plaintext queued by
  // write_plaintext() during the handshake.
  Progress process();

  // The decrypted application bytes gathered so far; the engine forgets them.
  std::string take_plaintext();

  // Encrypts `bytes` into TLS records for take_ciphertext(). Before the handshake completes the
  // bytes are queued and encrypted by the process() call that completes it (so an implicit-TLS
  // greeting may be written at once). Fails when the engine has Failed, after shutdown(), or on
  // an OpenSSL error (then the engine is Failed and error() says why).
  Status write_plaintext(std::span<const char> bytes);

  // The ciphertext to send on the socket, in order: handshake messages, alerts, application
  // records, close_notify. The engine forgets it; an empty string means nothing to send.
  std::string take_ciphertext();
  bool has_ciphertext() const;

  // Queues a close_notify alert (once; only after a completed handshake, since there is no
  // orderly close before one). Further write_plaintext() calls fail.
  void shutdown();

  State state() const { return state_; }
  bool handshake_done() const { return state_ == State::Open || state_ == State::Closed; }
  // Why the engine Failed, short and OpenSSL's words ("wrong version number", "no shared
  // cipher", "unsupported protocol", "tlsv1 alert unknown ca"); empty otherwise.
  const std::string& error() const { return error_; }

  // After the handshake (empty before): the SNI host name the client asked for (empty if
  // none), "TLSv1.3", the cipher name, and the ALPN protocol agreed ("" if none).
  std::string sni() const;
  std::string protocol_version() const;
  std::string cipher() const;
  std::string alpn() const;
  // The cert_file of the certificate served (chosen by SNI), for log lines.
  std::string certificate_file() const;
  // The subject of a verified client certificate ("CN=alice,O=Example"), or empty when the
  // client sent none (client_ca_file not set, or the client declined).
  std::string peer_subject() const;

 private:
  Engine(std::shared_ptr<const ContextSet> contexts, ssl_st* ssl, bio_st* in, bio_st* out);
  void fail(std::string reason);
  Status encrypt(std::span<const char> bytes);
  void release_idle_buffers();

  std::shared_ptr<const ContextSet> contexts_;
  ssl_st* ssl_ = nullptr;  // Owned; owns in_ and out_.
  bio_st* in_ = nullptr;   // Ciphertext fed, waiting for OpenSSL.
  bio_st* out_ = nullptr;  // Ciphertext OpenSSL produced, waiting for take_ciphertext().
  State state_ = State::Handshaking;
  bool shutdown_sent_ = false;
  std::string plaintext_;          // Decrypted, not yet taken.
  std::string pending_plaintext_;  // Written during the handshake, not yet encrypted.
  std::string error_;
};

}  // namespace satchel::tls
