// INTERVAL text as DuckDB reads it, into a Parquet INTERVAL's 12 bytes (months, days, milliseconds:
// little-endian uint32): what a CSV or NDJSON column declared `interval` holds, and what
// format_interval() prints ("1 year 2 months 3 days 04:05:06.5").
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "text/parse.hpp"

namespace sluice::text {

namespace detail::interval {

inline bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool word_is(std::string_view w, std::string_view lower) { return iequals(w.data(), w.size(), lower); }

// What one of a unit is: months, days or microseconds.
struct Unit {
  std::int64_t months = 0, days = 0, micros = 0;
};

inline bool unit_of(std::string_view w, Unit* u) {
  struct Entry {
    std::string_view names[5];
    Unit unit;
  };
  static constexpr Entry kUnits[] = {
      {{"millennium", "millennia", "millenniums", "mil", "mils"}, {12000, 0, 0}},
      {{"century", "centuries", "c", "cent", "cents"}, {1200, 0, 0}},
      {{"decade", "decades", "dec", "decs", ""}, {120, 0, 0}},
      {{"year", "years", "y", "yr", "yrs"}, {12, 0, 0}},
      {{"quarter", "quarters", "", "", ""}, {3, 0, 0}},
      {{"month", "months", "mon", "mons", ""}, {1, 0, 0}},
      {{"week", "weeks", "w", "", ""}, {0, 7, 0}},
      {{"day", "days", "d", "", ""}, {0, 1, 0}},
      {{"hour", "hours", "h", "hr", "hrs"}, {0, 0, 3600000000}},
      {{"minute", "minutes", "m", "min", "mins"}, {0, 0, 60000000}},
      {{"second", "seconds", "s", "sec", "secs"}, {0, 0, 1000000}},
      {{"millisecond", "milliseconds", "ms", "msec", "msecs"}, {0, 0, 1000}},
      {{"microsecond", "microseconds", "us", "usec", "usecs"}, {0, 0, 1}},
  };
  for (const auto& e : kUnits)
    for (auto n : e.names)
      if (!n.empty() && word_is(w, n)) {
        *u = e.unit;
        return true;
      }
  return false;
}

// Digits at `p` as an integer (at most 15 of them count; more is refused), advancing `p`.
inline bool integer(std::string_view s, std::size_t& p, std::int64_t* v) {
  const std::size_t start = p;
  std::int64_t x = 0;
  while (p < s.size() && is_digit(s[p])) {
    if (p - start >= 15) return false;
    x = x * 10 + (s[p++] - '0');
  }
  *v = x;
  return p > start;
}

}  // namespace detail::interval

// What parse_interval_checked made of a text: an interval, or why not.
enum class IntervalParse : std::uint8_t { kOk, kMalformed, kNegative, kFinerThanMillis, kTooLarge };

// Parses DuckDB's INTERVAL text: amounts with units ("1 year 2 months", "3 days", "1.5 hours", "10
// mins", "2y", "7 ms"; units from microseconds to millennia, singular, plural or abbreviated, any case),
// a time of day "[-]H:MM[:SS[.ffffff]]" (hours past 24 kept), in any order, added up; a number alone
// is seconds; "ago" at the end negates. Into the Parquet INTERVAL `out` (12 bytes), which holds no
// negative part and nothing finer than a millisecond: such a value, an empty or malformed text, and
// parts beyond 32 bits are refused (kMalformed, kNegative, kFinerThanMillis, kTooLarge; `out`
// untouched). Fractions carry down as DuckDB carries them: a month is 30 days, a day 24 hours.
inline IntervalParse parse_interval_checked(std::string_view s, char* out) {
  using namespace detail::interval;
  using R = IntervalParse;
  constexpr std::int64_t kDayMicros = 86400000000;
  constexpr std::int64_t kLimit = std::int64_t{1} << 52;  // months or days beyond this cannot fit 32 bits
  constexpr std::int64_t kMicrosLimit = std::int64_t{1} << 56;  // nor microseconds beyond this
  std::int64_t months = 0, days = 0, micros = 0;
  bool any = false, ago = false;
  std::size_t p = 0;
  while (true) {
    while (p < s.size() && space(s[p])) ++p;
    if (p == s.size()) break;
    if (ago) return R::kMalformed;  // nothing may follow "ago"
    if (letter(s[p])) {
      std::size_t e = p;
      while (e < s.size() && letter(s[e])) ++e;
      if (!any || !word_is(s.substr(p, e - p), "ago")) return R::kMalformed;
      ago = true;
      p = e;
      continue;
    }
    bool negative = false;
    if (s[p] == '+' || s[p] == '-') negative = s[p++] == '-';
    std::int64_t whole = 0;
    const std::size_t digits_at = p;
    if (!integer(s, p, &whole)) return p > digits_at ? R::kTooLarge : R::kMalformed;  // past 15 digits: too large
    const std::int64_t sign = negative ? -1 : 1;
    if (p < s.size() && s[p] == ':') {
      // A time of day: H:MM[:SS[.f]]
      std::int64_t minutes = 0, seconds = 0, frac = 0;
      const std::size_t m0 = ++p;
      if (!integer(s, p, &minutes) || p - m0 > 2 || minutes >= 60) return R::kMalformed;
      if (p < s.size() && s[p] == ':') {
        const std::size_t s0 = ++p;
        if (!integer(s, p, &seconds) || p - s0 > 2 || seconds >= 60) return R::kMalformed;
        if (p < s.size() && s[p] == '.') {
          ++p;
          int n = 0;
          while (p < s.size() && is_digit(s[p])) {
            if (n < 6) frac = frac * 10 + (s[p] - '0');
            ++n;
            ++p;
          }
          for (; n < 6; ++n) frac *= 10;  // ("01:02:03." is 01:02:03, as DuckDB reads it)
        }
      }
      if (whole > kMicrosLimit / 3600000000) return R::kTooLarge;
      micros += sign * (((whole * 60 + minutes) * 60 + seconds) * 1000000 + frac);
      if (micros > kMicrosLimit || micros < -kMicrosLimit) return R::kTooLarge;
      any = true;
      continue;
    }
    // An amount: digits [. digits], then its unit (after spaces or not).
    std::int64_t frac_digits = 0, frac_scale = 1;
    if (p < s.size() && s[p] == '.') {
      ++p;
      while (p < s.size() && is_digit(s[p])) {
        if (frac_scale < 1000000) {  // six digits count, as DuckDB counts them
          frac_digits = frac_digits * 10 + (s[p] - '0');
          frac_scale *= 10;
        }
        ++p;
      }
    }
    while (p < s.size() && space(s[p])) ++p;
    std::size_t e = p;
    while (e < s.size() && letter(s[e])) ++e;
    Unit u;
    if (e == p && !any && p == s.size()) {
      u.micros = 1000000;  // a number alone is seconds ("5")
    } else if (e == p || !unit_of(s.substr(p, e - p), &u)) {
      return R::kMalformed;
    }
    p = e;
    // Bounds well past what 32 bits hold, so that nothing here can overflow.
    if ((u.months > 0 && whole > kLimit / u.months) || (u.days > 0 && whole > kLimit / u.days) ||
        (u.micros > 0 && whole > kMicrosLimit / u.micros))
      return R::kTooLarge;
    // The whole amount, then its fraction carried down unit by unit (months to days to microseconds).
    months += sign * whole * u.months;
    days += sign * whole * u.days;
    micros += sign * whole * u.micros;
    if (frac_digits != 0) {
      // fraction × unit, in units of 1 / frac_scale, carried down with truncation as DuckDB does.
      std::int64_t m = frac_digits * u.months;  // months / frac_scale
      months += sign * (m / frac_scale);
      std::int64_t d = (m % frac_scale) * 30 + frac_digits * u.days;  // days / frac_scale
      days += sign * (d / frac_scale);
      const __int128 us = static_cast<__int128>(d % frac_scale) * kDayMicros +
                          static_cast<__int128>(frac_digits) * u.micros;  // micros / frac_scale
      micros += sign * static_cast<std::int64_t>(us / frac_scale);
    }
    if (months > kLimit || months < -kLimit || days > kLimit || days < -kLimit || micros > kMicrosLimit ||
        micros < -kMicrosLimit)
      return R::kTooLarge;
    any = true;
  }
  if (!any) return R::kMalformed;
  if (ago) {
    months = -months;
    days = -days;
    micros = -micros;
  }
  if (months < 0 || days < 0 || micros < 0) return R::kNegative;
  if (micros % 1000 != 0) return R::kFinerThanMillis;
  const std::int64_t millis = micros / 1000;
  if (months > 0xFFFFFFFF || days > 0xFFFFFFFF || millis > 0xFFFFFFFF) return R::kTooLarge;
  const std::uint32_t f[3] = {static_cast<std::uint32_t>(months), static_cast<std::uint32_t>(days),
                              static_cast<std::uint32_t>(millis)};
  std::memcpy(out, f, 12);  // little-endian host, as format_interval reads it
  return R::kOk;
}

// The same, true for an interval.
inline bool parse_interval(std::string_view s, char* out) { return parse_interval_checked(s, out) == IntervalParse::kOk; }

// Why parse_interval refused `s`, for an error message ("" where the text is no interval at all).
inline const char* interval_refusal(std::string_view s) {
  char scratch[12];
  switch (parse_interval_checked(s, scratch)) {
    case IntervalParse::kNegative: return "a Parquet INTERVAL holds no negative part";
    case IntervalParse::kFinerThanMillis: return "a Parquet INTERVAL holds nothing finer than a millisecond";
    case IntervalParse::kTooLarge: return "a part is beyond the 32 bits of a Parquet INTERVAL";
    default: return "";
  }
}

}  // namespace sluice::text
