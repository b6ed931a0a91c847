#include "protocol/imap/mailbox_name.h"

#include <doctest/doctest.h>

using namespace satchel::imap;

TEST_CASE("modified UTF-7: RFC 3501 example and round trips") {
  auto d = mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  REQUIRE(d.has_value());
  CHECK(*d == "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  CHECK(mutf7_encode(*d) == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  for (std::string s : {"INBOX", "a&b", "Entw\xc3\xbcrfe", "\xf0\x9f\x98\x80 smile", "&&", "x/y/z",
                        "caf\xc3\xa9/\xc3\xa9t\xc3\xa9"}) {
    auto back = mutf7_decode(mutf7_encode(s));
    REQUIRE(back.has_value());
    CHECK(*back == s);
  }
  CHECK(mutf7_encode("a&b") == "a&-b");
  CHECK(mutf7_encode("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
}

TEST_CASE("modified UTF-7: invalid forms are refused") {
  CHECK_FALSE(mutf7_decode("&U,BTFw").has_value());      // Not terminated.
  CHECK_FALSE(mutf7_decode("&AGE-").has_value());        // Printable ASCII "a" encoded.
  CHECK_FALSE(mutf7_decode("&U/BTFw-").has_value());     // "/" is not in the modified alphabet.
  CHECK_FALSE(mutf7_decode("&AP-").has_value());         // Leftover non-zero bits / odd length.
  CHECK_FALSE(mutf7_decode("&2D0-").has_value());        // Lone high surrogate.
  CHECK_FALSE(mutf7_decode("caf\xc3\xa9").has_value());  // Raw 8-bit.
  CHECK_FALSE(mutf7_decode("a\tb").has_value());         // Control character.
  CHECK_FALSE(mutf7_decode("&APw-&APw-").has_value());   // Two adjacent shifts.
  CHECK(mutf7_decode("&-").value() == "&");
}

TEST_CASE("INBOX is case-insensitive, its children keep the canonical prefix") {
  CHECK(mailbox_from_wire("inbox").value() == "INBOX");
  CHECK(mailbox_from_wire("InBoX/Sub").value() == "INBOX/Sub");
  CHECK(mailbox_from_wire("inboxes").value() == "inboxes");
  CHECK(mailbox_from_wire("Other/inbox").value() == "Other/inbox");
}
