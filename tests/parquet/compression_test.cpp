// Parquet page codecs: round trips, the framing variants found in the wild (multi-member gzip, zlib,
// Hadoop LZ4, raw LZ4 blocks, LZ4 frames, zstd without content size or in several frames), exact
// output sizes, and broken input that must give an error and never a crash (run under ASan).
#include "parquet/compression.hpp"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <lz4.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace sluice::parquet {
// Lets GoogleTest print a codec by name in failure messages (found by argument-dependent lookup).
void PrintTo(Codec codec, std::ostream* os) { *os << codec_name(codec); }
}  // namespace sluice::parquet

namespace {

using sluice::ErrorCode;
using sluice::Status;
using sluice::parquet::Codec;
using sluice::parquet::codec_name;
using sluice::parquet::compress;
using sluice::parquet::decompress;
using sluice::parquet::max_compressed_size;
using Bytes = std::vector<std::uint8_t>;

constexpr Codec kSupported[] = {Codec::UNCOMPRESSED, Codec::SNAPPY, Codec::GZIP,   Codec::BROTLI,
                                Codec::LZ4,          Codec::ZSTD,   Codec::LZ4_RAW};
constexpr Codec kCompressing[] = {Codec::SNAPPY, Codec::GZIP, Codec::BROTLI, Codec::LZ4, Codec::ZSTD, Codec::LZ4_RAW};

Bytes random_bytes(std::size_t n, std::uint32_t seed = 42) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& c : b) c = static_cast<std::uint8_t>(rng());
  return b;
}

// Column-like data: a repeated text with a counter, compresses well but not trivially.
Bytes compressible_bytes(std::size_t n) {
  Bytes b;
  b.reserve(n + 64);
  for (std::uint32_t i = 0; b.size() < n; ++i) {
    const std::string s = "row " + std::to_string(i % 1000) + ", value=" + std::to_string(i * 7 % 13) + "; ";
    b.insert(b.end(), s.begin(), s.end());
  }
  b.resize(n);
  return b;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes pack(Codec codec, const Bytes& raw, int level = sluice::parquet::kDefaultCompressionLevel) {
  Bytes out;
  const Status st = compress(codec, raw, out, level);
  EXPECT_TRUE(st.ok()) << codec_name(codec) << ": " << (st.ok() ? "" : st.error().to_string());
  return out;
}

// Decompresses into an exactly sized heap block, so ASan sees a write past the expected size.
Status unpack_into(Codec codec, const Bytes& packed, std::size_t n, Bytes* result = nullptr) {
  std::unique_ptr<std::uint8_t[]> in(new std::uint8_t[packed.empty() ? 1 : packed.size()]);
  if (!packed.empty()) std::memcpy(in.get(), packed.data(), packed.size());
  std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[n == 0 ? 1 : n]);
  const Status st = decompress(codec, std::span<const std::uint8_t>(in.get(), packed.size()),
                               std::span<std::uint8_t>(out.get(), n));
  if (result != nullptr) result->assign(out.get(), out.get() + n);
  return st;
}

// The decompressed bytes, or a test failure.
Bytes unpack(Codec codec, const Bytes& packed, std::size_t n) {
  Bytes out;
  const Status st = unpack_into(codec, packed, n, &out);
  EXPECT_TRUE(st.ok()) << codec_name(codec) << ": " << (st.ok() ? "" : st.error().to_string());
  return out;
}

void expect_parse_error(const Status& st, const std::string& needle = {}) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kParseError) << st.error().to_string();
  if (!needle.empty()) {
    EXPECT_NE(st.error().message().find(needle), std::string::npos) << st.error().message();
  }
}

std::string label(Codec c) { return std::string(codec_name(c)); }

// ---- Names and unsupported codecs ------------------------------------------------------------------

TEST(ParquetCompression, CodecNames) {
  EXPECT_EQ(codec_name(0), "UNCOMPRESSED");
  EXPECT_EQ(codec_name(Codec::SNAPPY), "SNAPPY");
  EXPECT_EQ(codec_name(Codec::LZ4), "LZ4");
  EXPECT_EQ(codec_name(7), "LZ4_RAW");
  EXPECT_EQ(codec_name(42), "UNKNOWN(42)");
  EXPECT_EQ(codec_name(-1), "UNKNOWN(-1)");
  // Several unknown names can be alive at once.
  const std::string_view a = codec_name(8);
  const std::string_view b = codec_name(9);
  EXPECT_EQ(a, "UNKNOWN(8)");
  EXPECT_EQ(b, "UNKNOWN(9)");
}

