// Evaluation of a Predicate over batches. Each comparison finds its column, converts its constants once
// per batch, and runs one tight loop for the column's physical type that ands a 0/1 byte per row; nulls
// (of the column or of any struct above it) are cleared afterwards from the validity bitmaps. A term
// with OR or NOT is evaluated in three-valued logic (a true and a false byte per row) and its true
// bytes and-ed in.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sluice/codecs/filter.hpp"

#include "sluice/codecs/cast.hpp"
#include "text/format.hpp"

namespace sluice {
namespace {

using i128 = __int128;

std::string field_names(const std::vector<Field>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i == 20) return out + ", ...";
    out += (i ? ", " : "") + fields[i].name;
  }
  return out;
}

std::string prefix_text(const Comparison& c, std::size_t len) {
  Comparison p;
  p.path.assign(c.path.begin(), c.path.begin() + static_cast<std::ptrdiff_t>(len));
  return p.column();
}

Error invalid(std::string msg) { return Error(ErrorCode::kInvalidArgument, std::move(msg)); }

// The child index at each step of the term's path, from the top-level fields down.
Result<std::vector<int>> resolve(const std::vector<Field>& top, const Comparison& c) {
  if (c.path.empty()) return invalid("filter: a comparison without a column");
  std::vector<int> out;
  const std::vector<Field>* fields = &top;
  for (std::size_t k = 0; k < c.path.size(); ++k) {
    if (k > 0) {
      const DataType& t = *(*fields)[static_cast<std::size_t>(out.back())].type;
      if (t.id != TypeId::kStruct)
        return invalid("filter: column '" + c.column() + "': '" + prefix_text(c, k) + "' is " + t.to_string() +
                       ", not a struct");
      fields = &t.children;
    }
    int found = -1;
    for (std::size_t i = 0; i < fields->size() && found < 0; ++i)
      if ((*fields)[i].name == c.path[k]) found = static_cast<int>(i);
    if (found < 0) {
      if (k == 0)
        return invalid("filter: column '" + c.column() + "' is not in the data (columns: " + field_names(top) + ")");
      return invalid("filter: column '" + c.column() + "': struct '" + prefix_text(c, k) + "' has no field '" +
                     c.path[k] + "' (fields: " + field_names(*fields) + ")");
    }
    out.push_back(found);
  }
  return out;
}

// The term's constants for a column of `type` (nulls of an IN list dropped: they never match; a LIKE
// pattern as its bytes).
Result<std::vector<Constant>> constants_for(const Comparison& c, const DataType& type) {
  std::vector<Constant> out;
  if (c.op == CompareOp::kIsNull || c.op == CompareOp::kIsNotNull) return out;
  if (c.op == CompareOp::kLike || c.op == CompareOp::kILike) {
    const char* op = c.op == CompareOp::kLike ? "LIKE" : "ILIKE";
    if (c.values.size() != 1 || c.values[0].kind != Literal::Kind::kString)
      return invalid("filter: " + std::string(op) + " on '" + c.column() + "' needs one 'quoted pattern'");
    if (type.id != TypeId::kString)
      return invalid("filter: " + std::string(op) + " needs a string column; '" + c.column() + "' is " +
                     type.to_string());
    if (c.escape.size() > 1) return invalid("filter: ESCAPE takes one character");
    Constant k;
    k.kind = Constant::Kind::kBytes;
    k.bytes = c.values[0].text;
    out.push_back(std::move(k));
    return out;
  }
  if (c.op != CompareOp::kIn && c.values.size() != 1)
    return invalid("filter: the comparison of '" + c.column() + "' needs exactly one value");
  if (c.op == CompareOp::kIn && c.values.empty()) return invalid("filter: '" + c.column() + "' IN () lists no values");
  const std::string name = c.column();
  for (const auto& v : c.values) {
    if (c.op == CompareOp::kIn && v.kind == Literal::Kind::kNull) continue;
    SLUICE_ASSIGN_OR_RETURN(Constant k, coerce(v, type, name));
    out.push_back(std::move(k));
  }
  return out;
}

// --- integer-like columns: every constant becomes one native comparison (or none / all) -------------

// A constant on the integer grid of the column (its unscaled values): floor and a remaining fraction,
// or beyond every 128-bit value, or NaN.
struct Point {
  int inf = 0;
  bool nan = false;
  i128 k = 0;
  bool fraction = false;
};

Point point_of(const Constant& c) {
  Point p;
  switch (c.kind) {
    case Constant::Kind::kInt64: p.k = c.i64; p.fraction = c.fraction; break;
    case Constant::Kind::kUInt64: p.k = static_cast<i128>(c.u64); p.fraction = c.fraction; break;
    case Constant::Kind::kDecimal: p.k = c.dec; p.fraction = c.fraction; break;
    case Constant::Kind::kDouble: {
      constexpr double kTwo127 = 170141183460469231731687303715884105728.0;
      const double d = c.f64;
      if (std::isnan(d)) p.nan = true;
      else if (d >= kTwo127) p.inf = 1;
      else if (d < -kTwo127) p.inf = -1;
      else {
        const double f = std::floor(d);
        p.k = static_cast<i128>(f);
        p.fraction = f != d;
      }
      break;
    }
    default: p.nan = true; break;  // another kind compares unordered
  }
  return p;
}

// `value op constant` over values in [lo, hi] as one of: no row, every row, or value op' b.
struct Reduced {
  enum Kind : std::uint8_t { kNone, kAll, kOp } kind = kNone;
  CompareOp op = CompareOp::kEq;  // kEq, kNe, kLe or kGe
  i128 b = 0;
};

