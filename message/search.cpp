// SEARCH text matching (RFC 3501 §6.4.4) with i;unicode-casemap (RFC 5051).
#include "base/ascii.h"
#include "message/detail/charset.h"
#include "message/detail/header.h"
#include "message/detail/part_text.h"
#include "message/detail/rfc2047.h"
#include "message/detail/transfer.h"
#include "message/message.h"

namespace satchel::message {

namespace {

bool folded_contains(std::string_view haystack_utf8, const std::string& folded_needle) {
  if (folded_needle.empty()) return true;
  return fold_case(haystack_utf8).find(folded_needle) != std::string::npos;
}

bool any_header_contains(std::string_view header, std::string_view field,
                         const std::string& folded_needle) {
  detail::HeaderReader reader(header);
  detail::HeaderField f;
  while (reader.next(f)) {
    if (!field.empty() && !ascii::iequals(f.name, field)) continue;
    // RFC 3501 §6.4.4: HEADER with an empty string matches every message with the field.
    if (folded_needle.empty()) return true;
    std::string value = detail::decode_header_text(detail::unfold(f.value));
    if (field.empty()) value = std::string(f.name) + ": " + value;
    if (folded_contains(value, folded_needle)) return true;
  }
  return false;
}

// The decoded text of a part's body as UTF-8, for the parts SEARCH BODY looks into.
std::string part_text(std::string_view text, const Part& p) {
  std::string_view body = detail::body_view(text, p);
  std::string decoded;
  switch (detail::encoding_of(p.encoding)) {
    case detail::Encoding::Base64:
      decoded = detail::decode_base64(body);
      break;
    case detail::Encoding::QuotedPrintable:
      decoded = detail::decode_quoted_printable(body);
      break;
    default:
      decoded = std::string(body);
  }
  const std::string* cs = p.param("charset");
  return detail::to_utf8_lossy(cs != nullptr ? std::string_view(*cs) : std::string_view(), decoded);
}

bool body_part_contains(std::string_view text, const Part& p, const std::string& folded_needle) {
  switch (p.kind) {
    case Part::Kind::Multipart:
      for (const Part& c : p.children)
        if (body_part_contains(text, c, folded_needle)) return true;
      return false;
    case Part::Kind::Message: {
      // A forwarded message's header is text of the outer message's body.
      const Part& inner = p.children[0];
      if (any_header_contains(detail::header_view(text, inner), "", folded_needle)) return true;
      return body_part_contains(text, inner, folded_needle);
    }
    case Part::Kind::Leaf:
      break;
  }
  if (!p.is_type("text")) return false;
  return folded_contains(part_text(text, p), folded_needle);
}

}  // namespace

bool header_contains(const ParsedMessage& msg, std::string_view field, std::string_view needle) {
  if (field.empty()) return false;  // SEARCH HEADER always names a field.
  return any_header_contains(detail::header_view(msg.text(), msg.root()), field, fold_case(needle));
}

bool body_contains(const ParsedMessage& msg, std::string_view needle) {
  std::string folded = fold_case(needle);
  if (folded.empty()) return true;
  const Part& root = msg.root();
  if (root.kind == Part::Kind::Leaf && !root.is_type("text")) return false;
  return body_part_contains(msg.text(), root, folded);
}

bool text_contains(const ParsedMessage& msg, std::string_view needle) {
  std::string folded = fold_case(needle);
  if (folded.empty()) return true;
  if (any_header_contains(detail::header_view(msg.text(), msg.root()), "", folded)) return true;
  return body_part_contains(msg.text(), msg.root(), folded);
}

}  // namespace satchel::message
