// LIST and LSUB (RFC 3501 §6.3.8, §6.3.9), with the CHILDREN attributes (RFC 3348).
#include <map>
#include <set>

#include "protocol/imap/commands/common.h"
#include "protocol/imap/list_pattern.h"
#include "protocol/imap/mailbox_name.h"

namespace satchel::imap {
namespace {

constexpr std::size_t kMaxPattern = 1024;

struct ListArgs {
  std::string reference;
  std::string pattern;
  bool valid = true;  // Both decode as modified UTF-7.
};

std::optional<ListArgs> read_list_args(Ctx& ctx) {
  auto& p = ctx.p;
  if (!p.sp()) {
    ctx.syntax_error();
    return std::nullopt;
  }
  if (p.peek('(')) {
    ctx.bad("", "LIST selection options are not supported");
    return std::nullopt;
  }
  auto ref = p.astring();
  if (!ref || !p.sp()) {
    ctx.syntax_error();
    return std::nullopt;
  }
  auto pat = p.list_mailbox();
  if (!pat || !p.end()) {
    ctx.syntax_error();
    return std::nullopt;
  }
  if (pat->size() + ref->size() > kMaxPattern) {
    ctx.bad("LIMIT", "Mailbox pattern too long");
    return std::nullopt;
  }
  ListArgs a;
  auto r = mutf7_decode(*ref), q = mutf7_decode(*pat);
  a.valid = r && q;
  if (a.valid) {
    a.reference = *r;
    a.pattern = *q;
  }
  return a;
}

std::string line(std::string_view kind, std::string_view attrs, std::string_view name) {
  return "* " + std::string(kind) + " (" + std::string(attrs) + ") \"/\" " + wire_mailbox(name) +
         "\r\n";
}

}  // namespace

void cmd_list(Ctx& ctx) {
  auto args = read_list_args(ctx);
  if (!args) return;
  if (args->valid && args->pattern.empty()) {
    // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the reference's root.
    std::string root;
    if (auto slash = args->reference.find(kSeparator); slash != std::string::npos)
      root = args->reference.substr(0, slash + 1);
    ctx.out += line("LIST", "\\Noselect", root);
    return ctx.ok("List completed.");
  }
  if (!args->valid) return ctx.ok("List completed.");
  auto entries = ctx.s.store->list();
  if (!entries) return ctx.fail(entries.error());
  ListPattern pattern(args->reference, args->pattern);
  for (const auto& e : entries.value()) {
    if (!pattern.matches(e.name)) continue;
    std::string attrs;
    if (e.no_select) attrs = "\\Noselect ";
    attrs += e.has_children ? "\\HasChildren" : "\\HasNoChildren";
    ctx.out += line("LIST", attrs, e.name);
  }
  ctx.ok("List completed.");
}

void cmd_lsub(Ctx& ctx) {
  auto args = read_list_args(ctx);
  if (!args) return;
  if (!args->valid) return ctx.ok("Lsub completed.");
  if (args->pattern.empty()) {
    ctx.out += line("LSUB", "\\Noselect", "");
    return ctx.ok("Lsub completed.");
  }
  auto subs = ctx.s.store->subscriptions();
  if (!subs) return ctx.fail(subs.error());
  auto entries = ctx.s.store->list();
  if (!entries) return ctx.fail(entries.error());
  std::set<std::string> selectable;
  for (const auto& e : entries.value())
    if (!e.no_select) selectable.insert(e.name);
  std::set<std::string> subscribed(subs->begin(), subs->end());
  ListPattern pattern(args->reference, args->pattern);
  std::map<std::string, bool> found;  // name -> \Noselect
  for (const auto& raw : subscribed) {
    std::string name = canonical_inbox(raw);
    if (pattern.matches(name)) {
      found.emplace(name, selectable.count(name) == 0);
      continue;
    }
    // RFC 3501 §6.3.9: a parent that "%" matches, of a subscribed mailbox the pattern does
    // not reach, is returned with \Noselect.
    for (std::size_t pos = name.find(kSeparator); pos != std::string::npos;
         pos = name.find(kSeparator, pos + 1)) {
      std::string parent = name.substr(0, pos);
      if (!subscribed.count(parent) && pattern.matches(parent)) found.emplace(parent, true);
    }
  }
  for (const auto& [name, noselect] : found)
    ctx.out += line("LSUB", noselect ? "\\Noselect" : "", name);
  ctx.ok("Lsub completed.");
}

}  // namespace satchel::imap
