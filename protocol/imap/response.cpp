#include "protocol/imap/response.h"

namespace satchel::imap {

std::string imap_literal(std::string_view s) {
  std::string out = "{" + std::to_string(s.size()) + "}\r\n";
  out.append(s);
  return out;
}

std::string imap_string(std::string_view s) {
  bool quotable = s.size() <= 1024;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) {
      quotable = false;
      break;
    }
  }
  if (!quotable) return imap_literal(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string imap_nstring(const std::optional<std::string>& s) {
  return s ? imap_string(*s) : "NIL";
}

std::string tagged(std::string_view tag, std::string_view status, std::string_view code,
                   std::string_view text) {
  std::string out;
  out.reserve(tag.size() + status.size() + code.size() + text.size() + 8);
  out.append(tag).append(" ").append(status).append(" ");
  if (!code.empty()) out.append("[").append(code).append("] ");
  // Never let a CR or LF from an error message break the framing.
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  out += "\r\n";
  return out;
}

std::string error_line(std::string_view tag, const Error& e) {
  switch (e.kind) {
    case ErrorKind::ProtocolViolation:
      return tagged(tag, "BAD", e.code, e.message.empty() ? "Invalid request" : e.message);
    case ErrorKind::Internal:
      return tagged(tag, "NO", e.code.empty() ? "SERVERBUG" : e.code,
                    "Internal error occurred. Refer to server log for more information.");
    case ErrorKind::Temporary:
      return tagged(tag, "NO", e.code.empty() ? "UNAVAILABLE" : e.code,
                    e.message.empty() ? "Temporary failure, try again later" : e.message);
    case ErrorKind::Permanent:
      break;
  }
  return tagged(tag, "NO", e.code, e.message.empty() ? "Operation failed" : e.message);
}

}  // namespace satchel::imap
