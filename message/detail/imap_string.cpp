#include "message/detail/imap_string.h"

namespace satchel::message::detail {

void append_string(std::string& out, std::string_view s) {
  bool quotable = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) {
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
