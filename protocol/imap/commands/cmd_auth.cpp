// LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE (§6.2.2, RFC 4959 SASL-IR) for every mechanism
// services.sasl offers.
#include "auth/api/authenticator.h"
#include "base/ascii.h"
#include "base/log.h"
#include "protocol/imap/capabilities.h"
#include "protocol/imap/command_table.h"
#include "protocol/imap/sasl_exchange.h"
#include "protocol/sasl/authentication.h"

namespace satchel::imap {
namespace {

// Log lines stay one line and printable whatever the client sent (fail2ban parses them).
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 128)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f || c == ' ') ? '?' : c;
  }
  return out;
}

bool privacy_ok(Ctx& ctx) {
  if (ctx.s.tls_or_plaintext_ok()) return true;
  // RFC 3501 §6.2.3 / RFC 5530: cleartext passwords are refused without TLS.
  ctx.no("PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure connections.");
  return false;
}

// The answer and the fail2ban line for a refused login. Wrong credentials are held for the
// failed-login delay; a backend that cannot answer is not the user's fault and is not delayed.
void login_failed(Ctx& ctx, std::string_view user, std::string_view mech, const Error& e) {
  SessionState& s = ctx.s;
  bool temporary = e.kind == ErrorKind::Temporary || e.code == "UNAVAILABLE";
  std::string reason = sasl::failure_reason(e);
  log::info("auth failed: user=" + printable(user) + " rip=" + s.conn.remote_ip +
            " mech=" + std::string(mech) + " reason=" + reason);
  if (temporary) {
    ctx.no("UNAVAILABLE", "Temporary authentication failure, try again later.");
    return;
  }
  if (e.code == "AUTHORIZATIONFAILED")
    ctx.no("AUTHORIZATIONFAILED", "Authorization as that user is not allowed.");
  else
    ctx.no("AUTHENTICATIONFAILED", "Authentication failed.");
  ctx.delay = sasl::record_failure(s.services, s.limits, user, s.conn.remote_ip);
}

// Acts on what the SASL framing returned.
void sasl_outcome(Ctx& ctx, sasl::Outcome o) {
  SessionState& s = ctx.s;
  std::string mech = s.sasl ? s.sasl->mechanism() : std::string();
  switch (o.kind) {
    case sasl::Outcome::Kind::Continue:
      // RFC 3501 §7.5: "+ " and the base64 challenge (an empty challenge is "+ " alone).
      ctx.out += "+ " + o.challenge + "\r\n";
      s.sasl_tag = ctx.tag;
      ctx.continues = true;
      return;
    case sasl::Outcome::Kind::Done:
      s.sasl.reset();
      login_succeeded(ctx, o.record, o.authcid, mech);
      return;
    case sasl::Outcome::Kind::Failed:
      s.sasl.reset();
      login_failed(ctx, o.authcid, mech, o.error);
      return;
    case sasl::Outcome::Kind::Cancelled:
      s.sasl.reset();
      ctx.bad("", "Authentication aborted by client");
      return;
    case sasl::Outcome::Kind::BadBase64:
      s.sasl.reset();
      ctx.bad("", "Invalid base64 data");
      return;
    case sasl::Outcome::Kind::NotOffered:
      s.sasl.reset();
      ctx.no("CANNOT", "Unsupported authentication mechanism");
      return;
  }
}

}  // namespace

void login_succeeded(Ctx& ctx, const auth::UserRecord& record, std::string_view authcid,
                     std::string_view mech) {
  SessionState& s = ctx.s;
  sasl::record_success(s.services, authcid, s.conn.remote_ip);
  if (s.services.handoff_after_login) {
    s.handoff = sasl::make_handoff(record, mech, ctx.tag);
    ctx.next = protocol::Next::Handoff;
    return;
  }
  complete_login(ctx, record, mech);
}

void complete_login(Ctx& ctx, const auth::UserRecord& record, std::string_view mech) {
  SessionState& s = ctx.s;
  if (!s.services.stores) {
    log::error("imap: no mail store factory configured");
    ctx.no("UNAVAILABLE", "Mail storage is not available, try again later.");
    return;
  }
  storage::StoreLocation where;
  where.user = record.name;
  where.home = record.home;
  where.location = record.mail_location;
  auto store = s.services.stores->open(where);
  if (!store) {
    log::error("imap: user=" + printable(record.name) +
               " cannot open mail store: " + store.error().message);
    ctx.no("UNAVAILABLE", "Mail storage is not available, try again later.");
    return;
  }
  s.store = std::move(store.value());
  s.user = record.name;
  s.state = State::Authenticated;
  log::info("login: user=" + printable(s.user) + " rip=" + s.conn.remote_ip +
            " mech=" + std::string(mech));
  ctx.ok("Logged in", "CAPABILITY " + capabilities(s));
}

void sasl_continue(Ctx& ctx, std::string_view line) {
  ctx.s.sasl_tag.reset();
  if (!ctx.s.sasl) {
    ctx.bad("", "No authentication in progress");
    return;
  }
  sasl_outcome(ctx, ctx.s.sasl->respond(line));
}

void cmd_login(Ctx& ctx) {
  auto& p = ctx.p;
  if (!p.sp()) return ctx.syntax_error();
  auto user = p.astring();
  if (!user || !p.sp()) return ctx.syntax_error();
  auto pw = p.astring();
  if (!pw || !p.end()) return ctx.syntax_error();
  SecureString password(*pw);
  std::fill(pw->begin(), pw->end(), '\0');
  if (!privacy_ok(ctx)) return;
  if (!ctx.s.services.authenticator) {
    ctx.no("UNAVAILABLE", "Authentication is not available.");
    return;
  }
  auto record = ctx.s.services.authenticator->verify_password(*user, password);
  if (!record) return login_failed(ctx, *user, "LOGIN", record.error());
  login_succeeded(ctx, *record, *user, "LOGIN");
}

void cmd_authenticate(Ctx& ctx) {
  auto& p = ctx.p;
  if (!p.sp()) return ctx.syntax_error();
  auto mech = p.atom();
  if (!mech) return ctx.syntax_error();
  std::optional<std::string> initial;
  if (!p.at_end()) {
    if (!p.sp()) return ctx.syntax_error();
    initial = p.word();
    if (!initial || !p.end()) return ctx.syntax_error();
  }
  SessionState& s = ctx.s;
  s.sasl = std::make_unique<sasl::Authentication>(s.services, sasl::sasl_context(s.conn, "imap"));
  std::optional<std::string_view> ir;
  if (initial) ir = *initial;
  sasl::Outcome o = s.sasl->start(*mech, ir);
  if (initial) std::fill(initial->begin(), initial->end(), '\0');
  // A password mechanism refused for want of TLS says why (RFC 5530 PRIVACYREQUIRED).
  if (o.kind == sasl::Outcome::Kind::NotOffered && !s.tls_or_plaintext_ok() &&
      (ascii::iequals(*mech, "PLAIN") || ascii::iequals(*mech, "LOGIN"))) {
    s.sasl.reset();
    privacy_ok(ctx);
    return;
  }
  sasl_outcome(ctx, std::move(o));
}

}  // namespace satchel::imap
