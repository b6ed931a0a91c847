#include <doctest/doctest.h>

#include <string>

#include "message/message.h"

using namespace satchel::message;

namespace {

std::optional<SentDate> date_of(const std::string& value) {
  std::string text = "Date: " + value + "\r\n\r\n";  // Outlives the parse.
  auto m = parse(text);
  return sent_date(*m);
}

}  // namespace

TEST_CASE("RFC 5322 dates give UTC and the zone offset") {
  auto d = date_of("Mon, 7 Feb 1994 21:52:25 -0800");
  REQUIRE(d.has_value());
  CHECK(d->utc == 760686745);  // 1994-02-08 05:52:25 UTC
  CHECK(d->tz_minutes == -480);
  auto plus = date_of("Thu, 1 Jan 1970 05:30:00 +0530");
  REQUIRE(plus.has_value());
  CHECK(plus->utc == 0);
  CHECK(plus->tz_minutes == 330);
}

TEST_CASE("obsolete date forms: no weekday, two-digit years, named zones, comments") {
  auto d = date_of("7 Feb 94 21:52 EST");
  REQUIRE(d.has_value());
  CHECK(d->utc == 760675920);  // 1994-02-08 02:52:00 UTC
  CHECK(d->tz_minutes == -300);
  auto y2k = date_of("Fri, 31 Dec 49 23:59:59 GMT (comment)");
  REQUIRE(y2k.has_value());
  CHECK(y2k->utc == 2524607999);
  auto unknown_zone = date_of("1 Jan 1970 00:00:00 XYZT");
  REQUIRE(unknown_zone.has_value());
  CHECK(unknown_zone->utc == 0);
}

TEST_CASE("dates that are not dates give nullopt") {
  CHECK_FALSE(date_of("yesterday").has_value());
  CHECK_FALSE(date_of("32 Jan 2020 00:00:00 +0000").has_value());
  CHECK_FALSE(date_of("1 Foo 2020 00:00:00 +0000").has_value());
  CHECK_FALSE(date_of("1 Jan 2020 25:00:00 +0000").has_value());
  auto none = parse("Subject: x\r\n\r\n");
  CHECK_FALSE(sent_date(*none).has_value());
}
