#include "protocol/imap/sequence_set.h"

#include <algorithm>

namespace satchel::imap {
namespace {

std::optional<std::uint32_t> parse_seq_number(std::string_view s, std::string* error) {
  if (s == "*") return SequenceSet::kStar;
  if (s.empty()) {
    *error = "Invalid sequence set";
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      *error = "Invalid sequence set";
      return std::nullopt;
    }
    n = n * 10 + static_cast<unsigned>(c - '0');
    if (n > 0xffffffffULL) {
      *error = "Number out of range in sequence set";
      return std::nullopt;
    }
  }
  if (n == 0) {
    *error = "Zero is not a valid message number";
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(n);
}

std::uint32_t value_of(std::uint32_t n, std::uint32_t star) {
  return n == SequenceSet::kStar ? star : n;
}

}  // namespace

std::optional<SequenceSet> SequenceSet::parse(std::string_view text, std::string* error) {
  std::string scratch;
  if (!error) error = &scratch;
  SequenceSet set;
  if (text.empty()) {
    *error = "Empty sequence set";
    return std::nullopt;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    std::size_t colon = item.find(':');
    auto a = parse_seq_number(item.substr(0, colon), error);
    if (!a) return std::nullopt;
    std::uint32_t b = *a;
    if (colon != std::string_view::npos) {
      auto bb = parse_seq_number(item.substr(colon + 1), error);
      if (!bb) return std::nullopt;
      b = *bb;
    }
    set.ranges_.push_back({*a, b});
    if (set.ranges_.size() > 100000) {
      *error = "Sequence set too long";
      return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

std::optional<std::vector<std::uint32_t>> SequenceSet::resolve_sequence(
    std::uint32_t exists) const {
  std::vector<std::uint32_t> out;
  for (const Range& r : ranges_) {
    if (r.first != kStar && r.first > exists) return std::nullopt;
    if (r.last != kStar && r.last > exists) return std::nullopt;
    if (exists == 0) continue;
    std::uint32_t a = value_of(r.first, exists), b = value_of(r.last, exists);
    if (a > b) std::swap(a, b);
    for (std::uint64_t n = a; n <= b; ++n) out.push_back(static_cast<std::uint32_t>(n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SequenceSet::contains_uid(std::uint32_t uid, std::uint32_t max_uid) const {
  for (const Range& r : ranges_) {
    std::uint32_t a = value_of(r.first, max_uid), b = value_of(r.last, max_uid);
    if (a > b) std::swap(a, b);
    if (uid >= a && uid <= b) return true;
  }
  return false;
}

std::vector<std::uint32_t> SequenceSet::resolve_uids(const std::vector<std::uint32_t>& uids) const {
  std::vector<std::uint32_t> out;
  if (uids.empty()) return out;
  std::uint32_t max_uid = uids.back();
  for (std::size_t i = 0; i < uids.size(); ++i)
    if (contains_uid(uids[i], max_uid)) out.push_back(static_cast<std::uint32_t>(i));
  return out;
}

std::string format_sequence(const std::vector<std::uint32_t>& numbers) {
  std::string out;
  for (std::size_t i = 0; i < numbers.size();) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (j > i) out += ':' + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace satchel::imap
