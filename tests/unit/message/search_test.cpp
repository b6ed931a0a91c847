#include <doctest/doctest.h>

#include <string>

#include "message/message.h"

using namespace satchel::message;

TEST_CASE("fold_case follows RFC 5051: titlecase then NFKD") {
  CHECK(fold_case("abcXYZ") == "ABCXYZ");
  // U+01C4 -> U+01C5 -> D, z, U+030C (RFC 5051 §2's own example).
  CHECK(fold_case("\xC7\x84") == "Dz\xCC\x8C");
  CHECK(fold_case("caf\xC3\xA9") == "CAFE\xCC\x81");
  CHECK(fold_case("\xEF\xAC\x81") == "fi");  // U+FB01 ligature: compatibility decomposition.
  // Invalid UTF-8 is compared as octets (step 1b).
  CHECK(fold_case("a\xFF") == "a\xFF");
}

TEST_CASE("header_contains decodes RFC 2047 words in any charset") {
  auto m = parse(
      "Subject: =?ISO-8859-1?Q?Caf=E9?= =?utf-8?B?w6k=?= and\r\n =?koi8-r?B?8NLJ18XU?=\r\n"
      "From: =?UTF-8?Q?J=C3=BCrgen_M?= <j@x>\r\n\r\n");
  CHECK(header_contains(*m, "SUBJECT", "caf\xC3\xA9\xC3\xA9"));  // Space between words dropped.
  CHECK(header_contains(*m, "subject", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"));
  CHECK(header_contains(*m, "from", "j\xC3\x9Crgen m"));
  CHECK(header_contains(*m, "from", "<j@x>"));
  CHECK_FALSE(header_contains(*m, "subject", "=?"));
  // A word split in the middle of a UTF-8 character is joined before conversion.
  auto joined = parse("Subject: =?utf-8?Q?=C3?= =?utf-8?Q?=A9?=\r\n\r\n");
  CHECK(header_contains(*joined, "subject", "\xC3\xA9"));
  // An unknown charset leaves the word as written.
  auto unknown = parse("Subject: =?x-nonsense?Q?abc?=\r\n\r\n");
  CHECK(header_contains(*unknown, "subject", "=?x-nonsense?Q?abc?="));
}

TEST_CASE("body_contains searches decoded text parts only") {
  auto m = parse(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable"
      "\r\n\r\nna=EFve text\r\n--b\r\n"
      "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "PGI+U8OpY3JldDwvYj4=\r\n--b\r\n"
      "Content-Type: application/octet-stream\r\n\r\nhidden binary\r\n--b--\r\n");
  CHECK(body_contains(*m, "NA\xC3\x8FVE"));
  CHECK(body_contains(*m,
                      "s\xC3\xA9"
                      "cret"));
  CHECK_FALSE(body_contains(*m, "hidden"));
  CHECK_FALSE(body_contains(*m, "Content-Type"));
  CHECK(text_contains(*m, "multipart/MIXED"));
  CHECK(text_contains(*m, "naive") == false);
  CHECK(text_contains(*m, "na\xC3\xAFve"));
}

TEST_CASE("body_contains looks into forwarded messages") {
  auto m = parse(
      "Content-Type: message/rfc822\r\n\r\nSubject: =?utf-8?Q?inn=C3=A9r?=\r\n\r\nforwarded "
      "body\r\n");
  CHECK(body_contains(*m, "FORWARDED"));
  CHECK(body_contains(*m, "inn\xC3\xA9r"));
  CHECK_FALSE(header_contains(*m, "subject", "inner"));
}

TEST_CASE("to_utf8 and charset_supported use iconv and reject invalid text") {
  CHECK(to_utf8("ISO-8859-1", "caf\xE9") == "caf\xC3\xA9");
  CHECK(to_utf8("windows-1252", "\x80") == "\xE2\x82\xAC");
  CHECK(to_utf8("KOI8-R", "\xF0") == "\xD0\x9F");
  CHECK(to_utf8("utf-8", "ok\xC3\xA9") == "ok\xC3\xA9");
  CHECK_FALSE(to_utf8("utf-8", "bad\xC3").has_value());
  CHECK_FALSE(to_utf8("utf-8", "\xC0\xAF").has_value());  // Overlong.
  CHECK_FALSE(to_utf8("us-ascii", "\xE9").has_value());
  CHECK_FALSE(to_utf8("x-no-such-charset", "a").has_value());
  CHECK(charset_supported("ISO-8859-15"));
  CHECK(charset_supported("Shift_JIS"));
  CHECK_FALSE(charset_supported("x-no-such-charset"));
  CHECK_FALSE(charset_supported("UTF-8//TRANSLIT"));
}