TEST(ParquetCompression, LzoAndUnknownAreNotImplemented) {
  const Bytes in = {1, 2, 3};
  Bytes out(3);
  for (Codec c : {Codec::LZO, static_cast<Codec>(8), static_cast<Codec>(-3)}) {
    const Status st = decompress(c, in, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kNotImplemented);
    EXPECT_NE(st.error().message().find(std::string(codec_name(c))), std::string::npos) << st.error().message();
    EXPECT_EQ(max_compressed_size(c, 100), 0u);
    Bytes packed;
    const Status cs = compress(c, in, packed);
    ASSERT_FALSE(cs.ok());
    EXPECT_EQ(cs.error().code(), ErrorCode::kNotImplemented);
  }
  EXPECT_FALSE(sluice::parquet::codec_supported(Codec::LZO));
  for (Codec c : kSupported) EXPECT_TRUE(sluice::parquet::codec_supported(c)) << label(c);
}

// ---- Round trips ------------------------------------------------------------------------------------

class RoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(RoundTrip, EmptyOneByteRandomCompressible) {
  const Codec codec = GetParam();
  const std::vector<Bytes> inputs = {Bytes{}, Bytes{0x5A}, Bytes{0}, random_bytes(1 << 20),
                                     compressible_bytes(1 << 20), Bytes(100000, 0), compressible_bytes(777)};
  for (const Bytes& raw : inputs) {
    SCOPED_TRACE(label(codec) + " of " + std::to_string(raw.size()) + " bytes");
    const Bytes packed = pack(codec, raw);
    EXPECT_LE(packed.size(), max_compressed_size(codec, raw.size()));
    EXPECT_EQ(unpack(codec, packed, raw.size()), raw);
  }
}

TEST_P(RoundTrip, CompressesCompressibleData) {
  const Codec codec = GetParam();
  if (codec == Codec::UNCOMPRESSED) GTEST_SKIP() << "UNCOMPRESSED stores";
  const Bytes raw = compressible_bytes(1 << 20);
  EXPECT_LT(pack(codec, raw).size(), raw.size() / 2);
}

TEST_P(RoundTrip, Levels) {
  const Codec codec = GetParam();
  std::vector<int> levels;
  switch (codec) {
    case Codec::GZIP: levels = {0, 1, 9}; break;
    case Codec::BROTLI: levels = {0, 1, 5, 11}; break;
    case Codec::ZSTD: levels = {-5, 1, 19}; break;
    case Codec::LZ4:
    case Codec::LZ4_RAW: levels = {-10, 0, 1, 2, 9, 12}; break;
    default: levels = {0, 5}; break;  // ignored
  }
  const Bytes raw = compressible_bytes(200000);
  for (int level : levels) {
    SCOPED_TRACE(label(codec) + " level " + std::to_string(level));
    EXPECT_EQ(unpack(codec, pack(codec, raw, level), raw.size()), raw);
  }
}

TEST_P(RoundTrip, WrongExpectedSizeIsAnError) {
  const Codec codec = GetParam();
  for (const Bytes& raw : {Bytes{7}, random_bytes(5000), compressible_bytes(100000)}) {
    const Bytes packed = pack(codec, raw);
    SCOPED_TRACE(label(codec) + " of " + std::to_string(raw.size()) + " bytes");
    for (std::size_t n : {raw.size() - 1, raw.size() + 1, raw.size() / 2, raw.size() * 2 + 10, std::size_t{0}}) {
      SCOPED_TRACE("expecting " + std::to_string(n));
      const Status st = unpack_into(codec, packed, n);
      expect_parse_error(st, label(codec));
      // The message says what the page header claimed (LZ4's fallbacks can only say that).
      EXPECT_NE(st.error().message().find(std::to_string(n)), std::string::npos) << st.error().message();
    }
  }
}

TEST_P(RoundTrip, EmptyInputNeedsEmptyOutput) {
  const Codec codec = GetParam();
  EXPECT_TRUE(unpack_into(codec, Bytes{}, 0).ok());
  expect_parse_error(unpack_into(codec, Bytes{}, 10));
}

TEST_P(RoundTrip, TruncatedInputIsAnError) {
  const Codec codec = GetParam();
  for (const Bytes& raw : {compressible_bytes(3000), random_bytes(3000), compressible_bytes(300000)}) {
    const Bytes packed = pack(codec, raw);
    const std::size_t step = std::max<std::size_t>(1, packed.size() / 200);
    for (std::size_t cut = 0; cut < packed.size(); cut += step) {
      const Bytes prefix(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(cut));
      SCOPED_TRACE(label(codec) + " cut at " + std::to_string(cut) + " of " + std::to_string(packed.size()));
      expect_parse_error(unpack_into(codec, prefix, raw.size()));
    }
  }
}

