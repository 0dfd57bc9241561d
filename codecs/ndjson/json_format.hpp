// JSON text for the NDJSON writer (and the CSV writer's nested columns): an output cursor over a
// std::string, string escaping with UTF-8 validation, base64, and float16's shortest text.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sluice/codecs/ndjson/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/temporal.hpp"
#include "text/format.hpp"

namespace sluice::ndjson::detail {

// Appends to a std::string whose size() serves as capacity while writing: reserve(n) hands out a
// pointer with n writable bytes, commit(p) records how far they were used, release() trims the
// string to what was written. Growth only on reserve, so a run of writes checks room once.
class Out {
 public:
  Out() = default;
  explicit Out(std::string& s) { bind(s); }

  void bind(std::string& s) {
    s_ = &s;
    pos_ = s.size();
  }
  [[gnu::always_inline]] char* reserve(std::size_t n) {
    if (s_->size() - pos_ < n) [[unlikely]]
      grow(n);
    return s_->data() + pos_;
  }
  void commit(char* p) { pos_ = static_cast<std::size_t>(p - s_->data()); }
  [[gnu::always_inline]] void put(char c) { *reserve(1) = c, ++pos_; }
  [[gnu::always_inline]] void put(const char* p, std::size_t n) {
    std::memcpy(reserve(n), p, n);
    pos_ += n;
  }
  // n bytes from src, where 32 bytes are readable even when n is smaller (short copies are then
  // one fixed-size move instead of a call).
  [[gnu::always_inline]] void put_padded(const char* src, std::size_t n) {
    char* p = reserve(n + 32);
    if (n <= 32) [[likely]]
      std::memcpy(p, src, 32);
    else
      std::memcpy(p, src, n);
    pos_ += n;
  }
  std::size_t size() const { return pos_; }
  void rewind(std::size_t pos) { pos_ = pos; }
  const char* data() const { return s_->data(); }
  void release() { s_->resize(pos_); }

 private:
  [[gnu::noinline]] void grow(std::size_t n) {
    std::size_t want = s_->size() * 2;
    if (want < pos_ + n) want = pos_ + n;
    if (want < 64) want = 64;
    s_->resize(want);
  }
  std::string* s_ = nullptr;
  std::size_t pos_ = 0;
};

// ---- Strings ------------------------------------------------------------------------------------

// The byte after '\' for the control characters with a short escape; 'u' for the others.
inline constexpr char kControlEscape[32] = {'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
                                            'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u'};

// True for the bytes the fast path stops at: controls, '"', '\\' and every non-ASCII byte.
inline constexpr bool needs_work(unsigned char c) noexcept { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

// Index of the first byte at or after i that needs work, or n.
inline std::size_t scan_plain(const unsigned char* s, std::size_t i, std::size_t n) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches every non-ASCII byte.
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                     _mm_cmplt_epi8(v, space));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  // Eight bytes at a time. The "has a byte below / equal to" tricks may flag bytes above a true hit
  // (borrows run upwards), never below one, so the lowest flagged byte is exact.
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s + i, 8);
    const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    const std::uint64_t hit = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) | w;
    if ((hit & highs) != 0) {
      if constexpr (std::endian::native == std::endian::little)
        return i + static_cast<std::size_t>(__builtin_ctzll(hit & highs)) / 8;
      else
        break;
    }
  }
  for (; i < n; ++i)
    if (needs_work(s[i])) return i;
  return n;
}

// Length of the well-formed UTF-8 sequence at s (lead byte >= 0x80, `avail` bytes readable), or
// minus the length of its maximal invalid subpart (Unicode 3.9, "U+FFFD substitution of maximal
// subparts"): overlong forms, UTF-16 surrogates (ED A0..BF), code points past U+10FFFF, stray
// continuation bytes and truncated sequences are all invalid.
inline int utf8_sequence(const unsigned char* s, std::size_t avail) noexcept {
  const unsigned c = s[0];
  auto cont = [&](std::size_t k) { return avail > k && (s[k] & 0xC0) == 0x80; };
  if (c < 0xC2) return -1;
  if (c < 0xE0) return cont(1) ? 2 : -1;
  if (c < 0xF0) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (avail < 2 || s[1] < lo || s[1] > hi) return -1;
    return cont(2) ? 3 : -2;
  }
  if (c < 0xF5) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (avail < 2 || s[1] < lo || s[1] > hi) return -1;
    if (!cont(2)) return -2;
    return cont(3) ? 4 : -3;
  }
  return -1;
}