Reduced le(i128 b, i128 lo, i128 hi) {
  if (b >= hi) return {Reduced::kAll};
  if (b < lo) return {Reduced::kNone};
  return {Reduced::kOp, CompareOp::kLe, b};
}
Reduced ge(i128 b, i128 lo, i128 hi) {
  if (b <= lo) return {Reduced::kAll};
  if (b > hi) return {Reduced::kNone};
  return {Reduced::kOp, CompareOp::kGe, b};
}

Reduced reduce(CompareOp op, const Point& p, i128 lo, i128 hi) {
  const bool all_when_ne = op == CompareOp::kNe;
  if (p.nan) return {all_when_ne ? Reduced::kAll : Reduced::kNone};
  if (p.inf != 0) {
    if (op == CompareOp::kEq) return {Reduced::kNone};
    if (op == CompareOp::kNe) return {Reduced::kAll};
    const bool below = op == CompareOp::kLt || op == CompareOp::kLe;  // value < constant
    return {(below == (p.inf > 0)) ? Reduced::kAll : Reduced::kNone};
  }
  const i128 k = p.k;
  const bool outside = p.fraction || k < lo || k > hi;
  switch (op) {
    case CompareOp::kEq: return outside ? Reduced{Reduced::kNone} : Reduced{Reduced::kOp, CompareOp::kEq, k};
    case CompareOp::kNe: return outside ? Reduced{Reduced::kAll} : Reduced{Reduced::kOp, CompareOp::kNe, k};
    case CompareOp::kLt:
      if (p.fraction) return le(k, lo, hi);
      return k <= lo ? Reduced{Reduced::kNone} : le(k - 1, lo, hi);
    case CompareOp::kLe: return le(k, lo, hi);
    case CompareOp::kGt: return k >= hi ? Reduced{Reduced::kNone} : ge(k + 1, lo, hi);
    case CompareOp::kGe:
      if (!p.fraction) return ge(k, lo, hi);
      return k >= hi ? Reduced{Reduced::kNone} : ge(k + 1, lo, hi);
    default: return {Reduced::kNone};
  }
}

// keep[i] &= get(i) op c, one loop per operator.
template <class Get, class T>
void apply(CompareOp op, std::int64_t n, std::uint8_t* keep, Get get, const T& c) {
  switch (op) {
    case CompareOp::kEq: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) == c); break;
    case CompareOp::kNe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) != c); break;
    case CompareOp::kLt: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) < c); break;
    case CompareOp::kLe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) <= c); break;
    case CompareOp::kGt: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) > c); break;
    case CompareOp::kGe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(get(i) >= c); break;
    default: break;
  }
}

// keep[i] &= get(i) is one of `set` (sorted, distinct).
template <class Get, class T>
void apply_in(std::int64_t n, std::uint8_t* keep, Get get, const std::vector<T>& set) {
  if (set.empty()) {
    std::memset(keep, 0, static_cast<std::size_t>(n));
  } else if (set.size() == 1) {
    apply(CompareOp::kEq, n, keep, get, set[0]);
  } else if (set.size() <= 8) {
    for (std::int64_t i = 0; i < n; ++i) {
      if (!keep[i]) continue;
      const auto v = get(i);
      bool any = false;
      for (const auto& s : set) any |= v == s;
      keep[i] = any;
    }
  } else {
    for (std::int64_t i = 0; i < n; ++i) {
      if (!keep[i]) continue;
      // lower_bound and ==, not binary_search: a NaN is "equivalent" to everything under <.
      const auto v = get(i);
      const auto it = std::lower_bound(set.begin(), set.end(), v);
      keep[i] = it != set.end() && *it == v;
    }
  }
}

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Integer-like values read by get(i) as T, in [lo, hi].
// numeric_limits knows __int128 only in GNU mode; the project builds with -std=c++20.
constexpr i128 kI128Max = static_cast<i128>((static_cast<unsigned __int128>(1) << 127) - 1);
constexpr i128 kI128Min = -kI128Max - 1;

template <class T, class Get>
void integer_term(CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep, Get get) {
  i128 lo = kI128Min, hi = kI128Max;
  if constexpr (!std::is_same_v<T, i128>) {
    lo = std::numeric_limits<T>::min();
    hi = std::numeric_limits<T>::max();
  }
  if (op == CompareOp::kIn) {
    std::vector<T> set;
    for (const auto& c : cs) {
      const Reduced r = reduce(CompareOp::kEq, point_of(c), lo, hi);
      if (r.kind == Reduced::kOp) set.push_back(static_cast<T>(r.b));
    }
    sort_unique(set);
    apply_in(n, keep, get, set);
    return;
  }
  const Reduced r = reduce(op, point_of(cs.at(0)), lo, hi);
  if (r.kind == Reduced::kNone) std::memset(keep, 0, static_cast<std::size_t>(n));
  if (r.kind == Reduced::kOp) apply(r.op, n, keep, get, static_cast<T>(r.b));
}

template <class T>
void native_term(const ArrayData& a, CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep) {
  const T* v = a.values<T>();
  integer_term<T>(op, cs, n, keep, [v](std::int64_t i) { return v[i]; });
}

// --- the other physical types ------------------------------------------------------------------------