TEST_P(RoundTrip, CorruptInputNeverCrashes) {
  const Codec codec = GetParam();
  std::mt19937 rng(7);
  for (const Bytes& raw : {compressible_bytes(5000), random_bytes(2000), compressible_bytes(200000)}) {
    const Bytes packed = pack(codec, raw);
    for (int trial = 0; trial < 300; ++trial) {
      Bytes bad = packed;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      if (trial % 3 == 0) bad.resize(rng() % (bad.size() + 1));
      if (trial % 5 == 0) bad.push_back(static_cast<std::uint8_t>(rng()));
      for (std::size_t n : {raw.size(), raw.size() + 13, raw.size() / 3}) {
        const Status st = unpack_into(codec, bad, n);
        // Some flips only change a literal byte and still decode; what matters is no crash and
        // the right error code otherwise.
        if (!st.ok()) {
          EXPECT_EQ(st.error().code(), ErrorCode::kParseError) << st.error().to_string();
        }
      }
    }
  }
}

TEST_P(RoundTrip, RandomBytesAsInputNeverCrash) {
  const Codec codec = GetParam();
  for (std::uint32_t seed = 0; seed < 300; ++seed) {
    const Bytes junk = random_bytes(1 + seed * 7 % 600, seed);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{70000}}) {
      const Status st = unpack_into(codec, junk, n);
      if (!st.ok()) {
        EXPECT_EQ(st.error().code(), ErrorCode::kParseError) << st.error().to_string();
      }
    }
  }
}