// Appends s as a quoted JSON string. Invalid UTF-8 becomes U+FFFD per maximal subpart when
// `replace`; otherwise the function stops, returns false and sets bad_at to the offending byte.
inline bool write_string(Out& out, const char* data, std::size_t n, bool replace, std::size_t& bad_at) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  // Room for the plain case; the slow path below tops it up by the most one input byte can add.
  char* p = out.reserve(n + 2);
  char* end = p + (n + 2);
  *p++ = '"';
  std::size_t i = 0;
  while (true) {
    const std::size_t j = scan_plain(s, i, n);
    std::memcpy(p, s + i, j - i);
    p += j - i;
    i = j;
    if (i == n) break;
    // Invariant: end - p >= (n - i) + 1 (the closing quote). One unit below adds at most 5 bytes.
    do {
      if (static_cast<std::size_t>(end - p) < n - i + 6) {
        out.commit(p);
        p = out.reserve(n - i + 6);
        end = p + (n - i + 6);
      }
      const unsigned char c = s[i];
      if (c < 0x80) {
        p[0] = '\\';
        if (c >= 0x20) {  // '"' or '\\'
          p[1] = static_cast<char>(c);
          p += 2;
        } else if (kControlEscape[c] != 'u') {
          p[1] = kControlEscape[c];
          p += 2;
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          std::memcpy(p + 1, "u00", 3);
          p[4] = kHex[c >> 4];
          p[5] = kHex[c & 15];
          p += 6;
        }
        ++i;
        continue;
      }
      const int len = utf8_sequence(s + i, n - i);
      if (len > 0) {
        std::memcpy(p, s + i, static_cast<std::size_t>(len));
        p += len;
        i += static_cast<std::size_t>(len);
      } else {
        if (!replace) {
          bad_at = i;
          out.commit(p);
          return false;
        }
        std::memcpy(p, "\xEF\xBF\xBD", 3);
        p += 3;
        i += static_cast<std::size_t>(-len);
      }
      // Stay here while the bytes keep needing work (runs of non-ASCII text, several escapes).
    } while (i < n && needs_work(s[i]));
    if (i == n) break;
  }
  *p++ = '"';
  out.commit(p);
  return true;
}

// The text before each field's value, `,"name":` with the name escaped, made once per batch: all
// fields' in one string padded for Out::put_padded. Names are not data: invalid UTF-8 in them is
// replaced whatever the options say.
class FieldKeys {
 public:
  template <class Names>
  void assign(const Names& fields) {
    text_.clear();
    starts_.clear();
    Out o(text_);
    for (const auto& f : fields) {
      starts_.push_back(o.size());
      o.put(',');
      std::size_t ignored = 0;
      write_string(o, f.name.data(), f.name.size(), true, ignored);
      o.put(':');
    }
    starts_.push_back(o.size());
    o.release();
    text_.append(32, ' ');
  }
  // Field k's key, without the leading comma when `first`.
  [[gnu::always_inline]] void put(Out& out, std::size_t k, bool first) const {
    out.put_padded(text_.data() + starts_[k] + first, starts_[k + 1] - starts_[k] - first);
  }

 private:
  std::string text_;
  std::vector<std::size_t> starts_;
};

// ---- Binary -------------------------------------------------------------------------------------

// Appends the quoted standard base64 (RFC 4648, with padding) of n bytes.
inline void write_base64(Out& out, const char* data, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  char* p = out.reserve((n + 2) / 3 * 4 + 2);
  *p++ = '"';
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (static_cast<std::uint32_t>(s[i]) << 16) | (static_cast<std::uint32_t>(s[i + 1]) << 8) | s[i + 2];
    p[0] = kAlphabet[v >> 18];
    p[1] = kAlphabet[(v >> 12) & 63];
    p[2] = kAlphabet[(v >> 6) & 63];
    p[3] = kAlphabet[v & 63];
    p += 4;
  }
  if (i < n) {
    const bool two = i + 2 == n;
    const std::uint32_t v = (static_cast<std::uint32_t>(s[i]) << 16) | (two ? static_cast<std::uint32_t>(s[i + 1]) << 8 : 0);
    p[0] = kAlphabet[v >> 18];
    p[1] = kAlphabet[(v >> 12) & 63];
    p[2] = two ? kAlphabet[(v >> 6) & 63] : '=';
    p[3] = '=';
    p += 4;
  }
  *p++ = '"';
  out.commit(p);
}

// ---- Floats -------------------------------------------------------------------------------------

// std::to_chars' shortest text, except -0.0: its shortest text "-0" is read back as the integer 0
// (by DuckDB, Python and sluice's reader alike), so the sign would be lost. Needs 32 bytes.
// An integral value keeps a fraction (text::with_fraction).
using text::with_fraction;

template <class F>
[[gnu::always_inline]] inline char* format_float(char* p, F v) noexcept {
  if (v == 0 && std::signbit(v)) [[unlikely]]
    return std::memcpy(p, "-0.0", 4), p + 4;
  if constexpr (std::is_same_v<F, double>) {
    if (char* e = text::shortest_double_fast(p, v)) return e;  // has its '.'
    return with_fraction(p, std::to_chars(p, p + 32, v).ptr);
  } else {
    return with_fraction(p, std::to_chars(p, p + 32, v).ptr);
  }
}

// ---- float16 ------------------------------------------------------------------------------------

