// Type inference for text fields: the kind of one value, and the join of kinds along a column.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/core/types.hpp"
#include "text/parse.hpp"

namespace sluice::csv::detail {

// Ordered roughly by generality; join() is the lattice.
enum class Kind : std::uint8_t { kNull, kBool, kInt, kDouble, kDate, kTimestamp, kTimestampTz, kString };

inline Kind kind_of(const char* p, std::size_t n) {
  if (n == 0) return Kind::kString;  // an empty (quoted) string; nulls are decided before this
  const char c = p[0];
  if (text::is_digit(c) || c == '-' || c == '+' || c == '.') {
    std::int64_t i;
    if (text::parse_int64(p, n, i)) return Kind::kInt;
    if (n >= 10 && text::is_digit(c)) {
      std::int32_t d;
      if (text::parse_date(p, n, d)) return Kind::kDate;
      std::int64_t ts;
      text::TzKind tz;
      if (text::parse_timestamp(p, n, TimeUnit::kMicro, ts, tz))
        return tz == text::TzKind::kNone ? Kind::kTimestamp : Kind::kTimestampTz;
    }
    double d;
    if (text::parse_double(p, n, d)) return Kind::kDouble;
    return Kind::kString;
  }
  bool b;
  if (text::parse_bool(p, n, b)) return Kind::kBool;
  double d;
  if ((c == 'i' || c == 'I' || c == 'n' || c == 'N') && text::parse_double(p, n, d)) return Kind::kDouble;
  return Kind::kString;
}

inline Kind join(Kind a, Kind b) {
  if (a == b) return a;
  if (a == Kind::kNull) return b;
  if (b == Kind::kNull) return a;
  if (a > b) std::swap(a, b);
  if (a == Kind::kInt && b == Kind::kDouble) return Kind::kDouble;
  if (a == Kind::kDate && (b == Kind::kTimestamp || b == Kind::kTimestampTz)) return b;
  // Times with and without an offset: zoned, those without one read as UTC (DuckDB's CSV sniffer
  // does the same, in its session time zone).
  if (a == Kind::kTimestamp && b == Kind::kTimestampTz) return b;
  return Kind::kString;
}

inline TypePtr type_of(Kind k) {
  switch (k) {
    case Kind::kNull: return null_type();
    case Kind::kBool: return boolean();
    case Kind::kInt: return int64();
    case Kind::kDouble: return float64();
    case Kind::kDate: return date32();
    case Kind::kTimestamp: return timestamp(TimeUnit::kMicro);
    case Kind::kTimestampTz: return timestamp(TimeUnit::kMicro, "UTC");
    case Kind::kString: return utf8();
  }
  return utf8();
}

inline Kind kind_of_type(const DataType& t) {
  switch (t.id) {
    case TypeId::kNull: return Kind::kNull;
    case TypeId::kBool: return Kind::kBool;
    case TypeId::kInt64: return Kind::kInt;
    case TypeId::kFloat64: return Kind::kDouble;
    case TypeId::kDate32: return Kind::kDate;
    case TypeId::kTimestamp: return t.timezone.empty() ? Kind::kTimestamp : Kind::kTimestampTz;
    default: return Kind::kString;
  }
}

}  // namespace sluice::csv::detail
