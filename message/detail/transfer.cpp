#include "message/detail/transfer.h"

#include "base/ascii.h"

namespace satchel::message::detail {

namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;  // RFC 2045 §6.8: padding ends the data.
    int v = b64_value(c);
    if (v < 0) continue;  // RFC 2045 §6.8: other characters are ignored.
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view in, bool underscore_is_space) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
        i += 3;
        continue;
      }
      // RFC 2045 §6.7 rule 5: "=" then optional whitespace then a line end is a soft break.
      std::size_t j = i + 1;
      while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
      if (j < in.size() && (in[j] == '\r' || in[j] == '\n')) {
        if (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n') ++j;
        i = j + 1;
        continue;
      }
      if (j == in.size()) break;  // "=" at the very end.
      out.push_back(c);           // A lone "=": keep it, as robust readers do.
      ++i;
      continue;
    }
    if (c == '_' && underscore_is_space) {
      out.push_back(' ');
    } else if (c == ' ' || c == '\t') {
      // RFC 2045 §6.7 rule 3: trailing whitespace on a line is removed.
      std::size_t j = i;
      while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
      if (j < in.size() && in[j] != '\r' && in[j] != '\n') {
        out.append(in.substr(i, j - i));
      }
      i = j;
      continue;
    } else {
      out.push_back(c);
    }
    ++i;
  }
  return out;
}

Encoding encoding_of(std::string_view cte) {
  if (cte.empty() || ascii::iequals(cte, "7bit") || ascii::iequals(cte, "8bit") ||
      ascii::iequals(cte, "binary"))
    return Encoding::Identity;
  if (ascii::iequals(cte, "base64")) return Encoding::Base64;
  if (ascii::iequals(cte, "quoted-printable")) return Encoding::QuotedPrintable;
  return Encoding::Unknown;
}

}  // namespace satchel::message::detail
