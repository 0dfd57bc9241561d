// Row group pruning: a filter's comparisons judged against the min/max statistics and null counts in
// the footer, so that row groups no row of which can match are never read.
#pragma once

#include <functional>
#include <vector>

#include "parquet/metadata.hpp"
#include "parquet/schema.hpp"
#include "sluice/codecs/filter.hpp"

namespace sluice::parquet {

class RowGroupFilter {
 public:
  // Binds the terms to the file's leaves. A term on a column the file lacks is kInvalidArgument; a
  // constant that does not fit its column's type is the error coerce() gives. Terms no statistics can
  // decide (inside lists, INT96, float16, nested columns) are kept for the row filter only.
  static Result<RowGroupFilter> bind(const Predicate& predicate, const format::FileMetaData& md,
                                     const ParquetSchema& schema);

  // False only when the statistics prove that no row of the group satisfies every term: min/max used
  // as bounds (a truncated value is still a bound), NaN never in them, unsigned columns compared
  // unsigned, a column order other than the type's own (or deprecated min/max of binary columns)
  // ignored.
  bool may_match(const format::RowGroup& rg) const;

  // For a group may_match() kept: false when a bloom filter proves every value of some `=` / `IN`
  // term absent from its column chunk. `read(offset, length)` fetches bytes of the file; a filter
  // that cannot be read or parsed proves nothing.
  using ReadBytes = std::function<Result<BufferPtr>(std::int64_t offset, std::int64_t length)>;
  bool bloom_may_match(const format::RowGroup& rg, const ReadBytes& read) const;

  // The rows [begin, end) of a row group that may satisfy the filter by the page indexes (column
  // index and offset index) of its filtered columns, in order and disjoint; every row when no term
  // has a page index. Pages whose min/max and null counts rule a term out drop their rows.
  using RowRanges = std::vector<std::pair<std::int64_t, std::int64_t>>;
  RowRanges page_ranges(const format::RowGroup& rg, const ReadBytes& read) const;

  int terms_used() const { return static_cast<int>(terms_.size()); }

 private:
  struct Term {
    int leaf = -1;
    CompareOp op = CompareOp::kEq;
    std::vector<Constant> values;
    std::vector<std::uint64_t> hashes;  // xxHash64 of each value's PLAIN encoding
    bool hashable = false;              // every value has one (an `=` / `IN` term the bloom can judge)
  };
  bool term_may_match(const Term& t, const format::ColumnChunk& chunk) const;
  // min/max (bounds; `exact` when neither was truncated) against a comparison term.
  bool range_may_match(const Term& t, const std::string& min, const std::string& max, bool exact) const;

  std::vector<Term> terms_;
  const ParquetSchema* schema_ = nullptr;
  std::vector<bool> type_ordered_;  // by leaf: statistics follow the type's own order
};

}  // namespace sluice::parquet
