// IMAP string output (RFC 3501 §4.3, §9 "string" / "nstring"). Internal to the message module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace satchel::message::detail {

// A quoted string when the text allows one (7-bit, no CR or LF; '"' and '\' escaped), else a
// literal {n}CRLF followed by the octets. NUL octets are left out (no IMAP string holds one).
void append_string(std::string& out, std::string_view s);
// NIL for nullopt, else append_string.
void append_nstring(std::string& out, const std::optional<std::string>& s);

}  // namespace satchel::message::detail
