#include "storage/maildir/maildir_filename.h"

#include <doctest/doctest.h>

#include "storage/api/types.h"

using namespace satchel::storage;
using namespace satchel::storage::maildir;

TEST_CASE("a Maildir file name splits into base, sizes and flag letters") {
  auto n = parse_file_name("1700000000.M12P34R56.host,S=100,W=104:2,FS");
  CHECK(n.base == "1700000000.M12P34R56.host,S=100,W=104");
  CHECK(n.has_info);
  CHECK(n.letters == "FS");
  CHECK(n.size.value() == 100);
  CHECK(n.crlf_size.value() == 104);
  auto plain = parse_file_name("1700000000.12345.mx");
  CHECK(plain.base == "1700000000.12345.mx");
  CHECK_FALSE(plain.has_info);
  CHECK_FALSE(plain.crlf_size.has_value());
}

TEST_CASE("flag letters map to system flags") {
  CHECK(flags_from_letters("DFRST") == (kDraft | kFlagged | kAnswered | kSeen | kDeleted));
  CHECK(flags_from_letters("PS") == kSeen);
  CHECK(flags_from_letters("abc") == 0);
}

TEST_CASE("rewriting letters keeps unknown letters and sorts in ASCII order") {
  CHECK(letters_for_flags("", kSeen | kFlagged) == "FS");
  CHECK(letters_for_flags("PSab", kDeleted) == "PTab");
  CHECK(letters_for_flags("FS", 0) == "");
  CHECK(letters_for_flags("SS", kSeen) == "S");
}

TEST_CASE("new base names carry both sizes and are unique") {
  auto a = make_base_name(1700000000, 5, 10, 12);
  auto b = make_base_name(1700000000, 5, 10, 12);
  CHECK(a != b);
  CHECK(a.find(':') == std::string::npos);
  CHECK(a.find('/') == std::string::npos);
  auto n = parse_file_name(a);
  CHECK(n.size.value() == 10);
  CHECK(n.crlf_size.value() == 12);
}
