// Charset helpers internal to the message module.
#pragma once

#include <string>
#include <string_view>

namespace satchel::message::detail {

bool is_valid_utf8(std::string_view s);

// Text in `charset` as UTF-8, never failing: when the charset is unknown or the text invalid
// in it, valid UTF-8 is kept and anything else is read as ISO-8859-1 (search must still see
// the ASCII parts of mislabelled mail).
std::string to_utf8_lossy(std::string_view charset, std::string_view text);

}  // namespace satchel::message::detail
