// From a field index to typed columns. A ColumnConverter appends one column's values a range of rows
// at a time, so the reader converts rows while their bytes are still in cache.
#pragma once

#include <cstdint>
#include <memory>
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
  std::int64_t row0 = 0;  // index rows before this one are not data (the header row)
};

class ColumnConverter {
 public:
  virtual ~ColumnConverter() = default;
  // Converts rows [r0, r1) of `in` into output rows [r0 - in.row0, r1 - in.row0). The rows must be in
  // in.index (which may hold only recent rows). Returns the first row whose value does not fit the
  // type, or -1. With `bad` (a flag per output row, grown by the converter) such values are nulled
  // and flagged instead.
  virtual std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) = 0;
  // The column of every row converted so far.
  virtual ArrayPtr finish() = 0;
  const TypePtr& type() const { return type_; }

 protected:
  explicit ColumnConverter(TypePtr type) : type_(std::move(type)) {}
  TypePtr type_;
};

// A converter for `type` (one of the types csv_supports()). `expected_rows` sizes the first buffers.
std::unique_ptr<ColumnConverter> make_converter(std::size_t col, const TypePtr& type, std::vector<std::uint8_t>* bad,
                                                std::int64_t expected_rows);

// The text of field (index row, col) with quotes removed; `quoted` says whether it was quoted.
std::string_view field_text(const ConvertInput& in, std::int64_t row, std::size_t col, std::string& scratch,
                            bool* quoted = nullptr);

// Keeps the rows whose flag is 0 (for dropping bad rows).
ArrayPtr filter_rows(const ArrayData& a, const std::vector<std::uint8_t>& drop, std::int64_t kept);

// True for the types the CSV reader can produce.
bool csv_supports(const DataType& t);

}  // namespace sluice::csv::detail
