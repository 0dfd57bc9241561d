// Formatting values as text, shared by the CSV writer, `sluice head` and (next) the NDJSON writer.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sluice/core/array.hpp"
#include "sluice/core/temporal.hpp"

namespace sluice::text {

// Decimal128 → text with `scale` digits after the point. Needs 56 bytes. A scale outside 0..38 (an
// imported Arrow type may carry one) is written as the unscaled digits with an exponent.
inline char* format_decimal(char* out, __int128 v, int scale) {
  if (scale < 0 || scale > 38) [[unlikely]] {
    char* p = format_decimal(out, v, 0);
    *p++ = 'e';
    return std::to_chars(p, p + 12, -static_cast<std::int64_t>(scale)).ptr;
  }
  char tmp[48];
  int n = 0;
  const bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  do {
    tmp[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  while (n <= scale) tmp[n++] = '0';
  char* p = out;
  if (neg) *p++ = '-';
  for (int i = n - 1; i >= 0; --i) {
    *p++ = tmp[i];
    if (i == scale && scale > 0) *p++ = '.';
  }
  return p;
}

// shortest_double(out, v) writes what std::to_chars(out, out + 32, v) writes, the shortest text that
// reads back to v, with a fast path for the commonest doubles in tables: non-integral values with at
// most three decimals below 2^33 (prices, measures). There the candidate c/1000 nearest v is the
// shortest text when it reads back: doubles are far denser than the 0.001 grid, so no other grid point
// and no shorter decimal reads back to v; and the fixed form is never longer than the scientific one
// (to_chars prefers fixed on a tie). shortest_double_fast is that path alone: the end of the text, or
// nullptr where v is not such a value (its text always has a '.', which the NDJSON writer relies on).
inline char* shortest_double_fast(char* out, double v) noexcept {
  const double a = std::fabs(v);
  if (a >= 0.001 && a < 8589934592.0) {
    const double scaled = std::nearbyint(a * 1000.0);
    const auto c = static_cast<std::uint64_t>(scaled);
    if (c % 1000 != 0 && scaled / 1000.0 == a) {
      char* p = out;
      if (v < 0) *p++ = '-';
      p = std::to_chars(p, p + 12, c / 1000).ptr;
      const auto frac = static_cast<unsigned>(c % 1000);
      *p = '.';
      p[1] = static_cast<char>('0' + frac / 100);
      p[2] = static_cast<char>('0' + frac / 10 % 10);
      p[3] = static_cast<char>('0' + frac % 10);
      p += frac % 10 != 0 ? 4 : frac % 100 != 0 ? 3 : 2;
      return p;
    }
  }
  return nullptr;
}

inline char* shortest_double(char* out, double v) noexcept {
  if (char* e = shortest_double_fast(out, v)) return e;
  return std::to_chars(out, out + 32, v).ptr;
}

// The shortest digits that read back to the finite `v`, in DuckDB's notation for DOUBLE and FLOAT
// text: fixed for magnitudes from 1e-4 up to 1e16 ("1000000000000000", "0.0001"), scientific outside
// ("1e+16", "1.5e-05", "1.2345678901234568e+17"); zero as "0" or "-0". A geometry's WKT coordinates
// are this; format_double adds the fraction of an integral value. Needs 32 bytes.
template <class F>
inline char* shortest_duckdb_notation(char* out, F v) {
  const F a = std::fabs(v);
  const bool fixed = a == 0 || (a >= static_cast<F>(1e-4) && a < static_cast<F>(1e16));
  return std::to_chars(out, out + 32, v, fixed ? std::chars_format::fixed : std::chars_format::scientific).ptr;
}

// Appends ".0" to the number text [p, e) when it has no fraction, exponent or letters: an integral
// value keeps a fraction ("100.0", as DuckDB and Spark write doubles), so that reading the text back
// infers a floating column again, not an integer one. Needs 2 bytes after e.
inline char* with_fraction(char* p, char* e) noexcept {
  for (const char* q = p; q < e; ++q)
    if (*q == '.' || *q == 'e' || *q == 'n' || *q == 'i') return e;
  std::memcpy(e, ".0", 2);
  return e + 2;
}

// A double as DuckDB prints one (its CSV and VARCHAR text): the shortest text that reads back to the
// same double, in DuckDB's notation (shortest_duckdb_notation), an integral value with ".0" ("100.0",
// "-0.0": read back as a double, the sign kept); "inf", "-inf", "nan". Needs 32 bytes.
inline char* format_double(char* out, double v) {
  if (std::isnan(v)) return std::memcpy(out, "nan", 3), out + 3;
  if (std::isinf(v)) {
    if (v < 0) return std::memcpy(out, "-inf", 4), out + 4;
    return std::memcpy(out, "inf", 3), out + 3;
  }
  if (char* e = shortest_double_fast(out, v)) return e;  // has its '.'
  return with_fraction(out, shortest_duckdb_notation(out, v));
}
// A float (FLOAT / float32) the same way, with the shortest digits of the float.
inline char* format_float(char* out, float v) {
  if (std::isnan(v) || std::isinf(v)) return format_double(out, v);
  return with_fraction(out, shortest_duckdb_notation(out, v));
}

// Bytes as DuckDB prints a BLOB: printable ASCII as it is, every other byte (and the quotes and
// the backslash) as \xHH, so that binary in CSV or on a terminal stays text and DuckDB's cast of
// that text to BLOB (or parse_blob_text) gives the bytes back.
inline void append_blob_text(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\'' && c != '\\') {
      out += ch;
    } else {
      const char e[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      out.append(e, 4);
    }
  }
}

inline double half_to_double(std::uint16_t h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (e == 0) return sign * std::ldexp(m, -24);
  if (e == 31) return m ? NAN : sign * INFINITY;
  return sign * std::ldexp(m + 1024, e - 25);
}

// The text of a Parquet INTERVAL's 12 bytes (months, days, milliseconds: little-endian uint32) as
// DuckDB prints an INTERVAL: "1 year 2 months 3 days 04:05:06.5"; parts that are zero left out, the
// time of day's hours not wrapped at 24 ("100:00:00.25"), "00:00:00" when all are zero. Needs 60 bytes.
inline char* format_interval(char* out, std::string_view bytes) {
  std::uint32_t f[3] = {0, 0, 0};
  std::memcpy(f, bytes.data(), bytes.size() < 12 ? bytes.size() : 12);  // little-endian host
  char* p = out;
  const auto part = [&](std::uint32_t n, std::string_view unit) {
    if (n == 0) return;
    if (p != out) *p++ = ' ';
    p = std::to_chars(p, p + 10, n).ptr;
    *p++ = ' ';
    std::memcpy(p, unit.data(), unit.size());
    p += unit.size();
    if (n != 1) *p++ = 's';
  };
  part(f[0] / 12, "year");
  part(f[0] % 12, "month");
  part(f[1], "day");
  std::uint32_t ms = f[2];
  if (ms == 0 && p != out) return p;
  if (p != out) *p++ = ' ';
  const std::uint32_t hours = ms / 3600000;
  ms %= 3600000;
  if (hours < 10) *p++ = '0';
  p = std::to_chars(p, p + 10, hours).ptr;
  const auto two = [&](std::uint32_t v) {
    *p++ = ':';
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  two(ms / 60000);
  ms %= 60000;
  two(ms / 1000);
  ms %= 1000;
  if (ms != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + ms / 100);
    if (ms % 100 != 0) {
      *p++ = static_cast<char>('0' + ms / 10 % 10);
      if (ms % 10 != 0) *p++ = static_cast<char>('0' + ms % 10);
    }
  }
  return p;
}

// The canonical text of a UUID's 16 bytes (big-endian): 8-4-4-4-12 lowercase hex digits, 36 chars.
inline char* format_uuid(char* out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t k = 0; k < 16 && k < bytes.size(); ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) *out++ = '-';
    const auto b = static_cast<unsigned char>(bytes[k]);
    *out++ = kHex[b >> 4];
    *out++ = kHex[b & 15];
  }
  return out;
}

