// RFC 2047 encoded-word decoding of header text, to UTF-8. Internal.
#pragma once

#include <string>
#include <string_view>

namespace satchel::message::detail {

// Decodes every encoded-word (=?charset?B|Q?text?=) of an unfolded header value to UTF-8.
// RFC 2047 §6.2: white space between adjacent encoded-words is dropped. Adjacent words in the
// same charset are converted together, so a character split across them survives. Words in an
// unknown charset stay as written; raw 8-bit text that is not UTF-8 is read as ISO-8859-1.
std::string decode_header_text(std::string_view value);

}  // namespace satchel::message::detail
