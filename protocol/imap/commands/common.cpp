#include "protocol/imap/commands/common.h"

#include "protocol/imap/mailbox_name.h"
#include "protocol/imap/response.h"

namespace satchel::imap {

std::optional<std::string> read_mailbox(Ctx& ctx) {
  if (!ctx.p.sp()) {
    ctx.syntax_error();
    return std::nullopt;
  }
  auto raw = ctx.p.astring();
  if (!raw) {
    ctx.syntax_error();
    return std::nullopt;
  }
  auto name = mailbox_from_wire(*raw);
  if (!name) {
    ctx.no("CANNOT", "Invalid mailbox name (modified UTF-7 required)");
    return std::nullopt;
  }
  return name;
}

std::optional<std::vector<std::size_t>> read_message_set(Ctx& ctx) {
  if (!ctx.p.sp()) {
    ctx.syntax_error();
    return std::nullopt;
  }
  auto word = ctx.p.word();
  if (!word) {
    ctx.syntax_error();
    return std::nullopt;
  }
  std::string error;
  auto set = SequenceSet::parse(*word, &error);
  if (!set) {
    ctx.bad("", "Error in IMAP command: " + error);
    return std::nullopt;
  }
  SelectedMailbox& sel = *ctx.s.selected;
  std::vector<std::size_t> out;
  if (ctx.uid) {
    for (std::uint32_t i : set->resolve_uids(sel.uids())) out.push_back(i);
    return out;
  }
  auto seqs = set->resolve_sequence(sel.exists());
  if (!seqs) {
    ctx.bad("", "Error in IMAP command: Invalid message sequence number");
    return std::nullopt;
  }
  for (std::uint32_t n : *seqs) out.push_back(n - 1);
  return out;
}

std::string wire_mailbox(std::string_view utf8) {
  return imap_string(mailbox_to_wire(utf8));
}

}  // namespace satchel::imap
