#include "protocol/imap/flags.h"

#include <algorithm>

#include "base/ascii.h"
#include "protocol/imap/syntax.h"

namespace satchel::imap {
namespace {

struct SystemName {
  std::string_view name;
  storage::SystemFlag flag;
};
constexpr SystemName kSystem[] = {{"\\Answered", storage::kAnswered},
                                  {"\\Flagged", storage::kFlagged},
                                  {"\\Deleted", storage::kDeleted},
                                  {"\\Seen", storage::kSeen},
                                  {"\\Draft", storage::kDraft}};

bool add_flag(ArgParser& p, storage::Flags& flags) {
  bool backslash = p.skip('\\');
  auto a = p.atom();
  if (!a) return false;
  if (backslash) {
    for (const auto& s : kSystem) {
      if (ascii::iequals(s.name.substr(1), *a)) {
        flags.system |= s.flag;
        return true;
      }
    }
    if (ascii::iequals(*a, "Recent")) return p.fail("\\Recent cannot be stored");
    return p.fail("Unknown system flag \\" + *a);
  }
  // Keywords are compared case-insensitively but stored as first seen (sorted, unique).
  for (const auto& k : flags.keywords)
    if (ascii::iequals(k, *a)) return true;
  flags.keywords.push_back(*a);
  std::sort(flags.keywords.begin(), flags.keywords.end());
  return true;
}

}  // namespace

bool parse_flags(ArgParser& p, storage::Flags& flags, bool parenthesized) {
  if (parenthesized) {
    if (!p.open_list()) return false;
    if (p.skip(')')) return true;
  }
  while (true) {
    if (!add_flag(p, flags)) return false;
    if (parenthesized && p.peek(')')) return p.close_list();
    if (!parenthesized && p.at_end()) return true;
    if (!p.sp()) return false;
  }
}

bool parse_flag_list(ArgParser& p, storage::Flags& flags) {
  return parse_flags(p, flags, true);
}

std::string format_flags(const storage::Flags& flags, bool recent) {
  std::string out = "(";
  for (const auto& s : kSystem) {
    if (!flags.has(s.flag)) continue;
    if (out.size() > 1) out += ' ';
    out += s.name;
  }
  if (recent) {
    if (out.size() > 1) out += ' ';
    out += "\\Recent";
  }
  for (const auto& k : flags.keywords) {
    if (out.size() > 1) out += ' ';
    out += k;
  }
  out += ')';
  return out;
}

}  // namespace satchel::imap
