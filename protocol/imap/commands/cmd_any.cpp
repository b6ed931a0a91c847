// Commands valid in any state: CAPABILITY, NOOP, LOGOUT (RFC 3501 §6.1), ID (RFC 2971),
// and STARTTLS (§6.2.1).
#include "protocol/imap/capabilities.h"
#include "protocol/imap/command_table.h"
#include "protocol/imap/response.h"

namespace satchel::imap {

void cmd_capability(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  ctx.out += "* CAPABILITY " + capabilities(ctx.s) + "\r\n";
  ctx.ok("Capability completed.");
}

void cmd_noop(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  // The untagged updates of RFC 3501 §6.1.2 are added by the driver after every command.
  ctx.ok("NOOP completed.");
}

void cmd_logout(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  ctx.out += "* BYE Logging out\r\n";
  ctx.ok("Logout completed.");
  ctx.s.deselect();
  ctx.s.state = State::Logout;
  ctx.next = protocol::Next::Close;
}

void cmd_starttls(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  if (ctx.s.conn.tls_active) return ctx.bad("", "TLS is already active");
  if (!ctx.s.conn.starttls_offered) return ctx.bad("", "STARTTLS is not available");
  ctx.ok("Begin TLS negotiation now.");
  ctx.next = protocol::Next::StartTls;
}

// RFC 2971: ID ("name" "value" ...) / NIL. We answer with our own name only.
void cmd_id(Ctx& ctx) {
  auto& p = ctx.p;
  if (!p.sp()) return ctx.syntax_error();
  if (p.peek('(')) {
    if (!p.open_list()) return ctx.syntax_error();
    int pairs = 0;
    while (!p.peek(')')) {
      if (pairs > 0 && !p.sp()) return ctx.syntax_error();
      auto key = p.string();
      if (!key || !p.sp() || !p.nstring()) return ctx.syntax_error();
      if (++pairs > 30) return ctx.bad("", "Too many ID fields");
    }
    if (!p.close_list()) return ctx.syntax_error();
  } else {
    auto nil = p.nstring();
    if (!nil || *nil) return ctx.syntax_error();
  }
  if (!p.end()) return ctx.syntax_error();
  ctx.out += "* ID (\"name\" " + imap_string(ctx.s.services.server_name) + ")\r\n";
  ctx.ok("ID completed.");
}

}  // namespace satchel::imap
