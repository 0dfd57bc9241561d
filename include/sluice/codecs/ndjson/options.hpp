// Options of the NDJSON (JSON Lines) reader and writer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/types.hpp"

namespace sluice::ndjson {

// How the input holds its records.
enum class Format : std::uint8_t {
  kAuto,          // detected from the first bytes: '[' → kArray; a first record spanning lines → kConcatenated
  kLines,         // one JSON object per line (NDJSON / JSON Lines); blank lines and CRLF accepted
  kArray,         // one top-level JSON array of objects (a .json file)
  kConcatenated,  // JSON objects one after another, each free to span lines (pretty-printed)
};

enum class BadLinePolicy : std::uint8_t {
  kError,  // the first invalid record or unconvertible value ends the read with an error
  kSkip,   // such records are dropped and reported (BadLineReport)
};

// What happens to an object key the schema does not have.
enum class UnknownFields : std::uint8_t {
  kInfer,   // becomes a new column (struct field) with an inferred type: the schema widens
  kIgnore,  // dropped
  kError,   // an error (or a bad record under BadLinePolicy::kSkip)
};

// Integers beyond the int64 range (up to uint64 and beyond).
enum class BigIntegers : std::uint8_t {
  kDouble,  // the column becomes float64 (the value rounded to the nearest double)
  kError,   // an error naming the line
};

struct ReadOptions {
  Format format = Format::kAuto;
  // A complete schema: only these top-level columns, in this order, with these types (no
  // inference at all). Keys it lacks are handled by `unknown_fields` (kInfer then acts as kIgnore).
  SchemaPtr schema;
  // Declared types for some top-level columns (others inferred). A declared column never widens: a
  // value that does not fit is an error (or a bad record). Any type the buffer holds, nested too.
  std::vector<std::pair<std::string, TypePtr>> column_types;
  UnknownFields unknown_fields = UnknownFields::kInfer;
  BigIntegers big_integers = BigIntegers::kDouble;
  // Strings in ISO 8601 form become date / timestamp columns (with an offset or Z: timestamp with
  // time zone UTC, the instant). Off: every string is a string.
  bool detect_temporal = true;
  // Records sampled for inference before the first batch; later records that disagree widen the
  // schema (int64 → float64 → string, date → timestamp → string, new keys → new columns), never turn
  // a present value into null. Negative: infer from the whole input first (a file is read twice, a
  // stream is refused), so every batch has the final schema.
  std::int64_t infer_rows = 16384;

  BadLinePolicy bad_lines = BadLinePolicy::kError;

  // Streaming and memory.
  std::int64_t block_size = 512 << 10;       // bytes parsed per unit of work (a chunk and its index fit L2)
  std::int64_t batch_rows = 1 << 17;         // most rows in one Batch
  std::int64_t max_record_bytes = 16 << 20;  // a longer record is an error naming its line
  std::int64_t max_depth = 256;              // deeper nesting is an error
  std::int64_t max_fields = 1 << 16;         // most keys in one object (memory is per column)
  int threads = 1;                           // parse threads; the output does not depend on it
};

enum class NonFinite : std::uint8_t {
  kNull,   // NaN and ±Inf written as null, and counted (NdjsonWriter::non_finite_count)
  kError,  // an error naming the row and column
};

enum class InvalidUtf8 : std::uint8_t {
  kReplace,  // each invalid sequence becomes U+FFFD
  kError,    // an error naming the row and column
};

struct WriteOptions {
  bool array = false;  // one JSON array of objects (a .json file) instead of one object per line
  NonFinite non_finite = NonFinite::kNull;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReplace;
  bool write_nulls = true;  // false: null fields are left out of their object
  std::int64_t buffer_size = 1 << 20;
  // Formatting threads; the output does not depend on it. Above 1, rows are formatted in ranges of
  // about buffer_size bytes on the threads while the calling thread writes the finished ones, in
  // order: write() may return before its batch is written (the batch's buffers are held until then),
  // and the error of a bad value may be returned by a later write() or by finish() (with its row).
  int threads = 1;
};

}  // namespace sluice::ndjson
