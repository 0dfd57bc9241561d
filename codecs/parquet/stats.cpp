#include "parquet/stats.hpp"

#include <cstring>

namespace sluice::parquet {
namespace {

using format::Type;

// A statistics value in the leaf's domain, compared with a constant; unordered where it cannot be.
std::partial_ordering compare_stat(const LeafInfo& leaf, const std::string& b, const Constant& c) {
  switch (leaf.conversion) {
    case Conversion::kBool:
      if (b.size() != 1) break;
      return compare_bool(b[0] != 0, c);
    case Conversion::kNone:
    case Conversion::kInt32ToInt8:
    case Conversion::kInt32ToInt16:
      if (leaf.physical == Type::INT32 && b.size() == 4) {
        std::int32_t v;
        std::memcpy(&v, b.data(), 4);
        return leaf.signed_order ? compare_int(v, c) : compare_uint(static_cast<std::uint32_t>(v), c);
      }
      if (leaf.physical == Type::INT64 && b.size() == 8) {
        std::int64_t v;
        std::memcpy(&v, b.data(), 8);
        return leaf.signed_order ? compare_int(v, c) : compare_uint(static_cast<std::uint64_t>(v), c);
      }
      if (leaf.physical == Type::FLOAT && b.size() == 4) {
        float v;
        std::memcpy(&v, b.data(), 4);
        return compare_double(v, c);
      }
      if (leaf.physical == Type::DOUBLE && b.size() == 8) {
        double v;
        std::memcpy(&v, b.data(), 8);
        return compare_double(v, c);
      }
      break;
    case Conversion::kDecimalInt32:
      if (b.size() == 4) {
        std::int32_t v;
        std::memcpy(&v, b.data(), 4);
        return compare_decimal(v, c);
      }
      break;
    case Conversion::kDecimalInt64:
      if (b.size() == 8) {
        std::int64_t v;
        std::memcpy(&v, b.data(), 8);
        return compare_decimal(v, c);
      }
      break;
    case Conversion::kDecimalFixed:
    case Conversion::kDecimalByteArray: {
      if (b.empty() || b.size() > 16) break;
      const auto* p = reinterpret_cast<const std::uint8_t*>(b.data());
      unsigned __int128 v = (p[0] & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
      for (std::size_t i = 0; i < b.size(); ++i) v = (v << 8) | p[i];
      return compare_decimal(static_cast<__int128>(v), c);
    }
    case Conversion::kByteArray:
      return compare_bytes(b, c);
    case Conversion::kFixed:
      if (leaf.type->id == TypeId::kFloat16) break;  // no pruning on half floats
      return compare_bytes(b, c);
    default: break;
  }
  return std::partial_ordering::unordered;
}

}  // namespace

Result<RowGroupFilter> RowGroupFilter::bind(const Predicate& predicate, const format::FileMetaData& md,
                                            const ParquetSchema& schema) {
  RowGroupFilter f;
  f.schema_ = &schema;
  f.type_ordered_.assign(schema.leaves.size(), true);
  if (md.__isset.column_orders && md.column_orders.size() == schema.leaves.size()) {
    for (std::size_t i = 0; i < schema.leaves.size(); ++i)
      f.type_ordered_[i] = md.column_orders[i].__isset.TYPE_ORDER;
  }
  for (const auto& term : predicate.terms) {
    const std::string name = term.column();
    bool exists = false;
    for (const auto& field : schema.fields) exists = exists || field.field.name == term.path.front();
    if (!exists) return Error(ErrorCode::kInvalidArgument, "the filter names column '" + name + "', which the file lacks");
    int leaf = -1;
    for (const auto& l : schema.leaves)
      if (l.path == term.path && l.max_rep == 0) leaf = l.column;
    if (leaf < 0) continue;  // a struct, a list element, or a path the row filter will judge
    const LeafInfo& info = schema.leaves[static_cast<std::size_t>(leaf)];
    Term t;
    t.leaf = leaf;
    t.op = term.op;
    for (const auto& lit : term.values) {
      if (lit.kind == Literal::Kind::kNull) continue;  // never equal to anything
      SLUICE_ASSIGN_OR_RETURN(Constant c, coerce(lit, *info.type, name));
      t.values.push_back(std::move(c));
    }
    if (info.conversion == Conversion::kInt96 || info.conversion == Conversion::kNull) continue;
    f.terms_.push_back(std::move(t));
  }
  return f;
}

bool RowGroupFilter::term_may_match(const Term& t, const format::ColumnChunk& chunk) const {
  if (!chunk.__isset.meta_data) return true;
  const auto& m = chunk.meta_data;
  const LeafInfo& leaf = schema_->leaves[static_cast<std::size_t>(t.leaf)];
  const bool has_stats = m.__isset.statistics;
  const auto& s = m.statistics;
  const bool nulls_known = has_stats && s.__isset.null_count && s.null_count >= 0;
  const bool all_null = nulls_known && s.null_count >= m.num_values;
  if (t.op == CompareOp::kIsNull) return !(nulls_known && s.null_count == 0);
  if (t.op == CompareOp::kIsNotNull) return !all_null;
  if (all_null) return false;  // no comparison holds for a null
  if (!has_stats || !type_ordered_[static_cast<std::size_t>(t.leaf)]) return true;
  const std::string* min = nullptr;
  const std::string* max = nullptr;
  if (s.__isset.min_value && s.__isset.max_value) {
    min = &s.min_value;
    max = &s.max_value;
  } else if (s.__isset.min && s.__isset.max && leaf.signed_order && leaf.physical != Type::BYTE_ARRAY &&
             leaf.physical != Type::FIXED_LEN_BYTE_ARRAY) {
    // Deprecated fields: written with signed comparison, right for signed numbers only.
    min = &s.min;
    max = &s.max;
  }
  if (!min) return true;
  const bool exact = (!s.__isset.is_min_value_exact || s.is_min_value_exact) &&
                     (!s.__isset.is_max_value_exact || s.is_max_value_exact);
  auto lo_of = [&](const Constant& c) { return compare_stat(leaf, *min, c); };
  auto hi_of = [&](const Constant& c) { return compare_stat(leaf, *max, c); };
  auto eq_may = [&](const Constant& c) {
    const auto lo = lo_of(c), hi = hi_of(c);
    if (lo == std::partial_ordering::unordered || hi == std::partial_ordering::unordered) return true;
    return !(lo > 0 || hi < 0);  // min <= c <= max
  };
  if (t.values.empty()) return t.op != CompareOp::kIn;  // `x IN (NULL)` holds for no row
  const Constant& c = t.values.front();
  switch (t.op) {
    case CompareOp::kEq: return eq_may(c);
    case CompareOp::kIn:
      for (const auto& v : t.values)
        if (eq_may(v)) return true;
      return false;
    case CompareOp::kNe: {
      // Only a group whose every value is c (floats aside: NaN is not in the statistics) is out.
      if (!exact || leaf.physical == Type::FLOAT || leaf.physical == Type::DOUBLE) return true;
      return !(lo_of(c) == 0 && hi_of(c) == 0);
    }
    case CompareOp::kLt: { const auto lo = lo_of(c); return lo == std::partial_ordering::unordered || lo < 0; }
    case CompareOp::kLe: { const auto lo = lo_of(c); return lo == std::partial_ordering::unordered || lo <= 0; }
    case CompareOp::kGt: { const auto hi = hi_of(c); return hi == std::partial_ordering::unordered || hi > 0; }
    case CompareOp::kGe: { const auto hi = hi_of(c); return hi == std::partial_ordering::unordered || hi >= 0; }
    default: return true;
  }
}

bool RowGroupFilter::may_match(const format::RowGroup& rg) const {
  for (const auto& t : terms_) {
    if (static_cast<std::size_t>(t.leaf) >= rg.columns.size()) continue;
    if (!term_may_match(t, rg.columns[static_cast<std::size_t>(t.leaf)])) return false;
  }
  return true;
}

}  // namespace sluice::parquet
