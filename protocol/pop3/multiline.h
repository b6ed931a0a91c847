// The body of a POP3 multi-line response (RFC 1939 §3): every line that begins with '.' gets
// one more '.' (byte-stuffing), and the response ends with ".\r\n" on a line of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace satchel::pop3 {

// Appends `text` byte-stuffed to `out`, then the terminating ".\r\n". A CRLF is added first if
// `text` is not empty and does not end with one, so the terminator is always on its own line.
// A line start is the beginning of `text` or any octet after an LF.
void append_stuffed(std::string& out, std::string_view text);

// RFC 1939 §7 TOP: the header of `message`, the blank line that ends it, and the first
// `body_lines` lines of the body. A message without a blank line is all header and is
// returned whole; a body shorter than `body_lines` is returned whole.
std::string_view top_of_message(std::string_view message, std::uint64_t body_lines);

}  // namespace satchel::pop3
