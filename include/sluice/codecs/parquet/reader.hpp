// Streaming Parquet reader: a random-access Source into Batches of bounded rows, reading only the
// selected columns' chunks of the row groups that a filter does not rule out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/source.hpp"

namespace sluice::parquet {

class ParquetReader {
 public:
  // Reads and validates the footer (nothing else) and resolves the column selection.
  static Result<std::unique_ptr<ParquetReader>> open(io::SourcePtr source, ReadOptions options = {});
  ~ParquetReader();
  ParquetReader(const ParquetReader&) = delete;
  ParquetReader& operator=(const ParquetReader&) = delete;

  // The schema of the batches (the selected columns).
  const SchemaPtr& schema() const;
  // The next batch, or nullopt at the end of the file.
  Result<std::optional<Batch>> next();

  std::int64_t num_rows() const;        // in the file
  int num_row_groups() const;           // in the file
  int row_groups_skipped() const;       // by the filter, so far
  std::uint64_t bytes_read() const;     // from the source, so far

  // The Parquet schema as a tree: names, repetition, physical and logical types.
  std::string describe_schema() const;
  // The footer: created_by, key-value metadata, and per row group and column chunk the encodings,
  // codec, sizes, offsets and statistics.
  std::string describe_footer() const;

  class Impl;

 private:
  explicit ParquetReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a whole source into batches (convenience for tests and small files).
Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options = {});

}  // namespace sluice::parquet
