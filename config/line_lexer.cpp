#include "config/line_lexer.h"

namespace satchel::config {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// True when what is left is blank or a comment.
bool only_comment(std::string_view rest) {
  rest = trim(rest);
  return rest.empty() || rest.front() == '#';
}

LexedLine error(std::string reason) {
  LexedLine l;
  l.type = LexedLine::Type::Error;
  l.error = std::move(reason);
  return l;
}

LexedLine lex_section(std::string_view s) {
  std::size_t close = s.find(']');
  if (close == std::string_view::npos) return error("missing ']' after section name");
  if (!only_comment(s.substr(close + 1))) return error("unexpected text after ']'");
  std::string_view inner = trim(s.substr(1, close - 1));
  std::size_t i = 0;
  while (i < inner.size() && !is_space(inner[i])) ++i;
  std::string_view kind = inner.substr(0, i);
  std::string_view name = trim(inner.substr(i));
  if (kind.empty()) return error("empty section name");
  for (char c : kind)
    if (!is_key_char(c)) return error("invalid section name '" + std::string(kind) + "'");
  for (char c : name)
    if (!is_name_char(c))
      return error("invalid name '" + std::string(name) +
                   "': use letters, digits, '_', '-' and '.'");
  LexedLine l;
  l.type = LexedLine::Type::Section;
  l.section = kind;
  l.name = name;
  return l;
}

// Parses the text after '=' into `out`; returns an error reason or empty.
std::string lex_value(std::string_view v, std::string& out) {
  v = trim(v);
  if (!v.empty() && v.front() == '"') {
    std::size_t i = 1;
    for (; i < v.size() && v[i] != '"'; ++i) {
      if (v[i] == '\\') {
        if (i + 1 >= v.size()) break;
        char next = v[i + 1];
        if (next != '"' && next != '\\') return "bad escape '\\" + std::string(1, next) + "'";
        ++i;
      }
      out.push_back(v[i]);
    }
    if (i >= v.size()) return "unterminated quoted value";
    if (!only_comment(v.substr(i + 1))) return "unexpected text after quoted value";
    return {};
  }
  // Unquoted: a '#' after whitespace starts a comment; one inside a word is kept.
  std::size_t end = v.size();
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '#' && is_space(v[i - 1])) {
      end = i;
      break;
    }
  }
  if (!v.empty() && v.front() == '#') end = 0;
  out = trim(v.substr(0, end));
  return {};
}

}  // namespace

LexedLine lex_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return error("control character in line");
  }
  std::string_view s = trim(line);
  if (s.empty() || s.front() == '#') return {};
  if (s.front() == '[') return lex_section(s);

  std::size_t eq = s.find('=');
  if (eq == std::string_view::npos)
    return error("expected 'key = value', '[section]' or a comment");
  std::string_view key = trim(s.substr(0, eq));
  if (key.empty()) return error("missing key before '='");
  for (char c : key)
    if (!is_key_char(c))
      return error("invalid key '" + std::string(key) +
                   "': keys are lower-case letters, digits and '_'");
  LexedLine l;
  l.type = LexedLine::Type::Assignment;
  l.key = key;
  std::string reason = lex_value(s.substr(eq + 1), l.value);
  if (!reason.empty()) return error(reason + " for " + std::string(key));
  return l;
}

}  // namespace satchel::config
