// COPY and UID COPY (RFC 3501 §6.4.7) with COPYUID (RFC 4315 §3).
#include "protocol/imap/commands/common.h"

namespace satchel::imap {

void cmd_copy(Ctx& ctx) {
  auto set = read_message_set(ctx);
  if (!set) return;
  auto dest = read_mailbox(ctx);
  if (!dest) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  SelectedMailbox& sel = *ctx.s.selected;
  std::vector<storage::Uid> uids;
  for (std::size_t i : *set) uids.push_back(sel.view()[i].uid);
  if (uids.empty()) return ctx.ok("No messages copied.");
  auto r = sel.box().copy_to(uids, *dest);
  if (!r) return ctx.fail(r.error());
  if (r->source_uids.empty()) return ctx.no("EXPUNGEISSUED", "Some messages were expunged.");
  std::string code = "COPYUID " + std::to_string(r->dest_uidvalidity) + " " +
                     format_sequence(r->source_uids) + " " + format_sequence(r->dest_uids);
  // RFC 3501 §6.4.7: all or nothing; messages expunged meanwhile were not copied.
  if (r->source_uids.size() != uids.size())
    return ctx.no("EXPUNGEISSUED", "Some messages were expunged by another session.");
  ctx.ok("Copy completed.", code);
}

}  // namespace satchel::imap
