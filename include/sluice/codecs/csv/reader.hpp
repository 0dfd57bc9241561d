// Streaming CSV reader: bytes from a Source into Batches of bounded size.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/codecs/csv/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/source.hpp"

namespace sluice::csv {

// The dialect the reader uses, as given or sniffed.
struct Dialect {
  char delimiter = ',';
  char quote = '"';       // '\0': no quoting
  char escape = '\0';     // '\0': doubled quotes
  char comment = '\0';    // '\0': none
  bool header = true;
};

struct BadRowReport {
  std::int64_t count = 0;
  std::vector<std::int64_t> first_lines;  // line numbers (1-based) of the first few bad rows
  std::vector<std::string> first_reasons;
};

class CsvReader {
 public:
  // Reads the first block, sniffs what is unset in `options`, and infers the schema.
  static Result<std::unique_ptr<CsvReader>> open(io::SourcePtr source, ReadOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The schema so far. A column may widen while reading (never narrow); each Batch carries the
  // schema it was built with. After the end it is the schema of the whole input.
  const SchemaPtr& schema() const;
  const Dialect& dialect() const;

  // The next batch, or nullopt at the end of the input.
  Result<std::optional<Batch>> next();

  // Rows dropped under BadRowPolicy::kSkip.
  const BadRowReport& bad_rows() const;
  // Bytes of input consumed so far (for progress).
  std::uint64_t bytes_read() const;

  class Impl;

 private:
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a whole source into batches (convenience for tests and small files).
Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options = {});

}  // namespace sluice::csv
