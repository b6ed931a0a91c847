#include "protocol/pop3/multiline.h"

namespace satchel::pop3 {

void append_stuffed(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 8);
  bool line_start = true;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (line_start && text[pos] == '.') out.push_back('.');
    std::size_t lf = text.find('\n', pos);
    std::size_t end = lf == std::string_view::npos ? text.size() : lf + 1;
    out.append(text.substr(pos, end - pos));
    line_start = lf != std::string_view::npos;
    pos = end;
  }
  if (!text.empty() && !text.ends_with("\r\n")) out.append("\r\n");
  out.append(".\r\n");
}

std::string_view top_of_message(std::string_view message, std::uint64_t body_lines) {
  // Find the end of the header: the first empty line (CRLF, or a bare LF).
  std::size_t pos = 0;
  bool in_header = true;
  while (in_header && pos < message.size()) {
    std::size_t lf = message.find('\n', pos);
    if (lf == std::string_view::npos) return message;
    std::string_view line = message.substr(pos, lf - pos);
    pos = lf + 1;
    if (line.empty() || line == "\r") in_header = false;
  }
  if (in_header) return message;
  for (std::uint64_t n = 0; n < body_lines && pos < message.size(); ++n) {
    std::size_t lf = message.find('\n', pos);
    if (lf == std::string_view::npos) return message;
    pos = lf + 1;
  }
  return message.substr(0, pos);
}

}  // namespace satchel::pop3
