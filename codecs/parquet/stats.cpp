#include "parquet/stats.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <cstring>
#include <limits>

#include "parquet/bloom.hpp"

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
      __int128 v;
      if (b.empty() || b.size() > 16 || !big_endian_int128(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), &v)) break;
      return compare_decimal(v, c);
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

// The PLAIN encoding of a constant in the leaf's physical type, as bloom filters hash it; false
// where there is none that equality could meet (the filter then judges nothing).
bool plain_bytes(const LeafInfo& leaf, const Constant& c, std::string* out) {
  auto put = [&](const auto& v) {
    out->assign(reinterpret_cast<const char*>(&v), sizeof v);
    return true;
  };
  const bool integral = (c.kind == Constant::Kind::kInt64 || c.kind == Constant::Kind::kUInt64) && !c.fraction;
  switch (leaf.physical) {
    case Type::INT32:
      if (leaf.conversion == Conversion::kDecimalInt32) {
        if (c.kind != Constant::Kind::kDecimal || c.fraction || c.dec < INT32_MIN || c.dec > INT32_MAX) return false;
        return put(static_cast<std::int32_t>(c.dec));
      }
      if (!integral) return false;
      if (c.kind == Constant::Kind::kUInt64) return c.u64 <= UINT32_MAX && put(static_cast<std::uint32_t>(c.u64));
      if (!leaf.signed_order) return c.i64 >= 0 && c.i64 <= UINT32_MAX && put(static_cast<std::uint32_t>(c.i64));
      return c.i64 >= INT32_MIN && c.i64 <= INT32_MAX && put(static_cast<std::int32_t>(c.i64));
    case Type::INT64:
      if (leaf.conversion == Conversion::kDecimalInt64) {
        if (c.kind != Constant::Kind::kDecimal || c.fraction || c.dec < INT64_MIN || c.dec > INT64_MAX) return false;
        return put(static_cast<std::int64_t>(c.dec));
      }
      if (!integral) return false;
      if (c.kind == Constant::Kind::kUInt64) return put(c.u64);
      if (!leaf.signed_order && c.i64 < 0) return false;
      return put(c.i64);
    case Type::FLOAT: {
      if (c.kind != Constant::Kind::kDouble || std::isnan(c.f64) || c.f64 == 0) return false;  // -0 = +0
      const auto f = static_cast<float>(c.f64);
      return static_cast<double>(f) == c.f64 && put(f);
    }
    case Type::DOUBLE:
      if (c.kind != Constant::Kind::kDouble || std::isnan(c.f64) || c.f64 == 0) return false;
      return put(c.f64);
    case Type::BYTE_ARRAY:
      if (leaf.conversion != Conversion::kByteArray || c.kind != Constant::Kind::kBytes) return false;
      *out = c.bytes;
      return true;
    case Type::FIXED_LEN_BYTE_ARRAY:
      if (leaf.conversion != Conversion::kFixed || leaf.type->id == TypeId::kFloat16 ||
          c.kind != Constant::Kind::kBytes || static_cast<std::int64_t>(c.bytes.size()) != leaf.type_length)
        return false;
      *out = c.bytes;
      return true;
    default: return false;
  }
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
  f.root_.kind = Condition::Kind::kAnd;
  for (const auto& term : predicate.terms) {
    SLUICE_ASSIGN_OR_RETURN(Node n, f.bind_node(term, md));
    f.root_.operands.push_back(std::move(n));
  }
  return f;
}

