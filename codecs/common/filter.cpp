// Evaluation of a Predicate over batches. Each term finds its column, converts its constants once per
// batch, and runs one tight loop for the column's physical type that ands a 0/1 byte per row; nulls
// (of the column or of any struct above it) are cleared afterwards from the validity bitmaps.
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

// The term's constants for a column of `type` (nulls of an IN list dropped: they never match).
Result<std::vector<Constant>> constants_for(const Comparison& c, const DataType& type) {
  std::vector<Constant> out;
  if (c.op == CompareOp::kIsNull || c.op == CompareOp::kIsNotNull) return out;
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
  apply(op, n, keep, get, std::string_view(cs.at(0).bytes));
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

Status Predicate::validate(const Schema& schema) const {
  for (const auto& term : terms) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<int> idx, resolve(schema.fields, term));
    const DataType* t = schema.fields[static_cast<std::size_t>(idx[0])].type.get();
    for (std::size_t k = 1; k < idx.size(); ++k) t = t->children[static_cast<std::size_t>(idx[k])].type.get();
    SLUICE_TRY(constants_for(term, *t));
  }
  return ok_status();
}

Result<std::vector<std::uint8_t>> Predicate::matches(const Batch& batch) const {
  const std::int64_t n = batch.num_rows;
  if (!batch.schema) return invalid("filter: batch without a schema");
  std::vector<std::uint8_t> keep(static_cast<std::size_t>(n), 1);
  std::vector<std::uint8_t> valid;
  std::vector<const ArrayData*> chain;
  for (const auto& term : terms) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<int> idx, resolve(batch.schema->fields, term));
    chain.clear();
    const auto top = static_cast<std::size_t>(idx[0]);
    if (top >= batch.columns.size() || !batch.columns[top]) return invalid("filter: batch is missing column " + term.column());
    chain.push_back(batch.columns[top].get());
    for (std::size_t k = 1; k < idx.size(); ++k) {
      const auto& kids = chain.back()->children;
      const auto c = static_cast<std::size_t>(idx[k]);
      if (c >= kids.size() || !kids[c]) return invalid("filter: struct array without child " + term.column());
      chain.push_back(kids[c].get());
    }
    for (const ArrayData* a : chain)
      if (a->length < n) return invalid("filter: column " + term.column() + " is shorter than the batch");
    const ArrayData& leaf = *chain.back();
    const bool null_test = term.op == CompareOp::kIsNull || term.op == CompareOp::kIsNotNull;
    if (null_test) {
      valid.assign(static_cast<std::size_t>(n), 1);
      for (const ArrayData* a : chain) and_valid(*a, n, valid.data());
      const std::uint8_t want = term.op == CompareOp::kIsNotNull;
      for (std::int64_t i = 0; i < n; ++i) keep[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(valid[static_cast<std::size_t>(i)] == want);
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<Constant> cs, constants_for(term, *leaf.type));
    compare_term(leaf, term.op, cs, n, keep.data());
    for (const ArrayData* a : chain) and_valid(*a, n, keep.data());
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
