// Shredding: the rows of a top-level column into one leaf's repetition and definition levels and
// the positions of its present values (Dremel's record shredding, Arrow's layout in).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/write_schema.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// The way from a top-level field's node to one of its leaves.
struct LeafPath {
  std::vector<const WriteNode*> nodes;  // nodes[0]: the top-level field, back(): the leaf
  std::vector<int> child;               // nodes[d] → nodes[d+1]: a struct's field / a map's key (0) or value (1)
  int leaf = -1;
};

// All leaves of a field, in column order.
void leaf_paths_of(const WriteNode& field, std::vector<LeafPath>& out);

struct LeafLevels {
  const ArrayData* values = nullptr;  // the leaf's array
  std::int64_t count = 0;             // level entries
  std::int64_t rows = 0;
  std::vector<std::int16_t> def;      // count entries, when max_def > 0
  std::vector<std::int16_t> rep;      // count entries, when max_rep > 0
  // Positions in `values` of the present values, in order (only when max_rep > 0; otherwise entry k
  // is position k).
  std::vector<std::int64_t> positions;
};

// Levels of rows [0, column.length) for one leaf. `first_row` and `column_name` only name a row in
// the error for a null in a field declared not nullable.
Status shred(const LeafPath& path, const WriteLeaf& leaf, const ArrayData& column, std::int64_t first_row,
             LeafLevels& out);

}  // namespace sluice::parquet
