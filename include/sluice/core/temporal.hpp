// Calendar arithmetic for date32 and timestamps (proleptic Gregorian, as Arrow and DuckDB), and
// ISO 8601 formatting shared by the text writers.
#pragma once

#include <cstdint>
#include <cstring>

#include "sluice/core/types.hpp"

namespace sluice::temporal {

// Days since 1970-01-01 for a civil date (month 1..12, day 1..31); valid for any int32 year range.
[[gnu::always_inline]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
[[gnu::always_inline]] constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

namespace detail {
inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
// The low `width` decimal digits of v, zero-padded, two at a time.
inline char* put_digits(char* p, std::uint64_t v, int width) noexcept {
  int i = width;
  for (; i >= 2; i -= 2) {
    std::memcpy(p + i - 2, kDigitPairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (i == 1) p[0] = static_cast<char>('0' + v % 10);
  return p + width;
}
inline char* put_year(char* p, std::int64_t y) noexcept {
  if (y < 0) {
    *p++ = '-';
    y = -y;
  }
  if (y > 9999) {
    char tmp[20];
    int n = 0;
    while (y > 0) {
      tmp[n++] = static_cast<char>('0' + y % 10);
      y /= 10;
    }
    while (n > 0) *p++ = tmp[--n];
    return p;
  }
  return put_digits(p, static_cast<std::uint64_t>(y), 4);
}
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace detail

// Writes YYYY-MM-DD; needs 24 bytes of room. Returns the end.
// civil_from_days in unsigned 32-bit arithmetic for 0000-03-01 .. 9999-12-31 (days -719468 ..
// 2932896), where formatting spends its time: the century and the year within it from the 4N+3 form
// of the cycles (Neri and Schneider), every division by a constant.
constexpr Civil civil_from_days_0_9999(std::int32_t days) noexcept {
  const std::uint32_t n1 = 4 * static_cast<std::uint32_t>(days + 719468) + 3;
  const std::uint32_t century = n1 / 146097;
  const std::uint32_t n2 = (n1 % 146097) | 3;  // 4 * (day of the century) + 3
  const std::uint32_t yoc = n2 / 1461;
  const std::uint32_t doy = n2 % 1461 / 4;
  const std::uint32_t mp = (5 * doy + 2) / 153;
  const std::uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(100 * century + yoc + (m <= 2)), m, d};
}

inline char* format_date(char* out, std::int32_t days) noexcept {
  if (days >= -719468 && days <= 2932896) [[likely]] {
    const Civil c = civil_from_days_0_9999(days);
    const auto y = static_cast<std::uint32_t>(c.year);
    std::memcpy(out, detail::kDigitPairs + 2 * (y / 100), 2);
    std::memcpy(out + 2, detail::kDigitPairs + 2 * (y % 100), 2);
    out[4] = '-';
    std::memcpy(out + 5, detail::kDigitPairs + 2 * c.month, 2);
    out[7] = '-';
    std::memcpy(out + 8, detail::kDigitPairs + 2 * c.day, 2);
    return out + 10;
  }
  const Civil c = civil_from_days(days);
  char* p = detail::put_year(out, c.year);
  *p++ = '-';
  p = detail::put_digits(p, c.month, 2);
  *p++ = '-';
  return detail::put_digits(p, c.day, 2);
}

// Writes HH:MM:SS[.fraction] for a time of day in `unit`, trailing fraction digits as the unit
// needs, trimmed of nothing (DuckDB prints microseconds only when non-zero). Needs 24 bytes.
namespace detail {
template <TimeUnit kUnit>
inline char* format_time_of_day_in(char* p, std::int64_t since_midnight) noexcept {
  constexpr std::int64_t per_s = units_per_second(kUnit);  // constant: no division instruction
  const std::int64_t secs = since_midnight / per_s;
  const std::int64_t frac = since_midnight % per_s;
  p = put_digits(p, static_cast<std::uint64_t>(secs / 3600), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<std::uint64_t>(secs / 60 % 60), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<std::uint64_t>(secs % 60), 2);
  if (frac != 0) {
    *p++ = '.';
    constexpr int digits = kUnit == TimeUnit::kMilli ? 3 : kUnit == TimeUnit::kMicro ? 6 : 9;
    p = put_digits(p, static_cast<std::uint64_t>(frac), digits);
    while (p[-1] == '0') --p;  // shortest exact fraction
  }
  return p;
}
}  // namespace detail

inline char* format_time_of_day(char* p, std::int64_t since_midnight, TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::kSecond: return detail::format_time_of_day_in<TimeUnit::kSecond>(p, since_midnight);
    case TimeUnit::kMilli: return detail::format_time_of_day_in<TimeUnit::kMilli>(p, since_midnight);
    case TimeUnit::kMicro: return detail::format_time_of_day_in<TimeUnit::kMicro>(p, since_midnight);
    case TimeUnit::kNano: return detail::format_time_of_day_in<TimeUnit::kNano>(p, since_midnight);
  }
  return p;
}

// ISO 8601 "YYYY-MM-DD HH:MM:SS[.ffffff]" and, for zoned timestamps, a "+00" suffix as DuckDB
// prints TIMESTAMPTZ in UTC. Needs 48 bytes.
namespace detail {
template <TimeUnit kUnit>
inline char* format_timestamp_in(char* out, std::int64_t value, bool utc) noexcept {
  constexpr std::int64_t per_day = 86400 * units_per_second(kUnit);
  // Truncate, then step back one day for negative remainders: days * per_day would overflow for
  // values within a day of INT64_MIN (nanoseconds in 1677).
  std::int64_t days = value / per_day;
  std::int64_t rem = value % per_day;
  if (rem < 0) {
    rem += per_day;
    --days;
  }
  char* p = format_date(out, static_cast<std::int32_t>(days));
  *p++ = ' ';
  p = format_time_of_day_in<kUnit>(p, rem);
  if (utc) {
    *p++ = '+';
    *p++ = '0';
    *p++ = '0';
  }
  return p;
}
}  // namespace detail

inline char* format_timestamp(char* out, std::int64_t value, TimeUnit unit, bool utc) noexcept {
  switch (unit) {
    case TimeUnit::kSecond: return detail::format_timestamp_in<TimeUnit::kSecond>(out, value, utc);
    case TimeUnit::kMilli: return detail::format_timestamp_in<TimeUnit::kMilli>(out, value, utc);
    case TimeUnit::kMicro: return detail::format_timestamp_in<TimeUnit::kMicro>(out, value, utc);
    case TimeUnit::kNano: return detail::format_timestamp_in<TimeUnit::kNano>(out, value, utc);
  }
  return out;
}

}  // namespace sluice::temporal