TEST_P(RoundTrip, ThreadsKeepTheirOwnState) {
  const Codec codec = GetParam();
  std::vector<Bytes> raws;
  std::vector<Bytes> packs;
  for (std::uint32_t t = 0; t < 4; ++t) {
    raws.push_back(t % 2 ? random_bytes(50000 + t, t) : compressible_bytes(60000 + t));
    packs.push_back(pack(codec, raws.back()));
  }
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        Bytes out(raws[t].size());
        if (!decompress(codec, packs[t], out).ok() || out != raws[t]) ++failures[t];
        Bytes again;
        if (!compress(codec, raws[t], again).ok()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTrip, ::testing::ValuesIn(kSupported),
                         [](const ::testing::TestParamInfo<Codec>& i) { return label(i.param); });

TEST(ParquetCompression, BadLevelsAreInvalidArguments) {
  const Bytes raw = compressible_bytes(100);
  const std::pair<Codec, int> bad[] = {{Codec::GZIP, 10}, {Codec::GZIP, -2}, {Codec::BROTLI, 12},
                                       {Codec::ZSTD, 23},  {Codec::LZ4, 13},  {Codec::LZ4_RAW, 100}};
  for (const auto& [codec, level] : bad) {
    Bytes out;
    const Status st = compress(codec, raw, out, level);
    ASSERT_FALSE(st.ok()) << label(codec) << " " << level;
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(ParquetCompression, SpanOutputMustHoldTheBound) {
  const Bytes raw = compressible_bytes(1000);
  for (Codec codec : kCompressing) {
    Bytes out(max_compressed_size(codec, raw.size()) - 1);
    const auto r = compress(codec, raw, std::span<std::uint8_t>(out));
    ASSERT_FALSE(r.ok()) << label(codec);
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    out.resize(out.size() + 1);
    const auto ok = compress(codec, raw, std::span<std::uint8_t>(out));
    ASSERT_TRUE(ok.ok()) << label(codec);
    EXPECT_LE(ok.value(), out.size());
  }
}

// ---- UNCOMPRESSED ----------------------------------------------------------------------------------

TEST(ParquetCompression, UncompressedCopiesExactly) {
  const Bytes raw = random_bytes(100);
  EXPECT_EQ(unpack(Codec::UNCOMPRESSED, raw, 100), raw);
  expect_parse_error(unpack_into(Codec::UNCOMPRESSED, raw, 99), "99");
  expect_parse_error(unpack_into(Codec::UNCOMPRESSED, raw, 101), "101");
}

// ---- GZIP ------------------------------------------------------------------------------------------

// A gzip member written by zlib directly (not through our writer).
Bytes gzip_member(const Bytes& raw, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, raw.size()) + 32);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes zlib_stream(const Bytes& raw) {
  uLongf n = compressBound(raw.size());
  Bytes out(n);
  EXPECT_EQ(compress2(out.data(), &n, raw.data(), raw.size(), 6), Z_OK);
  out.resize(n);
  return out;
}

TEST(ParquetCompression, GzipConcatenatedMembers) {
  const Bytes a = compressible_bytes(70000);
  const Bytes b = random_bytes(40000);
  const Bytes c = compressible_bytes(10);
  const Bytes whole = concat({a, b, c});
  const Bytes members = concat({gzip_member(a), gzip_member(b, 1), gzip_member(c)});
  EXPECT_EQ(unpack(Codec::GZIP, members, whole.size()), whole);
  // An empty member anywhere adds nothing.
  const Bytes with_empty = concat({gzip_member(Bytes{}), gzip_member(a), gzip_member(Bytes{}), gzip_member(b),
                                   gzip_member(c), gzip_member(Bytes{})});
  EXPECT_EQ(unpack(Codec::GZIP, with_empty, whole.size()), whole);
  // Sizes are checked over all members, not only the first.
  expect_parse_error(unpack_into(Codec::GZIP, members, a.size()), "more than");
  expect_parse_error(unpack_into(Codec::GZIP, members, whole.size() + 1), std::to_string(whole.size() + 1));
  // A truncated second member is an error.
  const Bytes cut(members.begin(), members.end() - 5);
  expect_parse_error(unpack_into(Codec::GZIP, cut, whole.size()));
}

TEST(ParquetCompression, GzipTrailingBytes) {
  const Bytes raw = compressible_bytes(5000);
  const Bytes member = gzip_member(raw);
  // Zero padding after the last member is tolerated (as gzip(1) does)...
  EXPECT_EQ(unpack(Codec::GZIP, concat({member, Bytes(17, 0)}), raw.size()), raw);
  // ...other bytes are not: a Parquet page's compressed size is exact, so they mean corruption.
  expect_parse_error(unpack_into(Codec::GZIP, concat({member, Bytes{'x', 'y', 'z'}}), raw.size()), "byte");
  expect_parse_error(unpack_into(Codec::GZIP, concat({member, Bytes(8, 0), Bytes{1}}), raw.size()));
}

TEST(ParquetCompression, GzipAcceptsZlibWrapping) {
  for (const Bytes& raw : {compressible_bytes(100000), random_bytes(3000), Bytes{9}}) {
    EXPECT_EQ(unpack(Codec::GZIP, zlib_stream(raw), raw.size()), raw);
  }
  const Bytes raw = compressible_bytes(1000);
  expect_parse_error(unpack_into(Codec::GZIP, zlib_stream(raw), raw.size() + 1));
}

TEST(ParquetCompression, GzipCorruptChecksumIsAnError) {
  const Bytes raw = compressible_bytes(5000);
  Bytes member = gzip_member(raw);
  member[member.size() - 6] ^= 0x40;  // inside the CRC32 of the trailer
  expect_parse_error(unpack_into(Codec::GZIP, member, raw.size()));
  Bytes z = zlib_stream(raw);
  z.back() ^= 1;  // Adler-32
  expect_parse_error(unpack_into(Codec::GZIP, z, raw.size()));
}

TEST(ParquetCompression, GzipNeedsDictionaryIsAnError) {
  const Bytes raw = compressible_bytes(1000);
  z_stream z{};
  ASSERT_EQ(deflateInit(&z, 6), Z_OK);
  const Bytes dict = compressible_bytes(100);
  ASSERT_EQ(deflateSetDictionary(&z, dict.data(), static_cast<uInt>(dict.size())), Z_OK);
  Bytes out(deflateBound(&z, raw.size()));
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  expect_parse_error(unpack_into(Codec::GZIP, out, raw.size()), "dictionary");
}

// ---- LZ4 (Hadoop) and LZ4_RAW ----------------------------------------------------------------------

Bytes lz4_block(const Bytes& raw) {
  Bytes out(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(raw.data()), reinterpret_cast<char*>(out.data()),
                                     static_cast<int>(raw.size()), static_cast<int>(out.size()));
  EXPECT_GT(n, 0);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Bytes be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

// One Hadoop block of one chunk, as parquet-mr and Arrow write it.
Bytes hadoop_frame(const Bytes& raw) {
  const Bytes block = lz4_block(raw);
  return concat({be32(static_cast<std::uint32_t>(raw.size())), be32(static_cast<std::uint32_t>(block.size())), block});
}

TEST(ParquetCompression, Lz4HadoopSeveralFrames) {
  const Bytes a = compressible_bytes(262144);
  const Bytes b = random_bytes(1000);
  const Bytes c = compressible_bytes(5);
  const Bytes whole = concat({a, b, c});
  const Bytes framed = concat({hadoop_frame(a), hadoop_frame(b), hadoop_frame(c)});
  EXPECT_EQ(unpack(Codec::LZ4, framed, whole.size()), whole);
  expect_parse_error(unpack_into(Codec::LZ4, framed, whole.size() - 1), std::to_string(whole.size() - 1));
  expect_parse_error(unpack_into(Codec::LZ4, framed, whole.size() + 1));
  // One frame missing its last byte.
  expect_parse_error(unpack_into(Codec::LZ4, Bytes(framed.begin(), framed.end() - 1), whole.size()));
}

TEST(ParquetCompression, Lz4HadoopBlockOfSeveralChunks) {
  // Hadoop's BlockCompressorStream may split one block's input into several compressed chunks.
  const Bytes a = compressible_bytes(9000);
  const Bytes b = random_bytes(3000);
  const Bytes whole = concat({a, b});
  const Bytes ca = lz4_block(a);
  const Bytes cb = lz4_block(b);
  const Bytes framed = concat({be32(static_cast<std::uint32_t>(whole.size())), be32(static_cast<std::uint32_t>(ca.size())),
                               ca, be32(static_cast<std::uint32_t>(cb.size())), cb});
  EXPECT_EQ(unpack(Codec::LZ4, framed, whole.size()), whole);
}

TEST(ParquetCompression, Lz4HadoopEmptyPage) {
  EXPECT_TRUE(unpack_into(Codec::LZ4, hadoop_frame(Bytes{}), 0).ok());
  EXPECT_TRUE(unpack_into(Codec::LZ4, be32(0), 0).ok());
  expect_parse_error(unpack_into(Codec::LZ4, hadoop_frame(Bytes{}), 1));
}

TEST(ParquetCompression, Lz4FallsBackToRawBlock) {
  for (const Bytes& raw : {compressible_bytes(100000), random_bytes(5000), Bytes{3}}) {
    EXPECT_EQ(unpack(Codec::LZ4, lz4_block(raw), raw.size()), raw);
  }
  const Bytes raw = compressible_bytes(1000);
  expect_parse_error(unpack_into(Codec::LZ4, lz4_block(raw), raw.size() + 1), "neither");
}

TEST(ParquetCompression, Lz4FallsBackToFrameFormat) {
  for (const Bytes& raw : {compressible_bytes(300000), random_bytes(5000), Bytes{}}) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    Bytes frame(LZ4F_compressFrameBound(raw.size(), &prefs));
    const std::size_t n = LZ4F_compressFrame(frame.data(), frame.size(), raw.data(), raw.size(), &prefs);
    ASSERT_FALSE(LZ4F_isError(n));
    frame.resize(n);
    EXPECT_EQ(unpack(Codec::LZ4, frame, raw.size()), raw);
    // Two frames back to back.
    const Bytes two = concat({frame, frame});
    EXPECT_EQ(unpack(Codec::LZ4, two, raw.size() * 2), concat({raw, raw}));
    if (!raw.empty()) {
      expect_parse_error(unpack_into(Codec::LZ4, frame, raw.size() - 1));
      expect_parse_error(unpack_into(Codec::LZ4, frame, raw.size() + 1));
      Bytes bad = frame;
      bad[bad.size() - 2] ^= 1;  // content checksum
      expect_parse_error(unpack_into(Codec::LZ4, bad, raw.size()));
    }
  }
}

TEST(ParquetCompression, Lz4RawIsOneBlock) {
  const Bytes raw = compressible_bytes(50000);
  EXPECT_EQ(unpack(Codec::LZ4_RAW, lz4_block(raw), raw.size()), raw);
  // LZ4_RAW has no fallbacks: Hadoop framing is not an LZ4_RAW page.
  expect_parse_error(unpack_into(Codec::LZ4_RAW, hadoop_frame(raw), raw.size()));
  expect_parse_error(unpack_into(Codec::LZ4_RAW, lz4_block(raw), raw.size() - 1), "more than");
  expect_parse_error(unpack_into(Codec::LZ4_RAW, lz4_block(raw), raw.size() + 1), "50000 bytes");
}

// ---- ZSTD ------------------------------------------------------------------------------------------

// A zstd frame written by the streaming API without a pledged size: no content size in the header.
Bytes zstd_streamed(const Bytes& raw, bool content_size) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size ? 1 : 0);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  Bytes out(ZSTD_compressBound(raw.size()) + 64);
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  std::size_t left = 0;
  do {
    left = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
    EXPECT_FALSE(ZSTD_isError(left));
  } while (left != 0 && !ZSTD_isError(left));
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

TEST(ParquetCompression, ZstdWithoutContentSize) {
  for (const Bytes& raw : {compressible_bytes(500000), random_bytes(100000), Bytes{1}}) {
    const Bytes frame = zstd_streamed(raw, false);
    ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    EXPECT_EQ(unpack(Codec::ZSTD, frame, raw.size()), raw);
    expect_parse_error(unpack_into(Codec::ZSTD, frame, raw.size() - 1), "more than");
    expect_parse_error(unpack_into(Codec::ZSTD, frame, raw.size() + 1), std::to_string(raw.size() + 1));
  }
}

TEST(ParquetCompression, ZstdSeveralFramesAndSkippableFrames) {
  const Bytes a = compressible_bytes(100000);
  const Bytes b = random_bytes(20000);
  const Bytes whole = concat({a, b});
  const Bytes two = concat({zstd_streamed(a, true), zstd_streamed(b, false)});
  EXPECT_EQ(unpack(Codec::ZSTD, two, whole.size()), whole);
  expect_parse_error(unpack_into(Codec::ZSTD, two, a.size()), "more than");
  // A skippable frame (magic 0x184D2A50, little-endian size) between them is ignored.
  const Bytes skippable = {0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
  EXPECT_EQ(unpack(Codec::ZSTD, concat({skippable, pack(Codec::ZSTD, a), skippable, pack(Codec::ZSTD, b)}),
                   whole.size()),
            whole);
  // Bytes after the last frame that are no frame are an error.
  expect_parse_error(unpack_into(Codec::ZSTD, concat({pack(Codec::ZSTD, a), Bytes{1, 2, 3}}), a.size()));
}

TEST(ParquetCompression, ZstdLegacyFramesAreRefused) {
  // Pre-1.0 zstd (magic 0xFD2FB527, v0.7) is not Parquet's ZSTD; the library's legacy decoders are
  // never reached.
  const Bytes legacy = {0x27, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0};
  expect_parse_error(unpack_into(Codec::ZSTD, legacy, 10), "no Zstandard frame at byte 0");
  const Bytes raw = compressible_bytes(1000);
  expect_parse_error(unpack_into(Codec::ZSTD, concat({pack(Codec::ZSTD, raw), legacy}), raw.size() + 10),
                     "no Zstandard frame at byte");
}

TEST(ParquetCompression, ZstdChecksumMismatchIsAnError) {
  const Bytes raw = compressible_bytes(10000);
  Bytes frame = zstd_streamed(raw, true);
  frame.back() ^= 0x10;  // inside the XXH64 checksum
  expect_parse_error(unpack_into(Codec::ZSTD, frame, raw.size()));
}

// ---- SNAPPY and BROTLI -----------------------------------------------------------------------------

TEST(ParquetCompression, SnappyLengthHeaderMustMatch) {
  const Bytes raw = compressible_bytes(1000);
  const Bytes packed = pack(Codec::SNAPPY, raw);
  expect_parse_error(unpack_into(Codec::SNAPPY, packed, 999), "1000 bytes");
  // A header claiming more than the body holds (varint 1001 instead of 1000).
  Bytes lying = packed;
  ASSERT_EQ(lying[0], 0xE8);  // 1000 = 0x3E8 -> E8 07
  lying[0] = 0xE9;
  expect_parse_error(unpack_into(Codec::SNAPPY, lying, 1001), "corrupt");
  expect_parse_error(unpack_into(Codec::SNAPPY, Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 10), "length header");
}

TEST(ParquetCompression, BrotliTrailingBytesAndOverflow) {
  const Bytes raw = compressible_bytes(20000);
  const Bytes packed = pack(Codec::BROTLI, raw);
  expect_parse_error(unpack_into(Codec::BROTLI, concat({packed, Bytes{0}}), raw.size()), "follow the end");
  expect_parse_error(unpack_into(Codec::BROTLI, packed, raw.size() - 1), "more than");
  expect_parse_error(unpack_into(Codec::BROTLI, packed, raw.size() + 1), "20001");
  expect_parse_error(unpack_into(Codec::BROTLI, Bytes(packed.begin(), packed.end() - 1), raw.size()), "ends early");
  // Brotli written by another encoder setting (large window off, quality 11, text mode).
  Bytes other(BrotliEncoderMaxCompressedSize(raw.size()));
  std::size_t n = other.size();
  ASSERT_TRUE(BrotliEncoderCompress(11, 24, BROTLI_MODE_TEXT, raw.size(), raw.data(), &n, other.data()));
  other.resize(n);
  EXPECT_EQ(unpack(Codec::BROTLI, other, raw.size()), raw);
}

}  // namespace

// ---- snappy_decompress_many ------------------------------------------------------------------------

namespace {

using sluice::parquet::SnappyPage;
using sluice::parquet::snappy_decompress_many;

// A Snappy stream built element by element, and the bytes it must decode to (worked out here byte by
// byte, as the format description defines a copy), with every element form: literals with their
// length in the tag or in 1..4 more bytes, copies with 11-, 16- and 32-bit offsets, offsets shorter
// than the copy (a repeating pattern), offsets reaching back to the first byte.
struct SnappyStream {
  Bytes packed;
  Bytes plain;
};

SnappyStream random_snappy_stream(std::mt19937& rng, std::size_t target) {
  SnappyStream s;
  Bytes body;
  auto pick = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng); };
  auto literal = [&](std::size_t len) {
    const std::size_t extra = len <= 60 && pick(0, 3) ? 0 : pick(len - 1 <= 0xFF ? 1 : len - 1 <= 0xFFFF ? 2 : 3, 4);
    if (extra == 0) {
      body.push_back(static_cast<std::uint8_t>((len - 1) << 2));
    } else {
      body.push_back(static_cast<std::uint8_t>((59 + extra) << 2));
      for (std::size_t i = 0; i < extra; ++i) body.push_back(static_cast<std::uint8_t>((len - 1) >> (8 * i)));
    }
    for (std::size_t i = 0; i < len; ++i) {
      // Letters of a small alphabet, so that copies of them look like text.
      const auto c = static_cast<std::uint8_t>('a' + pick(0, 5));
      body.push_back(c);
      s.plain.push_back(c);
    }
  };
  while (s.plain.size() < target) {
    const std::size_t have = s.plain.size();
    const std::size_t kind = have == 0 ? 0 : pick(0, 4);
    if (kind == 0) {
      literal(pick(0, 9) ? pick(1, 64) : pick(65, 3000));
      continue;
    }
    // An offset: mostly near (patterns, overlaps with the last stores), sometimes far.
    std::size_t offset = pick(0, 2) == 0 ? pick(1, std::min<std::size_t>(have, 16)) : pick(1, have);
    std::size_t len;
    if (kind == 1 && offset < 2048) {
      len = pick(4, 11);
      body.push_back(static_cast<std::uint8_t>(1 | ((len - 4) << 2) | ((offset >> 8) << 5)));
      body.push_back(static_cast<std::uint8_t>(offset));
    } else if (kind <= 3 && offset < 65536) {
      len = pick(1, 64);
      body.push_back(static_cast<std::uint8_t>(2 | ((len - 1) << 2)));
      body.push_back(static_cast<std::uint8_t>(offset));
      body.push_back(static_cast<std::uint8_t>(offset >> 8));
    } else {
      len = pick(1, 64);
      body.push_back(static_cast<std::uint8_t>(3 | ((len - 1) << 2)));
      for (int i = 0; i < 4; ++i) body.push_back(static_cast<std::uint8_t>(offset >> (8 * i)));
    }
    for (std::size_t i = 0; i < len; ++i) s.plain.push_back(s.plain[s.plain.size() - offset]);
  }
  for (std::size_t n = s.plain.size(); ; n >>= 7) {
    s.packed.push_back(static_cast<std::uint8_t>((n & 0x7F) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  s.packed.insert(s.packed.end(), body.begin(), body.end());
  return s;
}

// Decodes `inputs` together, each into an exactly sized heap block of `sizes[i]` bytes (ASan sees any
// overrun); returns each page's bytes, or nullopt where it did not decode.
std::vector<std::optional<Bytes>> many(const std::vector<Bytes>& inputs, const std::vector<std::size_t>& sizes) {
  std::vector<std::unique_ptr<std::uint8_t[]>> in, out;
  std::vector<SnappyPage> pages;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    in.emplace_back(new std::uint8_t[std::max<std::size_t>(inputs[i].size(), 1)]);
    if (!inputs[i].empty()) std::memcpy(in.back().get(), inputs[i].data(), inputs[i].size());
    out.emplace_back(new std::uint8_t[std::max<std::size_t>(sizes[i], 1)]);
    pages.push_back({{in.back().get(), inputs[i].size()}, {out.back().get(), sizes[i]}});
  }
  snappy_decompress_many(pages);
  std::vector<std::optional<Bytes>> r;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (pages[i].ok) r.emplace_back(Bytes(out[i].get(), out[i].get() + sizes[i]));
    else r.emplace_back(std::nullopt);
  }
  return r;
}

}  // namespace