// text/wkt.hpp (included at the end: it formats coordinates with format_double).
inline bool append_wkt(std::string& out, std::string_view wkb);

// Appends the text of a non-null scalar value (not nested) at row i to `out`. Returns false for
// types without a scalar text form (list, struct, map).
inline bool append_value(std::string& out, const ArrayData& a, std::int64_t i) {
  char buf[64];
  char* e = buf;
  const DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kBool: out += a.bool_value(i) ? "true" : "false"; return true;
    case TypeId::kInt8: e = std::to_chars(buf, buf + 64, a.value<std::int8_t>(i)).ptr; break;
    case TypeId::kInt16: e = std::to_chars(buf, buf + 64, a.value<std::int16_t>(i)).ptr; break;
    case TypeId::kInt32: e = std::to_chars(buf, buf + 64, a.value<std::int32_t>(i)).ptr; break;
    case TypeId::kInt64: e = std::to_chars(buf, buf + 64, a.value<std::int64_t>(i)).ptr; break;
    case TypeId::kUInt8: e = std::to_chars(buf, buf + 64, a.value<std::uint8_t>(i)).ptr; break;
    case TypeId::kUInt16: e = std::to_chars(buf, buf + 64, a.value<std::uint16_t>(i)).ptr; break;
    case TypeId::kUInt32: e = std::to_chars(buf, buf + 64, a.value<std::uint32_t>(i)).ptr; break;
    case TypeId::kUInt64: e = std::to_chars(buf, buf + 64, a.value<std::uint64_t>(i)).ptr; break;
    case TypeId::kFloat16: e = format_double(buf, half_to_double(a.value<std::uint16_t>(i))); break;
    case TypeId::kFloat32: e = format_float(buf, a.value<float>(i)); break;
    case TypeId::kFloat64: e = format_double(buf, a.value<double>(i)); break;
    case TypeId::kDecimal128: e = format_decimal(buf, a.value<__int128>(i), t.scale); break;
    case TypeId::kDate32: e = temporal::format_date(buf, a.value<std::int32_t>(i)); break;
    case TypeId::kTime: {
      const std::int64_t v = t.value_width() == 4 ? a.value<std::int32_t>(i) : a.value<std::int64_t>(i);
      e = temporal::format_time_of_day(buf, v, t.unit);
      break;
    }
    case TypeId::kTimestamp:
      e = temporal::format_timestamp(buf, a.value<std::int64_t>(i), t.unit, !t.timezone.empty());
      break;
    case TypeId::kDuration: {
      e = std::to_chars(buf, buf + 64, a.value<std::int64_t>(i)).ptr;
      const auto u = unit_name(t.unit);
      std::memcpy(e, u.data(), u.size());
      e += u.size();
      break;
    }
    case TypeId::kBinary:
      // A geometry as its WKT; bytes that are not WKB as binary prints them.
      if ((t.extension == Extension::kGeometry || t.extension == Extension::kGeography) &&
          append_wkt(out, a.string_at(i)))
        return true;
      append_blob_text(out, a.string_at(i));
      return true;
    case TypeId::kString: out += a.string_at(i); return true;
    case TypeId::kFixedSizeBinary:
      if (t.extension == Extension::kUuid) {
        e = format_uuid(buf, a.fixed_binary_at(i));
        break;
      }
      if (t.extension == Extension::kInterval) {
        e = format_interval(buf, a.fixed_binary_at(i));
        break;
      }
      append_blob_text(out, a.fixed_binary_at(i));
      return true;
    default: return false;
  }
  out.append(buf, e);
  return true;
}

}  // namespace sluice::text

#include "text/wkt.hpp"
