#include "protocol/pop3/session.h"

#include <algorithm>
#include <utility>

#include "protocol/pop3/capabilities.h"
#include "protocol/sasl/authentication.h"

namespace satchel::pop3 {

// The one place that says which command is allowed in which state (RFC 1939 §4, §5, RFC 2449
// §5, RFC 2595 §4, RFC 5034 §4). Keywords are upper-case; input is upper-cased before lookup.
const Session::CommandSpec Session::kCommands[] = {
    {"CAPA", &Session::cmd_capa, true, true},  {"QUIT", &Session::cmd_quit, true, true},
    {"USER", &Session::cmd_user, true, false}, {"PASS", &Session::cmd_pass, true, false},
    {"AUTH", &Session::cmd_auth, true, false}, {"STLS", &Session::cmd_stls, true, false},
    {"STAT", &Session::cmd_stat, false, true}, {"LIST", &Session::cmd_list, false, true},
    {"RETR", &Session::cmd_retr, false, true}, {"DELE", &Session::cmd_dele, false, true},
    {"NOOP", &Session::cmd_noop, false, true}, {"RSET", &Session::cmd_rset, false, true},
    {"TOP", &Session::cmd_top, false, true},   {"UIDL", &Session::cmd_uidl, false, true},
};

Session::Session(protocol::ConnectionInfo info, protocol::Limits limits,
                 protocol::Services services)
    : info_(std::move(info)), limits_(limits), services_(std::move(services)) {}

Session::Session(protocol::ConnectionInfo info, protocol::Limits limits,
                 protocol::Services services, const protocol::LoginHandoff& handoff,
                 const auth::UserRecord& record)
    : Session(std::move(info), limits, std::move(services)) {
  pending_login_ = PendingLogin{handoff.mech, record};
  after_login_ = true;
}

bool Session::sasl_waiting() const {
  return sasl_ && sasl_->waiting();
}

protocol::LoginHandoff Session::take_handoff() {
  SATCHEL_ASSERT(handoff_.has_value());
  protocol::LoginHandoff h = std::move(*handoff_);
  handoff_.reset();
  return h;
}

// Destroying the session without QUIT drops the Maildrop: the lock is released and nothing
// marked by DELE is deleted (RFC 1939 §6: UPDATE happens only on QUIT).
Session::~Session() {
  reader_.reset();
}

std::string Session::greeting() {
  // A mail worker's session continues a connection that was greeted already.
  if (pending_login_) return "";
  // RFC 1939 §4: no APOP timestamp, since APOP is not offered (capabilities.h says why).
  return "+OK " + services_.server_name + " POP3 ready.\r\n";
}

protocol::FeedResult Session::feed(std::span<const char> input, std::string& out) {
  protocol::FeedResult result;
  if (state_ == State::Closed) {
    result.next = protocol::Next::Close;
    return result;
  }
  if (pending_login_) {
    PendingLogin pending = std::move(*pending_login_);
    pending_login_.reset();
    if (open_maildrop(pending.record, pending.mech, out) == Flow::Close) {
      state_ = State::Closed;
      result.next = protocol::Next::Close;
      return result;
    }
  }
  std::string_view in(input.data(), input.size());
  std::size_t pos = 0;
  for (;;) {
    // RFC 5034 §4: SASL responses may be longer than a command line.
    std::size_t max =
        sasl_waiting() ? std::max(limits_.max_line, kMaxCommandLine) : kMaxCommandLine;
    LineReader::Event event = reader_.next(in.substr(pos), max);
    pos += event.consumed;
    if (event.status == LineReader::Status::NeedMore) break;
    Flow flow;
    if (event.status == LineReader::Status::TooLong) {
      sasl_.reset();
      flow = reject(out, "Line too long");
    } else {
      flow = handle_line(reader_.line(), out);
      reader_.wipe_line();  // It may have held a password.
    }
    if (flow == Flow::Continue) continue;
    result.consumed = pos;
    switch (flow) {
      case Flow::Delay:
        result.delay = delay_;
        return result;
      case Flow::Handoff:
        result.next = protocol::Next::Handoff;
        return result;
      case Flow::StartTls:
        // RFC 2595 §4: nothing the client sent before the handshake may be used after it.
        reader_.reset();
        result.next = protocol::Next::StartTls;
        return result;
      case Flow::Close:
        reader_.reset();
        state_ = State::Closed;
        maildrop_.reset();
        result.next = protocol::Next::Close;
        return result;
      case Flow::Continue:
        break;
    }
  }
  result.consumed = pos;
  return result;
}

Session::Flow Session::handle_line(std::string_view line, std::string& out) {
  if (sasl_waiting()) return sasl_response(line, out);
  CommandLine cmd = parse_command_line(line);
  // RFC 1939 §7: PASS may only follow a successful USER at once.
  if (cmd.keyword != "PASS") pending_user_.clear();
  for (const CommandSpec& spec : kCommands) {
    if (spec.keyword != cmd.keyword) continue;
    bool allowed = state_ == State::Authorization ? spec.in_authorization : spec.in_transaction;
    if (!allowed) return reject(out, "Command not allowed in this state.");
    return (this->*spec.handler)(cmd, out);
  }
  return reject(out, "Unknown command.");
}

Session::Flow Session::reject(std::string& out, std::string_view text) {
  if (++bad_commands_ >= kMaxBadCommands) {
    out += "-ERR Too many bad commands, closing connection.\r\n";
    return Flow::Close;
  }
  out += "-ERR ";
  out += text;
  out += "\r\n";
  return Flow::Continue;
}

bool Session::plaintext_allowed() const {
  return info_.tls_active || info_.plaintext_auth_allowed;
}

Session::Flow Session::cmd_capa(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "CAPA takes no arguments.");
  CapabilityContext context;
  context.authorization = state_ == State::Authorization;
  context.plaintext_allowed = plaintext_allowed();
  context.sasl_mechanisms = sasl::offered_mechanisms(services_, sasl::sasl_context(info_, "pop"));
  context.stls_available = info_.starttls_offered && !info_.tls_active;
  context.implementation = services_.server_name;
  out += capability_response(context);
  return Flow::Continue;
}

