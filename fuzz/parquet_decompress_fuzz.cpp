// libFuzzer target for the Parquet page codecs (codecs/parquet/compression.hpp). Input layout:
//   byte 0      low nibble: the codec value (0..7 real codecs, 8..15 unknown values), high nibble: a
//               compression level choice for the round trip;
//   bytes 1..3  the expected uncompressed size, big-endian, reduced to at most 1 MiB;
//   the rest    the compressed page.
// Checks: decompress() returns an error or succeeds, and (except for codec 5, whose fallbacks may
// read the same bytes two ways) success means exactly that size: one byte more or less must fail.
// Unsupported codecs give kNotImplemented. Then the rest is compressed and must decompress back to
// itself. SNAPPY: the same bytes decoded by snappy_decompress_many beside the round trip's page must
// get the same verdict and bytes. Output buffers are exactly sized heap blocks, so AddressSanitizer
// sees any overrun.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "parquet/compression.hpp"

namespace {

using sluice::ErrorCode;
using sluice::parquet::Codec;

[[noreturn]] void fail(const char* what, Codec codec, std::size_t in_size, std::size_t out_size,
                       const std::string& detail = {}) {
  std::fprintf(stderr, "parquet_decompress_fuzz: %s (codec %s, %zu input bytes, %zu output bytes)\n%s\n", what,
               std::string(sluice::parquet::codec_name(codec)).c_str(), in_size, out_size, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

constexpr std::size_t kMaxOut = std::size_t{1} << 20;

// A heap block of exactly n bytes (a vector may hold spare capacity that hides an overrun).
struct Exact {
  explicit Exact(std::size_t size) : n(size), p(new std::uint8_t[size == 0 ? 1 : size]) {}
  std::span<std::uint8_t> span() { return {p.get(), n}; }
  std::size_t n;
  std::unique_ptr<std::uint8_t[]> p;
};

sluice::Status run(Codec codec, std::span<const std::uint8_t> in, std::size_t size, Exact* kept = nullptr) {
  Exact out(size);
  const sluice::Status st = sluice::parquet::decompress(codec, in, out.span());
  if (kept) *kept = std::move(out);
  return st;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const Codec codec = static_cast<Codec>(data[0] & 0x0F);
  const int level_choice = data[0] >> 4;
  const std::size_t out_size =
      ((std::size_t{data[1]} << 16) | (std::size_t{data[2]} << 8) | std::size_t{data[3]}) % (kMaxOut + 1);
  const std::span<const std::uint8_t> in(data + 4, size - 4);

  // Decompression of arbitrary bytes.
  Exact alone(0);
  const sluice::Status st = run(codec, in, out_size, &alone);
  if (!sluice::parquet::codec_supported(codec)) {
    if (st.ok() || st.error().code() != ErrorCode::kNotImplemented) {
      fail("an unsupported codec did not give kNotImplemented", codec, in.size(), out_size);
    }
    return 0;
  }
  if (!st.ok() && st.error().code() != ErrorCode::kParseError) {
    fail("decompression failed with a code other than kParseError", codec, in.size(), out_size,
         st.error().to_string());
  }
  if (st.ok() && codec != Codec::LZ4) {
    // Empty input is accepted only for an empty output, so the neighbours must fail.
    if (run(codec, in, out_size + 1).ok()) fail("success with one byte more than a success", codec, in.size(), out_size);
    if (out_size > 0 && run(codec, in, out_size - 1).ok()) {
      fail("success with one byte less than a success", codec, in.size(), out_size);
    }
  }

  // Round trip of the same bytes.
  static constexpr int kLevels[16] = {sluice::parquet::kDefaultCompressionLevel, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                      -1, -5, 11, 12, 19};
  int level = kLevels[level_choice];
  // Keep only the levels every codec accepts, and avoid the slowest encoder settings.
  if (codec == Codec::GZIP && (level < 0 || level > 9)) level = sluice::parquet::kDefaultCompressionLevel;
  if (codec == Codec::BROTLI && (level < 0 || level > 9)) level = sluice::parquet::kDefaultCompressionLevel;
  if (codec == Codec::ZSTD && level > 9) level = sluice::parquet::kDefaultCompressionLevel;
  if ((codec == Codec::LZ4 || codec == Codec::LZ4_RAW) && level > 12) level = sluice::parquet::kDefaultCompressionLevel;
  std::vector<std::uint8_t> packed;
  const sluice::Status c = sluice::parquet::compress(codec, in, packed, level);
  if (!c.ok()) fail("compression failed", codec, in.size(), 0, c.error().to_string());
  if (packed.size() > sluice::parquet::max_compressed_size(codec, in.size())) {
    fail("compressed output exceeds max_compressed_size", codec, in.size(), packed.size());
  }
  Exact back(in.size());
  Exact packed_exact(packed.size());
  if (!packed.empty()) std::memcpy(packed_exact.p.get(), packed.data(), packed.size());
  const sluice::Status d = sluice::parquet::decompress(
      codec, std::span<const std::uint8_t>(packed_exact.p.get(), packed.size()), back.span());
  if (!d.ok()) fail("round trip did not decompress", codec, in.size(), packed.size(), d.error().to_string());
  if (!in.empty() && std::memcmp(back.p.get(), in.data(), in.size()) != 0) {
    fail("round trip changed the bytes", codec, in.size(), packed.size());
  }

  // SNAPPY pages decoded together (snappy_decompress_many, the reader's way): the arbitrary bytes get
  // decompress()'s verdict and bytes, and do not disturb the good page decoded beside them.
  if (codec == Codec::SNAPPY) {
    Exact many_out(out_size), many_back(in.size());
    sluice::parquet::SnappyPage pages[] = {
        {in, many_out.span()},
        {std::span<const std::uint8_t>(packed_exact.p.get(), packed.size()), many_back.span()}};
    sluice::parquet::snappy_decompress_many(pages);
    if (pages[0].ok != st.ok()) {
      fail(st.ok() ? "snappy_decompress_many refused what decompress() read"
                   : "snappy_decompress_many read what decompress() refused",
           codec, in.size(), out_size);
    }
    if (st.ok() && out_size > 0 && std::memcmp(many_out.p.get(), alone.p.get(), out_size) != 0)
      fail("snappy_decompress_many decoded other bytes than decompress()", codec, in.size(), out_size);
    if (!pages[1].ok || (!in.empty() && std::memcmp(many_back.p.get(), in.data(), in.size()) != 0))
      fail("snappy_decompress_many did not decode a good page beside another", codec, in.size(), packed.size());
  }
  return 0;
}
