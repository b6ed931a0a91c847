#include "message/detail/mime_params.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "base/ascii.h"

namespace satchel::message::detail {

namespace {

bool is_tspecial(char c) {
  switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
      return true;
    default:
      return false;
  }
}

// RFC 2045 §5.1 token characters; 8-bit octets are let through, as real mailers send them.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && !is_tspecial(c);
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Skips whitespace and (nested) comments (RFC 5322 §3.2.2 CFWS).
  void skip_cfws() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        int depth = 0;
        while (pos_ < s_.size()) {
          char d = s_[pos_++];
          if (d == '\\') {
            ++pos_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')') {
            if (--depth == 0) break;
          }
        }
      } else {
        return;
      }
    }
  }

  std::string token() {
    skip_cfws();
    std::size_t b = pos_;
    while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(b, pos_ - b));
  }

  // A token or a quoted-string (content unescaped).
  std::optional<std::string> value() {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      std::string out;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out.push_back(s_[pos_++]);
      }
      if (pos_ < s_.size()) ++pos_;
      return out;
    }
    std::string t = token();
    if (t.empty()) return std::nullopt;
    return t;
  }

  bool eat(char c) {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Skips to just after the next ';' that is not inside a quoted string.
  void skip_past_semicolon() {
    bool quoted = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (quoted && c == '\\') {
        ++pos_;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == ';') {
        return;
      }
    }
  }

  bool at_end() {
    skip_cfws();
    return pos_ >= s_.size();
  }
  std::string_view rest() const { return pos_ < s_.size() ? s_.substr(pos_) : std::string_view(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// RFC 2231 §4: attribute-char excludes "*", "'", "%" and tspecials.
std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (is_token_char(c) && c != '*' && c != '\'' && c != '%' && u < 0x80) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
  return out;
}

struct Section {
  std::string value;
  bool extended = false;
};

}  // namespace

Params parse_params(std::string_view text) {
  Lexer lex(text);
  Params plain;  // In message order; continuation groups take the place of their first section.
  // Continuation sections by lower-cased base name; `order` remembers where each group goes.
  std::map<std::string, std::map<std::uint32_t, Section>> groups;
  std::map<std::string, std::string> group_names;  // lower -> name as first written
  std::vector<std::pair<std::size_t, std::string>> group_slots;
  bool need_semicolon = true;
  while (!lex.at_end()) {
    // Each pass consumes at least one octet, so junk cannot make this loop forever.
    if (need_semicolon && !lex.eat(';')) {
      lex.skip_past_semicolon();
      need_semicolon = false;
      continue;
    }
    need_semicolon = true;
    if (lex.at_end()) break;
    std::string name = lex.token();
    if (name.empty() || !lex.eat('=')) {
      lex.skip_past_semicolon();
      need_semicolon = false;
      continue;
    }
    auto value = lex.value();
    if (!value) value = std::string();
    // RFC 2231 §3/§4: name*N, name*N*, name* (N decimal, no leading zeros except 0).
    std::size_t star = name.find('*');
    if (star == std::string::npos || star == 0) {
      plain.emplace_back(std::move(name), std::move(*value));
      continue;
    }
    std::string base = name.substr(0, star);
    std::string_view suffix = std::string_view(name).substr(star + 1);
    Section sec;
    std::uint32_t index = 0;
    if (suffix.empty()) {
      sec.extended = true;  // name*=charset'lang'value: a single extended section.
    } else {
      std::size_t i = 0;
      std::uint64_t n = 0;
      while (i < suffix.size() && suffix[i] >= '0' && suffix[i] <= '9' && n < 100000)
        n = n * 10 + static_cast<std::uint64_t>(suffix[i++] - '0');
      std::string_view tail = suffix.substr(i);
      if (i == 0 || !(tail.empty() || tail == "*")) {
        plain.emplace_back(std::move(name), std::move(*value));
        continue;
      }
      index = static_cast<std::uint32_t>(n);
      sec.extended = tail == "*";
    }
    sec.value = std::move(*value);
    std::string key = ascii::lower(base);
    if (!groups.count(key)) {
      group_names[key] = base;
      group_slots.emplace_back(plain.size(), key);
      plain.emplace_back();  // placeholder
    }
    groups[key].emplace(index, std::move(sec));  // A repeated section keeps the first.
  }
  for (auto& [slot, key] : group_slots) {
    const auto& sections = groups[key];
    bool extended = sections.begin()->second.extended;
    std::string joined;
    // RFC 2231 §3: sections are joined in numeric order; a gap ends the value.
    std::uint32_t expect = sections.begin()->first;
    for (const auto& [n, sec] : sections) {
      if (n != expect) break;
      ++expect;
      if (extended && !sec.extended)
        joined += percent_encode(sec.value);
      else
        joined += sec.value;
    }
    plain[slot] = {group_names[key] + (extended ? "*" : ""), std::move(joined)};
  }
  return plain;
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  Lexer lex(value);
  ContentType ct;
  ct.type = lex.token();
  if (ct.type.empty() || !lex.eat('/')) return std::nullopt;
  ct.subtype = lex.token();
  if (ct.subtype.empty()) return std::nullopt;
  ct.params = parse_params(lex.rest());
  return ct;
}

std::optional<Disposition> parse_disposition(std::string_view value) {
  Lexer lex(value);
  Disposition d;
  d.value = lex.token();
  if (d.value.empty()) return std::nullopt;
  d.params = parse_params(lex.rest());
  return d;
}

std::string first_token(std::string_view value) {
  Lexer lex(value);
  return lex.token();
}

}  // namespace satchel::message::detail
