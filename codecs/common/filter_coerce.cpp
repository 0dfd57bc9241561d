// Constants of a filter converted to a column's type (coerce), and the comparisons of one value with
// such a constant. Numbers are read exactly (a digit string and a power of ten) so that integer, decimal
// and temporal comparisons never round: what a column cannot hold becomes Constant::fraction or an
// infinite bound, never a nearby value that some row would equal.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "sluice/codecs/filter.hpp"
#include "text/format.hpp"
#include "text/parse.hpp"

namespace sluice {
namespace {

using i128 = __int128;

constexpr std::int64_t kExponentCap = 1000000000000;  // far beyond any column's range either way

// An exact decimal number: -1^neg * digits * 10^exp, the digits without leading or trailing zeros
// (none for zero).
struct Exact {
  bool neg = false;
  std::string digits;
  std::int64_t exp = 0;
  bool operator==(const Exact&) const = default;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The filter's number grammar: [+-] digits [. digits] [e [+-] digits] (either digit run may be empty).
bool parse_exact(std::string_view t, Exact& out) {
  out = Exact{};
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) out.neg = t[i++] == '-';
  std::string digits;
  std::int64_t frac = 0;
  while (i < t.size() && is_digit(t[i])) digits += t[i++];
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && is_digit(t[i])) {
      digits += t[i++];
      ++frac;
    }
  }
  if (digits.empty()) return false;
  std::int64_t e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
    if (i >= t.size() || !is_digit(t[i])) return false;
    while (i < t.size() && is_digit(t[i])) {
      if (e < kExponentCap) e = e * 10 + (t[i] - '0');
      ++i;
    }
    if (eneg) e = -e;
  }
  if (i != t.size()) return false;
  const std::size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    out.neg = false;
    return true;
  }
  const std::size_t last = digits.find_last_not_of('0');
  out.exp = e - frac + static_cast<std::int64_t>(digits.size() - 1 - last);
  out.digits = digits.substr(lead, last + 1 - lead);
  return true;
}

// A number placed on an integer grid: floor(value) and whether a fraction remains, or beyond every
// 128-bit integer (inf = -1 below, +1 above).
struct Grid {
  int inf = 0;
  i128 floor = 0;
  bool fraction = false;
};

// `x` times 10^scale on the integer grid. 38 integer digits and more count as infinite: no int64,
// uint64 or decimal128 value reaches 10^38.
Grid grid_of(const Exact& x, std::int64_t scale) {
  Grid g;
  if (x.digits.empty()) return g;
  const auto len = static_cast<std::int64_t>(x.digits.size());
  const std::int64_t int_digits = len + x.exp + scale;
  if (int_digits > 38) {
    g.inf = x.neg ? -1 : 1;
    return g;
  }
  i128 ip = 0;
  if (int_digits <= 0) {
    g.fraction = true;
  } else {
    const std::int64_t take = int_digits < len ? int_digits : len;
    for (std::int64_t k = 0; k < take; ++k) ip = ip * 10 + (x.digits[static_cast<std::size_t>(k)] - '0');
    for (std::int64_t k = len; k < int_digits; ++k) ip *= 10;
    g.fraction = int_digits < len;
  }
  g.floor = x.neg ? (g.fraction ? -ip - 1 : -ip) : ip;
  return g;
}

Constant infinite(int sign) {
  Constant c;
  c.kind = Constant::Kind::kDouble;
  c.f64 = sign < 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  return c;
}

// A grid point as a constant of an integer-like column (signed ints, temporal: prefer int64; unsigned
// ints: prefer uint64), widening or going infinite rather than wrapping.
Constant integer_constant(const Grid& g, bool unsigned_column) {
  if (g.inf) return infinite(g.inf);
  constexpr i128 kI64Min = std::numeric_limits<std::int64_t>::min();
  constexpr i128 kI64Max = std::numeric_limits<std::int64_t>::max();
  constexpr i128 kU64Max = std::numeric_limits<std::uint64_t>::max();
  Constant c;
  c.fraction = g.fraction;
  const bool fits_u64 = g.floor >= 0 && g.floor <= kU64Max;
  const bool fits_i64 = g.floor >= kI64Min && g.floor <= kI64Max;
  if (fits_u64 && (unsigned_column || !fits_i64)) {
    c.kind = Constant::Kind::kUInt64;
    c.u64 = static_cast<std::uint64_t>(g.floor);
  } else if (fits_i64) {
    c.kind = Constant::Kind::kInt64;
    c.i64 = static_cast<std::int64_t>(g.floor);
  } else {
    return infinite(g.floor < 0 ? -1 : 1);
  }
  return c;
}

