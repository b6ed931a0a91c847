#include "tls/name_index.h"

#include <doctest/doctest.h>

using satchel::tls::NameIndex;

TEST_CASE("NameIndex matches exact names case-insensitively and ignores a trailing dot") {
  NameIndex index;
  CHECK(index.add("IMAP.Example.com", 1));
  CHECK(index.find("imap.example.com") == 1u);
  CHECK(index.find("IMAP.EXAMPLE.COM.") == 1u);
  CHECK_FALSE(index.find("mail.example.com").has_value());
  CHECK_FALSE(index.find("").has_value());
}

TEST_CASE("NameIndex wildcards cover exactly one left-most label") {
  NameIndex index;
  CHECK(index.add("*.example.com", 2));
  CHECK(index.find("a.example.com") == 2u);
  CHECK(index.find("Mail.Example.Com") == 2u);
  CHECK_FALSE(index.find("example.com").has_value());
  CHECK_FALSE(index.find("a.b.example.com").has_value());
  CHECK_FALSE(index.find(".example.com").has_value());
}

TEST_CASE("NameIndex prefers an exact name to a wildcard") {
  NameIndex index;
  CHECK(index.add("*.example.com", 1));
  CHECK(index.add("imap.example.com", 2));
  CHECK(index.find("imap.example.com") == 2u);
  CHECK(index.find("pop.example.com") == 1u);
}

TEST_CASE("NameIndex keeps the first owner of a name and refuses unusable patterns") {
  NameIndex index;
  CHECK(index.add("imap.example.com", 0));
  CHECK_FALSE(index.add("imap.example.com", 3));
  CHECK(index.find("imap.example.com") == 0u);
  CHECK(index.owner_of("imap.example.com") == 0u);
  CHECK_FALSE(index.add("*.com", 1));
  CHECK_FALSE(index.add("f*.example.com", 1));
  CHECK_FALSE(index.add("*.*.example.com", 1));
  CHECK_FALSE(index.add("bad name\x01", 1));
  CHECK_FALSE(index.find("foo.com").has_value());
  CHECK(index.owner_of("*.com") == std::nullopt);
}
