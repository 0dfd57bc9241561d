// Options of the Parquet reader.
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/types.hpp"

namespace sluice {
class Predicate;  // sluice/codecs/filter.hpp
}

namespace sluice::parquet {

struct ReadOptions {
  // Columns to read, as dotted paths of the Parquet schema ("a", "s.b", "m.key_value.key" or the
  // Arrow-side "m.key"); a group selects everything under it. Empty: every column. Only the selected
  // columns' chunks are read; the output keeps each selected field's ancestors (a struct with only
  // the selected children).
  std::vector<std::string> columns;
  // Rows of row groups (and pages, through the page index) the predicate proves empty are skipped
  // unread. Rows of the remaining groups are NOT filtered one by one: the caller (the CLI's --where)
  // filters what comes out.
  std::shared_ptr<const sluice::Predicate> filter;

  std::int64_t batch_rows = 1 << 16;  // most rows in one Batch
  int threads = 1;                    // decode threads; the output does not depend on it
  // With threads > 1, row groups (up to 64 MiB decoded each) are decoded whole ahead of the caller by
  // threads - 1 workers, two per worker (0) or this many at most in all, while the caller's thread
  // decodes the row groups they leave it a batch at a time. (ParquetReader::scan_unordered() holds
  // none ahead: each thread decodes its own row group a batch at a time.)
  int row_groups_ahead = 0;
  bool verify_checksums = false;      // check page CRCs where the writer stored them (error when wrong)
  // INT96 timestamps (Impala, Spark): microseconds by default, as Spark and DuckDB read them, so that
  // every date Spark can write reads back; nanoseconds on request (a value out of the int64 range is
  // then an error, never a wrapped value).
  TimeUnit int96_unit = TimeUnit::kMicro;

  // Limits on what an untrusted file may make the reader allocate.
  std::int64_t max_page_bytes = 1 << 30;         // a page's compressed or uncompressed size
  std::int64_t max_footer_bytes = 256 << 20;     // the FileMetaData
  std::int64_t max_thrift_string_bytes = 100 << 20;
  std::int64_t max_thrift_container_elems = 1'000'000;
  // Byte ranges of one row group closer than this are read as one (fewer requests to a remote store).
  std::int64_t range_merge_gap = 1 << 20;
};

// ---- writing ----

// Page compression. The values are parquet.thrift's CompressionCodec ones.
enum class Compression : std::int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kBrotli = 4,
  kZstd = 6,
  kLz4Raw = 7,
};

// Passed as a compression level to use the codec's own default: GZIP 6 (0..9), BROTLI 8 (0..11),
// ZSTD 3 (negative..22), LZ4_RAW fast (<= 1; 2..12 LZ4HC); SNAPPY has no levels.
inline constexpr int kDefaultLevel = INT_MIN;

// How a column's values are encoded.
enum class ColumnEncoding : std::uint8_t {
  kDefault,                // dictionary when `dictionary` is on (PLAIN once the dictionary is too big), else PLAIN
  kPlain,
  kDeltaBinaryPacked,      // INT32, INT64 (integers, dates, times, timestamps, small decimals)
  kDeltaLengthByteArray,   // BYTE_ARRAY (strings, binary)
  kDeltaByteArray,         // BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY (prefix-compressed: sorted strings)
  kByteStreamSplit,        // FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY
};

// A logical annotation the buffer's types do not carry.
enum class Annotation : std::uint8_t {
  kDefault,  // from the type: string → STRING, ...
  kJson,     // a string column that holds JSON text
  kEnum,     // a string column of enum values
  kUuid,     // a fixed_size_binary[16] column
  kBson,     // a binary column
  kInterval, // a fixed_size_binary[12] column: months, days, milliseconds (little-endian uint32)
};

// Settings of the columns under a path ("a", "s.b", "l.element" or "l" for everything under it). Unset
// members keep the file-wide setting; a later entry overrides an earlier one where both apply.
struct ColumnWriteOptions {
  std::string path;
  std::optional<Compression> compression;
  std::optional<int> compression_level;
  std::optional<bool> dictionary;
  std::optional<ColumnEncoding> encoding;
  std::optional<bool> statistics;
  std::optional<bool> bloom_filter;
  Annotation annotation = Annotation::kDefault;
};

struct WriteOptions {
  Compression compression = Compression::kSnappy;
  int compression_level = kDefaultLevel;
  // Dictionary encoding (RLE_DICTIONARY) for every column where the encoding is kDefault; a chunk
  // whose dictionary passes `dictionary_page_bytes` goes on in PLAIN from the next page.
  bool dictionary = true;
  std::int64_t dictionary_page_bytes = 1 << 20;
  ColumnEncoding encoding = ColumnEncoding::kDefault;

  int page_version = 1;                 // data page v1 or v2
  std::int64_t page_bytes = 1 << 20;    // a page is cut when its values and levels reach this
  std::int64_t page_rows = 20000;       // ... or this many rows (finer page-index pruning)
  std::int64_t row_group_bytes = 128LL << 20;  // a row group is cut when its data (uncompressed) reaches this
  std::int64_t row_group_rows = 0;      // ... or this many rows (0: no limit)

  bool statistics = true;               // min/max/null count per chunk and per page (the page index)
  bool page_index = true;               // column index and offset index
  // Longer min/max strings and binaries are truncated (the exactness flags say so); when a max
  // cannot be truncated upwards (all its first bytes are 0x7F or above) the chunk records no min/max
  // and has no column index.
  std::int64_t max_statistics_bytes = 64;
  bool bloom_filter = false;            // split-block bloom filters for every column (or per column)
  double bloom_filter_fpp = 0.01;       // false positive probability they are sized for
  bool page_checksums = false;          // CRC32 of every page in its header

  std::vector<ColumnWriteOptions> columns;
  // Key-value metadata of the file, after the schema's own.
  std::vector<std::pair<std::string, std::string>> metadata;
  int threads = 1;  // columns encoded in parallel; the file does not depend on it
};

}  // namespace sluice::parquet
