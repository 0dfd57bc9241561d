// Streaming NDJSON writer: Batches in, one JSON object per row out to a Sink (or one JSON array).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sluice/codecs/ndjson/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/io/sink.hpp"

namespace sluice::ndjson {

class NdjsonWriter {
 public:
  // The sink is borrowed; the caller finishes or aborts it after finish() (or a failure).
  static Result<std::unique_ptr<NdjsonWriter>> open(io::Sink& sink, WriteOptions options = {});
  ~NdjsonWriter();
  NdjsonWriter(const NdjsonWriter&) = delete;
  NdjsonWriter& operator=(const NdjsonWriter&) = delete;

  Status write(const Batch& batch);
  // Flushes what is buffered (and closes the array in array mode).
  Status finish();
  std::int64_t rows_written() const;
  // Formatted bytes not yet handed to the sink (the one-thread writer's buffer, up to buffer_size).
  std::int64_t buffered_bytes() const;
  // NaN / ±Inf values written as null under NonFinite::kNull.
  std::int64_t non_finite_count() const;

  class Impl;

 private:
  explicit NdjsonWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Appends the JSON text of the value at row i of `array` (any type, nested included; null → null)
// to `out`, as the writer writes it with default options. Used by the CSV writer for nested columns.
void append_json_value(std::string& out, const ArrayData& array, std::int64_t i);

}  // namespace sluice::ndjson
