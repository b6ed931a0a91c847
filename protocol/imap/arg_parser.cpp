#include "protocol/imap/arg_parser.h"

#include <cstring>

#include "base/ascii.h"
#include "protocol/imap/syntax.h"

namespace satchel::imap {

bool ArgParser::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool ArgParser::counted() {
  if (++args_ > limits_.max_arguments) {
    limit_hit_ = true;
    return fail("Too many arguments");
  }
  return true;
}

bool ArgParser::sp() {
  if (pos_ < line().size() && line()[pos_] == ' ') {
    ++pos_;
    return true;
  }
  return fail("Missing space between arguments");
}

bool ArgParser::at_end() const {
  return seg_ + 1 >= cmd_.lines.size() && pos_ >= line().size();
}

bool ArgParser::end() {
  if (at_end()) return true;
  return fail("Unexpected extra arguments");
}

bool ArgParser::peek(char c) const {
  return pos_ < line().size() && line()[pos_] == c;
}

bool ArgParser::skip(char c) {
  if (!peek(c)) return false;
  ++pos_;
  return true;
}

bool ArgParser::open_list() {
  if (!peek('(')) return fail("Expected '('");
  if (depth_ + 1 > limits_.max_nesting) {
    limit_hit_ = true;
    return fail("Parentheses nested too deeply");
  }
  ++pos_;
  ++depth_;
  return true;
}

bool ArgParser::close_list() {
  if (!peek(')')) return fail("Expected ')'");
  ++pos_;
  if (depth_ > 0) --depth_;
  return true;
}

bool ArgParser::at_marker() const {
  std::string_view l = line();
  if (pos_ >= l.size() || l[pos_] != '{' || l.back() != '}') return false;
  std::string_view inner = l.substr(pos_ + 1, l.size() - pos_ - 2);
  if (!inner.empty() && inner.back() == '+') inner.remove_suffix(1);
  if (inner.empty()) return false;
  for (char c : inner)
    if (c < '0' || c > '9') return false;
  return true;
}

bool ArgParser::at_literal() const {
  // A literal marker ends the segment: "{" digits ["+"] "}" then the literal follows.
  return seg_ < cmd_.literals.size() && at_marker();
}

bool ArgParser::at_pending_literal() const {
  return seg_ + 1 == cmd_.lines.size() && seg_ == cmd_.literals.size() && at_marker();
}

bool ArgParser::at_streamed_literal() const {
  return at_literal() && cmd_.streamed && *cmd_.streamed == seg_;
}

bool ArgParser::skip_literal() {
  if (!at_literal()) return fail("Expected a literal");
  ++seg_;
  pos_ = 0;
  return counted();
}

std::optional<std::string> ArgParser::literal() {
  if (!at_literal()) {
    fail("Invalid literal");
    return std::nullopt;
  }
  if (cmd_.streamed && *cmd_.streamed == seg_) {
    fail("Literal not expected here");
    return std::nullopt;
  }
  const std::string& value = cmd_.literals[seg_];
  // RFC 3501 §9: CHAR8 = %x01-ff, so a literal (other than APPEND data) has no NUL.
  if (std::memchr(value.data(), 0, value.size()) != nullptr) {
    fail("NUL octet in literal");
    return std::nullopt;
  }
  ++seg_;
  pos_ = 0;
  if (!counted()) return std::nullopt;
  return value;
}

std::optional<std::string> ArgParser::quoted() {
  std::string_view l = line();
  std::string out;
  std::size_t i = pos_ + 1;
  for (; i < l.size(); ++i) {
    char c = l[i];
    if (c == '"') break;
    if (c == '\\') {
      // RFC 3501 §9: quoted-specials are the only escapable characters.
      if (i + 1 >= l.size() || (l[i + 1] != '"' && l[i + 1] != '\\')) {
        fail("Invalid escape in quoted string");
        return std::nullopt;
      }
      out.push_back(l[++i]);
      continue;
    }
    out.push_back(c);
  }
  if (i >= l.size()) {
    fail("Unterminated quoted string");
    return std::nullopt;
  }
  pos_ = i + 1;
  if (!counted()) return std::nullopt;
  return out;
}

std::optional<std::string> ArgParser::string() {
  if (peek('"')) return quoted();
  if (peek('{')) return literal();
  fail("Expected a string");
  return std::nullopt;
}

std::optional<std::string> ArgParser::atom() {
  std::string_view l = line();
  std::size_t i = pos_;
  while (i < l.size() && syntax::is_atom_char(l[i])) ++i;
  if (i == pos_) {
    fail("Expected an atom");
    return std::nullopt;
  }
  std::string out(l.substr(pos_, i - pos_));
  pos_ = i;
  if (!counted()) return std::nullopt;
  return out;
}

std::optional<std::string> ArgParser::astring() {
  if (peek('"') || peek('{')) return string();
  std::string_view l = line();
  std::size_t i = pos_;
  while (i < l.size() && syntax::is_astring_char(l[i])) ++i;
  if (i == pos_) {
    fail("Expected a string or atom");
    return std::nullopt;
  }
  std::string out(l.substr(pos_, i - pos_));
  pos_ = i;
  if (!counted()) return std::nullopt;
  return out;
}

std::optional<std::optional<std::string>> ArgParser::nstring() {
  if (peek('"') || peek('{')) {
    auto s = string();
    if (!s) return std::nullopt;
    return std::optional<std::string>(std::move(*s));
  }
  auto a = atom();
  if (!a) return std::nullopt;
  if (!ascii::iequals(*a, "NIL")) {
    fail("Expected a string or NIL");
    return std::nullopt;
  }
  return std::optional<std::string>();
}

std::optional<std::string> ArgParser::list_mailbox() {
  if (peek('"') || peek('{')) return string();
  std::string_view l = line();
  std::size_t i = pos_;
  while (i < l.size() && syntax::is_list_char(l[i])) ++i;
  if (i == pos_) {
    fail("Expected a mailbox pattern");
    return std::nullopt;
  }
  std::string out(l.substr(pos_, i - pos_));
  pos_ = i;
  if (!counted()) return std::nullopt;
  return out;
}

std::optional<std::uint32_t> ArgParser::number() {
  std::string_view l = line();
  std::size_t i = pos_;
  std::uint64_t n = 0;
  while (i < l.size() && l[i] >= '0' && l[i] <= '9') {
    n = n * 10 + static_cast<unsigned>(l[i] - '0');
    if (n > 0xffffffffULL) {
      fail("Number out of range");
      return std::nullopt;
    }
    ++i;
  }
  if (i == pos_) {
    fail("Expected a number");
    return std::nullopt;
  }
  pos_ = i;
  if (!counted()) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

std::optional<std::uint32_t> ArgParser::nz_number() {
  auto n = number();
  if (n && *n == 0) {
    fail("Number must not be zero");
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> ArgParser::word(bool stop_at_bracket) {
  std::string_view l = line();
  std::size_t i = pos_;
  while (i < l.size() && l[i] != ' ' && l[i] != ')' && l[i] != '(' &&
         !(stop_at_bracket && l[i] == '['))
    ++i;
  if (i == pos_) {
    fail("Expected an argument");
    return std::nullopt;
  }
  std::string out(l.substr(pos_, i - pos_));
  pos_ = i;
  if (!counted()) return std::nullopt;
  return out;
}

}  // namespace satchel::imap
