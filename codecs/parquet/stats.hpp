// Row group pruning: a filter's comparisons judged against the min/max statistics and null counts in
// the footer, so that row groups no row of which can match are never read.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "parquet/metadata.hpp"
#include "parquet/schema.hpp"
#include "sluice/codecs/filter.hpp"

namespace sluice::parquet {

class RowGroupFilter {
 public:
  // Binds the comparisons to the file's leaves. A comparison on a column the file lacks is
  // kInvalidArgument; a constant that does not fit its column's type is the error coerce() gives.
  // Comparisons no statistics can decide (inside lists, INT96, float16, nested columns, ILIKE, LIKE
  // without a literal prefix) prove nothing here and are left to the row filter. ANDs, ORs and NOTs
  // combine what the comparisons prove (three-valued: see sluice::possible()).
  static Result<RowGroupFilter> bind(const Predicate& predicate, const format::FileMetaData& md,
                                     const ParquetSchema& schema);

  // False only when the statistics prove that no row of the group satisfies the filter: min/max used
  // as bounds (a truncated value is still a bound), NaN never in them, unsigned columns compared
  // unsigned, a column order other than the type's own (or deprecated min/max of binary columns)
  // ignored. Under a NOT, a comparison is judged by whether some row can fail it (never for floats,
  // whose NaNs the statistics leave out).
  bool may_match(const format::RowGroup& rg) const;

  // For a group may_match() kept: false when bloom filters prove the filter false for every row: the
  // values of an `=` / `IN` (or LIKE without wildcards) absent from its column chunk, for some
  // operand of an AND, every operand of an OR. `read(offset, length)` fetches bytes of the file; a filter
  // that cannot be read or parsed proves nothing.
  using ReadBytes = std::function<Result<BufferPtr>(std::int64_t offset, std::int64_t length)>;
  bool bloom_may_match(const format::RowGroup& rg, const ReadBytes& read) const;

  // The rows [begin, end) of a row group that may satisfy the filter by the page indexes (column
  // index and offset index) of its filtered columns, in order and disjoint; every row when no
  // comparison has a page index. Pages whose min/max and null counts rule a comparison out drop their
  // rows (an AND keeps the rows all its operands keep, an OR those any keeps; a NOT keeps every row).
  using RowRanges = std::vector<std::pair<std::int64_t, std::int64_t>>;
  RowRanges page_ranges(const format::RowGroup& rg, const ReadBytes& read) const;

  int terms_used() const { return static_cast<int>(terms_.size()); }

 private:
  struct Term {
    int leaf = -1;
    // kLike: values[0] is the prefix every matching value starts with (LIKE 'abc%').
    CompareOp op = CompareOp::kEq;
    std::vector<Constant> values;
    std::vector<std::uint64_t> hashes;  // xxHash64 of each value's PLAIN encoding
    bool hashable = false;              // every value has one (an `=` / `IN` term the bloom can judge)
    bool in_has_null = false;           // IN (..., NULL): unknown, never false, for other values
  };
  // The filter's shape over the bound terms: a kComparison node's term, or -1 for a comparison no
  // statistics judge.
  struct Node {
    Condition::Kind kind = Condition::Kind::kComparison;
    int term = -1;
    std::vector<Node> operands;
  };
  Result<Node> bind_node(const Condition& c, const format::FileMetaData& md);
  Possible node_possible(const Node& n, const format::RowGroup& rg) const;
  bool node_bloom_may(const Node& n, const format::RowGroup& rg, const ReadBytes& read) const;
  RowRanges node_ranges(const Node& n, const format::RowGroup& rg, const ReadBytes& read) const;
  bool term_bloom_may(const Term& t, const format::RowGroup& rg, const ReadBytes& read) const;
  // The rows whose pages may satisfy `t`; nullopt where the chunk has no usable page index.
  std::optional<RowRanges> term_ranges(const Term& t, const format::RowGroup& rg, const ReadBytes& read) const;
  // Whether some row of the chunk can make `t` true, and whether some can make it false (a null
  // makes it neither).
  Possible term_possible(const Term& t, const format::ColumnChunk& chunk) const;
  // min/max (bounds; `exact` when neither was truncated) against a comparison term.
  bool range_may_match(const Term& t, const std::string& min, const std::string& max, bool exact) const;
  // The chunk's usable min/max; false where there are none (or they do not follow the type's order).
  bool chunk_bounds(const Term& t, const format::ColumnChunk& chunk, const std::string** min, const std::string** max,
                    bool* exact) const;

  std::vector<Term> terms_;
  Node root_;  // kAnd of the filter's terms
  const ParquetSchema* schema_ = nullptr;
  std::vector<bool> type_ordered_;  // by leaf: statistics follow the type's own order
};

}  // namespace sluice::parquet
