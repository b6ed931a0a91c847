// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 3501 §6.3.3-§6.3.7).
#include "base/ascii.h"
#include "protocol/imap/commands/common.h"
#include "protocol/imap/mailbox_name.h"

namespace satchel::imap {

void cmd_create(Ctx& ctx) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  // RFC 3501 §6.3.3: a trailing separator only declares the intent to create children.
  while (!name->empty() && name->back() == kSeparator) name->pop_back();
  if (name->empty()) return ctx.no("CANNOT", "Invalid mailbox name");
  if (*name == "INBOX") return ctx.no("ALREADYEXISTS", "Mailbox already exists");
  Status st = ctx.s.store->create(*name);
  if (!st) return ctx.fail(st.error());
  ctx.ok("Create completed.");
}

void cmd_delete(Ctx& ctx) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  if (*name == "INBOX") return ctx.no("CANNOT", "INBOX cannot be deleted");
  Status st = ctx.s.store->remove(*name);
  if (!st) return ctx.fail(st.error());
  ctx.ok("Delete completed.");
}

void cmd_rename(Ctx& ctx) {
  auto from = read_mailbox(ctx);
  if (!from) return;
  auto to = read_mailbox(ctx);
  if (!to) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  while (!to->empty() && to->back() == kSeparator) to->pop_back();
  if (to->empty()) return ctx.no("CANNOT", "Invalid mailbox name");
  if (*to == "INBOX") return ctx.no("ALREADYEXISTS", "INBOX already exists");
  Status st = ctx.s.store->rename(*from, *to);
  if (!st) return ctx.fail(st.error());
  ctx.ok("Rename completed.");
}

void cmd_subscribe(Ctx& ctx) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  Status st = ctx.s.store->subscribe(*name);
  if (!st) return ctx.fail(st.error());
  ctx.ok("Subscribe completed.");
}

void cmd_unsubscribe(Ctx& ctx) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  Status st = ctx.s.store->unsubscribe(*name);
  if (!st) return ctx.fail(st.error());
  ctx.ok("Unsubscribe completed.");
}

}  // namespace satchel::imap
