// Reading header fields out of a header block (RFC 5322 §2.2): field names, folding, values.
// Internal to the message module.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace satchel::message::detail {

struct HeaderField {
  std::string_view name;   // Before the colon, trailing WSP removed (RFC 5322 §4.5.3 obs-).
  std::string_view value;  // After the colon, still folded, without the final line end.
  std::string_view raw;    // The whole field including every line end.
};

// Walks the fields of a header block: the text from the first header line up to and
// including the blank line. Lines without a colon are skipped (RFC 5322 has no place for
// them); reading stops at the first empty line.
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view header) : text_(header) {}
  bool next(HeaderField& field);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by WSP. Stray CR and LF are
// dropped as well. Leading and trailing WSP are trimmed. The result is cut at `limit` octets.
std::string unfold(std::string_view value, std::size_t limit = 1024 * 1024);

// The unfolded value of the first field called `name` (ASCII case-insensitive), if any.
std::optional<std::string> find_field(std::string_view header, std::string_view name);

}  // namespace satchel::message::detail