namespace {

// The smallest text above every text starting with `prefix` (its last byte below 0xFF raised, what
// follows dropped); empty where there is none (all 0xFF).
std::string prefix_successor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

Result<RowGroupFilter::Node> RowGroupFilter::bind_node(const Condition& cond, const format::FileMetaData& md) {
  Node node;
  if (cond.kind != Condition::Kind::kComparison) {
    node.kind = cond.kind;
    for (const auto& o : cond.operands) {
      SLUICE_ASSIGN_OR_RETURN(Node n, bind_node(o, md));
      node.operands.push_back(std::move(n));
    }
    if (node.operands.empty() || (node.kind == Condition::Kind::kNot && node.operands.size() != 1))
      return Error(ErrorCode::kInvalidArgument, "filter: an AND, OR or NOT without its operands");
    return node;
  }
  const Comparison& term = cond.comparison;
  const std::string name = term.column();
  for (const auto* path : {&term.path, &term.other}) {
    if (path->empty()) continue;
    bool exists = false;
    for (const auto& field : schema_->fields) exists = exists || field.field.name == path->front();
    if (!exists) {
      Comparison named;
      named.path = *path;
      std::string msg = "the filter names column '" + named.column() + "', which the file lacks";
      if (path == &term.other && path->size() == 1) msg += "; a string takes single quotes: '" + path->front() + "'";
      return Error(ErrorCode::kInvalidArgument, std::move(msg));
    }
  }
  if (!term.other.empty()) return node;  // two columns: their statistics are not compared here
  int leaf = -1;
  for (const auto& l : schema_->leaves)
    if (l.path == term.path && l.max_rep == 0) leaf = l.column;
  if (leaf < 0) return node;  // a struct, a list element, or a path the row filter will judge
  const LeafInfo& info = schema_->leaves[static_cast<std::size_t>(leaf)];
  Term t;
  t.leaf = leaf;
  t.op = term.op;
  if (term.op == CompareOp::kLike || term.op == CompareOp::kILike) {
    if (info.type->id != TypeId::kString)
      return Error(ErrorCode::kInvalidArgument, std::string("filter: ") + (term.op == CompareOp::kLike ? "LIKE" : "ILIKE") +
                                                    " needs a string column; '" + name + "' is " + info.type->to_string());
    // LIKE 'abc%' needs values from 'abc' up to 'abd'; LIKE 'abc' is = 'abc'. ILIKE proves nothing.
    if (term.op == CompareOp::kILike || term.values.empty()) return node;
    bool exact = false;
    Constant c;
    c.kind = Constant::Kind::kBytes;
    c.bytes = like_prefix(term.values[0].text, term.escape.empty() ? 0 : term.escape[0], &exact);
    if (c.bytes.empty() && !exact) return node;
    t.op = exact ? CompareOp::kEq : CompareOp::kLike;
    t.values.push_back(std::move(c));
  } else {
    for (const auto& lit : term.values) {
      if (lit.kind == Literal::Kind::kNull) continue;  // never equal to anything
      SLUICE_ASSIGN_OR_RETURN(Constant c, coerce(lit, *info.type, name));
      t.values.push_back(std::move(c));
    }
  }
  if (info.conversion == Conversion::kInt96 || info.conversion == Conversion::kNull) return node;
  if ((t.op == CompareOp::kEq || t.op == CompareOp::kIn) && !t.values.empty()) {
    t.hashable = true;
    std::string bytes;
    for (const auto& c : t.values) {
      if (!plain_bytes(info, c, &bytes)) {
        t.hashable = false;
        break;
      }
      t.hashes.push_back(xxhash64(bytes.data(), bytes.size()));
    }
  }
  // `x IN (1, NULL)` is unknown, never false, for the values it does not list.
  if (t.op == CompareOp::kIn) {
    for (const auto& lit : term.values)
      if (lit.kind == Literal::Kind::kNull) t.in_has_null = true;
  }
  node.term = static_cast<int>(terms_.size());
  terms_.push_back(std::move(t));
  return node;
}

bool RowGroupFilter::chunk_bounds(const Term& t, const format::ColumnChunk& chunk, const std::string** min,
                                  const std::string** max, bool* exact) const {
  const auto& m = chunk.meta_data;
  const LeafInfo& leaf = schema_->leaves[static_cast<std::size_t>(t.leaf)];
  if (!m.__isset.statistics || !type_ordered_[static_cast<std::size_t>(t.leaf)]) return false;
  const auto& s = m.statistics;
  if (s.__isset.min_value && s.__isset.max_value) {
    *min = &s.min_value;
    *max = &s.max_value;
  } else if (s.__isset.min && s.__isset.max && leaf.signed_order && leaf.physical != Type::BYTE_ARRAY &&
             leaf.physical != Type::FIXED_LEN_BYTE_ARRAY) {
    // Deprecated fields: written with signed comparison, right for signed numbers only.
    *min = &s.min;
    *max = &s.max;
  } else {
    return false;
  }
  *exact = (!s.__isset.is_min_value_exact || s.is_min_value_exact) &&
           (!s.__isset.is_max_value_exact || s.is_max_value_exact);
  return true;
}

Possible RowGroupFilter::term_possible(const Term& t, const format::ColumnChunk& chunk) const {
  if (!chunk.__isset.meta_data) return Possible{};
  const auto& m = chunk.meta_data;
  const bool has_stats = m.__isset.statistics;
  const auto& s = m.statistics;
  const bool nulls_known = has_stats && s.__isset.null_count && s.null_count >= 0;
  const bool no_null = nulls_known && s.null_count == 0;
  const bool all_null = nulls_known && s.null_count >= m.num_values;
  if (t.op == CompareOp::kIsNull) return Possible{!no_null, !all_null};
  if (t.op == CompareOp::kIsNotNull) return Possible{!all_null, !no_null};
  if (all_null) return Possible{false, false};  // a comparison with a null is unknown: neither
  const std::string* min = nullptr;
  const std::string* max = nullptr;
  bool exact = false;
  if (!chunk_bounds(t, chunk, &min, &max, &exact)) return Possible{};
  Possible out;
  out.can_be_true = range_may_match(t, *min, *max, exact);
  // False for some row: some value may satisfy the opposite comparison. Not judged for floats (NaN
  // fails every comparison but != and is in no statistics), IN or LIKE.
  const LeafInfo& leaf = schema_->leaves[static_cast<std::size_t>(t.leaf)];
  if (leaf.physical == Type::FLOAT || leaf.physical == Type::DOUBLE || t.in_has_null) return out;
  Term opposite;
  opposite.leaf = t.leaf;
  opposite.values = t.values;
  switch (t.op) {
    case CompareOp::kEq: opposite.op = CompareOp::kNe; break;
    case CompareOp::kNe: opposite.op = CompareOp::kEq; break;
    case CompareOp::kLt: opposite.op = CompareOp::kGe; break;
    case CompareOp::kLe: opposite.op = CompareOp::kGt; break;
    case CompareOp::kGt: opposite.op = CompareOp::kLe; break;
    case CompareOp::kGe: opposite.op = CompareOp::kLt; break;
    default: return out;
  }
  out.can_be_false = range_may_match(opposite, *min, *max, exact);
  return out;
}

Possible RowGroupFilter::node_possible(const Node& n, const format::RowGroup& rg) const {
  return possible(n, [&](const Node& leaf) {
    if (leaf.term < 0) return Possible{};
    const Term& t = terms_[static_cast<std::size_t>(leaf.term)];
    if (static_cast<std::size_t>(t.leaf) >= rg.columns.size()) return Possible{};
    return term_possible(t, rg.columns[static_cast<std::size_t>(t.leaf)]);
  });
}

bool RowGroupFilter::range_may_match(const Term& t, const std::string& min, const std::string& max,
                                     bool exact) const {
  const LeafInfo& leaf = schema_->leaves[static_cast<std::size_t>(t.leaf)];
  auto lo_of = [&](const Constant& c) { return compare_stat(leaf, min, c); };
  auto hi_of = [&](const Constant& c) { return compare_stat(leaf, max, c); };
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
    case CompareOp::kLike: {
      // Some value in [prefix, successor) : max >= prefix and min < successor.
      const auto hi = hi_of(c);
      if (hi != std::partial_ordering::unordered && hi < 0) return false;
      Constant up = c;
      up.bytes = prefix_successor(c.bytes);
      if (up.bytes.empty()) return true;
      const auto lo = lo_of(up);
      return lo == std::partial_ordering::unordered || lo < 0;
    }
    default: return true;
  }
}

