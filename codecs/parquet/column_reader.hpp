// Reading one column chunk: its pages decompressed and decoded, some rows at a time, into levels and
// dense physical values (the values of the non-null entries only).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquet/compression.hpp"
#include "parquet/encoding/encoding.hpp"
#include "parquet/metadata.hpp"
#include "parquet/schema.hpp"
#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Levels and values of some rows of one leaf. Entries are level positions (one per row when the
// column is not repeated); values are the entries whose def level is max_def, densely, in the
// physical type's width (booleans: bits; byte arrays: offsets + bytes).
struct LeafChunk {
  // A top-level optional column that is not repeated (max_def 1, max_rep 0) gets its definition
  // levels as a validity bitmap (`validity`, with `nulls`) instead of `def`: one bit per row.
  BufferPtr validity;
  std::int64_t nulls = 0;
  std::vector<std::int16_t> def;  // empty when max_def == 0 (every entry present) or `validity` is used
  std::vector<std::int16_t> rep;  // empty when max_rep == 0
  std::int64_t entries = 0;
  std::int64_t rows = 0;
  std::int64_t values = 0;
  BufferPtr fixed;                // values * width bytes (INT32/INT64/FLOAT/DOUBLE/INT96/FLBA)
  BufferPtr bits;                 // BOOLEAN: values bits
  BinaryOut binary;               // BYTE_ARRAY
};

class ColumnChunkReader {
 public:
  // `bytes` holds the chunk's range (chunk_range(chunk)), which starts at file offset `file_offset`.
  ColumnChunkReader(const LeafInfo& leaf, const format::ColumnMetaData& meta, BufferPtr bytes,
                    std::int64_t file_offset, const ReadOptions& options, std::string path);

  // Decodes the next `rows` rows (fewer at the end of the chunk) into `out` (reset first). A row of
  // a repeated column may span pages; it is always returned whole.
  Status read(std::int64_t rows, LeafChunk* out);
  // Skips `rows` rows without producing them: whole pages unread where an offset index says where
  // the rows are (set_page_locations), the rest decoded and dropped.
  Status skip(std::int64_t rows);
  // The chunk's data pages from its offset index (file offsets, first rows); ignored unless they lie
  // inside the chunk in order. Only used by a column that is not repeated.
  void set_page_locations(std::vector<format::PageLocation> pages);

  bool done() const { return at_end_ && page_left_ == 0 && pending_ == pending_end_; }

  // Decompressing ahead, for several readers' pages at once (snappy_decompress_many): appends the
  // SNAPPY page bodies (dictionary and data pages) that the next read() of `rows` rows will surely
  // decompress, with buffers for them, while `*budget` (bytes, lowered by each) lasts; after they
  // are decoded, ahead_done() with the same vector keeps those that decoded, which the pages then
  // use. Anything that does not fit (a bad header, an odd page) is left for read() to decompress
  // and report.
  void plan_ahead(std::int64_t rows, std::int64_t* budget, std::vector<SnappyPage>& pages);
  void ahead_done(std::span<const SnappyPage> pages);

 private:
  enum class ValueEncoding : std::uint8_t {
    kNone, kPlain, kDictionary, kRleBool, kDeltaBinaryPacked, kDeltaLength, kDeltaByteArray, kByteStreamSplit,
  };

  Error error(ErrorCode code, std::string message, std::int64_t offset = -1) const;
  Status next_page(bool* got);
  Status load_dictionary(const format::PageHeader& h, const std::uint8_t* body, std::int64_t body_offset);
  Status start_values(format::Encoding::type encoding, const std::uint8_t* data, std::size_t size,
                      std::int64_t offset, std::int64_t num_values);
  Result<std::span<const std::uint8_t>> page_body(const format::PageHeader& h, const std::uint8_t* raw,
                                                   std::size_t raw_size, std::size_t skip, std::size_t uncompressed);
  // Decodes up to n level entries of the current page into pend buffers; returns how many.
  Status fill_pending(std::int64_t want);
  Status decode_values(std::int64_t n, LeafChunk* out);
  Status read_rows(std::int64_t rows, LeafChunk* out);
  // read() for a flat optional column: definition levels straight into a validity bitmap.
  Status read_flat_optional(std::int64_t rows, LeafChunk* out);
  Status skip_values(std::int64_t n);

  const LeafInfo& leaf_;
  format::ColumnMetaData meta_;
  BufferPtr bytes_;
  std::int64_t file_offset_;
  const ReadOptions& options_;
  std::string path_;
  ThriftLimits limits_;
  Codec codec_;
  int width_ = 0;  // fixed-width physical value bytes (0: boolean and byte arrays)

  std::int64_t pos_ = 0;          // next page header within bytes_
  std::int64_t row_ = 0;          // rows handed out or skipped so far
  std::vector<format::PageLocation> pages_;
  std::int64_t values_seen_ = 0;  // level entries of the pages read so far
  bool at_end_ = false;

  // Page bodies decompressed ahead: where the body starts within bytes_, its buffer, and its entry
  // in plan_ahead's vector (until ahead_done).
  struct Ahead {
    std::int64_t body = 0;
    BufferPtr buf;
    std::size_t entry = 0;
  };
  std::vector<Ahead> ahead_;

  // The current data page.
  BufferPtr page_;                // its decompressed body (or null when it is read in place)
  std::int64_t page_left_ = 0;    // level entries of the page not yet decoded into pending
  std::int64_t page_offset_ = 0;  // file offset of its body (for errors)
  RleBitPackedDecoder def_rle_, rep_rle_;
  RleBooleanDecoder def_bits_;     // the same definition levels as bits (flat_optional_)
  bool flat_optional_ = false;     // max_def 1, max_rep 0, a top-level field
  LegacyBitPackedDecoder def_bp_, rep_bp_;
  bool def_legacy_ = false, rep_legacy_ = false;

  // Values.
  ValueEncoding value_encoding_ = ValueEncoding::kNone;
  PlainDecoder plain_;
  RleBitPackedDecoder indices_;
  RleBooleanDecoder rle_bool_;
  DeltaBinaryPackedDecoder<std::int64_t> delta64_;  // INT64, and INT32 through wide_
  std::vector<std::int64_t> wide_;
  DeltaLengthByteArrayDecoder delta_length_;
  DeltaByteArrayDecoder delta_bytes_;
  ByteStreamSplitDecoder bss_;
  bool has_dictionary_ = false;
  FixedDictionary fixed_dict_;
  BinaryDictionary binary_dict_;
  BufferPtr dict_page_;

  // Level entries decoded from the page but not yet handed out (repeated columns look ahead to find
  // where a row ends).
  std::vector<std::int16_t> pend_def_, pend_rep_;
  std::size_t pending_ = 0, pending_end_ = 0;
};

}  // namespace sluice::parquet
