// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1).
#include "protocol/imap/commands/common.h"

namespace satchel::imap {

void cmd_expunge(Ctx& ctx) {
  SelectedMailbox& sel = *ctx.s.selected;
  std::optional<std::vector<storage::Uid>> only;
  if (ctx.uid) {
    auto set = read_message_set(ctx);
    if (!set) return;
    only.emplace();
    for (std::size_t i : *set) only->push_back(sel.view()[i].uid);
  }
  if (!ctx.p.end()) return ctx.syntax_error();
  if (sel.read_only()) return ctx.no("READ-ONLY", "Mailbox is read-only.");
  auto gone = sel.box().expunge(only ? &*only : nullptr);
  if (!gone) return ctx.fail(gone.error());
  sel.remove(gone.value(), ctx.out, false);
  ctx.ok("Expunge completed.");
}

}  // namespace satchel::imap