bool RowGroupFilter::may_match(const format::RowGroup& rg) const { return node_possible(root_, rg).can_be_true; }

}  // namespace sluice::parquet

namespace sluice::parquet {

bool RowGroupFilter::bloom_may_match(const format::RowGroup& rg, const ReadBytes& read) const {
  return node_bloom_may(root_, rg, read);
}

bool RowGroupFilter::node_bloom_may(const Node& n, const format::RowGroup& rg, const ReadBytes& read) const {
  switch (n.kind) {
    case Condition::Kind::kComparison:
      return n.term < 0 || term_bloom_may(terms_[static_cast<std::size_t>(n.term)], rg, read);
    case Condition::Kind::kAnd:
      for (const auto& o : n.operands)
        if (!node_bloom_may(o, rg, read)) return false;
      return true;
    case Condition::Kind::kOr:
      for (const auto& o : n.operands)
        if (node_bloom_may(o, rg, read)) return true;
      return false;
    default: return true;  // a NOT: absence proves it true
  }
}

bool RowGroupFilter::term_bloom_may(const Term& t, const format::RowGroup& rg, const ReadBytes& read) const {
  if (!t.hashable || static_cast<std::size_t>(t.leaf) >= rg.columns.size()) return true;
  const auto& chunk = rg.columns[static_cast<std::size_t>(t.leaf)];
  if (!chunk.__isset.meta_data || !chunk.meta_data.__isset.bloom_filter_offset) return true;
  const auto& m = chunk.meta_data;
  if (m.bloom_filter_offset < 4) return true;
  std::int64_t length = m.__isset.bloom_filter_length && m.bloom_filter_length > 0 ? m.bloom_filter_length : 256;
  auto bytes = read(m.bloom_filter_offset, length);
  if (!bytes.ok()) return true;
  std::size_t needed = 0;
  auto filter = BloomFilter::parse({(*bytes)->data(), static_cast<std::size_t>((*bytes)->size())}, &needed);
  if (!filter.ok() && needed > static_cast<std::size_t>((*bytes)->size())) {
    bytes = read(m.bloom_filter_offset, static_cast<std::int64_t>(needed));
    if (!bytes.ok()) return true;
    filter = BloomFilter::parse({(*bytes)->data(), static_cast<std::size_t>((*bytes)->size())}, &needed);
  }
  if (!filter.ok()) return true;
  for (std::uint64_t h : t.hashes)
    if (filter->might_contain(h)) return true;
  return false;
}

}  // namespace sluice::parquet

