#include "protocol/imap/sequence_set.h"

#include <doctest/doctest.h>

using namespace satchel::imap;
using V = std::vector<std::uint32_t>;

TEST_CASE("sequence sets resolve against message numbers") {
  auto s = SequenceSet::parse("1,3:*", nullptr);
  REQUIRE(s.has_value());
  CHECK(s->resolve_sequence(5).value() == V{1, 3, 4, 5});
  CHECK(SequenceSet::parse("5:3", nullptr)->resolve_sequence(5).value() == V{3, 4, 5});
  CHECK(SequenceSet::parse("*", nullptr)->resolve_sequence(4).value() == V{4});
  CHECK(SequenceSet::parse("*", nullptr)->resolve_sequence(0).value().empty());
  CHECK_FALSE(SequenceSet::parse("6", nullptr)->resolve_sequence(5).has_value());
  CHECK(SequenceSet::parse("2,2,1:2", nullptr)->resolve_sequence(5).value() == V{1, 2});
}

TEST_CASE("sequence sets resolve against UIDs; * is the highest UID") {
  V uids{3, 7, 9};
  CHECK(SequenceSet::parse("1:*", nullptr)->resolve_uids(uids) == V{0, 1, 2});
  CHECK(SequenceSet::parse("8:*", nullptr)->resolve_uids(uids) == V{2});
  // RFC 3501 §6.4.8: 20:* covers the last message even though its UID is below 20.
  CHECK(SequenceSet::parse("20:*", nullptr)->resolve_uids(uids) == V{2});
  CHECK(SequenceSet::parse("4:6", nullptr)->resolve_uids(uids).empty());
  CHECK(SequenceSet::parse("1:*", nullptr)->resolve_uids({}).empty());
}

TEST_CASE("sequence set syntax errors and overflow are refused, never wrapped") {
  std::string err;
  for (const char* bad : {"", "0", "1:0", "4294967296", "1:4294967296", "99999999999999999999",
                          "1,", ",1", "1::2", "a", "1:*:2", "-1", "1 2"}) {
    CAPTURE(bad);
    CHECK_FALSE(SequenceSet::parse(bad, &err).has_value());
  }
  CHECK(SequenceSet::parse("4294967295", &err).has_value());
  CHECK(format_sequence({1, 2, 3, 7, 9, 10}) == "1:3,7,9:10");
}
