// The AUTHORIZATION commands of pop3::Session: USER/PASS (RFC 1939 §7), AUTH (RFC 5034 §4,
// any mechanism of services.sasl), and the login that follows: user lookup, store, maildrop lock.
#include <algorithm>
#include <optional>
#include <string>

#include "auth/api/authenticator.h"
#include "base/ascii.h"
#include "base/crypto.h"
#include "base/log.h"
#include "protocol/pop3/session.h"
#include "protocol/sasl/authentication.h"

namespace satchel::pop3 {
namespace {

constexpr std::string_view kPlaintextRefused =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections\r\n";

// A client-chosen name made safe for one log line: no spaces or control characters (a name
// with " rip=" in it must not be able to fool fail2ban), and not too long.
std::string loggable(std::string_view name) {
  std::string out(name.substr(0, 64));
  for (char& c : out)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) c = '?';
  if (name.size() > 64) out += "...";
  return out;
}

}  // namespace

Session::Flow Session::cmd_user(const CommandLine& cmd, std::string& out) {
  if (cmd.args.size() != 1) return reject(out, "USER takes one argument: the user name.");
  if (!plaintext_allowed()) {
    out += kPlaintextRefused;
    return Flow::Continue;
  }
  pending_user_ = std::string(cmd.args[0]);
  out += "+OK\r\n";
  return Flow::Continue;
}

Session::Flow Session::cmd_pass(const CommandLine& cmd, std::string& out) {
  if (!plaintext_allowed()) {
    out += kPlaintextRefused;
    return Flow::Continue;
  }
  if (pending_user_.empty()) return reject(out, "PASS must follow USER.");
  std::string name = std::move(pending_user_);
  pending_user_.clear();
  // RFC 1939 §7: the password is the rest of the line and may contain spaces.
  if (cmd.rest.empty()) return reject(out, "PASS takes one argument: the password.");
  SecureString password(cmd.rest);
  return verify(name, password, "USER", out);
}

Session::Flow Session::cmd_auth(const CommandLine& cmd, std::string& out) {
  // RFC 5034 §4 defines only "AUTH mechanism [initial-response]"; the older bare "AUTH"
  // listing is not part of it, and CAPA's SASL line gives the list.
  if (cmd.args.empty() || cmd.args.size() > 2)
    return reject(out, "Syntax: AUTH mechanism [initial-response]");
  sasl_ = std::make_unique<sasl::Authentication>(services_, sasl::sasl_context(info_, "pop"));
  std::optional<std::string_view> initial;
  if (cmd.args.size() == 2) initial = cmd.args[1];
  sasl::Outcome o = sasl_->start(cmd.args[0], initial);
  if (o.kind == sasl::Outcome::Kind::NotOffered && !plaintext_allowed() &&
      (ascii::iequals(cmd.args[0], "PLAIN") || ascii::iequals(cmd.args[0], "LOGIN"))) {
    sasl_.reset();
    out += kPlaintextRefused;
    return Flow::Continue;
  }
  return sasl_result(std::move(o), out);
}

Session::Flow Session::sasl_response(std::string_view line, std::string& out) {
  return sasl_result(sasl_->respond(line), out);
}

Session::Flow Session::sasl_result(sasl::Outcome o, std::string& out) {
  std::string mech = sasl_->mechanism();
  if (o.kind != sasl::Outcome::Kind::Continue) sasl_.reset();
  switch (o.kind) {
    case sasl::Outcome::Kind::Continue:
      // RFC 5034 §4: "+" SP base64 challenge (an empty challenge is "+ " alone).
      out += "+ " + o.challenge + "\r\n";
      return Flow::Continue;
    case sasl::Outcome::Kind::Done:
      return login_succeeded(o.record, o.authcid, mech, out);
    case sasl::Outcome::Kind::Failed:
      return fail_login(o.authcid, mech, o.error, out);
    case sasl::Outcome::Kind::Cancelled:
      out += "-ERR Authentication cancelled.\r\n";  // RFC 5034 §4: "*" cancels with -ERR.
      return Flow::Continue;
    case sasl::Outcome::Kind::BadBase64:
      return reject(out, "Invalid base64 data.");
    case sasl::Outcome::Kind::NotOffered:
      out += "-ERR Unsupported authentication mechanism.\r\n";
      return Flow::Continue;
  }
  return Flow::Continue;
}

