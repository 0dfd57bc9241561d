// Streaming NDJSON / JSON reader: bytes from a Source into Batches of bounded size, parsed with
// simdjson On-Demand.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/codecs/ndjson/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/source.hpp"

namespace sluice::ndjson {

struct BadLineReport {
  std::int64_t count = 0;
  std::vector<std::int64_t> first_lines;  // line numbers (1-based) of the first few bad records
  std::vector<std::string> first_reasons;
};

class NdjsonReader {
 public:
  // Reads enough of the input to detect its format and infer the schema.
  static Result<std::unique_ptr<NdjsonReader>> open(io::SourcePtr source, ReadOptions options = {});
  ~NdjsonReader();
  NdjsonReader(const NdjsonReader&) = delete;
  NdjsonReader& operator=(const NdjsonReader&) = delete;

  // The schema so far. It may widen while reading (never narrows); each Batch carries the schema it
  // was built with. After the end it is the schema of the whole input.
  const SchemaPtr& schema() const;
  Format format() const;  // as given or detected

  // The next batch, or nullopt at the end of the input.
  Result<std::optional<Batch>> next();

  const BadLineReport& bad_lines() const;
  std::uint64_t bytes_read() const;

  class Impl;

 private:
  explicit NdjsonReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a whole source into batches (convenience for tests and small files).
Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options = {});

}  // namespace sluice::ndjson