std::string describe(const Literal& l) {
  switch (l.kind) {
    case Literal::Kind::kNull: return "null";
    case Literal::Kind::kBool: return l.boolean ? "true" : "false";
    case Literal::Kind::kNumber: return l.text;
    case Literal::Kind::kString: {
      std::string out = "'";
      for (char ch : l.text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
      return out + "'";
    }
  }
  return {};
}

Error mismatch(const Literal& l, const DataType& t, const std::string& column, std::string_view expected) {
  return Error(ErrorCode::kInvalidArgument, "filter: cannot compare column '" + column + "' (" + t.to_string() +
                                                ") with " + describe(l) + ": expected " + std::string(expected));
}

int unit_digits(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond: return 0;
    case TimeUnit::kMilli: return 3;
    case TimeUnit::kMicro: return 6;
    case TimeUnit::kNano: return 9;
  }
  return 0;
}

// Seconds plus a decimal fraction of a second (digits after the point, any number) in `unit`.
Grid seconds_in_unit(i128 seconds, std::string_view fraction, TimeUnit unit) {
  const int u = unit_digits(unit);
  Grid g;
  i128 v = seconds;
  for (int k = 0; k < u; ++k)
    v = v * 10 + (static_cast<std::size_t>(k) < fraction.size() ? fraction[static_cast<std::size_t>(k)] - '0' : 0);
  for (std::size_t k = static_cast<std::size_t>(u); k < fraction.size(); ++k) g.fraction = g.fraction || fraction[k] != '0';
  g.floor = v;  // the remainder is positive whatever the sign of `seconds`: v is the floor
  return g;
}

// HH:MM[:SS[.fraction]] at s[i...], as parse_time_of_day accepts it (24:00:00 included), but with every
// fraction digit kept.
bool parse_clock(std::string_view s, std::size_t& i, std::int64_t& seconds, std::string_view& fraction) {
  auto two = [&](std::size_t at, unsigned& v) {
    if (at + 2 > s.size() || !is_digit(s[at]) || !is_digit(s[at + 1])) return false;
    v = static_cast<unsigned>((s[at] - '0') * 10 + (s[at + 1] - '0'));
    return true;
  };
  unsigned h, m, sec = 0;
  if (!two(i, h) || i + 2 >= s.size() || s[i + 2] != ':' || !two(i + 3, m)) return false;
  i += 5;
  fraction = {};
  if (i < s.size() && s[i] == ':') {
    if (!two(i + 1, sec)) return false;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      const std::size_t start = ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
      if (i == start) return false;
      fraction = s.substr(start, i - start);
    }
  }
  const bool nonzero_fraction = fraction.find_first_not_of('0') != std::string_view::npos;
  if (h > 23 || m > 59 || sec > 60) {
    if (!(h == 24 && m == 0 && sec == 0 && !nonzero_fraction)) return false;
  }
  seconds = (static_cast<std::int64_t>(h) * 60 + m) * 60 + sec;
  return true;
}

// 'YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][[ ](Z|UTC|±HH[:MM]|±HHMM)]' → the value in `unit` (an offset is
// subtracted, giving UTC).
bool parse_timestamp_exact(std::string_view s, TimeUnit unit, Grid& out) {
  std::int64_t days = 0;
  const std::size_t date_len = text::detail::date_prefix(s.data(), s.size(), days);
  if (date_len == 0) return false;
  std::size_t i = date_len;
  std::int64_t clock = 0, offset = 0;
  std::string_view fraction;
  if (i < s.size()) {
    if (s[i] != ' ' && s[i] != 'T' && s[i] != 't') return false;
    ++i;
    if (!parse_clock(s, i, clock, fraction)) return false;
    if (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size()) {
      const std::string_view zone = s.substr(i);
      if (zone == "Z" || zone == "z" || text::iequals(zone.data(), zone.size(), "utc")) {
        // UTC: no offset
      } else if (zone[0] == '+' || zone[0] == '-') {
        const std::string_view z = zone.substr(1);
        auto digits = [](std::string_view d) {
          for (char c : d)
            if (!is_digit(c)) return false;
          return true;
        };
        unsigned oh = 0, om = 0;
        if (z.size() == 2 && digits(z)) {
          oh = static_cast<unsigned>((z[0] - '0') * 10 + (z[1] - '0'));
        } else if ((z.size() == 5 && z[2] == ':' && digits(z.substr(0, 2)) && digits(z.substr(3))) ||
                   (z.size() == 4 && digits(z))) {
          oh = static_cast<unsigned>((z[0] - '0') * 10 + (z[1] - '0'));
          const std::size_t mm = z.size() == 5 ? 3 : 2;
          om = static_cast<unsigned>((z[mm] - '0') * 10 + (z[mm + 1] - '0'));
        } else {
          return false;
        }
        if (oh > 23 || om > 59) return false;
        offset = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
      } else {
        return false;
      }
    }
  }
  out = seconds_in_unit(static_cast<i128>(days) * 86400 + clock - offset, fraction, unit);
  return true;
}

