// Parquet page compression: the codecs of the format's CompressionCodec enum, decompressing into a
// caller-sized buffer (the page header's exact uncompressed size) and compressing for the writer.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice::parquet {

// The values of parquet.thrift's CompressionCodec, so a footer's i32 casts straight to it. LZ4 is the
// deprecated Hadoop-framed variant; new files should use LZ4_RAW.
enum class Codec : std::int32_t {
  UNCOMPRESSED = 0,
  SNAPPY = 1,
  GZIP = 2,
  LZO = 3,
  BROTLI = 4,
  LZ4 = 5,
  ZSTD = 6,
  LZ4_RAW = 7,
};

// Passed as `level` to ask for the codec's own default (see compress()).
inline constexpr int kDefaultCompressionLevel = INT_MIN;

// Pages are sized by i32 fields in the page header, and LZ4's API takes int sizes: larger inputs or
// outputs are refused with kLimitExceeded rather than truncated.
inline constexpr std::size_t kMaxCodecBytes = 0x7E000000;  // LZ4_MAX_INPUT_SIZE
// Any page: its sizes are i32 in the page header.
inline constexpr std::size_t kMaxPageBytes = 0x7FFFFFFF;

// The thrift name of a codec value ("SNAPPY"), or "UNKNOWN(n)" for values outside the enum. Names of
// known codecs are static; an UNKNOWN(n) view points into a small per-thread ring of buffers and stays
// valid until eight more unknown values have been named on the same thread.
std::string_view codec_name(std::int32_t codec) noexcept;
inline std::string_view codec_name(Codec codec) noexcept { return codec_name(static_cast<std::int32_t>(codec)); }

// Whether this build can decompress (and compress) the codec: everything but LZO and unknown values.
bool codec_supported(Codec codec) noexcept;

// Decompresses one page body `in` into exactly `out.size()` bytes (the page header's
// uncompressed_page_size, already checked against a limit and allocated by the caller).
// Never writes past `out`, never reads past `in`, allocates nothing sized by the input beyond the
// codec libraries' bounded internal windows. Errors:
//   kParseError      corrupt or truncated data, or data that decodes to fewer or more bytes than
//                    out.size() (the message names the codec and both sizes; positions inside the
//                    compressed page are given in the message, the caller adds the file's offset);
//   kNotImplemented  LZO and values outside the enum;
//   kLimitExceeded   in or out larger than kMaxCodecBytes (LZ4, LZ4_RAW) or kMaxPageBytes (the others).
// Accepted variants: GZIP takes several concatenated members, zlib-wrapped data, and trailing zero
// padding after the last member (anything else after it is an error); LZ4 (codec 5) takes Hadoop
// framing, else an LZ4 frame, else one raw LZ4 block; ZSTD takes several frames, skippable frames and
// frames without a content size. Empty input with out.size() == 0 is accepted for every codec.
// UNCOMPRESSED copies; a page reader should use the input bytes directly instead of calling this.
Status decompress(Codec codec, std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

// A SNAPPY page body for snappy_decompress_many: `out` is exactly the header's uncompressed size.
struct SnappyPage {
  std::span<const std::uint8_t> in;
  std::span<std::uint8_t> out;
  bool ok = false;  // set by snappy_decompress_many: `in` decoded to exactly out.size() bytes
};

// Decompresses several SNAPPY page bodies on the calling thread, two streams stepped in turn (one
// stream's elements depend on each other; two give the core independent work): faster than one
// decompress() after another when two or more pages are large. A page that is corrupt, truncated or
// of another size gets ok == false and unspecified `out` bytes, no message: decompress() it alone for
// the error. Never reads past `in` nor writes past `out`; allocates only its schedule.
// With `shares` > 1 only share `share` of the pages is decoded (and only its pages' `ok` set): the
// pages are dealt by size, largest first, each to the share with the fewest bytes so far, the same way
// for every share, so that `shares` threads can each take one share of the same vector.
void snappy_decompress_many(std::span<SnappyPage> pages, std::size_t share = 0, std::size_t shares = 1);

// An upper bound of the compressed size of n input bytes (what compress() needs in `out`), or 0 for
// LZO, unknown codecs, and n > kMaxCodecBytes.
std::size_t max_compressed_size(Codec codec, std::size_t n) noexcept;

// Compresses `in` into `out`, which must hold at least max_compressed_size(codec, in.size()) bytes;
// returns the number of bytes written. `level` is the codec's own scale, kDefaultCompressionLevel
// picks: GZIP 6 (0..9), BROTLI 8 (0..11), ZSTD 3 (ZSTD_minCLevel()..22), LZ4 and LZ4_RAW the fast
// compressor (levels <= 1: fast, negative values accelerate; 2..12: LZ4HC); SNAPPY ignores it.
// LZ4 (codec 5) is written as one Hadoop frame, readable by parquet-mr and Arrow alike.
Result<std::size_t> compress(Codec codec, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                             int level = kDefaultCompressionLevel);

// Convenience for compress(): resizes `out` to the compressed size (its previous contents are lost).
Status compress(Codec codec, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                int level = kDefaultCompressionLevel);

}  // namespace sluice::parquet
