// Parquet metadata: finding and parsing the footer, page headers, page indexes and bloom filter
// headers from untrusted bytes, under limits, with the checks later stages rely on. No I/O: callers
// hand in the bytes (the tail of a file, a page's first bytes) and read more where told to.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/thrift/parquet_types.h"  // generated from parquet.thrift (format.cmake)
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Bounds on what a Thrift structure may make us allocate. Every string and list is also checked
// against the bytes left in the input before anything is allocated (each element takes at least one
// byte), so memory stays proportional to the input whatever the limits: at worst one element per
// byte, about 800 bytes for the largest (ColumnChunk), plus the strings' bytes.
struct ThriftLimits {
  std::int64_t max_string_bytes = 100 << 20;
  std::int64_t max_container_elems = 1'000'000;
  std::int32_t max_nesting = 64;  // structs, lists and skipped unknown fields inside each other
};

// The magic at both ends of a Parquet file; "PARE" ends (and starts) a file whose footer is encrypted.
inline constexpr std::string_view kMagic = "PAR1";
inline constexpr std::string_view kEncryptedMagic = "PARE";
// After the footer: its length (uint32 little-endian) and the magic.
inline constexpr std::uint64_t kFooterTrailerBytes = 8;
// A first read of this many bytes from the end usually holds the whole footer.
inline constexpr std::uint64_t kSuggestedTailBytes = 64 * 1024;
// Deepest schema tree accepted (groups inside groups); real schemas stay far below it.
inline constexpr int kMaxSchemaDepth = 256;

// Where the FileMetaData is in the file.
struct FooterInfo {
  std::uint64_t offset = 0;  // file offset of the first byte of the FileMetaData
  std::uint32_t length = 0;  // its length in bytes

  // Whether the last `tail_size` bytes of the file hold all of it.
  bool within_tail(std::uint64_t tail_size) const { return std::uint64_t{length} + kFooterTrailerBytes <= tail_size; }
  // The FileMetaData inside `tail` (the file's last bytes); within_tail(tail.size()) must hold.
  std::span<const std::uint8_t> in_tail(std::span<const std::uint8_t> tail) const {
    return tail.subspan(tail.size() - kFooterTrailerBytes - length, length);
  }
};

// A range of bytes of the file.
struct ByteRange {
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::int64_t end() const { return offset + length; }
};

// Checks the first bytes of a file (at least 4) for "PAR1".
Status check_leading_magic(std::span<const std::uint8_t> head);

// Finds the footer from the file's size and its last bytes (at least 8): checks the trailing magic
// and that the footer's length fits the file. An encrypted footer ("PARE") is kNotImplemented.
Result<FooterInfo> locate_footer(std::uint64_t file_size, std::span<const std::uint8_t> tail);

// Parses and validates the FileMetaData (the `footer` bytes locate_footer pointed at) of a file of
// `file_size` bytes. What passes is safe for the readers to rely on: a consistent schema tree (root
// first, every num_children satisfied, depth <= kMaxSchemaDepth, every leaf with a known physical
// type and repetition), non-negative counts, and in every row group exactly one chunk per leaf with
// meta_data of the leaf's type and its bytes (chunk_range) inside the file's data region, as are the
// page indexes and bloom filters it points to. Not checked: the file's num_rows against its row
// groups (repeated_no_annotation.parquet says 0 for 6 rows; count the row groups'). Encrypted columns
// and chunks in other files are kNotImplemented. Error byte offsets are file offsets.
Result<format::FileMetaData> parse_file_metadata(std::span<const std::uint8_t> footer, std::uint64_t file_size,
                                                 const ThriftLimits& limits = {});

// The validation parse_file_metadata does, for metadata from elsewhere (built in memory, a cache).
// `data_end` is where the data region ends (the footer's file offset).
Status validate_file_metadata(const format::FileMetaData& md, std::uint64_t data_end);

// The bytes of a column chunk: from its first page for total_compressed_size bytes. The first page
// is the dictionary page when dictionary_page_offset names one before data_page_offset; an offset
// below 4 means none (dict-page-offset-zero.parquet has a dictionary offset of 0, and
// column_chunk_key_value_metadata.parquet a data page offset of 0 for a chunk of no values). Some
// writers leave dictionary_page_offset out and put data_page_offset at the dictionary page
// (alltypes_tiny_pages.parquet), so read each page's type rather than trust either offset. Needs
// meta_data (validated metadata has it).
ByteRange chunk_range(const format::ColumnChunk& chunk);