constexpr std::string_view kTimestampForm = "a 'YYYY-MM-DD[ HH:MM:SS[.fff]][+HH:MM]' timestamp";

}  // namespace

Result<Constant> coerce(const Literal& literal, const DataType& type, const std::string& column) {
  using LK = Literal::Kind;
  Constant c;
  if (literal.kind == LK::kNull)
    return Error(ErrorCode::kInvalidArgument, "filter: cannot compare column '" + column +
                                                  "' with null (a comparison with null is never true; use IS NULL)");
  if (type.is_nested())
    return Error(ErrorCode::kInvalidArgument, "filter: column '" + column + "' is a " + type.to_string() +
                                                  ": lists, maps and structs can only be tested with IS [NOT] NULL");
  Exact x;
  const bool number = literal.kind == LK::kNumber && parse_exact(literal.text, x);
  if (literal.kind == LK::kNumber && !number) return mismatch(literal, type, column, "a well-formed number");
  switch (type.id) {
    case TypeId::kNull:
      // Every value is null: nothing will match, whatever the constant.
      if (literal.kind == LK::kBool) {
        c.kind = Constant::Kind::kBool;
        c.boolean = literal.boolean;
      } else if (literal.kind == LK::kString) {
        c.kind = Constant::Kind::kBytes;
        c.bytes = literal.text;
      } else {
        c = integer_constant(grid_of(x, 0), false);
      }
      return c;
    case TypeId::kBool:
      if (literal.kind != LK::kBool) return mismatch(literal, type, column, "true or false");
      c.kind = Constant::Kind::kBool;
      c.boolean = literal.boolean;
      return c;
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64:
    case TypeId::kUInt8: case TypeId::kUInt16: case TypeId::kUInt32: case TypeId::kUInt64:
      if (!number) return mismatch(literal, type, column, "a number");
      return integer_constant(grid_of(x, 0), !type.is_signed_integer());
    case TypeId::kFloat16: case TypeId::kFloat32: case TypeId::kFloat64: {
      if (!number) return mismatch(literal, type, column, "a number");
      double d = 0;
      if (!text::parse_double(literal.text.data(), literal.text.size(), d))
        return mismatch(literal, type, column, "a number");
      if (type.id == TypeId::kFloat32) {
        // The text a float32 prints as means that float ("0.1" is 0.1f, not the double 0.1, which no
        // float32 equals); any other literal compares exactly, as a double.
        std::string_view t = literal.text;
        if (!t.empty() && t[0] == '+') t.remove_prefix(1);
        float f = 0;
        const auto r = std::from_chars(t.data(), t.data() + t.size(), f);
        if (r.ec == std::errc() && r.ptr == t.data() + t.size() && std::isfinite(f)) {
          char buf[64];
          const auto w = std::to_chars(buf, buf + sizeof buf, f);
          Exact printed;
          if (w.ec == std::errc() && parse_exact(std::string_view(buf, static_cast<std::size_t>(w.ptr - buf)), printed) &&
              printed == x)
            d = f;
        }
      }
      c.kind = Constant::Kind::kDouble;
      c.f64 = d;
      return c;
    }
    case TypeId::kDecimal128: {
      if (!number) return mismatch(literal, type, column, "a number");
      const Grid g = grid_of(x, type.scale);
      if (g.inf) return infinite(g.inf);
      c.kind = Constant::Kind::kDecimal;
      c.dec = g.floor;
      c.fraction = g.fraction;
      return c;
    }
    case TypeId::kDate32: {
      std::int32_t days = 0;
      if (literal.kind != LK::kString || !text::parse_date(literal.text.data(), literal.text.size(), days))
        return mismatch(literal, type, column, "a 'YYYY-MM-DD' date");
      c.i64 = days;
      return c;
    }
    case TypeId::kTime: {
      std::int64_t seconds = 0;
      std::string_view fraction;
      std::size_t i = 0;
      if (literal.kind != LK::kString || !parse_clock(literal.text, i, seconds, fraction) || i != literal.text.size())
        return mismatch(literal, type, column, "an 'HH:MM:SS[.fff]' time");
      return integer_constant(seconds_in_unit(seconds, fraction, type.unit), false);
    }
    case TypeId::kTimestamp: {
      Grid g;
      if (literal.kind != LK::kString || !parse_timestamp_exact(literal.text, type.unit, g))
        return mismatch(literal, type, column, kTimestampForm);
      return integer_constant(g, false);
    }
    case TypeId::kDuration: {
      if (number) return integer_constant(grid_of(x, 0), false);
      // '1500ms': a number and a unit, converted to the column's unit.
      const std::string_view t = literal.text;
      std::size_t e = t.size();
      while (e > 0 && t[e - 1] >= 'a' && t[e - 1] <= 'z') --e;
      const std::string_view unit = t.substr(e);
      int from = -1;
      if (unit == "s") from = 0;
      else if (unit == "ms") from = 3;
      else if (unit == "us") from = 6;
      else if (unit == "ns") from = 9;
      if (literal.kind != LK::kString || from < 0 || !parse_exact(t.substr(0, e), x))
        return mismatch(literal, type, column, "a number in the column's unit, or a '1500ms' duration (s, ms, us, ns)");
      return integer_constant(grid_of(x, unit_digits(type.unit) - from), false);
    }
    case TypeId::kString: case TypeId::kBinary: case TypeId::kFixedSizeBinary:
      // No order (an INTERVAL, a geometry): only IS [NOT] NULL applies.
      if (!extension_has_order(type.extension)) break;
      if (type.extension == Extension::kUuid) {
        auto bytes = literal.kind == LK::kString ? text::parse_uuid(literal.text) : std::nullopt;
        if (!bytes) return mismatch(literal, type, column, "a UUID such as '0f8fad5b-d9cb-469f-a165-70867728950e'");
        c.kind = Constant::Kind::kBytes;
        c.bytes = std::move(*bytes);
        return c;
      }
      if (literal.kind != LK::kString) return mismatch(literal, type, column, "a 'quoted string'");
      c.kind = Constant::Kind::kBytes;
      c.bytes = literal.text;
      return c;
    default: break;
  }
  return mismatch(literal, type, column, "a type that can be compared");
}

