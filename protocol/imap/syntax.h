// Character classes of the IMAP formal syntax (RFC 3501 §9).
#pragma once

namespace satchel::imap::syntax {

// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
inline bool is_atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return true;
  }
}

// ASTRING-CHAR = ATOM-CHAR / resp-specials
inline bool is_astring_char(char c) {
  return is_atom_char(c) || c == ']';
}

// tag = 1*<any ASTRING-CHAR except "+">
inline bool is_tag_char(char c) {
  return is_astring_char(c) && c != '+';
}

// list-char = ATOM-CHAR / list-wildcards / resp-specials
inline bool is_list_char(char c) {
  return is_astring_char(c) || c == '%' || c == '*';
}

}  // namespace satchel::imap::syntax
