// FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8, §7.4.2; RFC 3516 BINARY).
//
// RFC 2180 §4.1: a message expunged by another session that we have not reported yet still
// has its sequence number. We answer what the view knows (FLAGS, UID, INTERNALDATE,
// RFC822.SIZE); when its content is asked for we leave it out and end with
// NO [EXPUNGEISSUED] (RFC 2180 §4.1.2, RFC 5530).
#include <algorithm>
#include <memory>

#include "protocol/imap/commands/common.h"
#include "protocol/imap/date_time.h"
#include "protocol/imap/fetch_args.h"
#include "protocol/imap/flags.h"
#include "protocol/imap/message_content.h"
#include "protocol/imap/response.h"

namespace satchel::imap {
namespace {

using Kind = FetchItem::Kind;

// Applies <origin.count>; the response name carries "<origin>" (RFC 3501 §6.4.5).
std::string partial(const FetchItem& item, std::string_view data, std::string& name) {
  if (!item.origin) return std::string(data);
  name += "<" + std::to_string(*item.origin) + ">";
  if (*item.origin >= data.size()) return std::string();
  return std::string(data.substr(*item.origin, item.count));
}

std::string literal_of(std::string_view data, bool binary) {
  if (data.find('\0') == std::string_view::npos) return imap_literal(data);
  // RFC 3516 §4.3: BINARY content with NUL octets goes in a literal8.
  if (binary) return "~{" + std::to_string(data.size()) + "}\r\n" + std::string(data);
  // RFC 3501 §9: a literal is CHAR8 (%x01-ff). A NUL stored in a message is sent as 0x80, so
  // every size and offset stays as counted (Dovecot makes the same substitution when saving).
  std::string text(data);
  std::replace(text.begin(), text.end(), '\0', '\x80');
  return imap_literal(text);
}

// Returns false when the content is unavailable (expunged meanwhile).
bool section_data(const FetchItem& item, MessageContent& content, std::string& data) {
  const std::string* text = content.text();
  if (!text) return false;
  if (item.section.part.empty() && item.section.kind == message::Section::Kind::Full) {
    data = *text;
    return true;
  }
  const message::ParsedMessage* m = content.parsed();
  if (!m) return false;
  auto s = message::section(*m, item.section);
  data = s ? std::move(*s) : std::string();
  return true;
}

}  // namespace

void cmd_fetch(Ctx& ctx) {
  auto set = read_message_set(ctx);
  if (!set) return;
  std::vector<FetchItem> items;
  if (!ctx.p.sp() || !parse_fetch_items(ctx.p, items) || !ctx.p.end()) return ctx.syntax_error();
  SelectedMailbox& sel = *ctx.s.selected;

  bool sets_seen = false;
  for (const auto& it : items) sets_seen |= it.sets_seen();

  // Non-PEEK body fetches set \Seen first, in one store call (RFC 3501 §6.4.5), never in a
  // read-only mailbox (EXAMINE, §6.3.2).
  std::vector<storage::Uid> newly_seen;
  if (sets_seen && !sel.read_only()) {
    for (std::size_t i : *set) {
      const auto& m = sel.view()[i];
      if (!m.flags.has(storage::kSeen) && !sel.expunge_pending(m.uid)) newly_seen.push_back(m.uid);
    }
    if (!newly_seen.empty()) {
      storage::Flags seen;
      seen.system = storage::kSeen;
      auto r = sel.box().store_flags(newly_seen, storage::FlagOp::Add, seen, 0);
      if (!r) return ctx.fail(r.error());
      for (const auto& info : r->updated) sel.update(info);
    }
  }

  bool expunged_issue = false;
  for (std::size_t i : *set) {
    const storage::MessageInfo m = sel.view()[i];
    MessageContent content(sel.box(), m.uid);
    std::string resp;
    bool missing = false;
    auto add = [&](std::string_view s) {
      if (!resp.empty()) resp += ' ';
      resp += s;
    };
    if (ctx.uid) add("UID " + std::to_string(m.uid));
    bool flags_done = false;
    for (const auto& it : items) {
      std::string name;
      std::string data;
      switch (it.kind) {
        case Kind::Flags:
          if (!flags_done) add("FLAGS " + format_flags(m.flags, m.recent));
          flags_done = true;
          break;
        case Kind::Uid:
          if (!ctx.uid) add("UID " + std::to_string(m.uid));
          break;
        case Kind::InternalDate:
          add("INTERNALDATE \"" + format_date_time(m.internal_date, m.internal_tz) + "\"");
          break;
        case Kind::Rfc822Size:
          add("RFC822.SIZE " + std::to_string(m.size));
          break;
        case Kind::Envelope:
        case Kind::Body:
        case Kind::BodyStructure: {
          bool env = it.kind == Kind::Envelope;
          auto v = content.cached(env                     ? "envelope"
                                  : it.kind == Kind::Body ? "body"
                                                          : "bodystructure");
          if (!v) {
            missing = true;
            break;
          }
          add(std::string(env                     ? "ENVELOPE "
                          : it.kind == Kind::Body ? "BODY "
                                                  : "BODYSTRUCTURE ") +
              *v);
          break;
        }
        case Kind::Rfc822:
        case Kind::Rfc822Header:
        case Kind::Rfc822Text: {
          FetchItem s;
          s.section.kind = it.kind == Kind::Rfc822         ? message::Section::Kind::Full
                           : it.kind == Kind::Rfc822Header ? message::Section::Kind::Header
                                                           : message::Section::Kind::Text;
          if (!section_data(s, content, data)) {
            missing = true;
            break;
          }
          add(std::string(it.kind == Kind::Rfc822         ? "RFC822 "
                          : it.kind == Kind::Rfc822Header ? "RFC822.HEADER "
                                                          : "RFC822.TEXT ") +
              literal_of(data, false));
          break;
        }
        case Kind::Section: {
          if (!section_data(it, content, data)) {
            missing = true;
            break;
          }
          name = "BODY[" + it.section_text + "]";
          std::string out = partial(it, data, name);
          add(name + " " + literal_of(out, false));
          break;
        }
        case Kind::Binary:
        case Kind::BinarySize: {
          const message::ParsedMessage* pm = content.parsed();
          if (!pm) {
            missing = true;
            break;
          }
          bool unknown = false;
          auto b = message::binary_section(*pm, it.section.part, &unknown);
          if (unknown) return ctx.no("UNKNOWN-CTE", "Unknown Content-Transfer-Encoding");
          std::string bin = b ? std::move(*b) : std::string();
          if (it.kind == Kind::BinarySize) {
            add("BINARY.SIZE[" + it.section_text + "] " + std::to_string(bin.size()));
          } else {
            name = "BINARY[" + it.section_text + "]";
            std::string out = partial(it, bin, name);
            add(name + " " + literal_of(out, true));
          }
          break;
        }
      }
      if (missing) break;
    }
    if (missing) {
      expunged_issue = true;
      continue;
    }
    // RFC 3501 §6.4.5: \Seen set as a side effect is reported in the same response.
    if (!flags_done && std::binary_search(newly_seen.begin(), newly_seen.end(), m.uid))
      add("FLAGS " + format_flags(sel.view()[i].flags, m.recent));
    ctx.out += "* " + std::to_string(i + 1) + " FETCH (" + resp + ")\r\n";
  }
  if (expunged_issue)
    return ctx.no("EXPUNGEISSUED", "Some messages were expunged by another session.");
  ctx.ok("Fetch completed.");
}

}  // namespace satchel::imap