namespace {

std::partial_ordering order_of(auto a, auto b) {
  if (a < b) return std::partial_ordering::less;
  if (b < a) return std::partial_ordering::greater;
  return std::partial_ordering::equivalent;
}

// Equal integer parts, and the constant has a fraction beyond: the value sorts first.
std::partial_ordering with_fraction(std::partial_ordering o, bool fraction) {
  return (fraction && o == std::partial_ordering::equivalent) ? std::partial_ordering::less : o;
}

std::partial_ordering flip(std::partial_ordering o) {
  if (o == std::partial_ordering::less) return std::partial_ordering::greater;
  if (o == std::partial_ordering::greater) return std::partial_ordering::less;
  return o;
}

// Exact: an integer against a double, without converting the integer (which rounds above 2^53).
std::partial_ordering int_vs_double(i128 v, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  constexpr double kTwo127 = 170141183460469231731687303715884105728.0;
  if (d >= kTwo127) return std::partial_ordering::less;
  if (d < -kTwo127) return std::partial_ordering::greater;
  const double t = std::trunc(d);
  const auto ti = static_cast<i128>(t);
  if (v != ti) return order_of(v, ti);
  return order_of(0.0, d - t);
}

}  // namespace

std::partial_ordering compare_int(std::int64_t v, const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kInt64: return with_fraction(order_of(v, c.i64), c.fraction);
    case Constant::Kind::kUInt64:
      return with_fraction(order_of(static_cast<i128>(v), static_cast<i128>(c.u64)), c.fraction);
    case Constant::Kind::kDecimal: return with_fraction(order_of(static_cast<i128>(v), c.dec), c.fraction);
    case Constant::Kind::kDouble: return int_vs_double(v, c.f64);
    default: return std::partial_ordering::unordered;
  }
}

std::partial_ordering compare_uint(std::uint64_t v, const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kInt64:
      return with_fraction(order_of(static_cast<i128>(v), static_cast<i128>(c.i64)), c.fraction);
    case Constant::Kind::kUInt64: return with_fraction(order_of(v, c.u64), c.fraction);
    case Constant::Kind::kDecimal: return with_fraction(order_of(static_cast<i128>(v), c.dec), c.fraction);
    case Constant::Kind::kDouble: return int_vs_double(static_cast<i128>(v), c.f64);
    default: return std::partial_ordering::unordered;
  }
}

