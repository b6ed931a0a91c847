// STATUS (RFC 3501 §6.3.10), NAMESPACE (RFC 2342) and ENABLE (RFC 5161).
#include "base/ascii.h"
#include "protocol/imap/commands/common.h"

namespace satchel::imap {

void cmd_status(Ctx& ctx) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  auto& p = ctx.p;
  if (!p.sp() || !p.open_list()) return ctx.syntax_error();
  std::vector<std::string> items;
  while (true) {
    auto item = p.atom();
    if (!item) return ctx.syntax_error();
    std::string up = ascii::upper(*item);
    if (up != "MESSAGES" && up != "RECENT" && up != "UIDNEXT" && up != "UIDVALIDITY" &&
        up != "UNSEEN")
      return ctx.bad("", "Unknown STATUS item " + *item);
    items.push_back(up);
    if (p.peek(')')) break;
    if (!p.sp()) return ctx.syntax_error();
  }
  if (!p.close_list() || !p.end()) return ctx.syntax_error();
  auto st = ctx.s.store->status(*name);
  if (!st) return ctx.fail(st.error());
  std::string out = "* STATUS " + wire_mailbox(*name) + " (";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ' ';
    const std::string& it = items[i];
    std::uint64_t v = it == "MESSAGES"  ? st->messages
                      : it == "RECENT"  ? st->recent
                      : it == "UIDNEXT" ? st->uidnext
                      : it == "UNSEEN"  ? st->unseen
                                        : st->uidvalidity;
    out += it + " " + std::to_string(v);
  }
  ctx.out += out + ")\r\n";
  ctx.ok("Status completed.");
}

void cmd_namespace(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  // RFC 2342: one personal namespace with an empty prefix, no other users' or shared ones.
  ctx.out += "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";
  ctx.ok("Namespace completed.");
}

void cmd_enable(Ctx& ctx) {
  auto& p = ctx.p;
  if (!p.sp()) return ctx.syntax_error();
  while (true) {
    if (!p.atom()) return ctx.syntax_error();
    if (p.at_end()) break;
    if (!p.sp()) return ctx.syntax_error();
  }
  // RFC 5161 §3.1: nothing we advertise can be enabled yet, so the list is empty.
  ctx.out += "* ENABLED\r\n";
  ctx.ok("Enabled.");
}

}  // namespace satchel::imap
