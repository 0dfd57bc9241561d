// From levels and dense values to arrays: validity bitmaps, list and map offsets and struct
// children of a field, rebuilt from the definition and repetition levels of the leaves under it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/column_reader.hpp"
#include "parquet/schema.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// The array of `field` for the rows in `chunks` (indexed by leaf; every leaf under the field read
// for the same rows). Levels that contradict each other or the values are a kParseError (never a
// read out of bounds): a file whose leaves disagree on the rows, a null map key, a value that does
// not fit its decimal or timestamp.
Result<ArrayPtr> assemble(const FieldNode& field, const std::vector<LeafChunk*>& chunks,
                          const std::vector<LeafInfo>& leaves, std::int64_t rows);

}  // namespace sluice::parquet
