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

// True when `s` is one parenthesized list in RFC 3501 §9 syntax as ENVELOPE and BODYSTRUCTURE
// use it: nested lists, NIL, numbers, quoted strings (7-bit, no CR/LF, \\ and \" escaped)
// and literals (CHAR8: no NUL), single spaces between items (none between two lists).
bool valid_imap_list(std::string_view s) {
  std::size_t i = 0;
  int depth = 0;
  bool need_sep = false;  // An item just ended: next is SP or ")".
  while (i < s.size()) {
    char c = s[i];
    if (c == ')') {
      if (depth == 0) return false;
      --depth;
      ++i;
      need_sep = true;
      if (depth == 0) return i == s.size();
      continue;
    }
    if (need_sep) {
      // RFC 3501 §9: address lists and the parts of a multipart body are written one after
      // the other without SP ("(" 1*address ")", 1*body).
      if (c == '(' && s[i - 1] == ')') {
        need_sep = false;
        continue;
      }
      if (c != ' ') return false;
      ++i;
      need_sep = false;
      if (i < s.size() && s[i] == ')') return false;  // No SP before ")".
      continue;
    }
    if (c == '(') {
      ++depth;
      ++i;
      continue;
    }
    if (depth == 0) return false;
    if (c == '"') {
      for (++i;; ++i) {
        if (i >= s.size()) return false;
        auto u = static_cast<unsigned char>(s[i]);
        if (u == '"') break;
        if (u == '\\') {
          if (i + 1 >= s.size() || (s[i + 1] != '"' && s[i + 1] != '\\')) return false;
          ++i;
        } else if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) {
          return false;
        }
      }
      ++i;
    } else if (c == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string_view::npos || close == i + 1) return false;
      std::size_t n = 0;
      for (std::size_t k = i + 1; k < close; ++k) {
        if (s[k] < '0' || s[k] > '9' || n > s.size()) return false;
        n = n * 10 + static_cast<std::size_t>(s[k] - '0');
      }
      if (s.substr(close + 1, 2) != "\r\n" || close + 3 + n > s.size()) return false;
      if (s.substr(close + 3, n).find('\0') != std::string_view::npos) return false;
      i = close + 3 + n;
    } else if (s.substr(i, 3) == "NIL") {
      i += 3;
    } else if (c >= '0' && c <= '9') {
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    } else {
      return false;
    }
    need_sep = true;
  }
  return false;
}

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
    if (!valid_imap_list(satchel::message::envelope(*msg))) __builtin_trap();
    if (!valid_imap_list(satchel::message::body_structure(*msg, false))) __builtin_trap();
    if (!valid_imap_list(satchel::message::body_structure(*msg, true))) __builtin_trap();
    std::string parts[3];
    int n = 0;
    for (auto kind : {Section::Kind::Full, Section::Kind::Header, Section::Kind::Text}) {
      auto s = satchel::message::section(*msg, Section{{}, kind, {}});
      if (!s) __builtin_trap();  // The top level always exists.
      parts[n++] = std::move(*s);
    }
    // RFC 3501 §6.4.5: the header and the text are the two halves of the message.
    if (parts[1] + parts[2] != parts[0]) __builtin_trap();
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
