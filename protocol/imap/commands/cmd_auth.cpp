// LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (§6.2.2, RFC 4959, RFC 4616).
#include "auth/api/authenticator.h"
#include "base/ascii.h"
#include "base/crypto.h"
#include "base/log.h"
#include "protocol/imap/capabilities.h"
#include "protocol/imap/command_table.h"
#include "protocol/imap/sasl_exchange.h"
#include "protocol/sasl/plain.h"

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

}  // namespace

void login(Ctx& ctx, std::string_view user, const SecureString& password, std::string_view mech) {
  SessionState& s = ctx.s;
  auto fail_line = [&](std::string_view reason) {
    log::info("auth failed: user=" + printable(user) + " rip=" + s.conn.remote_ip +
              " mech=" + std::string(mech) + " reason=" + std::string(reason));
  };
  if (!s.services.authenticator || !s.services.stores) {
    ctx.no("UNAVAILABLE", "Authentication is not available.");
    return;
  }
  auto record = s.services.authenticator->verify_password(user, password);
  if (!record) {
    const Error& e = record.error();
    if (e.kind == ErrorKind::Temporary || e.code == "UNAVAILABLE") {
      fail_line("temporary failure: " + printable(e.message));
      ctx.no("UNAVAILABLE", "Temporary authentication failure, try again later.");
      return;
    }
    fail_line(e.code.empty() ? "failed" : ascii::lower(e.code));
    ctx.no("AUTHENTICATIONFAILED", "Authentication failed.");
    ctx.delay = ctx.s.limits.failed_login_delay;
    return;
  }
  storage::StoreLocation where;
  where.user = record->name;
  where.home = record->home;
  where.location = record->mail_location;
  auto store = s.services.stores->open(where);
  if (!store) {
    log::error("imap: user=" + printable(record->name) +
               " cannot open mail store: " + store.error().message);
    ctx.no("UNAVAILABLE", "Mail storage is not available, try again later.");
    return;
  }
  s.store = std::move(store.value());
  s.user = record->name;
  s.state = State::Authenticated;
  log::info("login: user=" + printable(s.user) + " rip=" + s.conn.remote_ip +
            " mech=" + std::string(mech));
  ctx.ok("Logged in", "CAPABILITY " + capabilities(s));
}

void sasl_plain(Ctx& ctx, std::string_view message) {
  auto creds = sasl::parse_plain(message);
  if (!creds) {
    ctx.bad("", "Invalid PLAIN message");
    return;
  }
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    log::info("auth failed: user=" + printable(creds->authcid) + " rip=" + ctx.s.conn.remote_ip +
              " mech=PLAIN reason=authzid not allowed");
    ctx.no("AUTHORIZATIONFAILED", "Authorization as another user is not allowed.");
    ctx.delay = ctx.s.limits.failed_login_delay;
    return;
  }
  login(ctx, creds->authcid, creds->password, "PLAIN");
}

void sasl_continue(Ctx& ctx, std::string_view line) {
  ctx.s.sasl_tag.reset();
  // RFC 3501 §6.2.2: "*" cancels the exchange with a BAD.
  if (line == "*") {
    ctx.bad("", "Authentication aborted by client");
    return;
  }
  auto decoded = crypto::base64_decode(line);
  if (!decoded) {
    ctx.bad("", "Invalid base64 data");
    return;
  }
  SecureString message(*decoded);
  std::fill(decoded->begin(), decoded->end(), '\0');
  sasl_plain(ctx, message.view());
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
  login(ctx, *user, password, "LOGIN");
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
  if (!ascii::iequals(*mech, "PLAIN")) {
    ctx.no("CANNOT", "Unsupported authentication mechanism");
    return;
  }
  if (!privacy_ok(ctx)) return;
  if (initial) {
    // RFC 4959: "=" is an empty initial response.
    if (*initial == "=") return sasl_plain(ctx, "");
    auto decoded = crypto::base64_decode(*initial);
    if (!decoded) return ctx.bad("", "Invalid base64 data");
    SecureString message(*decoded);
    std::fill(decoded->begin(), decoded->end(), '\0');
    return sasl_plain(ctx, message.view());
  }
  ctx.out += "+ \r\n";
  ctx.s.sasl_tag = ctx.tag;
  ctx.continues = true;
}

}  // namespace satchel::imap
