// SEARCH and UID SEARCH (RFC 3501 §6.4.4, §6.4.8). Messages are read and parsed only when a
// key needs their content, and at most once per message.
#include <algorithm>

#include "base/ascii.h"
#include "protocol/imap/commands/common.h"
#include "protocol/imap/message_content.h"
#include "protocol/imap/search_args.h"

namespace satchel::imap {
namespace {

using Kind = SearchKey::Kind;

struct Candidate {
  const storage::MessageInfo& info;
  std::uint32_t seq;
  std::uint32_t exists;
  storage::Uid max_uid;
  MessageContent& content;
  bool content_missing = false;
};

bool has_keyword(const storage::Flags& f, const std::string& k) {
  return std::any_of(f.keywords.begin(), f.keywords.end(),
                     [&](const std::string& x) { return ascii::iequals(x, k); });
}

bool match(const SearchKey& key, Candidate& c) {
  const storage::MessageInfo& m = c.info;
  switch (key.kind) {
    case Kind::All:
      return true;
    case Kind::And:
      for (const auto& k : key.children)
        if (!match(k, c)) return false;
      return true;
    case Kind::Or:
      return match(key.children[0], c) || match(key.children[1], c);
    case Kind::Not:
      return !match(key.children[0], c);
    case Kind::Sequence:
      return key.set.contains_uid(c.seq, c.exists);
    case Kind::Uid:
      return key.set.contains_uid(m.uid, c.max_uid);
    case Kind::FlagSet:
      return (m.flags.system & key.flag) != 0;
    case Kind::FlagClear:
      return (m.flags.system & key.flag) == 0;
    case Kind::Keyword:
      return has_keyword(m.flags, key.text);
    case Kind::Unkeyword:
      return !has_keyword(m.flags, key.text);
    case Kind::New:
      return m.recent && !m.flags.has(storage::kSeen);
    case Kind::Old:
      return !m.recent;
    case Kind::Recent:
      return m.recent;
    // RFC 3501 §6.4.4: BEFORE/ON/SINCE compare the internal date's day, disregarding time.
    case Kind::Before:
      return day_of(m.internal_date, m.internal_tz) < key.day;
    case Kind::On:
      return day_of(m.internal_date, m.internal_tz) == key.day;
    case Kind::Since:
      return day_of(m.internal_date, m.internal_tz) >= key.day;
    case Kind::Larger:
      return m.size > key.size;
    case Kind::Smaller:
      return m.size < key.size;
    default:
      break;
  }
  const message::ParsedMessage* pm = c.content.parsed();
  if (!pm) {
    c.content_missing = true;
    return false;
  }
  switch (key.kind) {
    case Kind::SentBefore:
    case Kind::SentOn:
    case Kind::SentSince: {
      auto sent = message::sent_date(*pm);
      if (!sent) return false;
      Day d = day_of(sent->utc, sent->tz_minutes);
      return key.kind == Kind::SentBefore ? d < key.day
             : key.kind == Kind::SentOn   ? d == key.day
                                          : d >= key.day;
    }
    case Kind::Header:
      return message::header_contains(*pm, key.field, key.text);
    case Kind::Body:
      return message::body_contains(*pm, key.text);
    case Kind::Text:
      return message::text_contains(*pm, key.text);
    default:
      return false;
  }
}

}  // namespace

void cmd_search(Ctx& ctx) {
  SearchProgram program;
  if (!ctx.p.sp() || !parse_search(ctx.p, program) || !ctx.p.end()) return ctx.syntax_error();
  // RFC 3501 §6.4.4: an unknown charset is NO [BADCHARSET] with the ones we support.
  if (!convert_needles(program))
    return ctx.no("BADCHARSET (US-ASCII UTF-8)", "Unsupported charset or invalid search text");
  SelectedMailbox& sel = *ctx.s.selected;
  std::uint32_t exists = sel.exists();
  storage::Uid max_uid = sel.view().empty() ? 0 : sel.view().back().uid;
  std::string result = "* SEARCH";
  for (std::size_t i = 0; i < sel.view().size(); ++i) {
    const storage::MessageInfo& m = sel.view()[i];
    MessageContent content(sel.box(), m.uid);
    Candidate c{m, static_cast<std::uint32_t>(i + 1), exists, max_uid, content};
    if (!match(program.root, c)) continue;
    result += ' ';
    result += std::to_string(ctx.uid ? m.uid : static_cast<std::uint32_t>(i + 1));
  }
  ctx.out += result + "\r\n";
  ctx.ok("Search completed.");
}

}  // namespace satchel::imap
