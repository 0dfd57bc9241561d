// Parsing chunks of NDJSON records with simdjson On-Demand straight into column builders, and the
// inference walk. The only translation unit that includes simdjson.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ndjson/infer.hpp"
#include "sluice/codecs/ndjson/options.hpp"
#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"

namespace sluice::ndjson::detail {

// simdjson reads up to this many bytes past the end of its input.
inline constexpr std::size_t kPadding = 64;

// Whole records, one per line ('\n'), with kPadding readable bytes past `size`.
struct Chunk {
  BufferPtr bytes;
  std::size_t size = 0;
  std::uint64_t file_offset = 0;  // of bytes[0] in the input
  std::int64_t index = 0;
  // Formats other than lines: records were rewritten one per line; record i came from this line
  // (relative to the chunk's first line) and byte (relative to file_offset) of the input.
  std::vector<std::int64_t> record_lines;
  std::vector<std::uint64_t> record_offsets;
  std::int64_t input_lines = -1;  // lines of the input the chunk spans (-1: count '\n' in bytes)
  std::uint64_t input_bytes = 0;  // bytes of the input the chunk spans
  const char* data() const { return reinterpret_cast<const char*>(bytes->data()); }
};

struct Settings {
  UnknownFields unknown_fields = UnknownFields::kInfer;
  BigIntegers big_integers = BigIntegers::kDouble;
  bool detect_temporal = true;
  BadLinePolicy bad_lines = BadLinePolicy::kError;
  bool root_declared = false;  // a complete schema was given
  std::vector<std::pair<std::string, TypePtr>> declared;  // top-level declared columns
  std::int64_t max_depth = 256;
  std::int64_t max_fields = 1 << 16;
  std::int64_t max_record_bytes = 16 << 20;
};

// A record that could not be read: where (chunk-relative) and why.
struct BadRecord {
  std::int64_t line = 0;        // 0-based line within the chunk's input lines
  std::uint64_t offset = 0;     // byte offset relative to the chunk's file_offset
  std::string reason;
  std::string column;           // top-level column, when the problem is a value
  ErrorCode code = ErrorCode::kParseError;
};

struct ChunkOutput {
  TypePtr type;  // struct of the columns
  std::vector<ArrayPtr> columns;
  std::int64_t rows = 0;
  std::int64_t lines = 0;  // input lines the chunk spans
  std::vector<BadRecord> bad;      // dropped records (BadLinePolicy::kSkip), in order
  std::int64_t bad_count = 0;
  std::optional<BadRecord> error;  // the read fails here (BadLinePolicy::kError)
};

class ChunkParser {
 public:
  explicit ChunkParser(const Settings& settings);
  ~ChunkParser();
  ChunkParser(const ChunkParser&) = delete;
  ChunkParser& operator=(const ChunkParser&) = delete;

  // Converts every record of the chunk with `type` (a struct), widening what is not declared until
  // every value fits: the result's type is `type` joined with the chunk's own (never narrower).
  ChunkOutput process(const Chunk& chunk, const TypePtr& type);

  // Joins the kinds of the chunk's first `max_records` records (all when negative) into `root`.
  // Invalid records are skipped and counted (their first problem in *first_error). Returns the
  // number of records seen.
  std::int64_t infer(const Chunk& chunk, Node& root, std::int64_t max_records, std::optional<BadRecord>* first_error);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Lines ('\n') in data[0, n).
std::int64_t count_lines(const char* data, std::size_t n);

}  // namespace sluice::ndjson::detail
