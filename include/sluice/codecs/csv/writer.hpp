// Streaming CSV writer: Batches in, text out to a Sink.
#pragma once

#include <memory>
#include <string>

#include "sluice/codecs/csv/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/io/sink.hpp"

namespace sluice::csv {

class CsvWriter {
 public:
  // The sink is borrowed; the caller finishes or aborts it after finish() (or a failure).
  static Result<std::unique_ptr<CsvWriter>> open(io::Sink& sink, WriteOptions options = {});
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // The header is written with the first batch (or at finish() from `schema` if no batch came).
  Status write(const Batch& batch);
  // Flushes what is buffered. Writes the header if there was no batch and a schema is known.
  Status finish(const Schema* schema_if_empty = nullptr);
  std::int64_t rows_written() const;
  // Formatted bytes not yet handed to the sink (the one-thread writer's buffer, up to buffer_size).
  std::int64_t buffered_bytes() const;

  class Impl;

 private:
  explicit CsvWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::csv
