// Parsers from text to values, shared by the text codecs (CSV now, NDJSON next). Each takes the
// exact bytes of one value and returns false if they are not a valid value of the type; none
// allocates, none reads past `n`.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/core/temporal.hpp"
#include "sluice/core/types.hpp"

namespace sluice::text {

inline bool is_digit(char c) noexcept { return static_cast<unsigned>(c - '0') < 10; }
inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

inline bool iequals(const char* p, std::size_t n, std::string_view word) noexcept {
  if (n != word.size()) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (lower(p[i]) != word[i]) return false;
  return true;
}

inline bool parse_bool(const char* p, std::size_t n, bool& out) noexcept {
  if (iequals(p, n, "true")) { out = true; return true; }
  if (iequals(p, n, "false")) { out = false; return true; }
  return false;
}

// Accepts an optional sign and decimal digits; rejects overflow.
inline bool parse_int64(const char* p, std::size_t n, std::int64_t& out) noexcept {
  if (n == 0) return false;
  bool neg = false;
  std::size_t i = 0;
  if (p[0] == '-' || p[0] == '+') {
    neg = p[0] == '-';
    i = 1;
    if (n == 1) return false;
  }
  std::uint64_t v = 0;
  if (n - i <= 18) {  // cannot overflow
    for (; i < n; ++i) {
      const unsigned d = static_cast<unsigned>(p[i] - '0');
      if (d > 9) return false;
      v = v * 10 + d;
    }
  } else {
    for (; i < n; ++i) {
      const unsigned d = static_cast<unsigned>(p[i] - '0');
      if (d > 9) return false;
      if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
      v = v * 10 + d;
    }
    const std::uint64_t limit = neg ? (std::uint64_t{1} << 63) : (std::uint64_t{1} << 63) - 1;
    if (v > limit) return false;
  }
  out = neg ? static_cast<std::int64_t>(~v + 1) : static_cast<std::int64_t>(v);
  return true;
}

inline bool parse_uint64(const char* p, std::size_t n, std::uint64_t& out) noexcept {
  std::size_t i = (n > 0 && p[0] == '+') ? 1 : 0;
  if (i == n) return false;
  std::uint64_t v = 0;
  for (; i < n; ++i) {
    const unsigned d = static_cast<unsigned>(p[i] - '0');
    if (d > 9) return false;
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

template <class T>
inline bool parse_integer(const char* p, std::size_t n, T& out) noexcept {
  if constexpr (std::is_signed_v<T>) {
    std::int64_t v;
    if (!parse_int64(p, n, v) || v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
  } else {
    std::uint64_t v;
    if (!parse_uint64(p, n, v) || v > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(v);
  }
  return true;
}

// The variants below read 8 bytes from `p` whatever `n` is: only for buffers padded past the value
// (the CSV reader's chunks carry 64 bytes of padding). They parse 1 to 8 digits without a loop
// (SWAR: all digits checked and combined in a few 64-bit operations) and fall back to the general
// parsers for anything longer or unusual.
namespace detail {
// q[0, m) are the digits (m in 1..8). Returns false if any is not a digit.
[[gnu::always_inline]] inline bool swar_digits(const char* q, std::size_t m, std::uint64_t& out) noexcept {
  std::uint64_t v;
  std::memcpy(&v, q, 8);
  const unsigned shift = static_cast<unsigned>(8 - m) * 8;
  v <<= shift;  // the digits move to the high bytes, most significant first; zeros lead
  const std::uint64_t zeros = ~(~0ULL << shift);  // the low bytes shifted in (shift <= 56)
  v -= 0x3030303030303030ULL & ~zeros;
  if (((v + 0x0606060606060606ULL) | v) & 0xF0F0F0F0F0F0F0F0ULL) return false;
  v = (v * 10) + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  out = v;
  return true;
}
}  // namespace detail

inline bool parse_int64_padded(const char* p, std::size_t n, std::int64_t& out) noexcept {
  const bool sign = n > 0 && (p[0] == '-' || p[0] == '+');
  const std::size_t m = n - sign;
  std::uint64_t v;
  if (m == 0 || m > 8 || !detail::swar_digits(p + sign, m, v)) return parse_int64(p, n, out);
  out = (sign && p[0] == '-') ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  return true;
}

// Any integer width from padded input (SWAR for up to 8 digits), range-checked.
template <class T>
inline bool parse_integer_padded(const char* p, std::size_t n, T& out) noexcept {
  if constexpr (std::is_signed_v<T>) {
    std::int64_t v;
    if (!parse_int64_padded(p, n, v) || v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      return false;
    out = static_cast<T>(v);
    return true;
  } else {
    const bool plus = n > 0 && p[0] == '+';
    std::uint64_t v;
    if (n - plus >= 1 && n - plus <= 8 && detail::swar_digits(p + plus, n - plus, v)) {
      if (v > std::numeric_limits<T>::max()) return false;
      out = static_cast<T>(v);
      return true;
    }
    return parse_integer<T>(p, n, out);
  }
}

// "true"/"false" in any case, comparing whole words at once (padded input).
inline bool parse_bool_padded(const char* p, std::size_t n, bool& out) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  v |= 0x2020202020202020ULL;  // ASCII letters to lower case (other bytes cannot match anyway)
  if (n == 4 && (v & 0xFFFFFFFFULL) == 0x65757274ULL) {  // "true"
    out = true;
    return true;
  }
  if (n == 5 && (v & 0xFFFFFFFFFFULL) == 0x65736c6166ULL) {  // "false"
    out = false;
    return true;
  }
  return false;
}


namespace detail {
inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline bool parse_special_double(const char* p, std::size_t n, double& out) noexcept {
  bool neg = false;
  if (n > 0 && (p[0] == '-' || p[0] == '+')) {
    neg = p[0] == '-';
    ++p;
    --n;
  }
  if (iequals(p, n, "inf") || iequals(p, n, "infinity")) {
    out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(p, n, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return false;
}
}  // namespace detail

// Decimal floating point ("1", "-2.50", "1e-7", ".5", "5."), "inf", "-infinity", "nan", any case.
// Correctly rounded: a fast exact path for up to 15 significant digits and small exponents (both
// operands exact in binary64, one correctly rounded operation), std::from_chars otherwise.
inline bool parse_double(const char* p, std::size_t n, double& out) noexcept {
  if (n == 0) return false;
  std::size_t i = 0;
  bool neg = false;
  if (p[0] == '-' || p[0] == '+') {
    neg = p[0] == '-';
    i = 1;
  }
  std::uint64_t mant = 0;
  int digits = 0, frac_digits = 0;
  bool any = false;
  while (i < n && is_digit(p[i])) {
    mant = mant * 10 + static_cast<unsigned>(p[i] - '0');
    digits += (mant != 0);
    ++i;
    any = true;
  }
  if (i < n && p[i] == '.') {
    ++i;
    while (i < n && is_digit(p[i])) {
      mant = mant * 10 + static_cast<unsigned>(p[i] - '0');
      digits += (mant != 0);
      ++frac_digits;
      ++i;
      any = true;
    }
  }
  if (i == n && any && digits <= 15 && frac_digits <= 22) {
    double v = static_cast<double>(mant);
    if (frac_digits) v /= detail::kPow10[frac_digits];
    out = neg ? -v : v;
    return true;
  }
  // Exponents, long mantissas, specials: the general path.
  const char* b = p + (p[0] == '+' ? 1 : 0);
  const char* e = p + n;
  if (b != p && b < e && (*b == '-' || *b == '+')) return false;  // "+-1"
  auto r = std::from_chars(b, e, out, std::chars_format::general);
  if (r.ec == std::errc() && r.ptr == e) return true;
  if (r.ec == std::errc::result_out_of_range && r.ptr == e) {
    // Overflow to infinity or underflow to zero, as strtod does.
    out = std::strtod(std::string(b, e).c_str(), nullptr);
    return true;
  }
  return detail::parse_special_double(p, n, out);
}

// "[-]D{1,8}[.D{1,8}]" with at most 15 digits in all, without loops; otherwise parse_double().
inline bool parse_double_padded(const char* p, std::size_t n, double& out) noexcept {
  const bool sign = n > 0 && (p[0] == '-' || p[0] == '+');
  const char* q = p + sign;
  const std::size_t m = n - sign;
  if (m >= 1 && m <= 17) {
    const void* dot = std::memchr(q, '.', m);
    const std::size_t ip = dot ? static_cast<std::size_t>(static_cast<const char*>(dot) - q) : m;
    const std::size_t fp = dot ? m - ip - 1 : 0;
    std::uint64_t a, b = 0;
    if (ip >= 1 && ip <= 8 && fp <= 8 && ip + fp <= 15 && (dot == nullptr || fp >= 1) &&
        detail::swar_digits(q, ip, a) && (fp == 0 || detail::swar_digits(q + ip + 1, fp, b))) {
      double v = static_cast<double>(a * static_cast<std::uint64_t>(detail::kPow10[fp]) + b);
      if (fp) v /= detail::kPow10[fp];
      out = (sign && p[0] == '-') ? -v : v;
      return true;
    }
  }
  return parse_double(p, n, out);
}

inline bool parse_float(const char* p, std::size_t n, float& out) noexcept {
  double d;
  if (!parse_double(p, n, d)) return false;
  out = static_cast<float>(d);
  return true;
}

namespace detail {
inline bool two_digits(const char* p, unsigned& v) noexcept {
  if (!is_digit(p[0]) || !is_digit(p[1])) return false;
  v = static_cast<unsigned>((p[0] - '0') * 10 + (p[1] - '0'));
  return true;
}
// YYYY-MM-DD at p (n >= 10 checked by caller); years of exactly four digits.
inline bool date_at(const char* p, std::int64_t& days) noexcept {
  unsigned y1, y2, m, d;
  if (!two_digits(p, y1) || !two_digits(p + 2, y2) || p[4] != '-' || !two_digits(p + 5, m) || p[7] != '-' ||
      !two_digits(p + 8, d))
    return false;
  const std::int64_t y = y1 * 100 + y2;
  if (m < 1 || m > 12 || d < 1 || d > temporal::days_in_month(y, m)) return false;
  days = temporal::days_from_civil(y, m, d);
  return true;
}
// A date at the start of p[0, n): YYYY-MM-DD, or with ISO 8601's expanded years (a sign, and more
// digits, up to five: "-0001-12-31", "+10000-01-01", "10000-01-01", as the writers print years outside
// 0000..9999). Returns its length, or 0.
inline std::size_t date_prefix(const char* p, std::size_t n, std::int64_t& days) noexcept {
  if (n >= 10 && date_at(p, days)) return 10;
  std::size_t i = 0;
  bool neg = false;
  if (n > 0 && (p[0] == '-' || p[0] == '+')) {
    neg = p[0] == '-';
    i = 1;
  }
  std::size_t k = i;
  std::int64_t y = 0;
  while (k < n && k - i < 7 && is_digit(p[k])) y = y * 10 + (p[k++] - '0');
  const std::size_t digits = k - i;
  if (digits < 4 || digits > 5 || (digits > 4 && p[i] == '0') || (digits == 4 && i == 0)) return 0;
  unsigned m, d;
  if (n - k < 6 || p[k] != '-' || !two_digits(p + k + 1, m) || p[k + 3] != '-' || !two_digits(p + k + 4, d)) return 0;
  if (neg) y = -y;
  if (m < 1 || m > 12 || d < 1 || d > temporal::days_in_month(y, m)) return 0;
  days = temporal::days_from_civil(y, m, d);
  return k + 6;
}
}  // namespace detail

// ISO 8601 date YYYY-MM-DD (years outside 0000..9999 expanded, see detail::date_prefix).
inline bool parse_date(const char* p, std::size_t n, std::int32_t& out) noexcept {
  std::int64_t days;
  if (n < 10 || detail::date_prefix(p, n, days) != n) return false;
  if (days < INT32_MIN || days > INT32_MAX) return false;
  out = static_cast<std::int32_t>(days);
  return true;
}

// HH:MM[:SS[.fraction]] at p, consuming as much as matches; returns the position after it or null.
// `value` is in nanoseconds since midnight.
inline const char* parse_time_of_day(const char* p, const char* end, std::int64_t& nanos) noexcept {
  unsigned h, mi, s = 0;
  if (end - p < 5 || !detail::two_digits(p, h) || p[2] != ':' || !detail::two_digits(p + 3, mi)) return nullptr;
  p += 5;
  std::int64_t frac = 0;
  if (end - p >= 3 && p[0] == ':') {
    if (!detail::two_digits(p + 1, s)) return nullptr;
    p += 3;
    if (p < end && p[0] == '.') {
      ++p;
      int nd = 0;
      while (p < end && is_digit(*p)) {
        if (nd < 9) {
          frac = frac * 10 + (*p - '0');
          ++nd;
        }
        ++p;
      }
      if (nd == 0) return nullptr;
      for (; nd < 9; ++nd) frac *= 10;
    }
  }
  if (h > 23 || mi > 59 || s > 60) {
    if (!(h == 24 && mi == 0 && s == 0 && frac == 0)) return nullptr;
  }
  nanos = ((static_cast<std::int64_t>(h) * 60 + mi) * 60 + s) * 1000000000LL + frac;
  return p;
}

// "HH:MM:SS[.f]" as a time of day in `unit`.
inline bool parse_time(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out) noexcept {
  std::int64_t nanos = 0;
  const char* e = parse_time_of_day(p, p + n, nanos);
  if (e != p + n) return false;
  out = nanos / (1000000000LL / units_per_second(unit));
  return true;
}

enum class TzKind : std::uint8_t { kNone, kOffset };

namespace detail {
// Checks that the 8 bytes of v are ASCII digits once each byte in `sep_mask` is replaced by '0', and
// returns them as values 0..9 (byte i = digit i).
[[gnu::always_inline]] inline bool swar_digits_with_separators(std::uint64_t v, std::uint64_t sep_mask, std::uint64_t& digits) noexcept {
  v = (v & ~sep_mask) | (0x3030303030303030ULL & sep_mask);
  v -= 0x3030303030303030ULL;
  if (((v + 0x0606060606060606ULL) | v) & 0xF0F0F0F0F0F0F0F0ULL) return false;
  digits = v;
  return true;
}
inline unsigned byte_at(std::uint64_t v, int i) noexcept { return static_cast<unsigned>((v >> (8 * i)) & 0xFF); }

// Days since the epoch of a civil date with a four-digit year (0..9999), validated: false for a
// month outside 1..12 or a day the month does not have. The same values as temporal::days_from_civil
// in unsigned 32-bit arithmetic (the year moved up by one 400-year era, so nothing is negative) and
// month tables, without a division that is not by a constant.
inline constexpr std::uint16_t kMarchDayOfMonth[13] = {0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275};
inline constexpr std::uint8_t kMaxMonthDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
[[gnu::always_inline]] inline bool civil_days_4(unsigned year, unsigned month, unsigned day, std::int64_t& days) noexcept {
  if (month - 1 > 11 || day - 1 >= kMaxMonthDays[month]) return false;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) [[unlikely]]
    return false;
  const unsigned y = year + 400 - (month <= 2);
  const unsigned d = y * 365 + y / 4 - y / 100 + y / 400 + kMarchDayOfMonth[month] + day - 1;
  days = static_cast<std::int64_t>(d) - (719468 + 146097);
  return true;
}

// "YYYY-MM-DD" at p (10 bytes, padded input) → days since the epoch.
[[gnu::always_inline]] inline bool date_padded(const char* p, std::int64_t& days) noexcept {
  std::uint64_t a, d;
  std::memcpy(&a, p, 8);
  constexpr std::uint64_t kSeps = (0xFFULL << 32) | (0xFFULL << 56);
  if ((a & kSeps) != ((0x2DULL << 32) | (0x2DULL << 56)) || !swar_digits_with_separators(a, kSeps, d)) return false;
  std::uint16_t b;
  std::memcpy(&b, p + 8, 2);
  const unsigned d8 = static_cast<unsigned>(b & 0xFF) - '0', d9 = static_cast<unsigned>(b >> 8) - '0';
  if (d8 > 9 || d9 > 9) return false;
  // Adjacent digits in pairs: byte i becomes 10 * digit i + digit i+1 (at most 99, no carries).
  const std::uint64_t pairs = d * 10 + (d >> 8);
  const unsigned year = byte_at(pairs, 0) * 100 + byte_at(pairs, 2);
  return civil_days_4(year, byte_at(pairs, 5), d8 * 10 + d9, days);
}
}  // namespace detail

inline bool parse_timestamp(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out, TzKind& tz) noexcept;

// Padded-input variants (read up to 16 bytes past the value) of parse_date and parse_timestamp.
namespace detail {
[[gnu::noinline]] inline bool parse_date_general(const char* p, std::size_t n, std::int32_t& out) noexcept {
  return parse_date(p, n, out);
}
}  // namespace detail
// Small enough to inline: what is not "YYYY-MM-DD" goes to the general parser out of line.
[[gnu::always_inline]] inline bool parse_date_padded(const char* p, std::size_t n, std::int32_t& out) noexcept {
  std::int64_t days;
  // Expanded years (rare): a sign, or a fifth year digit. Anything else longer is not a date, and a
  // timestamp must not pay for the general parser here.
  if (n != 10) return n > 10 && (p[0] == '-' || p[0] == '+' || is_digit(p[4])) && detail::parse_date_general(p, n, out);
  if (!detail::date_padded(p, days)) return false;
  out = static_cast<std::int32_t>(days);
  return true;
}


// "YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH[:MM]|±HHMM| UTC]" → value in `unit` since the epoch. With
// an offset or Z the result is converted to UTC and `tz` says so; without, it is local time.
namespace detail {
// Units per second, and nanoseconds (non-negative, below a second) in `unit` as a multiplication and
// a shift (exact below 2^32: the compilers' own constants for an unsigned division by 10^6 and 10^3).
// Tables rather than a switch: compilers merge the switch's constant divisions into one 64-bit idiv.
struct UnitScale {
  std::int64_t per_second;
  std::uint64_t mul;
  unsigned shift;
};
inline constexpr UnitScale kUnitScale[4] = {
    {1, 0, 0}, {1000, 1125899907, 50}, {1000000, 274877907, 38}, {1000000000, 1, 0}};
[[gnu::always_inline]] inline std::int64_t nanos_in(TimeUnit unit, std::int64_t nanos) noexcept {
  const UnitScale& u = kUnitScale[static_cast<unsigned>(unit) & 3];
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(nanos) * u.mul) >> u.shift);
}

// The common shape "YYYY-MM-DD HH:MM:SS[.f{1,9}]" (or with 'T'), without a zone, in one pass with no
// branches per digit. Returns false for anything else (the general parser then decides).
inline bool timestamp_fast(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out) noexcept {
  if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' || p[16] != ':')
    return false;
  unsigned d[14];
  static constexpr int kAt[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
  unsigned bad = 0;
  for (int i = 0; i < 14; ++i) {
    d[i] = static_cast<unsigned>(static_cast<unsigned char>(p[kAt[i]]) - '0');
    bad |= d[i] > 9;
  }
  if (bad) return false;
  const unsigned year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
  const unsigned month = d[4] * 10 + d[5], day = d[6] * 10 + d[7];
  const unsigned h = d[8] * 10 + d[9], mi = d[10] * 10 + d[11], s = d[12] * 10 + d[13];
  if (month - 1 > 11 || day == 0 || day > temporal::days_in_month(year, month) || h > 23 || mi > 59 || s > 59)
    return false;
  std::int64_t frac = 0;
  if (n > 19) {
    if (p[19] != '.' || n == 20 || n > 29) return false;
    int nd = 0;
    for (std::size_t i = 20; i < n; ++i) {
      const unsigned c = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0');
      if (c > 9) return false;
      frac = frac * 10 + c;
      ++nd;
    }
    static constexpr std::int64_t kScale[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                                10000,      1000,      100,      10,      1};
    frac *= kScale[nd];  // nanoseconds
  }
  const std::int64_t per_s = units_per_second(unit);
  const std::int64_t days = temporal::days_from_civil(year, month, day);
  if (unit == TimeUnit::kNano && (days > 106751 || days < -106751)) return false;  // leave overflow to the slow path
  out = (days * 86400 + h * 3600 + mi * 60 + s) * per_s + nanos_in(unit, frac);
  return true;
}
}  // namespace detail

namespace detail {
// The end of timestamp_swar, from the end of the time (e: past the fraction, if any): the zone
// (nothing, Z, or an offset), then the value; false for anything else.
[[gnu::always_inline]] inline bool timestamp_end(const char* p, std::size_t n, std::size_t e, std::int64_t days,
                                                 unsigned seconds, std::uint64_t frac_ns, TimeUnit unit,
                                                 std::int64_t& out, TzKind& tz) noexcept {
  std::int64_t offset_s = 0;
  TzKind zone = TzKind::kNone;
  if (e != n) {
    const std::size_t rest = n - e;
    const char s0 = p[e];
    if (rest == 1 && (s0 == 'Z' || s0 == 'z')) {
      zone = TzKind::kOffset;
    } else if ((s0 == '+' || s0 == '-') && (rest == 3 || rest == 5 || (rest == 6 && p[e + 3] == ':'))) {
      unsigned oh, om = 0;
      if (!two_digits(p + e + 1, oh) || (rest > 3 && !two_digits(p + n - 2, om)) || oh > 23 || om > 59) return false;
      offset_s = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * (s0 == '-' ? -1 : 1);
      zone = TzKind::kOffset;
    } else {
      return false;
    }
  }
  if (unit == TimeUnit::kNano && (days > 106750 || days < -106750)) return false;  // overflow: the general path
  out = (days * 86400 + seconds - offset_s) * kUnitScale[static_cast<unsigned>(unit) & 3].per_second +
        nanos_in(unit, static_cast<std::int64_t>(frac_ns));
  tz = zone;
  return true;
}

// Bit 7 of each byte of v that is not an ASCII digit.
[[gnu::always_inline]] inline std::uint64_t non_digit_bytes(std::uint64_t v) noexcept {
  const std::uint64_t t = v ^ 0x3030303030303030ULL;  // a digit's byte is 0..9, its high nibble 0
  const std::uint64_t hi = 0xF0F0F0F0F0F0F0F0ULL;
  // Per byte: a high nibble, or a low nibble of 10 or more (which adding 6 carries into the high one).
  const std::uint64_t nz = (t & hi) | (((t & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) & hi);
  // Each byte of nz is 0 or 0x10..0xF0: halved and raised by 0x78, bit 7 says which (no carries).
  return ((nz >> 1) + 0x7878787878787878ULL) & 0x8080808080808080ULL;
}
// Eight digit values (bytes 0..9, the first the most significant) as a number.
[[gnu::always_inline]] inline std::uint64_t eight_digits(std::uint64_t d) noexcept {
  d = d * 10 + (d >> 8);
  return (((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
          (((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
         32;
}

// "YYYY-MM-DD( |T)HH:MM:SS[.f{1,8}][Z|z|±HH:MM|±HHMM|±HH]" from padded input (n >= 19; reads p[0, 28)),
// in 64-bit words: checked and converted a word at a time, the fraction's digits counted and
// converted without a loop. False for anything else, and for what is valid but unusual (a leap
// second, 24:00:00, more than 8 fraction digits, nanoseconds far from the epoch, ...): the general
// parser decides those. Where it returns true its value is the general parser's.
[[gnu::always_inline]] inline bool timestamp_swar(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out,
                                                  TzKind& tz) noexcept {
  constexpr std::uint64_t k0 = 0x3030303030303030ULL, k6 = 0x0606060606060606ULL, kHi = 0xF0F0F0F0F0F0F0F0ULL;
  std::uint64_t a, b, c, f;
  std::memcpy(&a, p, 8);       // "YYYY-MM-"
  std::memcpy(&b, p + 8, 8);   // "DD HH:MM" (or 'T')
  std::memcpy(&c, p + 16, 8);  // ":SS" and what follows
  std::memcpy(&f, p + 20, 8);  // the fraction's digits, if any
  constexpr std::uint64_t kSepA = (0xFFULL << 32) | (0xFFULL << 56), kSepB = (0xFFULL << 16) | (0xFFULL << 40);
  constexpr std::uint64_t kDigC = 0xFFFFULL << 8;
  const unsigned dt = byte_at(b, 2);
  if ((a & kSepA) != (('-' * 1ULL << 32) | ('-' * 1ULL << 56)) || (b & (0xFFULL << 40)) != (':' * 1ULL << 40) ||
      (c & 0xFF) != ':' || (dt != ' ' && dt != 'T'))
    return false;
  // Separators (and the bytes of c past the seconds) become '0', then every byte must be a digit.
  const std::uint64_t va = ((a & ~kSepA) | (k0 & kSepA)) - k0;
  const std::uint64_t vb = ((b & ~kSepB) | (k0 & kSepB)) - k0;
  const std::uint64_t vc = ((c & kDigC) | (k0 & ~kDigC)) - k0;
  if ((((va + k6) | va) | ((vb + k6) | vb) | ((vc + k6) | vc)) & kHi) return false;
  // Adjacent digits in pairs: byte i becomes 10 * digit i + digit i+1.
  const std::uint64_t pa = va * 10 + (va >> 8), pb = vb * 10 + (vb >> 8), pc = vc * 10 + (vc >> 8);
  const unsigned h = byte_at(pb, 3), mi = byte_at(pb, 6), s = byte_at(pc, 1);
  std::int64_t days;
  if (!civil_days_4(byte_at(pa, 0) * 100 + byte_at(pa, 2), byte_at(pa, 5), byte_at(pb, 0), days) || h > 23 ||
      mi > 59 || s > 59)
    return false;
  // The fraction: digits from p[20] up to the first other byte or the end of the value.
  const bool dot = n > 20 && p[19] == '.';
  std::uint64_t stop = non_digit_bytes(f);
  const std::size_t avail = n > 20 ? n - 20 : 0;
  if (avail < 8) stop |= 0x80ULL << (8 * avail);
  std::size_t nd = stop ? static_cast<std::size_t>(__builtin_ctzll(stop)) >> 3 : 8;
  if (nd == 8 && avail > 8 && is_digit(p[28])) return false;  // 9 digits or more
  // The digits kept, zeros after them: the 8-digit number is the fraction in units of 10 ns.
  const std::uint64_t keep = (stop ? ((stop & (~stop + 1)) >> 7) - 1 : ~0ULL) & (dot ? ~0ULL : 0);
  const std::uint64_t frac_ns = eight_digits((f - k0) & keep) * 10;
  nd = dot ? nd : 0;
  if (dot && nd == 0) return false;
  return timestamp_end(p, n, dot ? 20 + nd : 19, days, h * 3600 + mi * 60 + s, frac_ns, unit, out, tz);
}

}  // namespace detail

namespace detail {
// The general parser out of line, so that the fast paths' callers stay small.
[[gnu::noinline]] inline bool parse_timestamp_general(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out,
                                                      TzKind& tz) noexcept {
  return parse_timestamp(p, n, unit, out, tz);
}
}  // namespace detail

// parse_timestamp on padded input (reads up to 16 bytes past the value): the common forms without
// per-digit loops (detail::timestamp_swar), the rest by the general parser.
inline bool parse_timestamp_padded(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out, TzKind& tz) noexcept {
  if (n >= 19 && detail::timestamp_swar(p, n, unit, out, tz)) return true;
  return detail::parse_timestamp_general(p, n, unit, out, tz);
}

inline bool parse_timestamp(const char* p, std::size_t n, TimeUnit unit, std::int64_t& out, TzKind& tz) noexcept {
  if (detail::timestamp_fast(p, n, unit, out)) {
    tz = TzKind::kNone;
    return true;
  }
  std::int64_t days;
  const std::size_t date_len = n < 10 ? 0 : detail::date_prefix(p, n, days);
  if (date_len == 0) return false;
  const char* e = p + n;
  const char* q = p + date_len;
  std::int64_t nanos = 0;
  tz = TzKind::kNone;
  std::int64_t offset_s = 0;
  if (q < e) {
    if (*q != ' ' && *q != 'T' && *q != 't') return false;
    q = parse_time_of_day(q + 1, e, nanos);
    if (q == nullptr) return false;
    if (q < e) {
      if (*q == ' ') ++q;  // "2024-01-01 10:00:00 +02:00" and "... UTC"
      if (q < e && (*q == 'Z' || *q == 'z') && q + 1 == e) {
        tz = TzKind::kOffset;
      } else if (e - q == 3 && iequals(q, 3, "utc")) {
        tz = TzKind::kOffset;
      } else if (q < e && (*q == '+' || *q == '-')) {
        const bool neg = *q == '-';
        unsigned oh, om = 0;
        ++q;
        if (e - q < 2 || !detail::two_digits(q, oh)) return false;
        q += 2;
        if (q < e && *q == ':') ++q;
        if (q < e) {
          if (e - q != 2 || !detail::two_digits(q, om)) return false;
        }
        if (oh > 23 || om > 59) return false;
        offset_s = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * (neg ? -1 : 1);
        tz = TzKind::kOffset;
      } else {
        return false;
      }
    }
  }
  const std::int64_t per_s = units_per_second(unit);
  const std::int64_t sub = nanos / (1000000000LL / per_s);
  std::int64_t v;
  // days * 86400 * per_s can overflow for far dates at ns; check.
  if (__builtin_mul_overflow(days - 0, 86400 * per_s, &v)) return false;
  if (__builtin_add_overflow(v, sub - offset_s * per_s, &v)) return false;
  out = v;
  return true;
}

// Decimal text → unscaled int128 at `scale` (rounding half away from zero past the scale), checked
// against `precision` digits.
inline bool parse_decimal(const char* p, std::size_t n, int precision, int scale, __int128& out) noexcept {
  if (n == 0) return false;
  std::size_t i = 0;
  bool neg = false;
  if (p[0] == '-' || p[0] == '+') {
    neg = p[0] == '-';
    i = 1;
  }
  __int128 v = 0;
  int int_digits = 0, frac = 0;
  bool any = false, round_up = false;
  while (i < n && is_digit(p[i])) {
    v = v * 10 + (p[i] - '0');
    if (v != 0) ++int_digits;
    ++i;
    any = true;
    if (int_digits > precision - scale) return false;
  }
  if (i < n && p[i] == '.') {
    ++i;
    while (i < n && is_digit(p[i])) {
      if (frac < scale) {
        v = v * 10 + (p[i] - '0');
        ++frac;
      } else if (frac == scale) {
        round_up = p[i] >= '5';
        ++frac;
      }
      ++i;
      any = true;
    }
  }
  if (i != n || !any) return false;
  for (int f = frac < scale ? frac : scale; f < scale; ++f) v *= 10;
  if (round_up) v += 1;
  __int128 limit = 1;
  for (int k = 0; k < precision; ++k) limit *= 10;
  if (v >= limit) return false;
  out = neg ? -v : v;
  return true;
}

// The 16 bytes of a UUID's text into out[0..16): 32 hex digits (either case), bare or as
// 8-4-4-4-12, optionally in braces (the forms DuckDB and PostgreSQL accept). False for anything else.
// The bytes of a BLOB's text as DuckDB prints it (text::append_blob_text) and casts it back: \xHH
// (either case) is the byte HH, any other byte is itself; a backslash not followed by two hex digits
// is an error. Appends to *out; false (and *out as it was) on such an error.
inline bool parse_blob_text(std::string_view t, std::string* out) {
  const std::size_t size = out->size();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\') {
      *out += t[i];
      continue;
    }
    const bool room = i + 3 < t.size();
    const int hi = room && (t[i + 1] == 'x' || t[i + 1] == 'X') ? hex(t[i + 2]) : -1;
    const int lo = hi >= 0 ? hex(t[i + 3]) : -1;
    if (lo < 0) {
      out->resize(size);
      return false;
    }
    *out += static_cast<char>(hi * 16 + lo);
    i += 3;
  }
  return true;
}

inline bool parse_uuid(std::string_view t, char* out) {
  if (t.size() >= 2 && t.front() == '{' && t.back() == '}') t = t.substr(1, t.size() - 2);
  const bool hyphens = t.size() == 36;
  if (!hyphens && t.size() != 32) return false;
  std::size_t pos = 0;
  for (std::size_t k = 0; k < 16; ++k) {
    if (hyphens && (k == 4 || k == 6 || k == 8 || k == 10)) {
      if (t[pos] != '-') return false;
      ++pos;
    }
    int v = 0;
    for (int h = 0; h < 2; ++h) {
      const char ch = t[pos++];
      const int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out[k] = static_cast<char>(v);
  }
  return true;
}
inline std::optional<std::string> parse_uuid(std::string_view t) {
  std::string out(16, '\0');
  if (!parse_uuid(t, out.data())) return std::nullopt;
  return out;
}

}  // namespace sluice::text
