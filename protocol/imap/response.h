// Writing responses: strings as quoted or literal (RFC 3501 §4.3), and response lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace satchel::imap {

// A string as `"quoted"` when it is short 7-bit text without CR, LF or NUL, else a literal.
std::string imap_string(std::string_view s);
// Always a literal "{n}\r\n" followed by the octets.
std::string imap_literal(std::string_view s);
// NIL or imap_string().
std::string imap_nstring(const std::optional<std::string>& s);

// "<tag> OK [CODE] text\r\n" (the code without brackets; empty for none).
std::string tagged(std::string_view tag, std::string_view status, std::string_view code,
                   std::string_view text);

// The response code to answer a storage/auth error with (RFC 5530), and NO/BAD.
std::string error_line(std::string_view tag, const Error& e);

}  // namespace satchel::imap
