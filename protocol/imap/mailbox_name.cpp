#include "protocol/imap/mailbox_name.h"

#include <cstdint>
#include <vector>

#include "base/ascii.h"

namespace satchel::imap {
namespace {

// RFC 3501 §5.1.3: modified BASE64 uses "," instead of "/".
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Decodes one UTF-8 code point at s[i]; returns U+FFFD and advances one octet when invalid.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xfffd;
  }
  std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (b(i + k) & 0x3fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++i;
    return 0xfffd;
  }
  i += len;
  return cp;
}

void flush_utf16(std::string& out, const std::vector<std::uint16_t>& units) {
  std::string bytes;
  for (std::uint16_t u : units) {
    bytes.push_back(static_cast<char>(u >> 8));
    bytes.push_back(static_cast<char>(u & 0xff));
  }
  out.push_back('&');
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                      (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  out.push_back('-');
}

}  // namespace

std::optional<std::string> mutf7_decode(std::string_view wire) {
  std::string out;
  for (std::size_t i = 0; i < wire.size();) {
    char c = wire[i];
    auto uc = static_cast<unsigned char>(c);
    if (uc < 0x20 || uc > 0x7e) return std::nullopt;
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t end = wire.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;  // Not terminated.
    if (end == i + 1) {                                      // "&-" is "&".
      out.push_back('&');
      i = end + 1;
      continue;
    }
    // Base64 of UTF-16BE.
    std::uint32_t bits = 0;
    int nbits = 0;
    std::vector<std::uint16_t> units;
    for (std::size_t k = i + 1; k < end; ++k) {
      int v = b64_value(wire[k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(static_cast<std::uint16_t>((bits >> nbits) & 0xffff));
        bits &= (1u << nbits) - 1;
      }
    }
    // Leftover bits must be padding: fewer than 6 and all zero.
    if (nbits >= 6 || bits != 0 || units.empty()) return std::nullopt;
    for (std::size_t k = 0; k < units.size(); ++k) {
      std::uint32_t u = units[k];
      if (u >= 0xd800 && u <= 0xdbff) {
        if (k + 1 >= units.size() || units[k + 1] < 0xdc00 || units[k + 1] > 0xdfff)
          return std::nullopt;
        std::uint32_t cp = 0x10000 + ((u - 0xd800) << 10) + (units[k + 1] - 0xdc00u);
        append_utf8(out, cp);
        ++k;
        continue;
      }
      if (u >= 0xdc00 && u <= 0xdfff) return std::nullopt;
      // RFC 3501 §5.1.3: printable US-ASCII must represent itself, never be encoded.
      if (u >= 0x20 && u <= 0x7e) return std::nullopt;
      append_utf8(out, u);
    }
    i = end + 1;
    // Two adjacent shift sequences are not the canonical form ("&AOQ-&AOQ-" is "&AOQA5A-").
    if (i < wire.size() && wire[i] == '&' && i + 1 < wire.size() && wire[i + 1] != '-')
      return std::nullopt;
  }
  return out;
}

std::string mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> units;
  for (std::size_t i = 0; i < utf8.size();) {
    auto uc = static_cast<unsigned char>(utf8[i]);
    if (uc >= 0x20 && uc <= 0x7e) {
      if (!units.empty()) {
        flush_utf16(out, units);
        units.clear();
      }
      out += uc == '&' ? "&-" : std::string(1, static_cast<char>(uc));
      ++i;
      continue;
    }
    std::uint32_t cp = next_code_point(utf8, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<std::uint16_t>(0xd800 + (cp >> 10)));
      units.push_back(static_cast<std::uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      units.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  if (!units.empty()) flush_utf16(out, units);
  return out;
}

std::string canonical_inbox(std::string name) {
  if (name.size() >= 5 && ascii::iequals(std::string_view(name).substr(0, 5), "INBOX") &&
      (name.size() == 5 || name[5] == kSeparator))
    for (std::size_t i = 0; i < 5; ++i) name[i] = ascii::to_upper(name[i]);
  return name;
}

std::optional<std::string> mailbox_from_wire(std::string_view wire) {
  auto decoded = mutf7_decode(wire);
  if (!decoded) return std::nullopt;
  return canonical_inbox(std::move(*decoded));
}

}  // namespace satchel::imap
