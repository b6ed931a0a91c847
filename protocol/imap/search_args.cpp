#include "protocol/imap/search_args.h"

#include "base/ascii.h"
#include "message/message.h"
#include "storage/api/types.h"

namespace satchel::imap {
namespace {

using Kind = SearchKey::Kind;

// NOT and OR nest without parentheses; bound the recursion as parentheses are bounded.
constexpr std::size_t kMaxDepth = 256;

bool parse_key(ArgParser& p, SearchKey& key, std::size_t depth);

bool parse_date_arg(ArgParser& p, Day& day) {
  if (!p.sp()) return false;
  std::optional<std::string> text = p.peek('"') ? p.string() : p.atom();
  if (!text) return false;
  auto d = parse_date(*text);
  if (!d) return p.fail("Invalid date " + *text);
  day = *d;
  return true;
}

bool parse_string_arg(ArgParser& p, std::string& out) {
  if (!p.sp()) return false;
  auto s = p.astring();
  if (!s) return false;
  out = std::move(*s);
  return true;
}

struct Simple {
  std::string_view name;
  Kind kind;
  std::uint8_t flag;
};
constexpr Simple kSimple[] = {
    {"ALL", Kind::All, 0},
    {"ANSWERED", Kind::FlagSet, storage::kAnswered},
    {"DELETED", Kind::FlagSet, storage::kDeleted},
    {"DRAFT", Kind::FlagSet, storage::kDraft},
    {"FLAGGED", Kind::FlagSet, storage::kFlagged},
    {"SEEN", Kind::FlagSet, storage::kSeen},
    {"UNANSWERED", Kind::FlagClear, storage::kAnswered},
    {"UNDELETED", Kind::FlagClear, storage::kDeleted},
    {"UNDRAFT", Kind::FlagClear, storage::kDraft},
    {"UNFLAGGED", Kind::FlagClear, storage::kFlagged},
    {"UNSEEN", Kind::FlagClear, storage::kSeen},
    {"NEW", Kind::New, 0},
    {"OLD", Kind::Old, 0},
    {"RECENT", Kind::Recent, 0},
};

bool parse_named(ArgParser& p, const std::string& name, SearchKey& key, std::size_t depth) {
  for (const auto& s : kSimple) {
    if (name == s.name) {
      key.kind = s.kind;
      key.flag = s.flag;
      return true;
    }
  }
  if (name == "FROM" || name == "TO" || name == "CC" || name == "BCC" || name == "SUBJECT") {
    key.kind = Kind::Header;
    key.field = name;
    return parse_string_arg(p, key.text);
  }
  if (name == "HEADER") {
    key.kind = Kind::Header;
    return parse_string_arg(p, key.field) && parse_string_arg(p, key.text);
  }
  if (name == "BODY" || name == "TEXT") {
    key.kind = name == "BODY" ? Kind::Body : Kind::Text;
    return parse_string_arg(p, key.text);
  }
  if (name == "KEYWORD" || name == "UNKEYWORD") {
    key.kind = name == "KEYWORD" ? Kind::Keyword : Kind::Unkeyword;
    if (!p.sp()) return false;
    auto a = p.atom();
    if (!a) return false;
    key.text = *a;
    return true;
  }
  static constexpr std::pair<std::string_view, Kind> kDates[] = {
      {"BEFORE", Kind::Before},         {"ON", Kind::On},         {"SINCE", Kind::Since},
      {"SENTBEFORE", Kind::SentBefore}, {"SENTON", Kind::SentOn}, {"SENTSINCE", Kind::SentSince}};
  for (const auto& [n, k] : kDates) {
    if (name == n) {
      key.kind = k;
      return parse_date_arg(p, key.day);
    }
  }
  if (name == "LARGER" || name == "SMALLER") {
    key.kind = name == "LARGER" ? Kind::Larger : Kind::Smaller;
    if (!p.sp()) return false;
    auto n = p.number();
    if (!n) return false;
    key.size = *n;
    return true;
  }
  if (name == "NOT") {
    key.kind = Kind::Not;
    key.children.emplace_back();
    return p.sp() && parse_key(p, key.children.back(), depth + 1);
  }
  if (name == "OR") {
    key.kind = Kind::Or;
    key.children.resize(2);
    return p.sp() && parse_key(p, key.children[0], depth + 1) && p.sp() &&
           parse_key(p, key.children[1], depth + 1);
  }
  if (name == "UID") {
    key.kind = Kind::Uid;
    if (!p.sp()) return false;
    auto w = p.word();
    if (!w) return false;
    std::string error;
    auto set = SequenceSet::parse(*w, &error);
    if (!set) return p.fail(error);
    key.set = *set;
    return true;
  }
  return p.fail("Unknown search key " + name);
}

bool parse_key(ArgParser& p, SearchKey& key, std::size_t depth) {
  if (depth > kMaxDepth) {
    p.counted();
    return p.fail("Search program nested too deeply");
  }
  if (p.peek('(')) {
    if (!p.open_list()) return false;
    key.kind = Kind::And;
    while (true) {
      key.children.emplace_back();
      if (!parse_key(p, key.children.back(), depth + 1)) return false;
      if (p.peek(')')) break;
      if (!p.sp()) return false;
    }
    return p.close_list();
  }
  std::string_view rest = p.rest_of_line();
  if (!rest.empty() && ((rest[0] >= '0' && rest[0] <= '9') || rest[0] == '*')) {
    auto w = p.word();
    if (!w) return false;
    std::string error;
    auto set = SequenceSet::parse(*w, &error);
    if (!set) return p.fail(error);
    key.kind = Kind::Sequence;
    key.set = *set;
    return true;
  }
  auto name = p.atom();
  if (!name) return false;
  return parse_named(p, ascii::upper(*name), key, depth);
}

bool convert_key(SearchKey& key, const std::string& charset) {
  switch (key.kind) {
    case Kind::Header:
    case Kind::Body:
    case Kind::Text: {
      auto u = message::to_utf8(charset, key.text);
      if (!u) return false;
      key.text = std::move(*u);
      break;
    }
    default:
      break;
  }
  for (auto& c : key.children)
    if (!convert_key(c, charset)) return false;
  return true;
}

}  // namespace

bool SearchKey::needs_content() const {
  switch (kind) {
    case Kind::Header:
    case Kind::Body:
    case Kind::Text:
    case Kind::SentBefore:
    case Kind::SentOn:
    case Kind::SentSince:
      return true;
    default:
      for (const auto& c : children)
        if (c.needs_content()) return true;
      return false;
  }
}

bool parse_search(ArgParser& p, SearchProgram& program) {
  std::string_view rest = p.rest_of_line();
  if (rest.size() >= 8 && ascii::iequals(rest.substr(0, 8), "CHARSET ")) {
    p.advance(7);
    if (!p.sp()) return false;
    auto cs = p.astring();
    if (!cs || !p.sp()) return false;
    program.charset = *cs;
  }
  program.root.kind = Kind::And;
  while (true) {
    program.root.children.emplace_back();
    if (!parse_key(p, program.root.children.back(), 0)) return false;
    if (p.at_end()) return true;
    if (!p.sp()) return false;
  }
}

bool convert_needles(SearchProgram& program) {
  const std::string& cs = program.charset;
  if (ascii::iequals(cs, "US-ASCII") || ascii::iequals(cs, "UTF-8") || ascii::iequals(cs, "UTF8"))
    return true;
  if (!message::charset_supported(cs)) return false;
  return convert_key(program.root, cs);
}

}  // namespace satchel::imap
