// Content-Transfer-Encoding decoders (RFC 2045 §6.7, §6.8). Lenient, as readers must be:
// characters outside the alphabet are ignored. Internal.
#pragma once

#include <string>
#include <string_view>

namespace satchel::message::detail {

std::string decode_base64(std::string_view in);
// `underscore_is_space` for RFC 2047 "Q" encoded-words.
std::string decode_quoted_printable(std::string_view in, bool underscore_is_space = false);

enum class Encoding { Identity, Base64, QuotedPrintable, Unknown };
Encoding encoding_of(std::string_view cte);

}  // namespace satchel::message::detail
