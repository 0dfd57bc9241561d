// Well-known binary (WKB) geometries read: their well-known text (WKT), as DuckDB prints a GEOMETRY:
// "POINT (30 10)", "POLYGON Z ((30 10 40, ...), (...))", "MULTIPOINT (10 40, 40 30)",
// "GEOMETRYCOLLECTION (POINT (30 10), ...)", "LINESTRING EMPTY"; a point whose coordinates are all NaN
// is EMPTY (how WKB writes an empty point), other NaN coordinates print as "nan".
//
// Input is untrusted: ISO WKB (types 1-7, + 1000 Z, + 2000 M, + 3000 ZM) and EWKB's Z / M / SRID
// flags, either byte order; every count is checked against the bytes left before it is used, and
// collections nest at most kMaxWkbDepth deep. Nothing is allocated but the text appended.
//
// And their bounds, as Parquet's GeospatialStatistics want them (add_wkb_bounds).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "text/format.hpp"

namespace sluice::text {

inline constexpr int kMaxWkbDepth = 64;

// What Parquet's GeospatialStatistics hold for a column chunk: the range of each coordinate over every
// value (NaN skipped; an axis no value has stays empty: min > max) and the ISO WKB type codes of the
// values (1 POINT ... 7 GEOMETRYCOLLECTION, + 1000 Z, + 2000 M, + 3000 ZM), empty ones included.
struct WkbBounds {
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  double min[4] = {kInf, kInf, kInf, kInf};     // x, y, z, m
  double max[4] = {-kInf, -kInf, -kInf, -kInf};
  std::vector<std::int32_t> types;              // sorted, distinct

  bool has(int axis) const { return min[axis] <= max[axis]; }
  void add_type(std::int32_t code) {
    auto it = std::lower_bound(types.begin(), types.end(), code);
    if (it == types.end() || *it != code) types.insert(it, code);
  }
};

namespace wkb_detail {

// A coordinate as DuckDB prints one in WKT: the shortest digits that read back, in fixed notation for
// decimal exponents -4 to 15 ("1000000000000000", "0.0001") and scientific outside ("1e+16",
// "1.5e-05", "1.2345678901234568e+17"); "nan", "inf", "-inf".
inline char* format_coordinate(char* out, double v) {
  if (!std::isfinite(v)) return format_double(out, v);
  return shortest_duckdb_notation(out, v);
}

// Walks one WKB value: writes its WKT to `out` when given, adds it to `bounds` when given.
class WkbWalker {
 public:
  WkbWalker(std::string_view in, std::string* out, WkbBounds* bounds)
      : p_(reinterpret_cast<const std::uint8_t*>(in.data())), end_(p_ + in.size()), out_(out), bounds_(bounds) {}

