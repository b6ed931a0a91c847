#include "protocol/imap/list_pattern.h"

#include <vector>

#include "protocol/imap/mailbox_name.h"

namespace satchel::imap {

ListPattern::ListPattern(std::string_view reference, std::string_view pattern) {
  std::string full(reference);
  if (!full.empty() && full.back() == kSeparator && !pattern.empty() &&
      pattern.front() == kSeparator)
    full.pop_back();
  full.append(pattern);
  // Runs of wildcards containing "*" are one "*"; this also bounds the matching work.
  for (char c : full) {
    if ((c == '*' || c == '%') && !pattern_.empty() &&
        (pattern_.back() == '*' || pattern_.back() == '%')) {
      if (c == '*') pattern_.back() = '*';
      continue;
    }
    pattern_ += c;
  }
  // A pattern starting with INBOX in any case names INBOX (RFC 3501 §5.1).
  pattern_ = canonical_inbox(pattern_);
  if (pattern_.size() > 5 && (pattern_[5] == '*' || pattern_[5] == '%')) {
    std::string head = canonical_inbox(pattern_.substr(0, 5));
    pattern_.replace(0, 5, head);
  }
}

bool ListPattern::matches(std::string_view name) const {
  // Dynamic programming over (pattern position, name position): O(|p| * |n|), no blow-up.
  const std::string& p = pattern_;
  std::vector<char> prev(name.size() + 1, 0), cur(name.size() + 1, 0);
  prev[0] = 1;
  for (std::size_t j = 1; j <= name.size(); ++j) prev[j] = 0;
  for (std::size_t i = 1; i <= p.size(); ++i) {
    char pc = p[i - 1];
    cur[0] = (pc == '*' || pc == '%') && prev[0];
    for (std::size_t j = 1; j <= name.size(); ++j) {
      char nc = name[j - 1];
      if (pc == '*')
        cur[j] = prev[j] || cur[j - 1];
      else if (pc == '%')
        cur[j] = prev[j] || (cur[j - 1] && nc != kSeparator);
      else
        cur[j] = prev[j - 1] && pc == nc;
    }
    std::swap(prev, cur);
  }
  return prev[name.size()] != 0;
}

}  // namespace satchel::imap
