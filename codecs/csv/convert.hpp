// From a field index to typed columns: one column at a time over all rows of a chunk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "csv/assemble.hpp"
#include "sluice/core/array.hpp"

namespace sluice::csv::detail {

// Which unquoted field texts are null.
struct NullSet {
  bool empty_is_null = true;
  std::vector<std::string> others;  // non-empty null strings
  bool only_empty() const { return others.empty(); }
  bool matches(const char* p, std::size_t n) const {
    if (n == 0) return empty_is_null;
    for (const auto& s : others)
      if (s.size() == n && std::memcmp(s.data(), p, n) == 0) return true;
    return false;
  }
};

struct ConvertInput {
  const Chunk& chunk;
  const FieldIndex& index;
  const Dialect& dialect;
  std::size_t ncols;
  const NullSet& nulls;
};

struct ColumnResult {
  ArrayPtr array;
  std::int64_t failed_row = -1;  // first row whose value does not fit (when not collecting bad rows)
};

// Converts column `col` of every row to `type`. With `bad` (one flag per row) given, values that do
// not fit are nulled and flagged instead of failing the column.
ColumnResult convert_column(const ConvertInput& in, std::size_t col, const TypePtr& type,
                            std::vector<std::uint8_t>* bad);

// The text of field (row, col) with quotes removed; `quoted` says whether it was quoted.
std::string_view field_text(const ConvertInput& in, std::int64_t row, std::size_t col, std::string& scratch,
                            bool* quoted = nullptr);

// Keeps the rows whose flag is 0 (for dropping bad rows).
ArrayPtr filter_rows(const ArrayData& a, const std::vector<std::uint8_t>& drop, std::int64_t kept);

// True for the types the CSV reader can produce.
bool csv_supports(const DataType& t);

}  // namespace sluice::csv::detail
