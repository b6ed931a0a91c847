// sent_date(): the Date: header (RFC 5322 §3.3, with the obsolete forms of §4.3).
#include <cctype>

#include "base/ascii.h"
#include "message/detail/date.h"
#include "message/detail/header.h"
#include "message/detail/part_text.h"
#include "message/message.h"

namespace satchel::message {

namespace {

class DateLexer {
 public:
  explicit DateLexer(std::string_view s) : s_(s) {}

  // Skips white space, commas and comments (CFWS).
  void skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        int depth = 0;
        while (pos_ < s_.size()) {
          char d = s_[pos_++];
          if (d == '(') ++depth;
          if (d == ')' && --depth == 0) break;
        }
      } else {
        return;
      }
    }
  }
  bool number(int* v, int* digits) {
    skip();
    std::size_t b = pos_;
    long n = 0;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_])) && pos_ - b < 9)
      n = n * 10 + (s_[pos_++] - '0');
    *digits = static_cast<int>(pos_ - b);
    *v = static_cast<int>(n);
    return *digits > 0;
  }
  std::string word() {
    skip();
    std::size_t b = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return std::string(s_.substr(b, pos_ - b));
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char peek() {
    skip();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

int month_of(std::string_view m) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return 0;
  for (int i = 0; i < 12; ++i)
    if (ascii::iequals(m.substr(0, 3), kMonths[i])) return i + 1;
  return 0;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

// RFC 5322 §4.3 obs-zone: UT, GMT, the US zones, military letters (taken as +0000, since
// their sign was historically reversed).
bool named_zone(std::string_view z, int* minutes) {
  struct Zone {
    const char* name;
    int hours;
  };
  static constexpr Zone kZones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},
                                    {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                                    {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
  for (const auto& zone : kZones) {
    if (ascii::iequals(z, zone.name)) {
      *minutes = zone.hours * 60;
      return true;
    }
  }
  if (z.size() == 1 && std::isalpha(static_cast<unsigned char>(z[0])) &&
      ascii::to_upper(z[0]) != 'J') {
    *minutes = 0;
    return true;
  }
  return false;
}

}  // namespace

namespace detail {

std::optional<SentDate> parse_date(std::string_view value) {
  DateLexer lex(value);
  int day = 0, digits = 0;
  if (!std::isdigit(static_cast<unsigned char>(lex.peek()))) lex.word();  // day-of-week
  if (!lex.number(&day, &digits) || day < 1 || day > 31) return std::nullopt;
  int month = month_of(lex.word());
  if (month == 0) return std::nullopt;
  int year = 0;
  if (!lex.number(&year, &digits)) return std::nullopt;
  // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 and three-digit years add 1900.
  if (digits == 2)
    year += year < 50 ? 2000 : 1900;
  else if (digits == 3)
    year += 1900;
  else if (digits != 4)
    return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (!lex.number(&hour, &digits) || !lex.eat(':') || !lex.number(&minute, &digits))
    return std::nullopt;
  if (lex.eat(':') && !lex.number(&second, &digits)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int tz = 0;
  char c = lex.peek();
  if (c == '+' || c == '-') {
    lex.eat(c);
    int hhmm = 0;
    if (!lex.number(&hhmm, &digits) || digits != 4) return std::nullopt;
    tz = (hhmm / 100) * 60 + hhmm % 100;
    if (c == '-') tz = -tz;
  } else if (std::isalpha(static_cast<unsigned char>(c))) {
    if (!named_zone(lex.word(), &tz)) tz = 0;
  }
  // RFC 5322 §3.3: an unknown zone is "-0000", i.e. UTC.
  long days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  long long local = static_cast<long long>(days) * 86400 + hour * 3600 + minute * 60 + second;
  SentDate d;
  d.utc = static_cast<std::time_t>(local - static_cast<long long>(tz) * 60);
  d.tz_minutes = tz;
  return d;
}

}  // namespace detail

std::optional<SentDate> sent_date(const ParsedMessage& msg) {
  auto value = detail::find_field(detail::header_view(msg.text(), msg.root()), "Date");
  if (!value) return std::nullopt;
  return detail::parse_date(*value);
}

}  // namespace satchel::message