TEST(ParquetSnappyMany, EveryElementFormDecodesInGroupsOfAnySize) {
  std::mt19937 rng(7);
  for (int round = 0; round < 60; ++round) {
    const std::size_t count = 1 + static_cast<std::size_t>(round % 5);
    std::vector<SnappyStream> streams;
    std::vector<Bytes> inputs;
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < count; ++i) {
      // Sizes around the fast path's margins (64, 69 bytes) and well past them.
      static constexpr std::size_t kTargets[] = {0, 1, 5, 63, 64, 65, 68, 69, 70, 130, 4096, 20000, 70000};
      streams.push_back(random_snappy_stream(rng, kTargets[(round * 3 + i * 5) % std::size(kTargets)]));
      inputs.push_back(streams.back().packed);
      sizes.push_back(streams.back().plain.size());
      // libsnappy (through decompress()) reads the generated stream as intended.
      EXPECT_EQ(unpack(Codec::SNAPPY, streams.back().packed, sizes.back()), streams.back().plain);
    }
    const auto got = many(inputs, sizes);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_TRUE(got[i].has_value()) << "round " << round << ", page " << i << " of " << count;
      EXPECT_TRUE(*got[i] == streams[i].plain) << "round " << round << ", page " << i;
    }
  }
  // Pages snappy's own compressor wrote: text, random bytes (long literals), runs.
  std::vector<Bytes> plains = {compressible_bytes(300000), random_bytes(100000), Bytes(50000, 0), compressible_bytes(77)};
  std::vector<Bytes> inputs;
  std::vector<std::size_t> sizes;
  for (const auto& p : plains) {
    inputs.push_back(pack(Codec::SNAPPY, p));
    sizes.push_back(p.size());
  }
  const auto got = many(inputs, sizes);
  for (std::size_t i = 0; i < plains.size(); ++i) EXPECT_TRUE(got[i] && *got[i] == plains[i]) << i;
}