Session::Flow Session::verify(std::string_view name, const SecureString& password,
                              std::string_view mech, std::string& out) {
  if (!services_.authenticator) {
    log::error("pop3: no authenticator configured");
    out += "-ERR [SYS/TEMP] Authentication service unavailable.\r\n";
    return Flow::Continue;
  }
  auto record = services_.authenticator->verify_password(name, password);
  if (!record) return fail_login(name, mech, record.error(), out);
  return login_succeeded(*record, name, mech, out);
}

Session::Flow Session::fail_login(std::string_view name, std::string_view mech, const Error& error,
                                  std::string& out) {
  // One fail2ban-friendly line (DESIGN.md, Authentication).
  bool temporary = error.kind == ErrorKind::Temporary || error.code == "UNAVAILABLE";
  std::string reason = sasl::failure_reason(error);
  log::info("auth failed: user=" + loggable(name) + " rip=" + info_.remote_ip +
            " mech=" + std::string(mech) + " reason=" + reason);
  if (temporary) {
    // A backend that cannot answer is not the user's fault: no delay.
    out += "-ERR [SYS/TEMP] Authentication service unavailable, try again later.\r\n";
    return Flow::Continue;
  }
  // The server holds the answer for the failed-login delay.
  out += "-ERR [AUTH] Authentication failed.\r\n";
  delay_ = sasl::record_failure(services_, limits_, name, info_.remote_ip);
  return Flow::Delay;
}

Session::Flow Session::login_succeeded(const auth::UserRecord& record, std::string_view authcid,
                                       std::string_view mech, std::string& out) {
  sasl::record_success(services_, authcid, info_.remote_ip);
  if (services_.handoff_after_login) {
    handoff_ = sasl::make_handoff(record, mech);
    return Flow::Handoff;
  }
  return open_maildrop(record, mech, out);
}

Session::Flow Session::open_maildrop(const auth::UserRecord& record, std::string_view mech,
                                     std::string& out) {
  if (!services_.stores) {
    log::error("pop3: no mail store factory configured");
    out += "-ERR [SYS/TEMP] Mail storage unavailable.\r\n";
    return after_login_ ? Flow::Close : Flow::Continue;
  }
  storage::StoreLocation where;
  where.user = record.name;
  where.home = record.home;
  where.location = record.mail_location;
  auto store = services_.stores->open(where);
  if (!store) {
    log::error("pop3: cannot open store: user=" + loggable(record.name) +
               " reason=" + store.error().message);
    out += "-ERR [SYS/TEMP] Unable to open the mail store.\r\n";
    return after_login_ ? Flow::Close : Flow::Continue;
  }
  auto drop = Maildrop::open(std::move(store.value()), services_.pop3_mailbox);
  if (!drop) {
    const Error& error = drop.error();
    // RFC 2449 §8.1.2: authentication succeeded but the maildrop is in use. RFC 1939 §4 lets
    // the session go on in AUTHORIZATION; the client may retry or QUIT.
    // A mail worker cannot go back to AUTHORIZATION: it closes.
    Flow failed = after_login_ ? Flow::Close : Flow::Continue;
    if (error.code == "INUSE") {
      log::info("pop3 maildrop in use: user=" + loggable(record.name) + " rip=" + info_.remote_ip);
      out += "-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n";
      return failed;
    }
    log::error("pop3: cannot open maildrop: user=" + loggable(record.name) +
               " mailbox=" + services_.pop3_mailbox + " reason=" + error.message);
    out += error.kind == ErrorKind::Permanent ? "-ERR [SYS/PERM] Unable to open the mailbox.\r\n"
                                              : "-ERR [SYS/TEMP] Unable to open the mailbox.\r\n";
    return failed;
  }
  maildrop_ = std::move(drop.value());
  user_ = record.name;
  state_ = State::Transaction;
  log::info("login: user=" + loggable(user_) + " rip=" + info_.remote_ip +
            " mech=" + std::string(mech));
  Maildrop::Totals totals = maildrop_->totals();
  out += "+OK Logged in, " + std::to_string(totals.messages) + " messages (" +
         std::to_string(totals.octets) + " octets).\r\n";
  return Flow::Continue;
}

}  // namespace satchel::pop3
