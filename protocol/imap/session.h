// imap::Session: the sans-I/O IMAP4rev1 session (RFC 3501) behind protocol::Session. It frames
// input with CommandReader, decides on literals (continuation, APPEND streaming, TOOBIG),
// gates commands by state, runs handlers one at a time in arrival order and appends the
// untagged updates a command may carry before its tagged response.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "auth/api/authenticator.h"
#include "protocol/imap/command_reader.h"
#include "protocol/imap/session_state.h"
#include "protocol/session.h"

namespace satchel::imap {

class Session : public protocol::Session {
 public:
  Session(const protocol::ConnectionInfo& conn, const protocol::Limits& limits,
          const protocol::Services& services);

  std::string greeting() override;
  protocol::FeedResult feed(std::span<const char> input, std::string& out) override;
  void poll(std::string& out) override;
  bool wants_poll() const override;
  void on_tls_started() override;
  bool authenticated() const override;
  std::string shutdown_notice(bool timeout) override;
  std::string user() const override;
  protocol::LoginHandoff take_handoff() override;

  // Tests: replaces the clock used for APPEND's default internal date.
  void set_clock(Clock clock) { st_.clock = std::move(clock); }

 private:
  struct Outcome {
    protocol::Next next = protocol::Next::Read;
    std::chrono::milliseconds delay{0};
  };
  Outcome execute(Command& cmd, std::string& out);
  void on_literal_header(const CommandReader::Event& ev, std::string& out);
  void on_reader_error(const CommandReader::Event& ev, std::string& out);
  // The first feed() of an after-login session: answers the login. False when it failed
  // (the session then closes).
  bool complete_pending_login(std::string& out);

  friend std::unique_ptr<protocol::Session> make_imap_session_after_login(
      const protocol::ConnectionInfo&, const protocol::Limits&, const protocol::Services&,
      const protocol::LoginHandoff&, const auth::UserRecord&);

  struct PendingLogin {
    protocol::LoginHandoff handoff;
    auth::UserRecord record;
  };
  std::optional<PendingLogin> pending_login_;  // Set until the first feed() of a mail worker.

  SessionState st_;
  CommandReader reader_;
};

}  // namespace satchel::imap
