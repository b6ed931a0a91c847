// SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2), and leaving the Selected state: CLOSE
// (§6.4.2), UNSELECT (RFC 3691); CHECK (§6.4.1).
#include <set>

#include "protocol/imap/commands/common.h"
#include "protocol/imap/flags.h"

namespace satchel::imap {
namespace {

void select(Ctx& ctx, bool read_only) {
  auto name = read_mailbox(ctx);
  if (!name) return;
  if (!ctx.p.end()) return ctx.syntax_error();
  // RFC 3501 §6.3.1: the current mailbox is deselected first, even if this SELECT fails.
  ctx.s.deselect();
  auto box = ctx.s.store->open(*name, read_only);
  if (!box) return ctx.fail(box.error());
  auto snapshot = box.value()->snapshot();
  if (!snapshot) return ctx.fail(snapshot.error());
  auto sel = std::make_unique<SelectedMailbox>(std::move(box.value()), read_only,
                                               std::move(snapshot.value()));
  const storage::MailboxInfo& info = sel->box().info();

  std::set<std::string> keywords;
  std::uint32_t first_unseen = 0;
  for (std::size_t i = 0; i < sel->view().size(); ++i) {
    const auto& m = sel->view()[i];
    for (const auto& k : m.flags.keywords) keywords.insert(k);
    if (first_unseen == 0 && !m.flags.has(storage::kSeen))
      first_unseen = static_cast<std::uint32_t>(i + 1);
  }
  std::string kw;
  for (const auto& k : keywords) kw += " " + k;
  std::string flags(kFlagsList);
  flags.insert(flags.size() - 1, kw);
  std::string permanent(kPermanentFlags);
  permanent.insert(permanent.size() - 4, kw);

  std::string& out = ctx.out;
  out += "* FLAGS " + flags + "\r\n";
  if (read_only)
    out += "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n";
  else
    out += "* OK [PERMANENTFLAGS " + permanent + "] Flags permitted.\r\n";
  out += "* " + std::to_string(sel->exists()) + " EXISTS\r\n";
  out += "* " + std::to_string(sel->recent()) + " RECENT\r\n";
  if (first_unseen) out += "* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.\r\n";
  out += "* OK [UIDVALIDITY " + std::to_string(info.uidvalidity) + "] UIDs valid\r\n";
  out += "* OK [UIDNEXT " + std::to_string(info.uidnext) + "] Predicted next UID\r\n";
  ctx.s.selected = std::move(sel);
  ctx.s.state = State::Selected;
  if (read_only)
    ctx.ok("Examine completed.", "READ-ONLY");
  else
    ctx.ok("Select completed.", "READ-WRITE");
}

}  // namespace

void cmd_select(Ctx& ctx) {
  select(ctx, false);
}
void cmd_examine(Ctx& ctx) {
  select(ctx, true);
}

void cmd_check(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  ctx.ok("Check completed.");
}

void cmd_close(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  // RFC 3501 §6.4.2: expunge silently when read-write, then leave.
  std::optional<Error> failure;
  if (!ctx.s.selected->read_only()) {
    auto gone = ctx.s.selected->box().expunge(nullptr);
    if (!gone) failure = gone.error();
  }
  ctx.s.deselect();
  if (failure) return ctx.fail(*failure);
  ctx.ok("Close completed.");
}

void cmd_unselect(Ctx& ctx) {
  if (!ctx.p.end()) return ctx.syntax_error();
  ctx.s.deselect();
  ctx.ok("Unselect completed.");
}

}  // namespace satchel::imap
