#include "message/detail/imap_string.h"

namespace satchel::message::detail {

void append_string(std::string& out, std::string_view s) {
  // RFC 3501 §9: neither a quoted string nor a literal (CHAR8 is %x01-ff) may hold NUL, so a
  // header value with NUL octets is sent without them.
  std::string without_nul;
  if (s.find('\0') != std::string_view::npos) {
    for (char c : s)
      if (c != '\0') without_nul += c;
    s = without_nul;
  }
  bool quotable = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u >= 0x80) {
      quotable = false;
      break;
    }
  }
  if (!quotable) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_nstring(std::string& out, const std::optional<std::string>& s) {
  if (!s) {
    out += "NIL";
    return;
  }
  append_string(out, *s);
}

}  // namespace satchel::message::detail