template <class Get>
void float_term(CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep, Get get) {
  if (op == CompareOp::kIn) {
    std::vector<double> set;
    for (const auto& c : cs)
      if (!std::isnan(c.f64)) set.push_back(c.f64 == 0 ? 0.0 : c.f64);  // -0 == 0: one entry
    sort_unique(set);
    apply_in(n, keep, get, set);
    return;
  }
  apply(op, n, keep, get, cs.at(0).f64);  // IEEE: NaN fails every operator but !=
}

void bool_term(const ArrayData& a, CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep) {
  bool when[2] = {false, false};  // whether a false / true value satisfies the term
  for (int v = 0; v < 2; ++v) {
    if (op == CompareOp::kIn) {
      for (const auto& c : cs) when[v] = when[v] || compare_bool(v != 0, c) == std::partial_ordering::equivalent;
    } else {
      when[v] = satisfies(compare_bool(v != 0, cs.at(0)), op);
    }
  }
  if (when[0] && when[1]) return;
  const std::uint8_t* bits = a.buffers.at(1)->data();
  for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(when[bit::get(bits, a.offset + i)]);
}

template <class Get>
void bytes_term(CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep, Get get) {
  if (op == CompareOp::kIn) {
    std::vector<std::string_view> set;
    for (const auto& c : cs) set.push_back(c.bytes);
    sort_unique(set);
    apply_in(n, keep, get, set);
    return;
  }
  const std::string_view k(cs.at(0).bytes);
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    // Equality as a length check and a byte compare (one byte inline: flags and codes), not through
    // string_view's three-way compare.
    const std::uint8_t want = op == CompareOp::kEq;
    const std::size_t len = k.size();
    if (len == 1) {
      for (std::int64_t i = 0; i < n; ++i) {
        const std::string_view v = get(i);
        keep[i] &= static_cast<std::uint8_t>((v.size() == 1 && v[0] == k[0]) == want);
      }
      return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      const std::string_view v = get(i);
      keep[i] &= static_cast<std::uint8_t>((v.size() == len && (len == 0 || std::memcmp(v.data(), k.data(), len) == 0)) == want);
    }
    return;
  }
  apply(op, n, keep, get, k);
}

i128 load_decimal(const std::uint8_t* p) {
  i128 v;
  std::memcpy(&v, p, 16);  // imported buffers need not be 16-byte aligned
  return v;
}

// Any type, any constant kind: the reference evaluation, for constants not made by coerce().
void generic_term(const ArrayData& a, CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep) {
  for (std::int64_t i = 0; i < n; ++i) {
    if (!keep[i] || a.is_null(i)) continue;
    bool ok = false;
    if (op == CompareOp::kIn) {
      for (const auto& c : cs) ok = ok || compare_value(a, i, c) == std::partial_ordering::equivalent;
    } else {
      ok = satisfies(compare_value(a, i, cs.at(0)), op);
    }
    keep[i] = ok;
  }
}

bool all_kind(const std::vector<Constant>& cs, Constant::Kind kind) {
  for (const auto& c : cs)
    if (c.kind != kind) return false;
  return true;
}

// keep[i] &= the comparison holds for row i of `a` (validity not looked at: and-ed by the caller).
void compare_term(const ArrayData& a, CompareOp op, const std::vector<Constant>& cs, std::int64_t n, std::uint8_t* keep) {
  if (op == CompareOp::kIn && cs.empty()) {
    std::memset(keep, 0, static_cast<std::size_t>(n));
    return;
  }
  const DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kNull: std::memset(keep, 0, static_cast<std::size_t>(n)); return;
    case TypeId::kBool: return bool_term(a, op, cs, n, keep);
    case TypeId::kInt8: return native_term<std::int8_t>(a, op, cs, n, keep);
    case TypeId::kInt16: return native_term<std::int16_t>(a, op, cs, n, keep);
    case TypeId::kInt32: case TypeId::kDate32: return native_term<std::int32_t>(a, op, cs, n, keep);
    case TypeId::kInt64: case TypeId::kTimestamp: case TypeId::kDuration:
      return native_term<std::int64_t>(a, op, cs, n, keep);
    case TypeId::kTime:
      if (t.value_width() == 4) return native_term<std::int32_t>(a, op, cs, n, keep);
      return native_term<std::int64_t>(a, op, cs, n, keep);
    case TypeId::kUInt8: return native_term<std::uint8_t>(a, op, cs, n, keep);
    case TypeId::kUInt16: return native_term<std::uint16_t>(a, op, cs, n, keep);
    case TypeId::kUInt32: return native_term<std::uint32_t>(a, op, cs, n, keep);
    case TypeId::kUInt64: return native_term<std::uint64_t>(a, op, cs, n, keep);
    case TypeId::kDecimal128: {
      const std::uint8_t* base = a.buffers.at(1)->data() + a.offset * 16;
      return integer_term<i128>(op, cs, n, keep, [base](std::int64_t i) { return load_decimal(base + i * 16); });
    }
    case TypeId::kFloat16: case TypeId::kFloat32: case TypeId::kFloat64:
      if (!all_kind(cs, Constant::Kind::kDouble)) return generic_term(a, op, cs, n, keep);
      if (t.id == TypeId::kFloat64) {
        const double* v = a.values<double>();
        return float_term(op, cs, n, keep, [v](std::int64_t i) { return v[i]; });
      }
      if (t.id == TypeId::kFloat32) {
        const float* v = a.values<float>();
        return float_term(op, cs, n, keep, [v](std::int64_t i) { return static_cast<double>(v[i]); });
      }
      {
        const std::uint16_t* v = a.values<std::uint16_t>();
        return float_term(op, cs, n, keep, [v](std::int64_t i) { return text::half_to_double(v[i]); });
      }
    case TypeId::kString: case TypeId::kBinary: {
      if (!all_kind(cs, Constant::Kind::kBytes)) return generic_term(a, op, cs, n, keep);
      const std::int64_t* offs = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
      const char* data = a.buffers.at(2) ? reinterpret_cast<const char*>(a.buffers[2]->data()) : "";
      return bytes_term(op, cs, n, keep, [offs, data](std::int64_t i) {
        return std::string_view(data + offs[i], static_cast<std::size_t>(offs[i + 1] - offs[i]));
      });
    }
    case TypeId::kFixedSizeBinary: {
      if (!all_kind(cs, Constant::Kind::kBytes)) return generic_term(a, op, cs, n, keep);
      const auto w = static_cast<std::size_t>(t.byte_width);
      const char* data = reinterpret_cast<const char*>(a.buffers.at(1)->data()) + a.offset * t.byte_width;
      return bytes_term(op, cs, n, keep, [data, w](std::int64_t i) { return std::string_view(data + i * w, w); });
    }
    default: std::memset(keep, 0, static_cast<std::size_t>(n)); return;
  }
}

