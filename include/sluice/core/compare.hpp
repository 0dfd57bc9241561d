// Logical equality of arrays and batches: same type, length, nulls and values, whatever the
// physical layout (offsets, slicing, absent vs all-valid bitmaps, bytes under nulls). For tests and
// round-trip checks; first_difference() says where two arrays part, for readable failures.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "sluice/core/array.hpp"

namespace sluice {

namespace detail::compare {

template <class F>
bool float_equal(const ArrayData& a, std::int64_t i, const ArrayData& b, std::int64_t j) {
  const F x = a.value<F>(i), y = b.value<F>(j);
  return x == y || (std::isnan(x) && std::isnan(y));
}

inline bool row_equal(const ArrayData& a, std::int64_t i, const ArrayData& b, std::int64_t j, int depth);

inline bool range_equal(const ArrayData& a, std::int64_t i, const ArrayData& b, std::int64_t j, std::int64_t n,
                        int depth) {
  for (std::int64_t k = 0; k < n; ++k)
    if (!row_equal(a, i + k, b, j + k, depth)) return false;
  return true;
}

// Row i of a against row j of b; the types are known to be equal.
inline bool row_equal(const ArrayData& a, std::int64_t i, const ArrayData& b, std::int64_t j, int depth) {
  const bool va = a.is_valid(i), vb = b.is_valid(j);
  if (va != vb) return false;
  if (!va) return true;
  const DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kNull: return true;
    case TypeId::kBool: return a.bool_value(i) == b.bool_value(j);
    case TypeId::kFloat32: return float_equal<float>(a, i, b, j);
    case TypeId::kFloat64: return float_equal<double>(a, i, b, j);
    case TypeId::kString:
    case TypeId::kBinary: return a.string_at(i) == b.string_at(j);
    case TypeId::kFixedSizeBinary: return a.fixed_binary_at(i) == b.fixed_binary_at(j);
    case TypeId::kList:
    case TypeId::kMap: {
      const auto ra = t.id == TypeId::kList ? a.list_range(i) : a.map_range(i);
      const auto rb = t.id == TypeId::kList ? b.list_range(j) : b.map_range(j);
      if (ra.second - ra.first != rb.second - rb.first) return false;
      return range_equal(*a.children.at(0), ra.first, *b.children.at(0), rb.first, ra.second - ra.first, depth + 1);
    }
    case TypeId::kStruct:
      // Sluice struct children are sliced with their parent: row i of the struct is row i of each child.
      for (std::size_t c = 0; c < t.children.size(); ++c)
        if (!row_equal(*a.children.at(c), i, *b.children.at(c), j, depth + 1)) return false;
      return true;
    default: {
      const auto w = static_cast<std::size_t>(t.value_width());
      return std::memcmp(a.buffers.at(1)->data() + (a.offset + i) * static_cast<std::int64_t>(w),
                         b.buffers.at(1)->data() + (b.offset + j) * static_cast<std::int64_t>(w), w) == 0;
    }
  }
}

}  // namespace detail::compare

// Empty when a and b are logically equal, else a short description of the first difference.
inline std::string first_difference(const ArrayData& a, const ArrayData& b) {
  if (!a.type || !b.type) return a.type == b.type ? std::string() : "one array has no type";
  if (!(*a.type == *b.type)) return "types differ: " + a.type->to_string() + " vs " + b.type->to_string();
  if (a.length != b.length)
    return "lengths differ: " + std::to_string(a.length) + " vs " + std::to_string(b.length);
  for (std::int64_t i = 0; i < a.length; ++i) {
    if (a.is_valid(i) != b.is_valid(i))
      return "row " + std::to_string(i) + " is null in " + (a.is_valid(i) ? "the second" : "the first") + " array only";
    if (!detail::compare::row_equal(a, i, b, i, 0)) return "row " + std::to_string(i) + " differs";
  }
  return {};
}

inline bool arrays_equal(const ArrayData& a, const ArrayData& b) { return first_difference(a, b).empty(); }

// Empty when the batches have the same rows, fields (names, types, nullability) and column values.
// Schema metadata is not compared.
inline std::string first_difference(const Batch& a, const Batch& b) {
  if (a.num_rows != b.num_rows)
    return "row counts differ: " + std::to_string(a.num_rows) + " vs " + std::to_string(b.num_rows);
  if (a.columns.size() != b.columns.size())
    return "column counts differ: " + std::to_string(a.columns.size()) + " vs " + std::to_string(b.columns.size());
  if (!a.schema || !b.schema) {
    if (a.schema != b.schema) return "one batch has no schema";
  } else if (!(a.schema->fields == b.schema->fields)) {
    return "schemas differ:\n" + a.schema->to_string() + "vs\n" + b.schema->to_string();
  }
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    if (!a.columns[c] || !b.columns[c]) {
      if (a.columns[c] != b.columns[c]) return "column " + std::to_string(c) + " is missing in one batch";
      continue;
    }
    std::string d = first_difference(*a.columns[c], *b.columns[c]);
    if (!d.empty()) return "column " + std::to_string(c) + ": " + d;
  }
  return {};
}

inline bool batches_equal(const Batch& a, const Batch& b) { return first_difference(a, b).empty(); }

}  // namespace sluice
