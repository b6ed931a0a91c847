// Sequence sets (RFC 3501 §9 sequence-set): "1,3:5,7:*". Parsed into ranges first, then
// resolved against the selected mailbox's view (message sequence numbers or UIDs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace satchel::imap {

class SequenceSet {
 public:
  // `*` is kStar until resolved.
  static constexpr std::uint32_t kStar = 0;
  struct Range {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
  };

  // Parses a sequence set; nullopt (with `error` set) on bad syntax, zero or a number out of
  // the 32-bit range (never a wrap).
  static std::optional<SequenceSet> parse(std::string_view text, std::string* error);

  const std::vector<Range>& ranges() const { return ranges_; }

  // Message sequence numbers 1..exists selected by the set, ascending, unique. nullopt when a
  // number (not "*") is above `exists` (the caller answers BAD). `*` on an empty mailbox
  // selects nothing.
  std::optional<std::vector<std::uint32_t>> resolve_sequence(std::uint32_t exists) const;

  // The positions (0-based) of `uids` (ascending) that the set selects, interpreted as UIDs.
  // RFC 3501 §6.4.8: "*" is the largest UID in use, and a range like 5:* matches the last
  // message even when its UID is below 5.
  std::vector<std::uint32_t> resolve_uids(const std::vector<std::uint32_t>& uids) const;

  // True when the UID `uid` is in the set, with `*` = max_uid.
  bool contains_uid(std::uint32_t uid, std::uint32_t max_uid) const;

 private:
  std::vector<Range> ranges_;
};

// Formats a sorted list of numbers as a compact sequence set ("1:3,7"), for COPYUID/APPENDUID.
std::string format_sequence(const std::vector<std::uint32_t>& numbers);

}  // namespace satchel::imap
