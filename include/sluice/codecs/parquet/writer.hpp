// Streaming Parquet writer: Batches in, a Parquet file out to a Sink. Pages are encoded and
// compressed as rows arrive; a row group's pages are held until it is complete and then written, so
// memory is about one row group (row_group_bytes, compressed) plus one page per column and buffers
// kept for reuse, whatever the rows. With threads > 1 a finished row group is written to the sink
// by a thread of its own while the next is encoded: two row groups at most.
#pragma once

#include <cstdint>
#include <memory>

#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/sink.hpp"

namespace sluice::parquet {

class ParquetWriter {
 public:
  // Checks that every column of `schema` can be written and the options apply (unknown column
  // paths, an encoding that does not suit a column's type and other mistakes are kInvalidArgument),
  // and writes the leading magic. The sink is borrowed: the caller finishes it after finish(), or
  // aborts it after a failure (the footer is written only by finish(), so a file that was not
  // finished is never a valid Parquet file).
  static Result<std::unique_ptr<ParquetWriter>> open(io::Sink& sink, SchemaPtr schema, WriteOptions options = {});
  ~ParquetWriter();
  ParquetWriter(const ParquetWriter&) = delete;
  ParquetWriter& operator=(const ParquetWriter&) = delete;

  // Appends the batch's rows. Its columns must have the schema's types (names may differ); a null
  // in a column the schema declares not nullable is kInvalidArgument naming the column and row.
  // After a failed write the writer takes nothing more but abort-by-destruction.
  Status write(const Batch& batch);
  // Writes the last row group, the bloom filters and page indexes, and the footer.
  Status finish();
  // Ends the row group in progress early (if it holds rows) and waits until its bytes are in the sink:
  // what the writer held for it is released. For callers that cap memory across many open writers.
  Status flush();

  std::int64_t rows_written() const;
  int row_groups_written() const;
  // Bytes held: the row group in progress (encoded pages, pages being built, dictionaries) and what
  // the footer will need of the row groups written (their page indexes and chunk metadata).
  std::int64_t buffered_bytes() const;
  // The most bytes ever held at once.
  std::int64_t peak_buffered_bytes() const;

  class Impl;

 private:
  explicit ParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes the batches as one file to `sink` and finishes the writer (not the sink).
Status write_all(io::Sink& sink, SchemaPtr schema, const std::vector<Batch>& batches, WriteOptions options = {});

}  // namespace sluice::parquet
