// STORE and UID STORE (RFC 3501 §6.4.6, §6.4.8).
#include "base/ascii.h"
#include "protocol/imap/commands/common.h"
#include "protocol/imap/flags.h"

namespace satchel::imap {

void cmd_store(Ctx& ctx) {
  auto set = read_message_set(ctx);
  if (!set) return;
  auto& p = ctx.p;
  if (!p.sp()) return ctx.syntax_error();
  auto what = p.word();
  if (!what) return ctx.syntax_error();
  std::string w = ascii::upper(*what);
  storage::FlagOp op = storage::FlagOp::Replace;
  if (!w.empty() && (w[0] == '+' || w[0] == '-')) {
    op = w[0] == '+' ? storage::FlagOp::Add : storage::FlagOp::Remove;
    w.erase(0, 1);
  }
  bool silent = false;
  if (w == "FLAGS.SILENT") {
    silent = true;
  } else if (w != "FLAGS") {
    return ctx.bad("", "Error in IMAP command STORE: invalid data item " + *what);
  }
  if (!p.sp()) return ctx.syntax_error();
  storage::Flags flags;
  if (!parse_flags(p, flags, p.peek('(')) || !p.end()) return ctx.syntax_error();

  SelectedMailbox& sel = *ctx.s.selected;
  if (sel.read_only()) return ctx.no("READ-ONLY", "Mailbox is read-only.");
  std::vector<storage::Uid> uids;
  for (std::size_t i : *set) uids.push_back(sel.view()[i].uid);
  if (uids.empty()) return ctx.ok("Store completed.");
  auto r = sel.box().store_flags(uids, op, flags, 0);
  if (!r) return ctx.fail(r.error());
  for (const auto& info : r->updated) sel.update(info);
  if (!silent) {
    for (const auto& info : r->updated) {
      auto i = sel.find(info.uid);
      if (!i) continue;
      const auto& m = sel.view()[*i];
      ctx.out += "* " + std::to_string(*i + 1) + " FETCH (";
      // RFC 3501 §6.4.8: UID STORE responses include the UID.
      if (ctx.uid) ctx.out += "UID " + std::to_string(m.uid) + " ";
      ctx.out += "FLAGS " + format_flags(m.flags, m.recent) + ")\r\n";
    }
  }
  ctx.ok("Store completed.");
}

}  // namespace satchel::imap
