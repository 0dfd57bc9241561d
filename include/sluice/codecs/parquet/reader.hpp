// Streaming Parquet reader: a random-access Source into Batches of bounded rows, reading only the
// selected columns' chunks of the row groups that a filter does not rule out.
#pragma once

#include <cstdint>
#include <functional>
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

  // Where a batch of scan_unordered() comes from.
  struct BatchPlace {
    int row_group = 0;        // its row group, in the file
    std::int64_t first_row = 0;  // the file's row its first row is
    int thread = 0;           // 0 .. threads - 1: the thread it is handed out on (0: the caller's)
  };
  using UnorderedConsumer = std::function<Status(Batch&& batch, const BatchPlace& place)>;
  // Every batch of the file to `consume`, for consumers whose result does not depend on the order
  // (counts, sums, a hash table per thread): with options.threads > 1, that many threads (the
  // caller's and threads - 1 of the reader's) each take the next row group still unread, decode it a
  // batch at a time as one thread reads (memory: threads times one thread's) and call `consume` on
  // their own thread, so `consume` runs on several threads at once. A row group's batches come in
  // order, on one thread; row groups in no set order. With one thread, or one row group, the batches
  // come in file order on the caller's thread (as next() gives them).
  // Returns the error one thread reading in file order would meet first (the file's or consume's,
  // of the first row group that fails), after the batches before it; batches of later row groups may
  // have been handed out too. Only before the first next(); next() is at the end afterwards.
  Status scan_unordered(const UnorderedConsumer& consume);

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