// Whether `created_by` names a parquet-mr older than 1.2.9 (or one without a version): those left the
// dictionary page header out of total_compressed_size (PARQUET-816, nation.dict-malformed.parquet).
bool writer_undercounts_chunks(std::string_view created_by);
// Extra bytes read after such a chunk: more than any dictionary page header.
inline constexpr std::int64_t kUndercountPadding = 100;

// The bytes to fetch for a chunk: chunk_range, plus kUndercountPadding (not past `data_end`, the
// footer's offset) when writer_undercounts_chunks(created_by). The padding may hold the next chunk's
// first bytes, so a reader stops after num_values values, not at the range's end.
ByteRange chunk_read_range(const format::ColumnChunk& chunk, std::string_view created_by, std::uint64_t data_end);

// Parses a page header at the start of `bytes` (which may go on into the page) and checks its sizes:
// non-negative, the header of its page type present, v2 level lengths within the page. Sets
// `*header_size` to the header's length. When the header runs past the end of `bytes`, sets
// `*needs_more` (if given) so a caller that gave a short window can retry with more. Error byte
// offsets are relative to `bytes`.
Result<format::PageHeader> parse_page_header(std::span<const std::uint8_t> bytes, const ThriftLimits& limits,
                                             std::uint32_t* header_size, bool* needs_more = nullptr);

// Parses a chunk's ColumnIndex (the column_index_length bytes at column_index_offset) and checks that
// its lists agree in length.
Result<format::ColumnIndex> parse_column_index(std::span<const std::uint8_t> bytes, const ThriftLimits& limits = {});

// Parses a chunk's OffsetIndex and checks its page locations: non-negative, sizes > 0, first row
// indexes starting at 0 and increasing.
Result<format::OffsetIndex> parse_offset_index(std::span<const std::uint8_t> bytes, const ThriftLimits& limits = {});

// Parses the header in front of a bloom filter's bitset (at bloom_filter_offset); `*header_size` gets
// its length. Checks numBytes > 0; an algorithm, hash or compression other than the spec's one is
// kNotImplemented.
Result<format::BloomFilterHeader> parse_bloom_filter_header(std::span<const std::uint8_t> bytes,
                                                            const ThriftLimits& limits, std::uint32_t* header_size);

// Names for `sluice inspect`; a value this build does not know prints as its number.
std::string type_name(format::Type::type t);
std::string converted_type_name(format::ConvertedType::type t);
std::string repetition_name(format::FieldRepetitionType::type r);
std::string encoding_name(format::Encoding::type e);
std::string codec_name(format::CompressionCodec::type c);
std::string page_type_name(format::PageType::type p);
std::string boundary_order_name(format::BoundaryOrder::type b);
// "STRING", "DECIMAL(precision=10, scale=2)", "TIMESTAMP(isAdjustedToUTC=true, unit=MICROS)"...;
// an empty union (a logical type newer than this build) is "UNRECOGNIZED".
std::string logical_type_summary(const format::LogicalType& lt);

// The dotted paths of the schema's leaves, in column order ("a.b.list.element"). The schema must be
// valid (validate_file_metadata).
std::vector<std::string> leaf_paths(const std::vector<format::SchemaElement>& schema);

namespace detail {

// Reads one Thrift compact-protocol struct from the start of `bytes` into `*out`, without copying the
// input. Never throws: kParseError for malformed or truncated input (`*truncated` set when the input
// ended first), kLimitExceeded when a ThriftLimits bound was hit. `*consumed` gets the bytes read.
// Defined for FileMetaData, FileCryptoMetaData, PageHeader, ColumnIndex, OffsetIndex and
// BloomFilterHeader.
template <class T>
Status deserialize(std::span<const std::uint8_t> bytes, T* out, const ThriftLimits& limits,
                   std::uint32_t* consumed = nullptr, bool* truncated = nullptr);

// Writes `value` in the compact protocol (for tests and writers). Never throws.
template <class T>
Result<std::string> serialize(const T& value);

}  // namespace detail
}  // namespace sluice::parquet