// --- LIKE --------------------------------------------------------------------------------------------

// Bytes of the UTF-8 sequence that starts with `lead` (1 for a byte that starts none).
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return lead < 0xF8 ? 4 : 1;
}

// The lower case of a code point, for ILIKE: the simple (one to one) mappings of the cased scripts in
// common use: Latin (Basic, Latin-1, Extended-A and -B, Extended Additional), Greek, Cyrillic,
// Armenian, Georgian capitals, fullwidth Latin; others are their own.
char32_t lower(char32_t c) {
  auto even_odd = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi && (c - lo) % 2 == 0; };
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';  // İ: its lower case is i (dropping the dot, one to one)
    if (c == 0x178) return 0xFF;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1 ? c + 1 : c;
    if (c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return c % 2 == 0 ? c + 1 : c;
  }
  if (c == 0x1C4 || c == 0x1C7 || c == 0x1CA || c == 0x1F1) return c + 2;  // DŽ LJ NJ DZ
  if (c == 0x1C5 || c == 0x1C8 || c == 0x1CB || c == 0x1F2) return c + 1;  // Dž Lj Nj Dz
  if (c >= 0x1CD && c <= 0x1DC && c % 2 == 1) return c + 1;
  if (even_odd(0x1DE, 0x1EE) || even_odd(0x1F8, 0x21E) || even_odd(0x222, 0x232)) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (even_odd(0x460, 0x480) || even_odd(0x48A, 0x4BE) || even_odd(0x4D0, 0x52E)) return c + 1;
  if (c >= 0x4C1 && c <= 0x4CD && c % 2 == 1) return c + 1;
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x531 && c <= 0x556) return c + 48;
  if (c >= 0x10A0 && c <= 0x10C5) return c + 0x1C60;  // Georgian Asomtavruli -> Nuskhuri
  if (even_odd(0x1E00, 0x1E94) || even_odd(0x1EA0, 0x1EFE)) return c + 1;
  if (c == 0x1E9E) return 0xDF;  // capital sharp s
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
  return c;
}

// `text` with every code point lower-cased (ASCII in place; bytes that are not UTF-8 kept as they are).
void fold_into(std::string_view text, std::string& out) {
  out.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      out += static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      ++i;
      continue;
    }
    const std::size_t len = utf8_length(b);
    char32_t c = 0;
    bool ok = len > 1 && i + len <= n;
    if (ok) {
      c = b & (0xFF >> (len + 1));
      for (std::size_t k = 1; k < len; ++k) {
        ok = ok && (p[i + k] & 0xC0) == 0x80;
        c = (c << 6) | (p[i + k] & 0x3F);
      }
    }
    if (!ok) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    const char32_t l = lower(c);
    if (l == c) {
      out.append(text.substr(i, len));
    } else if (l < 0x80) {
      out += static_cast<char>(l);
    } else if (l < 0x800) {
      out += static_cast<char>(0xC0 | (l >> 6));
      out += static_cast<char>(0x80 | (l & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (l >> 12));
      out += static_cast<char>(0x80 | ((l >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (l & 0x3F));
    }
    i += len;
  }
}

// A LIKE pattern as pieces: literal bytes, one character (_), any run (%). With `fold_case` (ILIKE)
// its literal runs are lower-cased, and so must the texts it is matched with be.
struct LikePattern {
  enum class Piece : std::uint8_t { kByte, kOne, kAny };
  std::vector<Piece> pieces;
  std::string bytes;  // by piece (kByte: the byte; others 0)

  LikePattern(std::string_view pattern, char escape, bool fold_case) {
    std::string run, folded;
    auto flush = [&] {
      if (fold_case) fold_into(run, folded);
      for (char b : fold_case ? folded : run) add(Piece::kByte, b);
      run.clear();
    };
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      const char c = pattern[i];
      if (escape != 0 && c == escape && i + 1 < pattern.size()) {
        run += pattern[++i];
      } else if (c == '%') {
        flush();
        if (pieces.empty() || pieces.back() != Piece::kAny) add(Piece::kAny, 0);  // %% is %
      } else if (c == '_') {
        flush();
        add(Piece::kOne, 0);
      } else {
        run += c;
      }
    }
    flush();
  }
  void add(Piece p, char b) {
    pieces.push_back(p);
    bytes.push_back(b);
  }

  // Whole-text match; % backtracks one character at a time (the classic single-star restart, which is
  // exact for LIKE: a later % can always absorb what an earlier one would have taken).
  bool match(std::string_view text) const {
    const std::size_t np = pieces.size();
    std::size_t t = 0, p = 0, star = np, star_t = 0;
    while (t < text.size()) {
      if (p < np && pieces[p] == Piece::kByte && text[t] == bytes[p]) {
        ++t;
        ++p;
      } else if (p < np && pieces[p] == Piece::kOne) {
        t = std::min(text.size(), t + utf8_length(static_cast<unsigned char>(text[t])));
        ++p;
      } else if (p < np && pieces[p] == Piece::kAny) {
        star = p++;
        star_t = t;
      } else if (star != np) {
        star_t = std::min(text.size(), star_t + utf8_length(static_cast<unsigned char>(text[star_t])));
        t = star_t;
        p = star + 1;
      } else {
        return false;
      }
    }
    while (p < np && pieces[p] == Piece::kAny) ++p;
    return p == np;
  }
};

