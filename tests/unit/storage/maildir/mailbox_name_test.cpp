#include "storage/maildir/mailbox_name.h"

#include <doctest/doctest.h>

using namespace satchel::storage::maildir;

TEST_CASE("modified UTF-7 encodes the RFC 3501 §5.1.3 example") {
  CHECK(encode_mutf7("\xe5\x8f\xb0\xe5\x8c\x97") == "&U,BTFw-");
  CHECK(encode_mutf7("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e") == "&ZeVnLIqe-");
  CHECK(encode_mutf7("Tom & Jerry") == "Tom &- Jerry");
  CHECK(decode_mutf7("&U,BTFw-").value() == "\xe5\x8f\xb0\xe5\x8c\x97");
  CHECK(decode_mutf7("Tom &- Jerry").value() == "Tom & Jerry");
}

TEST_CASE("a literal dot is encoded so it cannot be read as the separator") {
  CHECK(encode_mutf7("v1.2") == "v1&AC4-2");
  CHECK(decode_mutf7("v1&AC4-2").value() == "v1.2");
  CHECK(folder_dir_name("a.b/c").value() == ".a&AC4-b.c");
  CHECK(mailbox_name_from_dir(".a&AC4-b.c").value() == "a.b/c");
}

TEST_CASE("modified UTF-7 round-trips characters outside the BMP") {
  std::string emoji = "mail \xf0\x9f\x93\xa7 box";
  auto enc = encode_mutf7(emoji);
  CHECK(enc.find('\xf0') == std::string::npos);
  CHECK(decode_mutf7(enc).value() == emoji);
}

TEST_CASE("malformed modified UTF-7 is refused") {
  CHECK_FALSE(decode_mutf7("&U,BTFw").has_value());      // no terminating '-'
  CHECK_FALSE(decode_mutf7("&U/BTFw-").has_value());     // '/' is not in the alphabet
  CHECK_FALSE(decode_mutf7("caf\xc3\xa9").has_value());  // raw 8-bit
  CHECK_FALSE(decode_mutf7("&2D0-").has_value());        // lone high surrogate
}

TEST_CASE("INBOX is the root and folders are Maildir++ directories") {
  CHECK(folder_dir_name("INBOX").value().empty());
  CHECK(folder_dir_name("Sent").value() == ".Sent");
  CHECK(folder_dir_name("a/b/c").value() == ".a.b.c");
  CHECK(folder_dir_name("INBOX/x").value() == ".INBOX.x");
  CHECK(mailbox_name_from_dir(".a.b.c").value() == "a/b/c");
}

TEST_CASE("bad mailbox names are refused with CANNOT") {
  for (const char* bad : {"", "../x", "a//b", "~x", "/x", "a/./b", "a/..", "a/", "a\tb", "a\x7f",
                          "bad\xff utf8", "\xc0\xaf", "x\x01"}) {
    CAPTURE(bad);
    auto r = folder_dir_name(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "CANNOT");
    CHECK(r.error().kind == satchel::ErrorKind::Permanent);
  }
  CHECK_FALSE(folder_dir_name(std::string(500, 'a')).ok());
  CHECK(folder_dir_name("a~b/c d").ok());
}

TEST_CASE("directories that are not ours do not become mailbox names") {
  CHECK_FALSE(mailbox_name_from_dir(".").has_value());
  CHECK_FALSE(mailbox_name_from_dir("..").has_value());
  CHECK_FALSE(mailbox_name_from_dir("..deleted.123").has_value());
  CHECK_FALSE(mailbox_name_from_dir(".a..b").has_value());
  CHECK_FALSE(mailbox_name_from_dir(".INBOX").has_value());  // INBOX is the root
  CHECK_FALSE(mailbox_name_from_dir("cur").has_value());
  CHECK_FALSE(mailbox_name_from_dir(".&AGE-").has_value());  // not how we would spell "a"
}
