// LIST/LSUB pattern matching (RFC 3501 §6.3.8): "*" matches anything, "%" anything but the
// hierarchy separator; INBOX matches case-insensitively.
#pragma once

#include <string>
#include <string_view>

namespace satchel::imap {

class ListPattern {
 public:
  // `reference` and `pattern` in storage form (decoded UTF-8); they are concatenated as
  // RFC 3501 §6.3.8 describes for our single flat namespace.
  ListPattern(std::string_view reference, std::string_view pattern);
  bool matches(std::string_view name) const;
  const std::string& text() const { return pattern_; }

 private:
  std::string pattern_;
};

}  // namespace satchel::imap
