#include "protocol/imap/date_time.h"

#include <cstdio>

#include "base/ascii.h"

namespace satchel::imap {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<int> digits(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int month_of(std::string_view s) {
  for (int i = 0; i < 12; ++i)
    if (ascii::iequals(s, kMonths[i])) return i + 1;
  return 0;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::int64_t days_from_civil(int y, int m, int d) {
  // Howard Hinnant's well-known civil-date arithmetic.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Day day_of(std::time_t utc, std::int32_t tz_minutes) {
  std::int64_t t = static_cast<std::int64_t>(utc) + std::int64_t{tz_minutes} * 60;
  std::int64_t z = (t >= 0 ? t : t - 86399) / 86400;
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Day{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::optional<Day> parse_date(std::string_view text) {
  std::size_t a = text.find('-');
  if (a == std::string_view::npos) return std::nullopt;
  std::size_t b = text.find('-', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view ds = text.substr(0, a);
  if (!ds.empty() && ds.front() == ' ') ds.remove_prefix(1);
  auto d = ds.size() <= 2 ? digits(ds) : std::nullopt;
  int m = month_of(text.substr(a + 1, b - a - 1));
  std::string_view ys = text.substr(b + 1);
  auto y = ys.size() == 4 ? digits(ys) : std::nullopt;
  if (!d || !m || !y || *d < 1 || *d > days_in_month(*y, m)) return std::nullopt;
  return Day{*y, m, *d};
}

std::optional<DateTime> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz", where dd may be " d".
  if (text.size() != 26 || text[11] != ' ' || text[20] != ' ') return std::nullopt;
  auto day = parse_date(text.substr(0, 11));
  if (!day) return std::nullopt;
  std::string_view t = text.substr(12, 8);
  if (t[2] != ':' || t[5] != ':') return std::nullopt;
  auto hh = digits(t.substr(0, 2)), mm = digits(t.substr(3, 2)), ss = digits(t.substr(6, 2));
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  std::string_view z = text.substr(21);
  if (z[0] != '+' && z[0] != '-') return std::nullopt;
  auto zh = digits(z.substr(1, 2)), zm = digits(z.substr(3, 2));
  if (!zh || !zm || *zm > 59) return std::nullopt;
  std::int32_t tz = (*zh * 60 + *zm) * (z[0] == '-' ? -1 : 1);
  std::int64_t local =
      days_from_civil(day->year, day->month, day->day) * 86400 + *hh * 3600 + *mm * 60 + *ss;
  return DateTime{static_cast<std::time_t>(local - std::int64_t{tz} * 60), tz};
}

std::string format_date_time(std::time_t utc, std::int32_t tz_minutes) {
  Day d = day_of(utc, tz_minutes);
  std::int64_t t = static_cast<std::int64_t>(utc) + std::int64_t{tz_minutes} * 60;
  std::int64_t secs = ((t % 86400) + 86400) % 86400;
  int tz = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day,
                kMonths[d.month - 1], d.year, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                tz_minutes < 0 ? '-' : '+', tz / 60, tz % 60);
  return buf;
}

}  // namespace satchel::imap
