// Charset conversion to UTF-8 with glibc's iconv (RFC 2046 §4.1.2 charset names; iconv knows
// the IANA names and their aliases).
#include <iconv.h>

#include <cerrno>

#include "base/ascii.h"
#include "message/detail/charset.h"
#include "message/message.h"

namespace satchel::message {

namespace {

// RFC 3629 §4: well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // Truncated sequence.
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (std::size_t k = 2; k <= n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xbf) return false;
    }
    i += n + 1;
  }
  return true;
}

bool is_utf8_name(std::string_view cs) {
  return ascii::iequals(cs, "utf-8") || ascii::iequals(cs, "utf8");
}

bool is_ascii_name(std::string_view cs) {
  return ascii::iequals(cs, "us-ascii") || ascii::iequals(cs, "ascii");
}

}  // namespace

namespace detail {

bool is_valid_utf8(std::string_view s) {
  return valid_utf8(s);
}

std::string to_utf8_lossy(std::string_view charset, std::string_view text) {
  if (auto converted = to_utf8(charset.empty() ? std::string_view("us-ascii") : charset, text))
    return std::move(*converted);
  if (valid_utf8(text)) return std::string(text);
  // Undeclared or wrong 8-bit text: read it as ISO-8859-1, which cannot fail.
  if (auto latin = to_utf8("ISO-8859-1", text)) return std::move(*latin);
  return std::string(text);
}

}  // namespace detail

std::optional<std::string> to_utf8(std::string_view charset, std::string_view text) {
  if (is_utf8_name(charset)) {
    if (!valid_utf8(text)) return std::nullopt;
    return std::string(text);
  }
  if (is_ascii_name(charset)) {
    for (char c : text)
      if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    return std::string(text);
  }
  std::string name(charset);
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  out.resize(text.size() * 4 + 16);
  char* in_ptr = const_cast<char*>(text.data());
  std::size_t in_left = text.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  bool ok = true;
  while (in_left > 0) {
    std::size_t r = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      std::size_t used = static_cast<std::size_t>(out_ptr - out.data());
      out.resize(out.size() * 2);
      out_ptr = out.data() + used;
      out_left = out.size() - used;
      continue;
    }
    ok = false;  // EILSEQ or EINVAL: an invalid or truncated sequence.
    break;
  }
  if (ok) {
    // Flush any shift state (ISO-2022-*).
    iconv(cd, nullptr, nullptr, &out_ptr, &out_left);
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(static_cast<std::size_t>(out_ptr - out.data()));
  return out;
}

bool charset_supported(std::string_view charset) {
  if (is_utf8_name(charset) || is_ascii_name(charset)) return true;
  std::string name(charset);
  if (name.empty() || name.find('/') != std::string::npos) return false;
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

}  // namespace satchel::message
