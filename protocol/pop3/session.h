// pop3::Session: the POP3 state machine (RFC 1939 with RFC 2449 CAPA and response codes,
// RFC 5034 SASL AUTH, RFC 2595 STLS), sans-I/O: fed bytes, it appends responses and tells the
// server what to do next (protocol/session.h).
//
// States (RFC 1939 §3): AUTHORIZATION until a login succeeds and the maildrop is locked,
// then TRANSACTION; QUIT in TRANSACTION runs UPDATE (deletions) and closes. One table
// (session.cpp) says which command is allowed in which state.
//
// Input: complete lines are run in order, several per feed() (RFC 2449 §6.6 PIPELINING); a
// partial line is kept inside the session, so feed() takes every byte unless it stops early:
//  - after a failed login it returns `delay` and takes the input only through that command,
//    so pipelined guesses wait for the delay too;
//  - after STLS it returns Next::StartTls with the input taken exactly through the STLS line
//    (the server throws the rest away, RFC 2595 §4; so does the session);
//  - after QUIT or too many bad commands it returns Next::Close.
//
// Threading: no shared mutable state; the server may call it from any one thread at a time.
// feed() blocks on the Authenticator and the MailStore.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/api/authenticator.h"
#include "base/secure_string.h"
#include "protocol/pop3/command_line.h"
#include "protocol/pop3/line_reader.h"
#include "protocol/pop3/maildrop.h"
#include "protocol/sasl/authentication.h"
#include "protocol/session.h"

namespace satchel::pop3 {

class Session : public protocol::Session {
 public:
  // RFC 2449 §4: commands are at most 255 octets; we accept twice that and answer -ERR beyond.
  static constexpr std::size_t kMaxCommandLine = 512;
  // After this many rejected commands the session answers -ERR and closes.
  static constexpr int kMaxBadCommands = 20;

  Session(protocol::ConnectionInfo info, protocol::Limits limits, protocol::Services services);
  // A mail worker's session after a login worker's Next::Handoff (make_session.h).
  Session(protocol::ConnectionInfo info, protocol::Limits limits, protocol::Services services,
          const protocol::LoginHandoff& handoff, const auth::UserRecord& record);
  ~Session() override;

  std::string greeting() override;
  protocol::FeedResult feed(std::span<const char> input, std::string& out) override;
  void poll(std::string& out) override;
  void on_tls_started() override;
  bool authenticated() const override;
  std::string shutdown_notice(bool timeout) override;
  std::string user() const override;
  protocol::LoginHandoff take_handoff() override;

 private:
  enum class State { Authorization, Transaction, Closed };
  // What a command tells the feed loop to do after its response.
  enum class Flow { Continue, Delay, StartTls, Close, Handoff };
  using Handler = Flow (Session::*)(const CommandLine&, std::string&);
  struct CommandSpec {
    std::string_view keyword;
    Handler handler;
    bool in_authorization;
    bool in_transaction;
  };
  static const CommandSpec kCommands[];

  Flow handle_line(std::string_view line, std::string& out);
  Flow reject(std::string& out, std::string_view text);
  bool plaintext_allowed() const;

  // session.cpp: commands valid in both states or about the connection.
  Flow cmd_capa(const CommandLine& cmd, std::string& out);
  Flow cmd_stls(const CommandLine& cmd, std::string& out);
  Flow cmd_quit(const CommandLine& cmd, std::string& out);
  Flow cmd_noop(const CommandLine& cmd, std::string& out);

  // auth_commands.cpp: AUTHORIZATION.
  Flow cmd_user(const CommandLine& cmd, std::string& out);
  Flow cmd_pass(const CommandLine& cmd, std::string& out);
  Flow cmd_auth(const CommandLine& cmd, std::string& out);
  Flow sasl_response(std::string_view line, std::string& out);
  Flow sasl_result(sasl::Outcome o, std::string& out);
  bool sasl_waiting() const;
  Flow verify(std::string_view name, const SecureString& password, std::string_view mech,
              std::string& out);
  Flow fail_login(std::string_view name, std::string_view mech, const Error& error,
                  std::string& out);
  // A verified login: tells the login policy, then hands off (login worker) or opens the
  // maildrop here.
  Flow login_succeeded(const auth::UserRecord& record, std::string_view authcid,
                       std::string_view mech, std::string& out);
  // The one completion of a login, in-process and in a mail worker: opens the maildrop,
  // enters TRANSACTION, logs "login: ..." and answers +OK. On failure answers -ERR and returns
  // Continue in-process (still AUTHORIZATION) or Close in a mail worker.
  Flow open_maildrop(const auth::UserRecord& record, std::string_view mech, std::string& out);

  // transaction_commands.cpp: TRANSACTION.
  Flow cmd_stat(const CommandLine& cmd, std::string& out);
  Flow cmd_list(const CommandLine& cmd, std::string& out);
  Flow cmd_retr(const CommandLine& cmd, std::string& out);
  Flow cmd_top(const CommandLine& cmd, std::string& out);
  Flow cmd_dele(const CommandLine& cmd, std::string& out);
  Flow cmd_rset(const CommandLine& cmd, std::string& out);
  Flow cmd_uidl(const CommandLine& cmd, std::string& out);
  // Resolves a message-number argument: the entry, or nullptr after writing the -ERR (and
  // setting `flow`, which is Close when the bad-command limit is reached).
  const Maildrop::Entry* message_arg(std::string_view arg, std::string& out, Flow& flow,
                                     std::uint64_t* number_out = nullptr);
  Flow send_message(const Maildrop::Entry& entry, const std::uint64_t* top_lines, std::string& out);
  Flow update_and_quit(std::string& out);

  protocol::ConnectionInfo info_;
  protocol::Limits limits_;
  protocol::Services services_;

  State state_ = State::Authorization;
  LineReader reader_;
  int bad_commands_ = 0;
  std::string pending_user_;  // Name given by USER, waiting for PASS.
  // The AUTH exchange in progress; while it waits, the next line is the client response.
  std::unique_ptr<sasl::Authentication> sasl_;
  std::chrono::milliseconds delay_{0};             // Of the last failed login (Flow::Delay).
  std::optional<protocol::LoginHandoff> handoff_;  // Set with Flow::Handoff.
  struct PendingLogin {
    std::string mech;
    auth::UserRecord record;
  };
  std::optional<PendingLogin> pending_login_;  // A mail worker's session until its first feed().
  bool after_login_ = false;            // A mail worker's session: a failed completion closes.
  std::string user_;                    // The logged-in user.
  std::unique_ptr<Maildrop> maildrop_;  // Only in TRANSACTION.
};

}  // namespace satchel::pop3