TEST(ParquetSnappyMany, BrokenPagesFailAloneAndAsDecompressDoes) {
  // Whatever a page holds, snappy_decompress_many accepts it exactly when decompress() does, with the
  // same bytes, and a broken page beside good ones leaves them decoded.
  std::mt19937 rng(11);
  auto pick = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng); };
  int failed = 0;
  for (int round = 0; round < 400; ++round) {
    const SnappyStream good = random_snappy_stream(rng, pick(0, 3) ? pick(60, 400) : pick(1000, 9000));
    Bytes broken = good.packed;
    std::size_t size = good.plain.size();
    switch (round % 5) {
      case 0: broken.resize(pick(0, broken.size() - 1)); break;                       // truncated
      case 1: broken[pick(0, broken.size() - 1)] ^= static_cast<std::uint8_t>(pick(1, 255)); break;
      case 2: size += pick(0, 1) ? 1 : static_cast<std::size_t>(-1); break;          // size one off
      case 3: broken.push_back(static_cast<std::uint8_t>(pick(0, 255))); break;         // a byte after the end
      default:
        for (int k = 0; k < 3; ++k) broken[pick(0, broken.size() - 1)] = static_cast<std::uint8_t>(pick(0, 255));
    }
    Bytes expected;
    const bool ok = unpack_into(Codec::SNAPPY, broken, size, &expected).ok();
    failed += !ok;
    const auto got = many({good.packed, broken, good.packed}, {good.plain.size(), size, good.plain.size()});
    ASSERT_EQ(got[1].has_value(), ok) << "round " << round;
    if (ok) {
      EXPECT_TRUE(*got[1] == expected) << "round " << round;
    }
    EXPECT_TRUE(got[0] && *got[0] == good.plain) << "round " << round;
    EXPECT_TRUE(got[2] && *got[2] == good.plain) << "round " << round;
  }
  EXPECT_GT(failed, 200);  // the mutations mostly break the page
  // A preamble that is not the page's size, and none at all.
  EXPECT_FALSE(many({Bytes{0x05, 0x10, 'a', 'b', 'c', 'd', 'e'}}, {4})[0]);
  EXPECT_FALSE(many({Bytes{}}, {1})[0]);
  EXPECT_TRUE(many({Bytes{}}, {0})[0]);  // nothing for nothing, as decompress() takes it
  EXPECT_TRUE(many({Bytes{0x00}}, {0})[0]);
  // libsnappy reads a literal length of 2^32 (four bytes of FF) as a length of 0; so does this.
  const Bytes zero_literal = {0x00, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(unpack_into(Codec::SNAPPY, zero_literal, 0).ok(), many({zero_literal}, {0})[0].has_value());
}