template <class Get>
void like_term(const Comparison& c, const Constant& pattern, std::int64_t n, std::uint8_t* keep, Get get) {
  const bool fold_case = c.op == CompareOp::kILike;
  const char escape = c.escape.empty() ? 0 : c.escape[0];
  const LikePattern lp(pattern.bytes, escape, fold_case);
  std::string folded;
  auto text = [&](std::int64_t i) -> std::string_view {
    if (!fold_case) return get(i);
    fold_into(get(i), folded);
    return folded;
  };
  // The common shapes without the general matcher: 'abc', 'abc%', '%abc', '%abc%', '%'.
  using P = LikePattern::Piece;
  const auto& ps = lp.pieces;
  std::size_t lo = 0, hi = ps.size();
  const bool any_front = hi > 0 && ps[0] == P::kAny;
  const bool any_back = hi > (any_front ? 1u : 0u) && ps[hi - 1] == P::kAny;
  if (any_front) ++lo;
  if (any_back) --hi;
  bool literal_middle = true;
  for (std::size_t i = lo; i < hi && literal_middle; ++i) literal_middle = ps[i] == P::kByte;
  if (literal_middle) {
    const std::string lit = lp.bytes.substr(lo, hi - lo);
    const std::string_view l(lit);
    if (!any_front && !any_back) {
      for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(text(i) == l);
    } else if (!any_front) {
      for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(text(i).starts_with(l));
    } else if (!any_back) {
      for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(text(i).ends_with(l));
    } else {
      for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(text(i).find(l) != std::string_view::npos);
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i)
    if (keep[i]) keep[i] = static_cast<std::uint8_t>(lp.match(text(i)));
}

void like_column(const ArrayData& a, const Comparison& c, const Constant& pattern, std::int64_t n, std::uint8_t* keep) {
  const std::int64_t* offs = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
  const char* data = a.buffers.at(2) ? reinterpret_cast<const char*>(a.buffers[2]->data()) : "";
  like_term(c, pattern, n, keep, [offs, data](std::int64_t i) {
    return std::string_view(data + offs[i], static_cast<std::size_t>(offs[i + 1] - offs[i]));
  });
}

// valid[i] &= row i of `a` is not null.
void and_valid(const ArrayData& a, std::int64_t n, std::uint8_t* valid) {
  if (a.type->id == TypeId::kNull) {
    std::memset(valid, 0, static_cast<std::size_t>(n));
    return;
  }
  const std::uint8_t* bits = a.validity();
  if (bits == nullptr) return;
  // Eight rows at a time: a bitmap byte (re-aligned to the slice's offset) spread to eight 0/1 bytes.
  static const auto kSpread = [] {
    std::array<std::uint64_t, 256> t{};
    for (unsigned b = 0; b < 256; ++b)
      for (unsigned k = 0; k < 8; ++k)
        if (b >> k & 1) t[b] |= std::uint64_t{1} << (8 * k);
    return t;
  }();
  const std::int64_t q = a.offset >> 3;
  const unsigned r = static_cast<unsigned>(a.offset & 7);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::int64_t byte = q + (i >> 3);
    // With r > 0 the eighth row's bit lies in the next byte, which the bitmap holds.
    const unsigned w = r == 0 ? bits[byte] : ((bits[byte] >> r) | (bits[byte + 1] << (8 - r))) & 0xFF;
    std::uint64_t k;
    std::memcpy(&k, valid + i, 8);
    k &= kSpread[w];
    std::memcpy(valid + i, &k, 8);
  }
  for (; i < n; ++i) valid[i] &= static_cast<std::uint8_t>(bit::get(bits, a.offset + i));
}

}  // namespace

