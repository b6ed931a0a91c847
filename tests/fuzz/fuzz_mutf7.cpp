// libFuzzer target for mailbox names in modified UTF-7 (RFC 3501 §5.1.3):
//  - whatever decodes must encode back to the same wire form (the encoding is unique: no
//    printable ASCII in base64, "&-" for "&", zero padding bits), and
//  - every encoded string is printable ASCII and decodes back to the UTF-8 it came from
//    when that was valid UTF-8.
// Built when SATCHEL_FUZZ is on (clang).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/imap/mailbox_name.h"

namespace {

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, at most U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : 9;
    if (n == 9 || i + n >= s.size()) return false;
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto utf8 = satchel::imap::mutf7_decode(input)) {
    if (!valid_utf8(*utf8)) __builtin_trap();
    if (satchel::imap::mutf7_encode(*utf8) != input) __builtin_trap();
  }
  std::string wire = satchel::imap::mutf7_encode(input);
  for (char c : wire)
    if (c < 0x20 || c > 0x7e) __builtin_trap();
  auto back = satchel::imap::mutf7_decode(wire);
  if (!back) __builtin_trap();
  if (valid_utf8(input) && *back != input) __builtin_trap();
  (void)satchel::imap::mailbox_from_wire(input);
  (void)satchel::imap::canonical_inbox(std::string(input));
  return 0;
}