TEST(ParquetSnappyMany, SharesDecodeDisjointPagesThatTogetherAreAll) {
  // Each of `shares` calls on the same vector decodes only its own pages (the others' `ok` and bytes
  // untouched), and together they decode every page: what the reader's threads rely on.
  std::mt19937 rng(5);
  std::vector<SnappyStream> streams;
  for (std::size_t size : {9000, 100, 30000, 5000, 70, 12000, 800}) streams.push_back(random_snappy_stream(rng, size));
  std::vector<Bytes> outs;
  for (const auto& st : streams) outs.emplace_back(st.plain.size(), 0xAB);
  std::vector<SnappyPage> pages;
  for (std::size_t i = 0; i < streams.size(); ++i) pages.push_back({streams[i].packed, outs[i]});
  constexpr std::size_t kShares = 3;
  std::vector<int> decoded_by(pages.size(), -1);
  for (std::size_t k = 0; k < kShares; ++k) {
    for (auto& p : pages) p.ok = false;
    snappy_decompress_many(pages, k, kShares);
    int mine = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      if (!pages[i].ok) continue;
      ++mine;
      EXPECT_EQ(decoded_by[i], -1) << "page " << i << " decoded by two shares";
      decoded_by[i] = static_cast<int>(k);
      EXPECT_TRUE(outs[i] == streams[i].plain) << i;
    }
    EXPECT_GT(mine, 0) << "share " << k;
  }
  for (std::size_t i = 0; i < pages.size(); ++i) EXPECT_NE(decoded_by[i], -1) << "page " << i << " in no share";
  // A share's pages are left alone by the other shares: decode only share 0 into fresh buffers.
  for (auto& o : outs) std::fill(o.begin(), o.end(), 0xAB);
  for (auto& p : pages) p.ok = false;
  snappy_decompress_many(pages, 0, kShares);
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (decoded_by[i] == 0) continue;
    EXPECT_TRUE(!pages[i].ok && outs[i] == Bytes(outs[i].size(), 0xAB)) << i;
  }
}
