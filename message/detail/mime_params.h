// Content-Type and Content-Disposition values: a token (or type/subtype) and parameters
// (RFC 2045 §5.1, RFC 2183 §2, RFC 2231 §3-4). Internal to the message module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace satchel::message::detail {

using Params = std::vector<std::pair<std::string, std::string>>;

struct ContentType {
  std::string type;
  std::string subtype;
  Params params;
};

// Parses an unfolded Content-Type value. nullopt when there is no "type/subtype" at its start
// (the caller applies the RFC 2045 §5.2 default then). Parameters are parsed leniently: a
// broken parameter is skipped up to the next ";".
std::optional<ContentType> parse_content_type(std::string_view value);

struct Disposition {
  std::string value;
  Params params;
};
std::optional<Disposition> parse_disposition(std::string_view value);

// The first token of a value after comments (e.g. Content-Transfer-Encoding).
std::string first_token(std::string_view value);

// Parameter list parsing shared by the two above: `value` starts after the main value.
// RFC 2231 §3: continuations name*0, name*1 ... are joined in order; when any section is
// extended (name*0*=charset'lang'%XX), the joined parameter is called "name*" and keeps the
// charset'lang' prefix and %-encoding (non-extended sections are %-encoded as they are
// joined), so that a client can decode it as RFC 2231 §4 says.
Params parse_params(std::string_view value);

}  // namespace satchel::message::detail