namespace {

// The right-hand column of a comparison of two columns, as a comparison of its own (for resolve()).
Comparison right_side(const Comparison& c) {
  Comparison r;
  r.path = c.other;
  return r;
}

// resolve() of the right-hand column; where it is not there, the error says how a string is written
// (x = abc compares with a column abc).
Result<std::vector<int>> resolve_right(const std::vector<Field>& top, const Comparison& c) {
  auto r = resolve(top, right_side(c));
  if (r.ok() || c.other.size() != 1) return r;
  std::string text;
  for (char ch : c.other[0]) text += ch == '\'' ? std::string("''") : std::string(1, ch);
  return invalid(r.error().message() + "; a string takes single quotes: '" + text + "'");
}

// The arrays from the batch's top-level column down the comparison's path (structs), or down its
// right-hand column's.
Result<std::vector<ArrayPtr>> chain_of(const Comparison& c, const Batch& batch, bool right = false) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<int> idx, right ? resolve_right(batch.schema->fields, c) : resolve(batch.schema->fields, c));
  auto name = [&] { return right ? right_side(c).column() : c.column(); };
  std::vector<ArrayPtr> chain;
  const auto top = static_cast<std::size_t>(idx[0]);
  if (top >= batch.columns.size() || !batch.columns[top]) return invalid("filter: batch is missing column " + name());
  chain.push_back(batch.columns[top]);
  for (std::size_t k = 1; k < idx.size(); ++k) {
    const auto& kids = chain.back()->children;
    const auto i = static_cast<std::size_t>(idx[k]);
    if (i >= kids.size() || !kids[i]) return invalid("filter: struct array without child " + name());
    chain.push_back(kids[i]);
  }
  for (const auto& a : chain)
    if (a->length < batch.num_rows) return invalid("filter: column " + name() + " is shorter than the batch");
  return chain;
}

bool in_list_has_null(const Comparison& c) {
  if (c.op != CompareOp::kIn) return false;
  for (const auto& v : c.values)
    if (v.kind == Literal::Kind::kNull) return true;
  return false;
}

// --- two columns --------------------------------------------------------------------------------------

// keep[i] &= a(i) op b(i).
template <class GA, class GB>
void apply_pair(CompareOp op, std::int64_t n, std::uint8_t* keep, GA a, GB b) {
  switch (op) {
    case CompareOp::kEq: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) == b(i)); break;
    case CompareOp::kNe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) != b(i)); break;
    case CompareOp::kLt: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) < b(i)); break;
    case CompareOp::kLe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) <= b(i)); break;
    case CompareOp::kGt: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) > b(i)); break;
    case CompareOp::kGe: for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(a(i) >= b(i)); break;
    default: std::memset(keep, 0, static_cast<std::size_t>(n)); break;
  }
}

// An integer column's first n values, exactly, whatever their width and sign.
std::vector<i128> integers_of(const ArrayData& a, std::int64_t n) {
  std::vector<i128> out(static_cast<std::size_t>(n));
  auto fill = [&](const auto* v) {
    for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = static_cast<i128>(v[i]);
  };
  switch (a.type->id) {
    case TypeId::kInt8: fill(a.values<std::int8_t>()); break;
    case TypeId::kInt16: fill(a.values<std::int16_t>()); break;
    case TypeId::kInt32: fill(a.values<std::int32_t>()); break;
    case TypeId::kInt64: fill(a.values<std::int64_t>()); break;
    case TypeId::kUInt8: fill(a.values<std::uint8_t>()); break;
    case TypeId::kUInt16: fill(a.values<std::uint16_t>()); break;
    case TypeId::kUInt32: fill(a.values<std::uint32_t>()); break;
    default: fill(a.values<std::uint64_t>()); break;
  }
  return out;
}

// The type two columns are compared in: null for two integer columns (compared exactly, whatever
// their widths), else the one unify_types() gives them (int32 and double as doubles, date and
// timestamp as timestamps, decimals at a common scale, string and binary as bytes). An error names
// both columns where they cannot be compared.
Result<TypePtr> pair_type(const Comparison& c, const TypePtr& left, const TypePtr& right) {
  const DataType& lt = *left;
  const DataType& rt = *right;
  auto refuse = [&](const std::string& why) {
    return invalid("filter: " + c.column() + " (" + lt.to_string() + ") and " + right_side(c).column() + " (" +
                   rt.to_string() + ") cannot be compared" + why);
  };
  if (c.op < CompareOp::kEq || c.op > CompareOp::kGe) return refuse(" with this operator");
  const bool ordered = c.op != CompareOp::kEq && c.op != CompareOp::kNe;
  if (ordered && (!extension_has_order(lt.extension) || !extension_has_order(rt.extension)))
    return refuse(": their values have no order (= and != only)");
  if (lt.is_integer() && rt.is_integer()) return TypePtr();
  TypePtr common = unify_types(left, right);
  if (!common || common->is_nested() || common->id == TypeId::kNull ||
      (common->id == TypeId::kTime && common->value_width() != 4 && common->value_width() != 8))
    return refuse("");
  return common;
}