// The shortest decimal that reads back (rounded to nearest, ties to even) as the finite half `h`,
// as std::to_chars does for float and double (and format_float's "-0.0"). Needs 32 bytes.
inline char* format_half_digits(char* out, std::uint16_t h) {
  const unsigned e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const bool neg = (h & 0x8000) != 0;
  const double v = std::ldexp(e == 0 ? m : m + 1024, (e == 0 ? 1 : static_cast<int>(e)) - 25);
  char* p = out;
  if (neg) *p++ = '-';
  if (v == 0) return neg ? (std::memcpy(out, "-0.0", 4), out + 4) : (*out = '0', out + 1);
  // Values in (v - gap_below / 2, v + ulp / 2) read back as v; the bounds themselves when m is even.
  const double ulp = std::ldexp(1.0, (e == 0 ? 1 : static_cast<int>(e)) - 25);
  const double lo = v - (m == 0 && e > 1 ? ulp / 2 : ulp) / 2, hi = v + ulp / 2;
  const bool even = (m & 1) == 0;
  char tmp[32];
  for (int digits = 1; digits <= 17; ++digits) {
    const char* t = std::to_chars(tmp, tmp + sizeof tmp, v, std::chars_format::scientific, digits - 1).ptr;
    double x = 0;
    std::from_chars(tmp, t, x);
    if ((x > lo && x < hi) || (even && (x == lo || x == hi))) return std::to_chars(p, p + 30, x).ptr;
  }
  return std::to_chars(p, p + 30, v).ptr;  // not reached: 17 digits always read back
}

inline char* format_half(char* out, std::uint16_t h) { return with_fraction(out, format_half_digits(out, h)); }

inline double half_bits_to_double(std::uint16_t h) {
  const unsigned e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double sign = (h & 0x8000) != 0 ? -1.0 : 1.0;
  if (e == 31) return m != 0 ? NAN : sign * INFINITY;
  return sign * std::ldexp(e == 0 ? m : m + 1024, (e == 0 ? 1 : static_cast<int>(e)) - 25);
}

// ---- Timestamps ---------------------------------------------------------------------------------

// Two digits of v (< 100).
[[gnu::always_inline]] inline char* put2(char* p, unsigned v) noexcept {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  std::memcpy(p, kPairs + 2 * v, 2);
  return p + 2;
}

// A timestamp as JSON text, without quotes. Without a time zone "YYYY-MM-DD HH:MM:SS" and, below
// seconds, always the unit's full fraction (.fff, .ffffff, .fffffffff): every value of a column has
// one shape, which format detection needs (DuckDB's read_json settles on one strptime format per
// column from a sample, and fails on a later "…:20" in a column of "…:20.5"). With a time zone the
// instant in UTC, RFC 3339 "YYYY-MM-DDTHH:MM:SS[.f]Z", the form DuckDB, Spark and JavaScript detect.
// Needs 48 bytes.
template <TimeUnit kUnit>
[[gnu::always_inline]] inline char* format_timestamp_in(char* out, std::int64_t value, bool utc) noexcept {
  constexpr std::int64_t per_s = units_per_second(kUnit);  // constant divisors: no division instruction
  constexpr std::int64_t per_day = 86400 * per_s;
  // Truncate, then step back a day for a negative remainder (no overflow near INT64_MIN).
  std::int64_t days = value / per_day;
  std::int64_t rem = value % per_day;
  if (rem < 0) {
    rem += per_day;
    --days;
  }
  char* p = temporal::format_date(out, static_cast<std::int32_t>(days));
  *p++ = utc ? 'T' : ' ';
  const auto secs = static_cast<unsigned>(rem / per_s);
  p = put2(p, secs / 3600);
  *p++ = ':';
  p = put2(p, secs / 60 % 60);
  *p++ = ':';
  p = put2(p, secs % 60);
  if constexpr (kUnit != TimeUnit::kSecond) {
    *p++ = '.';
    constexpr int digits = kUnit == TimeUnit::kMilli ? 3 : kUnit == TimeUnit::kMicro ? 6 : 9;
    p = temporal::detail::put_digits(p, static_cast<std::uint64_t>(rem % per_s), digits);
  }
  if (utc) *p++ = 'Z';
  return p;
}

inline char* format_timestamp(char* out, std::int64_t value, TimeUnit unit, bool utc) noexcept {
  switch (unit) {
    case TimeUnit::kSecond: return format_timestamp_in<TimeUnit::kSecond>(out, value, utc);
    case TimeUnit::kMilli: return format_timestamp_in<TimeUnit::kMilli>(out, value, utc);
    case TimeUnit::kMicro: return format_timestamp_in<TimeUnit::kMicro>(out, value, utc);
    case TimeUnit::kNano: return format_timestamp_in<TimeUnit::kNano>(out, value, utc);
  }
  return out;
}

// ---- Values -------------------------------------------------------------------------------------

struct OutNode;

// One column prepared for formatting many of its values: the per-type decisions and buffer lookups
// are made once, here, and not per value. Used by the CSV writer for nested columns.
class JsonValueFormatter {
 public:
  explicit JsonValueFormatter(const ArrayData& array);
  ~JsonValueFormatter();
  JsonValueFormatter(const JsonValueFormatter&) = delete;
  JsonValueFormatter& operator=(const JsonValueFormatter&) = delete;

  // Appends the JSON text of row i (null → null), as append_json_value does.
  void append(std::string& out, std::int64_t i);

 private:
  std::unique_ptr<OutNode> root_;
};

}  // namespace sluice::ndjson::detail
