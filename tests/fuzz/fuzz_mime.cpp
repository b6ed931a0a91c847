// libFuzzer target for the message module: parse() and every function that reads the parsed
// structure (ENVELOPE, BODY/BODYSTRUCTURE, every section of every part, BINARY, SEARCH).
// Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "message/message.h"

namespace {

using satchel::message::ParsedMessage;
using satchel::message::Section;

// Visits the section paths of the first parts (bounded, so one input stays fast).
void visit(const ParsedMessage& msg, std::vector<std::uint32_t>& path, int depth, int* budget) {
  for (std::uint32_t n = 1; n <= 4 && *budget > 0; ++n) {
    --*budget;
    path.push_back(n);
    static constexpr Section::Kind kKinds[] = {
        Section::Kind::Full,         Section::Kind::Header,
        Section::Kind::HeaderFields, Section::Kind::HeaderFieldsNot,
        Section::Kind::Text,         Section::Kind::Mime};
    bool exists = false;
    for (Section::Kind kind : kKinds) {
      Section spec{path, kind, {"Subject", "content-type"}};
      auto s = satchel::message::section(msg, spec);
      if (kind == Section::Kind::Full) exists = s.has_value();
      if (s && s->size() > msg.text().size() + 2) __builtin_trap();
    }
    bool unknown = false;
    auto b = satchel::message::binary_section(msg, path, &unknown);
    (void)b;
    if (exists && depth < 6) visit(msg, path, depth + 1, budget);
    path.pop_back();
    if (!exists) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::string text = satchel::message::to_crlf(raw);
  for (std::string_view input : {raw, std::string_view(text)}) {
    auto msg = satchel::message::parse(input);
    (void)satchel::message::envelope(*msg);
    (void)satchel::message::body_structure(*msg, false);
    (void)satchel::message::body_structure(*msg, true);
    for (auto kind : {Section::Kind::Full, Section::Kind::Header, Section::Kind::Text}) {
      auto s = satchel::message::section(*msg, Section{{}, kind, {}});
      if (!s) __builtin_trap();  // The top level always exists.
    }
    std::vector<std::uint32_t> path;
    int budget = 64;
    visit(*msg, path, 0, &budget);
    (void)satchel::message::header_contains(*msg, "subject", "a");
    (void)satchel::message::body_contains(*msg, "\xC3\xA9t\xC3\xA9");
    (void)satchel::message::text_contains(*msg, "x");
    (void)satchel::message::sent_date(*msg);
  }
  return 0;
}
