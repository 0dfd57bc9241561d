// Options of the CSV reader and writer. Unset optionals are sniffed from the data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/types.hpp"

namespace sluice::csv {

enum class BadRowPolicy : std::uint8_t {
  kError,  // the first ragged row or unconvertible value ends the read with an error
  kSkip,   // such rows are dropped and reported (BadRowReport)
};

struct ReadOptions {
  // Dialect. Unset: sniffed (delimiter among , ; \t |; quote among " ' or none; header).
  std::optional<char> delimiter;
  std::optional<char> quote;             // '\0' means no quoting at all
  std::optional<char> escape;            // inside quotes only; unset: a doubled quote escapes a quote (RFC 4180)
  std::optional<char> comment;           // lines starting with it are skipped
  std::optional<bool> header;
  std::int64_t skip_rows = 0;            // physical lines skipped before the header or data

  // Values. A field equal to one of these (unquoted) is null; default: only the empty field.
  std::vector<std::string> null_values = {""};
  // Column names replacing the header's (or naming the columns when there is no header).
  std::vector<std::string> column_names;
  // Declared types by column name; a declared column is never widened: a value that does not fit
  // is an error (or a bad row). Columns not named are inferred.
  std::vector<std::pair<std::string, TypePtr>> column_types;
  // Types a column has where it is there (a dataset's schema, fixed by its first file): as
  // column_types, but a name that is no column here is ignored, and so is a type CSV cannot hold.
  // column_types wins where both name a column.
  std::vector<std::pair<std::string, TypePtr>> expected_types;
  // Rows sampled for type inference (from the first MiB whatever block_size, as the dialect and the
  // header are); later values that do not fit widen the column (int64 → float64 → string, date →
  // timestamp → string, ...), never become null, and later batches carry the wider type. Negative:
  // infer from the whole input first (a file is read twice), so every batch has the final schema.
  std::int64_t infer_rows = 16384;

  // Errors.
  BadRowPolicy bad_rows = BadRowPolicy::kError;

  // Streaming and memory.
  std::int64_t block_size = 1 << 20;       // bytes read and parsed per unit of work (and most in a batch)
  std::int64_t batch_rows = 1 << 17;       // most rows in one Batch
  // A row with more bytes before its line end (quoted line ends included; e.g. an unterminated quote)
  // is an error, under BadRowPolicy::kSkip too, whatever block_size is. At most 2 GiB.
  std::int64_t max_row_bytes = 64 << 20;
  std::int64_t max_columns = 1 << 16;      // a wider first row is an error (memory is per column)
  int threads = 1;                         // parse threads; the output does not depend on it
};

enum class QuoteStyle : std::uint8_t {
  kMinimal,     // only fields that need it: delimiter, quote, CR or LF inside, or equal to the null string
  kNonNumeric,  // every value that is not a number or boolean, and every null-string collision
  kAll,         // every non-null field
  kNone,        // never; a field that would need quotes is an error
};

struct WriteOptions {
  char delimiter = ',';
  char quote = '"';
  QuoteStyle quoting = QuoteStyle::kMinimal;
  bool header = true;
  std::string null_string;       // how a null is written (default empty)
  std::string line_ending = "\n";
  std::int64_t buffer_size = 1 << 20;
  // Formatting threads; the output does not depend on it. Above 1, rows are formatted in ranges of
  // about buffer_size bytes on the threads while the calling thread writes the finished ones, in
  // order: write() may return before its batch is written (the batch's buffers are held until then),
  // and the error of a bad value may be returned by a later write() or by finish() (with its row).
  int threads = 1;
};

}  // namespace sluice::csv
