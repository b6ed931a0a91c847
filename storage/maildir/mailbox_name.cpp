#include "storage/maildir/mailbox_name.h"

#include <cstdint>
#include <vector>

namespace satchel::storage::maildir {
namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

Error bad_name(std::string_view why) {
  return Error::permanent("CANNOT", "Invalid mailbox name: " + std::string(why));
}

// Decodes UTF-8 strictly (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
bool decode_utf8(std::string_view s, std::vector<std::uint32_t>* out) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      cp = c & 0x1f;
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      cp = c & 0x0f;
      len = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    if (out != nullptr) out->push_back(cp);
    i += len;
  }
  return true;
}

void append_utf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Writes a run of UTF-16 code units as "&<modified base64>-".
void flush_run(std::vector<std::uint16_t>* run, std::string* out) {
  if (run->empty()) return;
  out->push_back('&');
  std::uint32_t bits = 0;
  int nbits = 0;
  for (std::uint16_t unit : *run) {
    bits = (bits << 16) | unit;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out->push_back(kB64[(bits >> nbits) & 0x3f]);
    }
  }
  if (nbits > 0) out->push_back(kB64[(bits << (6 - nbits)) & 0x3f]);
  out->push_back('-');
  run->clear();
}

}  // namespace

std::string encode_mutf7(std::string_view utf8) {
  std::vector<std::uint32_t> cps;
  if (!decode_utf8(utf8, &cps)) return {};
  std::string out;
  std::vector<std::uint16_t> run;
  for (std::uint32_t cp : cps) {
    // RFC 3501 §5.1.3: printable US-ASCII except '&' represents itself; we also shift '.'
    // because it is the Maildir++ hierarchy separator on disk.
    if (cp >= 0x20 && cp <= 0x7e && cp != '&' && cp != '.') {
      flush_run(&run, &out);
      out.push_back(static_cast<char>(cp));
    } else if (cp == '&') {
      flush_run(&run, &out);
      out += "&-";
    } else if (cp >= 0x10000) {
      std::uint32_t v = cp - 0x10000;
      run.push_back(static_cast<std::uint16_t>(0xd800 | (v >> 10)));
      run.push_back(static_cast<std::uint16_t>(0xdc00 | (v & 0x3ff)));
    } else {
      run.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  flush_run(&run, &out);
  return out;
}

std::optional<std::string> decode_mutf7(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e) return std::nullopt;
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t end = s.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out.push_back('&');
      i = end + 1;
      continue;
    }
    std::uint32_t bits = 0;
    int nbits = 0;
    std::uint32_t high = 0;  // A pending high surrogate.
    for (std::size_t k = i + 1; k < end; ++k) {
      std::size_t v = kB64.find(s[k]);
      if (v == std::string_view::npos) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        std::uint32_t unit = (bits >> nbits) & 0xffff;
        bits &= (1u << nbits) - 1;
        if (high != 0) {
          if (unit < 0xdc00 || unit > 0xdfff) return std::nullopt;
          append_utf8(0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00), &out);
          high = 0;
        } else if (unit >= 0xd800 && unit <= 0xdbff) {
          high = unit;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          return std::nullopt;
        } else {
          append_utf8(unit, &out);
        }
      }
    }
    // Leftover bits must be fewer than 6 and zero; no dangling surrogate.
    if (high != 0 || nbits >= 6 || bits != 0) return std::nullopt;
    i = end + 1;
  }
  return out;
}

Status validate_mailbox_name(std::string_view name) {
  if (name.empty()) return bad_name("empty");
  if (name.size() > kMaxMailboxNameBytes) return bad_name("too long");
  if (!decode_utf8(name, nullptr)) return bad_name("not UTF-8");
  if (name.front() == '/') return bad_name("leading '/'");
  if (name.front() == '~') return bad_name("leading '~'");
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return bad_name("control character");
  }
  std::size_t start = 0;
  while (true) {
    std::size_t slash = name.find('/', start);
    std::string_view comp = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty()) return bad_name("empty component");
    if (comp == "." || comp == "..") return bad_name("'.' or '..' component");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return ok_status();
}

Result<std::string> folder_dir_name(std::string_view name) {
  if (auto st = validate_mailbox_name(name); !st) return st.error();
  if (name == "INBOX") return std::string();
  std::string dir;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = name.find('/', start);
    std::string_view comp = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    dir.push_back('.');
    dir += encode_mutf7(comp);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (dir.size() > kMaxDirNameBytes) return bad_name("too long");
  return dir;
}

std::optional<std::string> mailbox_name_from_dir(std::string_view dir) {
  if (dir.size() < 2 || dir.front() != '.' || dir == "..") return std::nullopt;
  std::string name;
  std::size_t start = 1;
  while (true) {
    std::size_t dot = dir.find('.', start);
    std::string_view comp =
        dir.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto decoded = decode_mutf7(comp);
    if (!decoded) return std::nullopt;
    if (start > 1) name.push_back('/');
    name += *decoded;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!validate_mailbox_name(name)) return std::nullopt;
  // Only accept the spelling we would write ourselves, so one mailbox has one directory.
  auto back = folder_dir_name(name);
  if (!back || *back != dir) return std::nullopt;
  return name;
}

}  // namespace satchel::storage::maildir
