// The message module's public face (DESIGN.md: RFC 5322 / MIME parsing, ENVELOPE,
// BODYSTRUCTURE, sections, SEARCH text matching). Pure: no I/O, depends only on base/.
//
// protocol/imap uses exactly these calls; the module may grow other headers for its own parts.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/parsed_message.h"

namespace satchel::message {

struct ParseLimits {
  std::size_t max_depth = 50;  // Deeper MIME parts are treated as leaves.
  std::size_t max_parts = 10000;
  std::size_t max_header_line = 1024 * 1024;
};

// Converts bare LF and bare CR to CRLF (RFC 5322 §2.3 line endings; the form that IMAP
// serves and counts in RFC822.SIZE). Returns the input unchanged when it is already CRLF.
std::string to_crlf(std::string_view raw);

// A parsed message: the structure of MIME parts as offsets into the CRLF message text, which
// the caller keeps alive for the lifetime of the ParsedMessage. Defined in its own header.
class ParsedMessage;

// Parses a CRLF message. Never fails: malformed input yields the best structure RFC 2045/2046
// allow (text/plain defaults, missing boundaries treated as the end of the part).
std::unique_ptr<ParsedMessage> parse(std::string_view crlf_message, const ParseLimits& = {});

// The ENVELOPE of RFC 3501 §7.4.2, as the parenthesized list to send, e.g.
// ("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon meeting" (("Fred Foobar" NIL "foobar"
// "Blurdybloop.COM")) ... NIL "<B27397-0100000@cac.washington.edu>").
std::string envelope(const ParsedMessage& msg);

// BODY (extended = false) or BODYSTRUCTURE (extended = true), RFC 3501 §7.4.2.
std::string body_structure(const ParsedMessage& msg, bool extended);

// A BODY[section] specifier (RFC 3501 §6.4.5): a part path (empty for the whole message)
// and what of that part.
struct Section {
  enum class Kind { Full, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
  std::vector<std::uint32_t> part;  // 1-based part numbers, e.g. {1, 2} for "1.2".
  Kind kind = Kind::Full;
  std::vector<std::string> fields;  // For HeaderFields / HeaderFieldsNot.
};

// The octets of a section; nullopt when the part does not exist (the caller sends "" then,
// as established servers do). Header sections include the terminating blank line.
std::optional<std::string> section(const ParsedMessage& msg, const Section& spec);

// BINARY[section] (RFC 3516): the part with its Content-Transfer-Encoding undone.
// Result: the octets; nullopt if the part does not exist; `unknown_encoding` set when the
// encoding is not one we can decode (the caller answers NO [UNKNOWN-CTE]).
std::optional<std::string> binary_section(const ParsedMessage& msg,
                                          const std::vector<std::uint32_t>& part,
                                          bool* unknown_encoding);

// SEARCH support (RFC 3501 §6.4.4). Needles are UTF-8; matching is substring with
// i;unicode-casemap folding (RFC 5051) on RFC 2047-decoded header text and on the decoded,
// UTF-8-converted text of text/* body parts.
bool header_contains(const ParsedMessage& msg, std::string_view field, std::string_view needle);
bool body_contains(const ParsedMessage& msg, std::string_view needle);
// TEXT: headers or body.
bool text_contains(const ParsedMessage& msg, std::string_view needle);

// The Date: header as seconds since the epoch in UTC, plus the zone offset in minutes, for
// SENTBEFORE/SENTON/SENTSINCE (which compare the date in the header's own zone).
struct SentDate {
  std::time_t utc = 0;
  std::int32_t tz_minutes = 0;
};
std::optional<SentDate> sent_date(const ParsedMessage& msg);

// Converts text in `charset` to UTF-8 (iconv). nullopt if the charset is unknown or the text
// is invalid in it. Used for SEARCH CHARSET.
std::optional<std::string> to_utf8(std::string_view charset, std::string_view text);
bool charset_supported(std::string_view charset);

// i;unicode-casemap folding of UTF-8 text (RFC 5051), for comparing needles.
std::string fold_case(std::string_view utf8);

}  // namespace satchel::message
