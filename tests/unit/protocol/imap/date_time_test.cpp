#include "protocol/imap/date_time.h"

#include <doctest/doctest.h>

using namespace satchel::imap;

TEST_CASE("date-time parses with its zone and formats back") {
  auto dt = parse_date_time("17-Jul-1996 02:44:25 -0700");
  REQUIRE(dt.has_value());
  CHECK(dt->utc == 837596665);
  CHECK(dt->tz_minutes == -420);
  CHECK(format_date_time(dt->utc, dt->tz_minutes) == "17-Jul-1996 02:44:25 -0700");
  auto sp = parse_date_time(" 1-Feb-2000 00:00:00 +0100");
  REQUIRE(sp.has_value());
  CHECK(format_date_time(sp->utc, sp->tz_minutes) == "01-Feb-2000 00:00:00 +0100");
  for (const char* bad :
       {"32-Jan-2000 00:00:00 +0000", "29-Feb-2001 00:00:00 +0000", "01-Foo-2000 00:00:00 +0000",
        "01-Jan-2000 24:00:00 +0000", "01-Jan-2000 00:00:00 0000", "01-Jan-2000", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_date_time(bad).has_value());
  }
}

TEST_CASE("dates and the day of an instant in a zone") {
  CHECK(parse_date("1-feb-1994").value() == Day{1994, 2, 1});
  CHECK(parse_date("29-Feb-2024").has_value());
  CHECK_FALSE(parse_date("30-Feb-2024").has_value());
  // 2023-11-14 22:13:20 UTC is already the 15th at +0200.
  CHECK(day_of(1700000000, 0) == Day{2023, 11, 14});
  CHECK(day_of(1700000000, 120) == Day{2023, 11, 15});
  CHECK(day_of(0, -60) == Day{1969, 12, 31});
}
