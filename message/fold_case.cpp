// i;unicode-casemap (RFC 5051 §2) with utf8proc.
#include <utf8proc.h>

#include "message/detail/charset.h"
#include "message/message.h"

namespace satchel::message {

std::string fold_case(std::string_view utf8) {
  // RFC 5051 §2 step (1)(b): invalid input is used unchanged (i;octet).
  if (!detail::is_valid_utf8(utf8)) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  auto left = static_cast<utf8proc_ssize_t>(utf8.size());
  utf8proc_int32_t decomposed[32];
  utf8proc_uint8_t encoded[4];
  while (left > 0) {
    if (*p < 0x80) {
      // ASCII fast path: titlecase is uppercase and there is nothing to decompose.
      char c = static_cast<char>(*p);
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
      ++p;
      --left;
      continue;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return std::string(utf8);
    p += n;
    left -= n;
    // Step (2)(a): titlecase; step (2)(b): full compatibility decomposition (NFKD).
    utf8proc_int32_t title = utf8proc_totitle(cp);
    int last_boundclass = 0;
    utf8proc_ssize_t count = utf8proc_decompose_char(
        title, decomposed, 32, static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT),
        &last_boundclass);
    if (count < 0 || count > 32) {
      decomposed[0] = title;
      count = 1;
    }
    for (utf8proc_ssize_t i = 0; i < count; ++i) {
      utf8proc_ssize_t len = utf8proc_encode_char(decomposed[i], encoded);
      out.append(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(len));
    }
  }
  return out;
}

}  // namespace satchel::message
