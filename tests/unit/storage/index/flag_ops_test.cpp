#include "storage/index/flag_ops.h"

#include <doctest/doctest.h>

using namespace satchel::storage;
using namespace satchel::storage::index;

TEST_CASE("keywords are sorted, deduplicated without regard to case, and sanitized") {
  CHECK(normalize_keywords({"Work", "$Forwarded", "work", "", "two words", "bad\x01"}) ==
        std::vector<std::string>{"$Forwarded", "Work"});
}

TEST_CASE("FLAGS, +FLAGS and -FLAGS change system flags and keywords") {
  Flags old{kSeen, {"$Label1", "Work"}};
  Flags add = apply_flags(old, FlagOp::Add, Flags{kFlagged, {"work", "$Junk"}});
  CHECK(add.system == (kSeen | kFlagged));
  CHECK(add.keywords == std::vector<std::string>{"$Junk", "$Label1", "Work"});
  Flags rem = apply_flags(old, FlagOp::Remove, Flags{kSeen | kDeleted, {"WORK"}});
  CHECK(rem.system == 0);
  CHECK(rem.keywords == std::vector<std::string>{"$Label1"});
  Flags rep = apply_flags(old, FlagOp::Replace, Flags{kDraft, {"b", "a", "A"}});
  CHECK(rep.system == kDraft);
  CHECK(rep.keywords == std::vector<std::string>{"a", "b"});
  CHECK(apply_flags(old, FlagOp::Add, Flags{kSeen, {"WORK"}}) == old);
}