std::partial_ordering compare_double(double v, const Constant& c) {
  if (std::isnan(v)) return std::partial_ordering::unordered;
  switch (c.kind) {
    case Constant::Kind::kDouble: return v <=> c.f64;
    case Constant::Kind::kInt64: return with_fraction(flip(int_vs_double(c.i64, v)), c.fraction);
    case Constant::Kind::kUInt64: return with_fraction(flip(int_vs_double(static_cast<i128>(c.u64), v)), c.fraction);
    case Constant::Kind::kDecimal: return with_fraction(flip(int_vs_double(c.dec, v)), c.fraction);
    default: return std::partial_ordering::unordered;
  }
}

std::partial_ordering compare_decimal(__int128 v, const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kDecimal: return with_fraction(order_of(v, c.dec), c.fraction);
    case Constant::Kind::kInt64: return with_fraction(order_of(v, static_cast<i128>(c.i64)), c.fraction);
    case Constant::Kind::kUInt64: return with_fraction(order_of(v, static_cast<i128>(c.u64)), c.fraction);
    case Constant::Kind::kDouble: return int_vs_double(v, c.f64);
    default: return std::partial_ordering::unordered;
  }
}

std::partial_ordering compare_bytes(std::string_view v, const Constant& c) {
  if (c.kind != Constant::Kind::kBytes) return std::partial_ordering::unordered;
  const int r = v.compare(c.bytes);  // char_traits<char>::compare orders bytes as unsigned char
  return r < 0 ? std::partial_ordering::less : r > 0 ? std::partial_ordering::greater : std::partial_ordering::equivalent;
}

std::partial_ordering compare_bool(bool v, const Constant& c) {
  if (c.kind != Constant::Kind::kBool) return std::partial_ordering::unordered;
  return order_of(static_cast<int>(v), static_cast<int>(c.boolean));
}

std::partial_ordering compare_value(const ArrayData& a, std::int64_t i, const Constant& c) {
  const DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kBool: return compare_bool(a.bool_value(i), c);
    case TypeId::kInt8: return compare_int(a.value<std::int8_t>(i), c);
    case TypeId::kInt16: return compare_int(a.value<std::int16_t>(i), c);
    case TypeId::kInt32: case TypeId::kDate32: return compare_int(a.value<std::int32_t>(i), c);
    case TypeId::kInt64: case TypeId::kTimestamp: case TypeId::kDuration: return compare_int(a.value<std::int64_t>(i), c);
    case TypeId::kTime:
      return compare_int(t.value_width() == 4 ? a.value<std::int32_t>(i) : a.value<std::int64_t>(i), c);
    case TypeId::kUInt8: return compare_uint(a.value<std::uint8_t>(i), c);
    case TypeId::kUInt16: return compare_uint(a.value<std::uint16_t>(i), c);
    case TypeId::kUInt32: return compare_uint(a.value<std::uint32_t>(i), c);
    case TypeId::kUInt64: return compare_uint(a.value<std::uint64_t>(i), c);
    case TypeId::kFloat16: return compare_double(text::half_to_double(a.value<std::uint16_t>(i)), c);
    case TypeId::kFloat32: return compare_double(a.value<float>(i), c);
    case TypeId::kFloat64: return compare_double(a.value<double>(i), c);
    case TypeId::kDecimal128: {
      __int128 v;
      std::memcpy(&v, a.buffers.at(1)->data() + (a.offset + i) * 16, 16);  // imported buffers may be 8-aligned
      return compare_decimal(v, c);
    }
    case TypeId::kString: case TypeId::kBinary: return compare_bytes(a.string_at(i), c);
    case TypeId::kFixedSizeBinary: return compare_bytes(a.fixed_binary_at(i), c);
    default: return std::partial_ordering::unordered;
  }
}

bool satisfies(std::partial_ordering o, CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return o == std::partial_ordering::equivalent;
    case CompareOp::kNe: return o != std::partial_ordering::equivalent;
    case CompareOp::kLt: return o == std::partial_ordering::less;
    case CompareOp::kLe: return o == std::partial_ordering::less || o == std::partial_ordering::equivalent;
    case CompareOp::kGt: return o == std::partial_ordering::greater;
    case CompareOp::kGe: return o == std::partial_ordering::greater || o == std::partial_ordering::equivalent;
    default: return false;
  }
}

bool may_satisfy(CompareOp op, std::partial_ordering lo, std::partial_ordering hi) {
  if (lo == std::partial_ordering::unordered || hi == std::partial_ordering::unordered) return true;
  switch (op) {
    case CompareOp::kEq: return lo <= 0 && hi >= 0;
    case CompareOp::kLt: return lo < 0;
    case CompareOp::kLe: return lo <= 0;
    case CompareOp::kGt: return hi > 0;
    case CompareOp::kGe: return hi >= 0;
    default: return true;
  }
}

}  // namespace sluice