// keep[i] &= `left(i) op right(i)` on the values (validity is the caller's), in pair_type()'s type.
Status compare_columns(const Comparison& c, const ArrayPtr& left, const ArrayPtr& right, std::int64_t n,
                       std::uint8_t* keep) {
  SLUICE_ASSIGN_OR_RETURN(TypePtr common, pair_type(c, left->type, right->type));
  if (!common) {
    const auto a = integers_of(*left, n), b = integers_of(*right, n);
    apply_pair(c.op, n, keep, [&a](std::int64_t i) { return a[static_cast<std::size_t>(i)]; },
               [&b](std::int64_t i) { return b[static_cast<std::size_t>(i)]; });
    return ok_status();
  }
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr x, cast_array(left, common));
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr y, cast_array(right, common));
  const ArrayData& a = *x;
  const ArrayData& b = *y;
  switch (common->id) {
    case TypeId::kBool:
      apply_pair(c.op, n, keep, [&a](std::int64_t i) { return a.bool_value(i); }, [&b](std::int64_t i) { return b.bool_value(i); });
      break;
    case TypeId::kFloat16:
      apply_pair(c.op, n, keep, [v = a.values<std::uint16_t>()](std::int64_t i) { return text::half_to_double(v[i]); },
                 [w = b.values<std::uint16_t>()](std::int64_t i) { return text::half_to_double(w[i]); });
      break;
    case TypeId::kFloat32:
      apply_pair(c.op, n, keep, [v = a.values<float>()](std::int64_t i) { return v[i]; },
                 [w = b.values<float>()](std::int64_t i) { return w[i]; });
      break;
    case TypeId::kFloat64:
      apply_pair(c.op, n, keep, [v = a.values<double>()](std::int64_t i) { return v[i]; },
                 [w = b.values<double>()](std::int64_t i) { return w[i]; });
      break;
    case TypeId::kDecimal128: {
      const std::uint8_t* p = a.buffers.at(1)->data() + a.offset * 16;
      const std::uint8_t* q = b.buffers.at(1)->data() + b.offset * 16;
      apply_pair(c.op, n, keep, [p](std::int64_t i) { return load_decimal(p + i * 16); },
                 [q](std::int64_t i) { return load_decimal(q + i * 16); });
      break;
    }
    case TypeId::kString: case TypeId::kBinary:
      apply_pair(c.op, n, keep, [&a](std::int64_t i) { return a.string_at(i); }, [&b](std::int64_t i) { return b.string_at(i); });
      break;
    case TypeId::kFixedSizeBinary:
      apply_pair(c.op, n, keep, [&a](std::int64_t i) { return a.fixed_binary_at(i); },
                 [&b](std::int64_t i) { return b.fixed_binary_at(i); });
      break;
    default:
      if (common->value_width() == 4) {
        apply_pair(c.op, n, keep, [v = a.values<std::int32_t>()](std::int64_t i) { return v[i]; },
                   [w = b.values<std::int32_t>()](std::int64_t i) { return w[i]; });
      } else if (common->value_width() == 8) {
        apply_pair(c.op, n, keep, [v = a.values<std::int64_t>()](std::int64_t i) { return v[i]; },
                   [w = b.values<std::int64_t>()](std::int64_t i) { return w[i]; });
      } else {
        return invalid("filter: " + c.column() + " and " + right_side(c).column() + " cannot be compared");
      }
  }
  return ok_status();
}

// --- one comparison ------------------------------------------------------------------------------------

// The arrays a comparison reads: its column's chain (structs down to the value), and for two columns
// the right one's.
struct Operands {
  std::vector<ArrayPtr> left, right;
};

Result<Operands> operands_of(const Comparison& c, const Batch& batch) {
  Operands o;
  SLUICE_ASSIGN_OR_RETURN(o.left, chain_of(c, batch));
  if (!c.other.empty()) {
    SLUICE_ASSIGN_OR_RETURN(o.right, chain_of(c, batch, true));
  }
  return o;
}

// valid[i] &= no array of the operands is null at row i.
void and_operands_valid(const Operands& o, std::int64_t n, std::uint8_t* valid) {
  for (const auto& a : o.left) and_valid(*a, n, valid);
  for (const auto& a : o.right) and_valid(*a, n, valid);
}

// keep[i] &= the comparison (not IS [NOT] NULL) holds on row i's values, nulls not looked at.
Status compare_values(const Comparison& c, const Operands& o, std::int64_t n, std::uint8_t* keep) {
  if (!c.other.empty()) return compare_columns(c, o.left.back(), o.right.back(), n, keep);
  const ArrayData& leaf = *o.left.back();
  SLUICE_ASSIGN_OR_RETURN(std::vector<Constant> cs, constants_for(c, *leaf.type));
  if (c.op == CompareOp::kLike || c.op == CompareOp::kILike) like_column(leaf, c, cs.at(0), n, keep);
  else compare_term(leaf, c.op, cs, n, keep);
  return ok_status();
}

// keep[i] &= the comparison is true for row i (false and unknown clear it). `scratch`: for IS NULL.
Status and_comparison(const Comparison& c, const Batch& batch, std::uint8_t* keep, std::vector<std::uint8_t>& scratch) {
  const std::int64_t n = batch.num_rows;
  SLUICE_ASSIGN_OR_RETURN(Operands o, operands_of(c, batch));
  if (c.op == CompareOp::kIsNull || c.op == CompareOp::kIsNotNull) {
    scratch.assign(static_cast<std::size_t>(n), 1);
    and_operands_valid(o, n, scratch.data());
    const std::uint8_t want = c.op == CompareOp::kIsNotNull;
    for (std::int64_t i = 0; i < n; ++i) keep[i] &= static_cast<std::uint8_t>(scratch[static_cast<std::size_t>(i)] == want);
    return ok_status();
  }
  SLUICE_TRY(compare_values(c, o, n, keep));
  and_operands_valid(o, n, keep);
  return ok_status();
}

// Three-valued results per row: t[i] the condition is true, f[i] false (neither: unknown).
struct Truth {
  std::vector<std::uint8_t> t, f;
};

