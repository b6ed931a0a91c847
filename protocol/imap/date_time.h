// IMAP dates (RFC 3501 §9 date, date-time) and the INTERNALDATE format.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace satchel::imap {

// A calendar day, as SEARCH BEFORE/ON/SINCE compare them.
struct Day {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  auto operator<=>(const Day&) const = default;
};

// date-text = date-day "-" date-month "-" date-year ("1-Feb-1994", month case-insensitive).
std::optional<Day> parse_date(std::string_view text);

// date-time = date-day-fixed "-" date-month "-" date-year SP time SP zone (without the
// quotes). Returns UTC seconds and the zone in minutes east of UTC.
struct DateTime {
  std::time_t utc = 0;
  std::int32_t tz_minutes = 0;
};
std::optional<DateTime> parse_date_time(std::string_view text);

// "17-Jul-1996 02:44:25 -0700": the INTERNALDATE of a message in its own zone.
std::string format_date_time(std::time_t utc, std::int32_t tz_minutes);

// The calendar day of `utc` as seen in the zone `tz_minutes`.
Day day_of(std::time_t utc, std::int32_t tz_minutes);

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d);

}  // namespace satchel::imap