  // One geometry, its tag written when `tagged` (a MULTIPOINT's points and a multi-geometry's parts
  // are written without theirs).
  bool geometry(int depth, bool tagged, int want_base = 0) {
    if (depth > kMaxWkbDepth) return false;
    std::uint8_t order = 0;
    if (!byte(&order) || order > 1) return false;
    little_ = order == 1;
    std::uint32_t code = 0;
    if (!u32(&code)) return false;
    bool z = (code & 0x80000000u) != 0, m = (code & 0x40000000u) != 0;
    if (code & 0x20000000u) {  // EWKB: an SRID follows (not printed: the column's CRS says it)
      std::uint32_t srid = 0;
      if (!u32(&srid)) return false;
    }
    code &= 0x0FFFFFFFu;
    const std::uint32_t base = code % 1000, dims_code = code / 1000;
    if (base < 1 || base > 7 || dims_code > 3) return false;
    if (dims_code == 1 || dims_code == 3) z = true;
    if (dims_code == 2 || dims_code == 3) m = true;
    if (want_base != 0 && static_cast<int>(base) != want_base) return false;
    const int dims = 2 + (z ? 1 : 0) + (m ? 1 : 0);
    z_ = z;  // the axes of this geometry's coordinates (a part's own, in a collection)
    if (bounds_ && depth == 0) bounds_->add_type(static_cast<std::int32_t>(base + (z ? 1000 : 0) + (m ? 2000 : 0)));
    if (tagged) {
      static constexpr const char* kNames[] = {"", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
                                               "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
      put(kNames[base]);
      if (z || m) put(z && m ? " ZM" : z ? " Z" : " M");
    }
    switch (base) {
      case 1: {
        // All NaN: an empty point.
        const std::uint8_t* at = p_;
        bool all_nan = true;
        for (int d = 0; d < dims; ++d) {
          double v = 0;
          if (!f64(&v)) return false;
          all_nan = all_nan && v != v;
        }
        if (all_nan) {
          put(tagged ? " EMPTY" : "EMPTY");  // MULTIPOINT (EMPTY, 1 2)
          return true;
        }
        p_ = at;
        if (tagged) put(" (");
        if (!coordinates(dims)) return false;
        if (tagged) put(')');
        return true;
      }
      case 2: return points(dims, tagged);
      case 3: return rings(dims, tagged);
      default: {
        // Parts of at least a byte order and a type code each; a MULTIPOINT's parts are points, ...
        const int part = base == 7 ? 0 : static_cast<int>(base) - 3;
        return items(5, tagged, [&] { return geometry(depth + 1, base == 7, part); });
      }
    }
  }

  bool done() const { return p_ == end_; }

 private:
  bool byte(std::uint8_t* v) {
    if (p_ == end_) return false;
    *v = *p_++;
    return true;
  }
  bool u32(std::uint32_t* v) {
    if (end_ - p_ < 4) return false;
    std::uint32_t x;
    std::memcpy(&x, p_, 4);
    *v = little_ ? x : __builtin_bswap32(x);
    p_ += 4;
    return true;
  }
  bool f64(double* v) {
    if (end_ - p_ < 8) return false;
    std::uint64_t x;
    std::memcpy(&x, p_, 8);
    if (!little_) x = __builtin_bswap64(x);
    std::memcpy(v, &x, 8);
    p_ += 8;
    return true;
  }
  // A count of items of at least `min_bytes` each, checked against the bytes left.
  bool count(std::uint32_t* n, std::size_t min_bytes) {
    if (!u32(n)) return false;
    return static_cast<std::uint64_t>(*n) * min_bytes <= static_cast<std::uint64_t>(end_ - p_);
  }
  void put(const char* s) {
    if (out_) *out_ += s;
  }
  void put(char c) {
    if (out_) *out_ += c;
  }
  bool coordinates(int dims) {
    char buf[40];
    for (int d = 0; d < dims; ++d) {
      double v = 0;
      if (!f64(&v)) return false;
      if (out_) {
        if (d != 0) *out_ += ' ';
        out_->append(buf, format_coordinate(buf, v));
      }
      // The axis: x, y, then z and m, or m alone (a 3-value XYM coordinate).
      const int axis = d < 2 ? d : d == 2 && z_ ? 2 : 3;
      if (bounds_ && v == v) {
        bounds_->min[axis] = std::min(bounds_->min[axis], v);
        bounds_->max[axis] = std::max(bounds_->max[axis], v);
      }
    }
    return true;
  }
  // A count, then that many items of at least `min_bytes` each: "(a, b)", or " EMPTY" after a tag.
  template <typename Item>
  bool items(std::size_t min_bytes, bool tagged, Item item) {
    std::uint32_t n = 0;
    if (!count(&n, min_bytes)) return false;
    if (n == 0) {
      put(tagged ? " EMPTY" : "EMPTY");
      return true;
    }
    put(tagged ? " (" : "(");
    for (std::uint32_t i = 0; i < n; ++i) {
      if (i != 0) put(", ");
      if (!item()) return false;
    }
    put(')');
    return true;
  }
  bool points(int dims, bool tagged) {
    return items(8 * static_cast<std::size_t>(dims), tagged, [&] { return coordinates(dims); });
  }
  bool rings(int dims, bool tagged) {
    return items(4, tagged, [&] { return points(dims, false); });
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::string* out_;
  WkbBounds* bounds_;
  bool little_ = true;
  bool z_ = false;
};

}  // namespace wkb_detail

// Appends the WKT of the WKB geometry `wkb` to `out`. False, with `out` as it was, where the bytes
// are not one whole WKB geometry.
inline bool append_wkt(std::string& out, std::string_view wkb) {
  const std::size_t size = out.size();
  wkb_detail::WkbWalker w(wkb, &out, nullptr);
  if (w.geometry(0, true) && w.done()) return true;
  out.resize(size);
  return false;
}

// Adds the WKB geometry `wkb` to `bounds`: its top-level type and every coordinate. False where the
// bytes are not one whole WKB geometry (`bounds` may then hold part of it: a caller drops them).
inline bool add_wkb_bounds(WkbBounds& bounds, std::string_view wkb) {
  wkb_detail::WkbWalker w(wkb, nullptr, &bounds);
  return w.geometry(0, true) && w.done();
}

}  // namespace sluice::text