namespace sluice::parquet {

namespace {

using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

Ranges intersect(const Ranges& x, const Ranges& y) {
  Ranges both;
  std::size_t a = 0, b = 0;
  while (a < x.size() && b < y.size()) {
    const std::int64_t lo = std::max(x[a].first, y[b].first);
    const std::int64_t hi = std::min(x[a].second, y[b].second);
    if (lo < hi) both.emplace_back(lo, hi);
    if (x[a].second < y[b].second) ++a;
    else ++b;
  }
  return both;
}

Ranges unite(const Ranges& x, const Ranges& y) {
  Ranges all;
  all.reserve(x.size() + y.size());
  std::merge(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(all));
  Ranges out;
  for (const auto& r : all) {
    if (!out.empty() && r.first <= out.back().second) out.back().second = std::max(out.back().second, r.second);
    else out.push_back(r);
  }
  return out;
}

}  // namespace

RowGroupFilter::RowRanges RowGroupFilter::page_ranges(const format::RowGroup& rg, const ReadBytes& read) const {
  return node_ranges(root_, rg, read);
}

RowGroupFilter::RowRanges RowGroupFilter::node_ranges(const Node& n, const format::RowGroup& rg,
                                                      const ReadBytes& read) const {
  const RowRanges all{{0, rg.num_rows}};
  switch (n.kind) {
    case Condition::Kind::kComparison: {
      if (n.term < 0) return all;
      auto r = term_ranges(terms_[static_cast<std::size_t>(n.term)], rg, read);
      return r ? std::move(*r) : all;
    }
    case Condition::Kind::kAnd: {
      RowRanges out = all;
      for (const auto& o : n.operands) {
        if (out.empty()) break;
        out = intersect(out, node_ranges(o, rg, read));
      }
      return out;
    }
    case Condition::Kind::kOr: {
      RowRanges out;
      for (const auto& o : n.operands) {
        out = unite(out, node_ranges(o, rg, read));
        if (out == all) break;
      }
      return out;
    }
    default: return all;
  }
}

std::optional<RowGroupFilter::RowRanges> RowGroupFilter::term_ranges(const Term& t, const format::RowGroup& rg,
                                                                     const ReadBytes& read) const {
  const RowRanges all{{0, rg.num_rows}};
  if (static_cast<std::size_t>(t.leaf) >= rg.columns.size()) return std::nullopt;
  if (!type_ordered_[static_cast<std::size_t>(t.leaf)]) return std::nullopt;
  const auto& chunk = rg.columns[static_cast<std::size_t>(t.leaf)];
  if (!chunk.__isset.column_index_offset || !chunk.__isset.column_index_length || !chunk.__isset.offset_index_offset ||
      !chunk.__isset.offset_index_length || chunk.column_index_length <= 0 || chunk.offset_index_length <= 0)
    return std::nullopt;
  auto ci_bytes = read(chunk.column_index_offset, chunk.column_index_length);
  auto oi_bytes = read(chunk.offset_index_offset, chunk.offset_index_length);
  if (!ci_bytes.ok() || !oi_bytes.ok()) return std::nullopt;
  auto ci = parse_column_index({(*ci_bytes)->data(), static_cast<std::size_t>((*ci_bytes)->size())});
  auto oi = parse_offset_index({(*oi_bytes)->data(), static_cast<std::size_t>((*oi_bytes)->size())});
  if (!ci.ok() || !oi.ok()) return std::nullopt;
  const auto& locs = oi->page_locations;
  const std::size_t pages = locs.size();
  if (ci->null_pages.size() != pages || ci->min_values.size() != pages || ci->max_values.size() != pages)
    return std::nullopt;
  const bool counts = ci->__isset.null_counts && ci->null_counts.size() == pages;
  RowRanges keep;
  for (std::size_t i = 0; i < pages; ++i) {
    const std::int64_t begin = locs[i].first_row_index;
    const std::int64_t end = i + 1 < pages ? locs[i + 1].first_row_index : rg.num_rows;
    if (begin < 0 || end > rg.num_rows || begin > end) return std::nullopt;  // an index not of this group
    bool may = true;
    if (t.op == CompareOp::kIsNull) {
      may = ci->null_pages[i] || !(counts && ci->null_counts[i] == 0);
    } else if (t.op == CompareOp::kIsNotNull) {
      may = !ci->null_pages[i];
    } else if (ci->null_pages[i]) {
      may = false;  // only nulls: no comparison holds
    } else {
      may = range_may_match(t, ci->min_values[i], ci->max_values[i], false);
    }
    if (!may || begin == end) continue;
    if (!keep.empty() && keep.back().second == begin) keep.back().second = end;
    else keep.emplace_back(begin, end);
  }
  return keep;
}

}  // namespace sluice::parquet