Session::Flow Session::cmd_stls(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "STLS takes no arguments.");
  if (info_.tls_active) {
    out += "-ERR Already using TLS.\r\n";  // RFC 2595 §4.
    return Flow::Continue;
  }
  if (!info_.starttls_offered) return reject(out, "STLS is not available here.");
  out += "+OK Begin TLS negotiation\r\n";
  return Flow::StartTls;
}

Session::Flow Session::cmd_quit(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "QUIT takes no arguments.");
  if (state_ == State::Transaction) return update_and_quit(out);
  // RFC 1939 §4: QUIT in AUTHORIZATION ends the session without entering UPDATE.
  out += "+OK Bye.\r\n";
  return Flow::Close;
}

Session::Flow Session::cmd_noop(const CommandLine& cmd, std::string& out) {
  if (!cmd.args.empty()) return reject(out, "NOOP takes no arguments.");
  out += "+OK\r\n";
  return Flow::Continue;
}

void Session::poll(std::string& /*out*/) {
  // POP3 has no unsolicited responses: the maildrop is fixed for the session (RFC 1939 §5).
}

void Session::on_tls_started() {
  // RFC 2595 §4: the client must discard what it knew; so does the server. Back to a fresh
  // AUTHORIZATION state.
  info_.tls_active = true;
  reader_.reset();
  pending_user_.clear();
  sasl_.reset();
  bad_commands_ = 0;
  state_ = State::Authorization;
}

bool Session::authenticated() const {
  return maildrop_ != nullptr;
}

std::string Session::shutdown_notice(bool timeout) {
  return timeout ? "-ERR Autologout; idle for too long\r\n" : "-ERR Server shutting down\r\n";
}

std::string Session::user() const {
  return user_;
}

}  // namespace satchel::pop3
