// libFuzzer target for IMAP command framing and argument syntax: CommandReader splits the
// input into commands (literals included), and each command's arguments go through every
// argument grammar (FETCH items, SEARCH keys, APPEND arguments, flags, sequence sets, mailbox
// names, plain tokens), each from a fresh ArgParser. Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/imap/append_args.h"
#include "protocol/imap/arg_parser.h"
#include "protocol/imap/command_reader.h"
#include "protocol/imap/fetch_args.h"
#include "protocol/imap/flags.h"
#include "protocol/imap/list_pattern.h"
#include "protocol/imap/mailbox_name.h"
#include "protocol/imap/search_args.h"
#include "protocol/imap/sequence_set.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using satchel::imap::ArgParser;
using satchel::imap::Command;

// Skips "tag SP name" so that the grammars start where a handler would.
bool skip_tag_and_name(ArgParser& p) {
  return p.atom() && p.sp() && p.atom() && (p.at_end() || p.sp());
}

void tokens(const Command& cmd, const satchel::protocol::Limits& limits) {
  ArgParser p(cmd, limits);
  // Every token kind in turn until one fails: each call either consumes or fails.
  for (int i = 0; i < 200 && !p.at_end(); ++i) {
    bool ok = false;
    switch (i % 7) {
      case 0:
        ok = p.astring().has_value();
        break;
      case 1:
        ok = p.sp();
        break;
      case 2:
        ok = p.nstring().has_value();
        break;
      case 3:
        ok = p.open_list() || p.close_list();
        break;
      case 4:
        ok = p.number().has_value();
        break;
      case 5:
        ok = p.list_mailbox().has_value();
        break;
      case 6:
        ok = p.word(i % 2 == 0).has_value();
        break;
    }
    if (!ok && !p.skip(' ') && !p.skip('(') && !p.skip(')')) break;
  }
}

void grammars(const Command& cmd, const satchel::protocol::Limits& limits) {
  {
    ArgParser p(cmd, limits);
    if (skip_tag_and_name(p)) {
      auto word = p.word();
      if (word) {
        std::string error;
        auto set = satchel::imap::SequenceSet::parse(*word, &error);
        if (set) {
          (void)set->resolve_sequence(5);
          (void)set->resolve_uids({1, 2, 7, 4000000000u});
          (void)set->contains_uid(3, 9);
        }
      }
      std::vector<satchel::imap::FetchItem> items;
      if (p.sp()) (void)satchel::imap::parse_fetch_items(p, items);
    }
  }
  {
    ArgParser p(cmd, limits);
    std::vector<satchel::imap::FetchItem> items;
    if (skip_tag_and_name(p)) (void)satchel::imap::parse_fetch_items(p, items);
  }
  {
    ArgParser p(cmd, limits);
    satchel::imap::SearchProgram program;
    if (skip_tag_and_name(p) && satchel::imap::parse_search(p, program))
      (void)satchel::imap::convert_needles(program);
  }
  {
    ArgParser p(cmd, limits);
    satchel::imap::AppendArgs args;
    if (p.atom() && p.sp() && p.atom()) (void)satchel::imap::parse_append_args(p, args);
  }
  {
    ArgParser p(cmd, limits);
    satchel::storage::Flags flags;
    if (skip_tag_and_name(p)) (void)satchel::imap::parse_flags(p, flags, p.peek('('));
  }
  {
    ArgParser p(cmd, limits);
    if (skip_tag_and_name(p)) {
      auto reference = p.astring();
      auto pattern = p.sp() ? p.list_mailbox() : std::nullopt;
      if (reference && pattern) {
        auto ref = satchel::imap::mailbox_from_wire(*reference);
        auto pat = satchel::imap::mailbox_from_wire(*pattern);
        if (ref && pat) {
          satchel::imap::ListPattern list(*ref, *pat);
          (void)list.matches("INBOX");
          (void)list.matches("a/b/c");
          (void)list.matches(*pat);
        }
      }
    }
  }
  (void)cmd.tag();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  satchel::protocol::Limits limits;
  limits.max_line = 2048;  // Small limits so that the fuzzer reaches them.
  limits.max_command = 8192;
  limits.max_nesting = 8;
  limits.max_arguments = 64;
  auto check = [&](const Command& cmd) {
    if (cmd.lines.empty()) __builtin_trap();
    if (cmd.lines.size() != cmd.literals.size() + 1) __builtin_trap();
    tokens(cmd, limits);
    grammars(cmd, limits);
  };
  std::string whole = satchel::fuzz::for_each_command(input, limits, 4096, input.size(), check);
  // The framing must not depend on how the input arrives (here: in pieces of 1 to 16 octets).
  std::size_t piece = size == 0 ? 1 : 1 + data[0] % 16;
  std::string pieces =
      satchel::fuzz::for_each_command(input, limits, 4096, piece, [](const Command&) {});
  satchel::fuzz::expect_same(pieces, whole);
  return 0;
}
