// IDLE (RFC 2177): the client waits for updates, which Session::poll() sends, until "DONE".
#include "base/ascii.h"
#include "protocol/imap/commands/common.h"

namespace satchel::imap {

void cmd_idle(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  // RFC 2177 §3: updates pending now are sent right after the continuation.
  ctx.out += "+ idling\r\n";
  if (ctx.s.selected) {
    Status st = ctx.s.selected->sync(ctx.out, true, false);
    (void)st;  // A failure shows again on the next poll or command.
  }
  ctx.s.idle_tag = ctx.tag;
  ctx.continues = true;
  // An idling session keeps only its compact mailbox state (DESIGN.md, memory per session).
  if (ctx.s.store) ctx.s.store->release_memory();
}

void idle_done(Ctx& ctx, std::string_view line) {
  ctx.s.idle_tag.reset();
  if (!ascii::iequals(line, "DONE")) return ctx.bad("", "Expected DONE to end IDLE");
  if (ctx.s.selected) {
    Status st = ctx.s.selected->sync(ctx.out, true, false);
    (void)st;
  }
  ctx.ok("Idle completed.");
}

}  // namespace satchel::imap