Result<Truth> truth_of(const Condition& c, const Batch& batch) {
  const auto n = static_cast<std::size_t>(batch.num_rows);
  Truth out;
  switch (c.kind) {
    case Condition::Kind::kComparison: {
      const Comparison& cmp = c.comparison;
      out.t.assign(n, 1);
      std::vector<std::uint8_t> valid;
      if (cmp.op == CompareOp::kIsNull || cmp.op == CompareOp::kIsNotNull) {
        SLUICE_TRY(and_comparison(cmp, batch, out.t.data(), valid));
        out.f.resize(n);
        for (std::size_t i = 0; i < n; ++i) out.f[i] = static_cast<std::uint8_t>(out.t[i] ^ 1);
        return out;
      }
      SLUICE_ASSIGN_OR_RETURN(Operands o, operands_of(cmp, batch));
      SLUICE_TRY(compare_values(cmp, o, batch.num_rows, out.t.data()));
      valid.assign(n, 1);
      and_operands_valid(o, batch.num_rows, valid.data());
      // x IN (1, NULL) is true for 1 and unknown for every other value.
      const std::uint8_t can_be_false = in_list_has_null(cmp) ? 0 : 1;
      out.f.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        out.f[i] = static_cast<std::uint8_t>((out.t[i] ^ 1) & valid[i] & can_be_false);
        out.t[i] &= valid[i];
      }
      return out;
    }
    case Condition::Kind::kNot: {
      SLUICE_ASSIGN_OR_RETURN(Truth inner, truth_of(c.operands.at(0), batch));
      out.t = std::move(inner.f);
      out.f = std::move(inner.t);
      return out;
    }
    case Condition::Kind::kAnd: case Condition::Kind::kOr: {
      const bool is_and = c.kind == Condition::Kind::kAnd;
      out.t.assign(n, is_and ? 1 : 0);
      out.f.assign(n, is_and ? 0 : 1);
      for (const auto& o : c.operands) {
        SLUICE_ASSIGN_OR_RETURN(Truth p, truth_of(o, batch));
        if (is_and) {
          for (std::size_t i = 0; i < n; ++i) {
            out.t[i] &= p.t[i];
            out.f[i] |= p.f[i];
          }
        } else {
          for (std::size_t i = 0; i < n; ++i) {
            out.t[i] |= p.t[i];
            out.f[i] &= p.f[i];
          }
        }
      }
      return out;
    }
  }
  return invalid("filter: a condition of unknown kind");
}

Status validate_condition(const Condition& c, const Schema& schema) {
  if (c.kind != Condition::Kind::kComparison) {
    if (c.operands.empty() || (c.kind == Condition::Kind::kNot && c.operands.size() != 1))
      return invalid("filter: an AND, OR or NOT without its operands");
    for (const auto& o : c.operands) SLUICE_TRY(validate_condition(o, schema));
    return ok_status();
  }
  auto type_of = [&schema](const Comparison& cmp) -> Result<TypePtr> {
    SLUICE_ASSIGN_OR_RETURN(std::vector<int> idx, resolve(schema.fields, cmp));
    TypePtr t = schema.fields[static_cast<std::size_t>(idx[0])].type;
    for (std::size_t k = 1; k < idx.size(); ++k) t = t->children[static_cast<std::size_t>(idx[k])].type;
    return t;
  };
  SLUICE_ASSIGN_OR_RETURN(TypePtr t, type_of(c.comparison));
  if (c.comparison.other.empty()) {
    SLUICE_TRY(constants_for(c.comparison, *t));
    return ok_status();
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<int> ridx, resolve_right(schema.fields, c.comparison));
  TypePtr u = schema.fields[static_cast<std::size_t>(ridx[0])].type;
  for (std::size_t k = 1; k < ridx.size(); ++k) u = u->children[static_cast<std::size_t>(ridx[k])].type;
  SLUICE_TRY(pair_type(c.comparison, t, u));
  return ok_status();
}

}  // namespace

bool like_match(std::string_view text, std::string_view pattern, char escape, bool fold_case) {
  const LikePattern lp(pattern, escape, fold_case);
  if (!fold_case) return lp.match(text);
  std::string folded;
  fold_into(text, folded);
  return lp.match(folded);
}

std::string like_prefix(std::string_view pattern, char escape, bool* exact) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (escape != 0 && c == escape && i + 1 < pattern.size()) {
      out += pattern[++i];
    } else if (c == '%' || c == '_') {
      if (exact) *exact = false;
      return out;
    } else {
      out += c;
    }
  }
  if (exact) *exact = true;
  return out;
}

Status Predicate::validate(const Schema& schema) const {
  for (const auto& term : terms) SLUICE_TRY(validate_condition(term, schema));
  return ok_status();
}

Result<std::vector<std::uint8_t>> Predicate::matches(const Batch& batch) const {
  const std::int64_t n = batch.num_rows;
  if (!batch.schema) return invalid("filter: batch without a schema");
  std::vector<std::uint8_t> keep(static_cast<std::size_t>(n), 1);
  std::vector<std::uint8_t> valid;
  for (const auto& term : terms) {
    if (term.kind == Condition::Kind::kComparison) {
      SLUICE_TRY(and_comparison(term.comparison, batch, keep.data(), valid));
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(Truth t, truth_of(term, batch));
    for (std::size_t i = 0; i < keep.size(); ++i) keep[i] &= t.t[i];
  }
  return keep;
}

Result<Batch> Predicate::filter(const Batch& batch) const {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::uint8_t> keep, matches(batch));
  std::int64_t count = 0, first = -1, last = -1;
  for (std::int64_t i = 0; i < batch.num_rows; ++i) {
    if (!keep[static_cast<std::size_t>(i)]) continue;
    ++count;
    if (first < 0) first = i;
    last = i;
  }
  if (count == batch.num_rows) return batch;
  if (count > 0 && last - first + 1 == count) return batch.slice(first, count);
  std::vector<std::int64_t> indices;
  indices.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < batch.num_rows; ++i)
    if (keep[static_cast<std::size_t>(i)]) indices.push_back(i);
  return take(batch, indices);
}

}  // namespace sluice
