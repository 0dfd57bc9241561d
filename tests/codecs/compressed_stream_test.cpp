// Streaming gzip and zstd Sources and Sinks: path rules, round trips at several levels and sizes, files
// made by gzip(1) and zstd(1) (both ways), multi-member gzip and multi-frame zstd with skippable
// frames, truncated and corrupt input (an error with the compressed byte offset, never a crash), reads
// of every size, all-or-nothing sinks, and a decompression bomb streamed in bounded memory.
#include "sluice/codecs/compressed_stream.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "sluice/io/local.hpp"

namespace sluice::codecs {
// GoogleTest prints a compression by name in failure messages (found by argument-dependent lookup).
void PrintTo(StreamCompression c, std::ostream* os) { *os << stream_compression_name(c); }
}  // namespace sluice::codecs

namespace {

namespace fs = std::filesystem;
using sluice::ErrorCode;
using sluice::Result;
using sluice::Status;
using sluice::codecs::compressing_sink;
using sluice::codecs::decompressing_source;
using sluice::codecs::StreamCompression;
using sluice::codecs::StreamCompressOptions;
using sluice::io::MemorySink;
using sluice::io::MemorySource;

constexpr StreamCompression kGzip = StreamCompression::kGzip;
constexpr StreamCompression kZstd = StreamCompression::kZstd;
constexpr StreamCompression kNone = StreamCompression::kNone;

bool quick() { return std::getenv("SLUICE_TEST_QUICK") != nullptr; }

// CSV-like text: compresses about as well as real tables do.
std::string table_text(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(size + 64);
  static constexpr const char* kNames[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"};
  char line[96];
  for (std::uint64_t row = 0; out.size() < size; ++row) {
    const std::uint64_t r = rng();
    const int n = std::snprintf(line, sizeof line, "%llu,%s,%llu.%02u,%s\n", static_cast<unsigned long long>(row),
                                kNames[r & 7], static_cast<unsigned long long>((r >> 3) % 100000),
                                static_cast<unsigned>((r >> 20) % 100), (r >> 30) & 1 ? "true" : "false");
    out.append(line, static_cast<std::size_t>(n));
  }
  out.resize(size);
  return out;
}

std::string random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Compresses `data` through compressing_sink into memory, writing it in pieces of `chunk` bytes.
std::string compress(StreamCompression c, const std::string& data, StreamCompressOptions options = {},
                     std::size_t chunk = 100003) {
  auto mem = std::make_unique<MemorySink>("mem.out");
  MemorySink* inner = mem.get();
  auto sink = compressing_sink(std::move(mem), c, options);
  EXPECT_TRUE(sink.ok()) << sink.error().to_string();
  if (!sink.ok()) return {};
  for (std::size_t pos = 0; pos < data.size(); pos += chunk) {
    const Status st = (*sink)->write(data.data() + pos, std::min(chunk, data.size() - pos));
    EXPECT_TRUE(st.ok()) << st.error().to_string();
  }
  const Status st = (*sink)->finish();
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ((*sink)->bytes_written(), inner->data().size());
  return inner->data();
}

// Reads a Source to its end with reads of `buffer` bytes, or returns the first error.
Result<std::string> read_all(sluice::io::Source& source, std::size_t buffer = 65536) {
  std::string out;
  std::vector<std::byte> buf(buffer);
  for (;;) {
    SLUICE_ASSIGN_OR_RETURN(std::size_t n, source.read(buf));
    if (n > buffer) return sluice::Error(ErrorCode::kInternal, "read returned more than asked for");
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

Result<std::string> decompress(StreamCompression c, std::string compressed, std::size_t buffer = 65536) {
  SLUICE_ASSIGN_OR_RETURN(auto source, decompressing_source(std::make_unique<MemorySource>(std::move(compressed), "in.z"), c));
  return read_all(*source, buffer);
}

// A sequential source that hands out its bytes in small pieces of varying size (as a pipe might).
class TrickleSource final : public sluice::io::Source {
 public:
  TrickleSource(std::string data, std::vector<std::size_t> pieces) : data_(std::move(data)), pieces_(std::move(pieces)) {}
  const std::string& path() const override { return name_; }
  bool supports_random_access() const override { return false; }
  Result<std::uint64_t> size() override { return sluice::Error(ErrorCode::kNotImplemented, "stream"); }
  Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return sluice::Error(ErrorCode::kNotImplemented, "stream");
  }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    const std::size_t piece = pieces_[next_++ % pieces_.size()];
    const std::size_t n = std::min({dst.size(), piece, data_.size() - pos_});
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::vector<std::size_t> pieces_;
  std::size_t pos_ = 0;
  std::size_t next_ = 0;
  std::string name_ = "<trickle>";
};

// A sink that records what happens to it; its writes fail after `fail_after` bytes if set.
class ProbeSink final : public sluice::io::Sink {
 public:
  using sluice::io::Sink::write;
  const std::string& path() const override { return name_; }
  Status write(std::span<const std::byte> data) override {
    ++writes;
    if (fail_after >= 0 && staged.size() + data.size() > static_cast<std::size_t>(fail_after)) {
      return sluice::Error(ErrorCode::kIoError, "disk full", sluice::ErrorContext{name_});
    }
    staged.append(reinterpret_cast<const char*>(data.data()), data.size());
    return sluice::ok_status();
  }
  Status finish() override {
    ++finishes;
    committed = std::move(staged);
    staged.clear();
    return sluice::ok_status();
  }
  void abort() override {
    ++aborts;
    staged.clear();
  }
  Status stage() override {
    ++stages;
    if (fail_stage) return sluice::Error(ErrorCode::kIoError, "cannot stage", sluice::ErrorContext{name_});
    return sluice::ok_status();
  }
  std::uint64_t bytes_written() const override { return staged.size() + committed.size(); }
  std::uint64_t buffered_bytes() const override { return 1000; }

  std::string name_ = "probe.out";
  std::string staged, committed;
  long long fail_after = -1;
  bool fail_stage = false;
  int writes = 0, finishes = 0, aborts = 0, stages = 0;
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_file(const fs::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

int run(const std::string& command) { return std::system(command.c_str()); }

// A zstd skippable frame (magic 0x184D2A5?, 4-byte little-endian size, payload).
std::string skippable_frame(std::size_t payload, unsigned variant = 0) {
  std::string f;
  const std::uint32_t magic = 0x184D2A50u + (variant & 0xf);
  for (int i = 0; i < 4; ++i) f += static_cast<char>((magic >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) f += static_cast<char>((payload >> (8 * i)) & 0xff);
  f += std::string(payload, '\x5a');
  return f;
}

std::size_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sluice-compressed-stream-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// ---- names and extensions ----------------------------------------------------------------------------

TEST(StreamCompressionNames, FromPath) {
  using sluice::codecs::stream_compression_from_path;
  EXPECT_EQ(stream_compression_from_path("a/b.csv.gz"), kGzip);
  EXPECT_EQ(stream_compression_from_path("b.CSV.GZ"), kGzip);
  EXPECT_EQ(stream_compression_from_path("b.ndjson.gzip"), kGzip);
  EXPECT_EQ(stream_compression_from_path("b.ndjson.zst"), kZstd);
  EXPECT_EQ(stream_compression_from_path("b.jsonl.ZStd"), kZstd);
  EXPECT_EQ(stream_compression_from_path("b.csv"), kNone);
  EXPECT_EQ(stream_compression_from_path("b.gz.csv"), kNone);
  EXPECT_EQ(stream_compression_from_path("b.tgz"), kNone);
  EXPECT_EQ(stream_compression_from_path("dir.gz/file"), kNone);
  EXPECT_EQ(stream_compression_from_path(".gz"), kNone);
  EXPECT_EQ(stream_compression_from_path("dir/.gz"), kNone);
  EXPECT_EQ(stream_compression_from_path("dir/.hidden.gz"), kGzip);
  EXPECT_EQ(stream_compression_from_path(""), kNone);
  EXPECT_EQ(stream_compression_from_path("-"), kNone);
  EXPECT_EQ(stream_compression_from_path("s3://bucket/k.csv.gz?versionId=3"), kGzip);
  EXPECT_EQ(stream_compression_from_path("https://h/x.ndjson.zst#frag"), kZstd);
  EXPECT_EQ(stream_compression_from_path("https://h/x.csv?name=y.gz"), kNone);
  EXPECT_EQ(stream_compression_from_path("https://h/dir.gz/?q"), kNone);
  // In a plain file name '?' and '#' are characters.
  EXPECT_EQ(stream_compression_from_path("odd?.gz"), kGzip);
  EXPECT_EQ(stream_compression_from_path("odd.gz#1"), kNone);
}

TEST(StreamCompressionNames, StripExtension) {
  using sluice::codecs::strip_compression_extension;
  EXPECT_EQ(strip_compression_extension("a/b.csv.gz"), "a/b.csv");
  EXPECT_EQ(strip_compression_extension("a/b.ndjson.ZST"), "a/b.ndjson");
  EXPECT_EQ(strip_compression_extension("b.jsonl.gzip"), "b.jsonl");
  EXPECT_EQ(strip_compression_extension("b.csv"), "b.csv");
  EXPECT_EQ(strip_compression_extension("b.gz.csv"), "b.gz.csv");
  EXPECT_EQ(strip_compression_extension("data.gz"), "data");
  EXPECT_EQ(strip_compression_extension(".gz"), ".gz");
  EXPECT_EQ(strip_compression_extension("s3://b/k.ndjson.zst?v=2"), "s3://b/k.ndjson?v=2");
  EXPECT_EQ(strip_compression_extension("https://h/k.csv.gz#x"), "https://h/k.csv#x");
}

TEST(StreamCompressionNames, ParseAndExtension) {
  using sluice::codecs::extension_of;
  using sluice::codecs::parse_stream_compression;
  EXPECT_EQ(*parse_stream_compression("gzip"), kGzip);
  EXPECT_EQ(*parse_stream_compression("gz"), kGzip);
  EXPECT_EQ(*parse_stream_compression("GZIP"), kGzip);
  EXPECT_EQ(*parse_stream_compression("zstd"), kZstd);
  EXPECT_EQ(*parse_stream_compression("zst"), kZstd);
  EXPECT_EQ(*parse_stream_compression("none"), kNone);
  EXPECT_EQ(*parse_stream_compression("uncompressed"), kNone);
  for (const char* bad : {"", "lz4", "gzip9", "snappy", " zstd"}) {
    auto r = parse_stream_compression(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(extension_of(kGzip), ".gz");
  EXPECT_EQ(extension_of(kZstd), ".zst");
  EXPECT_EQ(extension_of(kNone), "");
  // The extension leads back to the compression.
  for (auto c : {kGzip, kZstd}) {
    EXPECT_EQ(sluice::codecs::stream_compression_from_path("x.csv" + std::string(extension_of(c))), c);
  }
}

// ---- API edges -------------------------------------------------------------------------------------------

TEST(CompressedStreamApi, NoneGivesTheInnerBack) {
  auto src = std::make_unique<MemorySource>("abc");
  auto* raw = src.get();
  auto s = decompressing_source(std::move(src), kNone);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->get(), raw);
  auto sink = std::make_unique<MemorySink>();
  auto* raw_sink = sink.get();
  auto k = compressing_sink(std::move(sink), kNone);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->get(), raw_sink);
}

TEST(CompressedStreamApi, BadArguments) {
  EXPECT_EQ(decompressing_source(nullptr, kGzip).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(compressing_sink(nullptr, kZstd).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decompressing_source(std::make_unique<MemorySource>(""), static_cast<StreamCompression>(7)).error().code(),
            ErrorCode::kInvalidArgument);
  struct Case {
    StreamCompression c;
    int level;
    int threads;
  };
  for (const Case& bad : {Case{kGzip, 10, 1}, Case{kGzip, -2, 1}, Case{kZstd, 23, 1}, Case{kZstd, -200000000, 1},
                          Case{kZstd, 3, 0}, Case{kGzip, 6, -1}}) {
    auto r = compressing_sink(std::make_unique<MemorySink>("x.out"), bad.c, {bad.level, bad.threads});
    ASSERT_FALSE(r.ok()) << bad.level << " " << bad.threads;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().context().path, "x.out");
  }
  // gzip takes (and ignores) threads; zstd's fast levels and level 0 are accepted.
  EXPECT_TRUE(compressing_sink(std::make_unique<MemorySink>(), kGzip, {0, 4}).ok());
  EXPECT_TRUE(compressing_sink(std::make_unique<MemorySink>(), kZstd, {-5, 1}).ok());
  EXPECT_TRUE(compressing_sink(std::make_unique<MemorySink>(), kZstd, {0, 1}).ok());
}

TEST(CompressedStreamApi, SourceIsSequentialAndNamedAfterTheInner) {
  for (auto c : {kGzip, kZstd}) {
    auto s = decompressing_source(std::make_unique<MemorySource>(compress(c, "hello"), "s3://b/k.csv.gz"), c);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->supports_random_access());
    EXPECT_EQ((*s)->path(), "s3://b/k.csv.gz");
    EXPECT_EQ((*s)->size().error().code(), ErrorCode::kNotImplemented);
    std::byte b[4];
    EXPECT_EQ((*s)->read_at(0, b).error().code(), ErrorCode::kNotImplemented);
    EXPECT_EQ(*read_all(**s), "hello");
    EXPECT_EQ(*(*s)->read(b), 0u);  // and it stays at the end
    EXPECT_EQ(*(*s)->read({b, 0}), 0u);
  }
}

// ---- round trips ---------------------------------------------------------------------------------------

struct RoundTripCase {
  StreamCompression c;
  int level;
  int threads;
  std::size_t size;
};

void PrintTo(const RoundTripCase& t, std::ostream* os) {
  *os << sluice::codecs::stream_compression_name(t.c) << " level " << t.level << " threads " << t.threads << " "
      << t.size << " bytes";
}

class StreamRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(StreamRoundTrip, BytesComeBackUnchanged) {
  RoundTripCase t = GetParam();
  if (quick() && t.size > (8u << 20)) t.size = 8u << 20;
  const std::string data = table_text(t.size, t.size + static_cast<std::uint64_t>(t.level));
  const std::string packed = compress(t.c, data, {t.level, t.threads});
  ASSERT_FALSE(packed.empty());  // even empty data has a header and a trailer
  if (t.size >= (1u << 20)) {
    EXPECT_LT(packed.size(), data.size() / 2);
  }
  auto back = decompress(t.c, packed);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_EQ(back->size(), data.size());
  EXPECT_TRUE(*back == data);
}

constexpr std::size_t kSmall = 100'000;
constexpr std::size_t kLarge = 50u << 20;

INSTANTIATE_TEST_SUITE_P(
    Small, StreamRoundTrip,
    ::testing::Values(RoundTripCase{kGzip, -1, 1, 0}, RoundTripCase{kGzip, -1, 1, 1}, RoundTripCase{kGzip, 0, 1, kSmall},
                      RoundTripCase{kGzip, 1, 1, kSmall}, RoundTripCase{kGzip, 6, 1, kSmall},
                      RoundTripCase{kGzip, 9, 1, kSmall}, RoundTripCase{kZstd, -1, 1, 0},
                      RoundTripCase{kZstd, -1, 1, 1}, RoundTripCase{kZstd, -5, 1, kSmall},
                      RoundTripCase{kZstd, 1, 1, kSmall}, RoundTripCase{kZstd, 3, 1, kSmall},
                      RoundTripCase{kZstd, 19, 1, kSmall}, RoundTripCase{kZstd, 22, 1, kSmall},
                      RoundTripCase{kZstd, -1, 2, 0}, RoundTripCase{kZstd, -1, 2, kSmall}));
INSTANTIATE_TEST_SUITE_P(Large, StreamRoundTrip,
                         ::testing::Values(RoundTripCase{kGzip, 1, 1, kLarge}, RoundTripCase{kGzip, -1, 1, kLarge},
                                           RoundTripCase{kZstd, 1, 1, kLarge}, RoundTripCase{kZstd, -1, 1, kLarge},
                                           RoundTripCase{kZstd, 9, 1, kLarge}, RoundTripCase{kZstd, -1, 2, kLarge},
                                           RoundTripCase{kZstd, 3, 2, kLarge}));

TEST(CompressedStream, IncompressibleDataRoundTrips) {
  const std::string data = random_bytes(3u << 20, 7);
  for (auto c : {kGzip, kZstd}) {
    const std::string packed = compress(c, data, {}, 1 << 20);
    auto back = decompress(c, packed, 1000003);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(*back == data) << sluice::codecs::stream_compression_name(c);
  }
}

TEST(CompressedStream, OneBigWriteAndManyTinyWrites) {
  const std::string data = table_text(1u << 20, 3);
  for (auto c : {kGzip, kZstd}) {
    const std::string one = compress(c, data, {}, data.size());
    const std::string tiny = compress(c, data, {}, 7);
    EXPECT_EQ(*decompress(c, one), data);
    EXPECT_EQ(*decompress(c, tiny), data);
  }
}

// ---- reads of every size --------------------------------------------------------------------------------

TEST(CompressedStream, TinyAndOddReadsGiveTheSameBytes) {
  const std::string data = table_text(700'000, 11) + random_bytes(300'000, 12);
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    const std::string packed = compress(c, data);
    // One byte at a time (the first 200 KB, then the rest in odd sizes).
    auto source = *decompressing_source(std::make_unique<MemorySource>(packed), c);
    std::string got;
    std::byte one;
    while (got.size() < 200'000) {
      auto n = source->read({&one, 1});
      ASSERT_TRUE(n.ok()) << n.error().to_string();
      ASSERT_EQ(*n, 1u);
      got += static_cast<char>(one);
    }
    const std::size_t sizes[] = {3, 4093, 1, 65537, 2, (1u << 20) + 3, 17, 262145, 5};
    std::vector<std::byte> buf((1u << 20) + 3);
    for (std::size_t i = 0;; ++i) {
      const std::size_t want = sizes[i % std::size(sizes)];
      auto n = source->read({buf.data(), want});
      ASSERT_TRUE(n.ok()) << n.error().to_string();
      ASSERT_LE(*n, want);
      if (*n == 0) break;
      // The buffer is filled as far as the data goes: a short read only at the end.
      if (*n < want) {
        EXPECT_EQ(got.size() + *n, data.size());
      }
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    EXPECT_TRUE(got == data);
  }
}

TEST(CompressedStream, InnerThatTricklesBytes) {
  const std::string data = table_text(400'000, 13);
  for (auto c : {kGzip, kZstd}) {
    const std::string packed = compress(c, data);
    for (const auto& pieces : {std::vector<std::size_t>{1}, std::vector<std::size_t>{1, 2, 3, 5, 4099, 7},
                               std::vector<std::size_t>{262143, 3, 262145}}) {
      auto source = *decompressing_source(std::make_unique<TrickleSource>(packed, pieces), c);
      auto back = read_all(*source, 4097);
      ASSERT_TRUE(back.ok()) << back.error().to_string();
      EXPECT_TRUE(*back == data) << sluice::codecs::stream_compression_name(c) << " pieces " << pieces.size();
    }
  }
}

// ---- several members and frames -------------------------------------------------------------------------

TEST(CompressedStream, GzipMembersAreAllRead) {
  const std::string a = table_text(300'000, 21), b = table_text(5, 22), d = random_bytes(70'000, 23);
  const std::string packed = compress(kGzip, a) + compress(kGzip, b) + compress(kGzip, "") + compress(kGzip, d, {1, 1});
  for (std::size_t buffer : {1u, 4096u, 1u << 20}) {
    auto back = decompress(kGzip, packed, buffer);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(*back == a + b + d);
  }
  // Every member empty.
  EXPECT_EQ(*decompress(kGzip, compress(kGzip, "") + compress(kGzip, "")), "");
}

TEST(CompressedStream, GzipZeroPaddingIsIgnored) {
  const std::string a = table_text(200'000, 31);
  const std::string packed = compress(kGzip, a) + compress(kGzip, "tail");
  for (std::size_t zeros : {1u, 511u, 512u * 1024u + 5u}) {  // the last one spans several buffer refills
    auto back = decompress(kGzip, packed + std::string(zeros, '\0'));
    ASSERT_TRUE(back.ok()) << zeros << ": " << back.error().to_string();
    EXPECT_TRUE(*back == a + "tail");
  }
}

TEST(CompressedStream, GzipTrailingGarbageIsAnError) {
  const std::string packed = compress(kGzip, "x,y\n1,2\n");
  struct Case {
    std::string tail;
    std::size_t offset;  // of the offending byte, from the end of the member
  };
  for (const Case& t : {Case{"garbage", 0}, Case{std::string(10, '\0') + "x", 10}, Case{std::string("\0\0\x1f", 3), 2}}) {
    auto back = decompress(kGzip, packed + t.tail);
    ASSERT_FALSE(back.ok()) << t.tail;
    EXPECT_EQ(back.error().code(), ErrorCode::kParseError);
    EXPECT_EQ(back.error().context().byte_offset, static_cast<std::int64_t>(packed.size() + t.offset));
    EXPECT_EQ(back.error().context().path, "in.z");
  }
}

TEST(CompressedStream, ZstdFramesAndSkippableFramesAreAllRead) {
  const std::string a = table_text(300'000, 41), b = random_bytes(1000, 42);
  const std::string packed = skippable_frame(0) + compress(kZstd, a) + skippable_frame(600'000, 5) +
                             compress(kZstd, b, {19, 1}) + compress(kZstd, "") + compress(kZstd, a, {1, 2}) +
                             skippable_frame(3, 15);
  for (std::size_t buffer : {1u, 4096u, 1u << 20}) {
    auto back = decompress(kZstd, packed, buffer);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(*back == a + b + a);
  }
  // Only skippable frames: nothing, but not an error.
  auto only = decompress(kZstd, skippable_frame(10) + skippable_frame(0, 1));
  ASSERT_TRUE(only.ok()) << only.error().to_string();
  EXPECT_EQ(*only, "");
}

TEST(CompressedStream, ZstdTrailingGarbageAndLegacyFramesAreErrors) {
  const std::string packed = compress(kZstd, "hello");
  for (const std::string& tail : {std::string("garbage"), std::string(4, '\0'), std::string("\x1e\xb5\x2f\xfd", 4)}) {
    auto back = decompress(kZstd, packed + tail);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code(), ErrorCode::kParseError);
    EXPECT_EQ(back.error().context().byte_offset, static_cast<std::int64_t>(packed.size()));
  }
  // A v0.7 legacy magic number at the start (0xFD2FB527).
  auto legacy = decompress(kZstd, std::string("\x27\xb5\x2f\xfd", 4) + std::string(20, 'x'));
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.error().code(), ErrorCode::kParseError);
  EXPECT_EQ(legacy.error().context().byte_offset, 0);
}

TEST(CompressedStream, ZstdWindowOverTheLimitIsRefused) {
  // A frame declaring a 256 MiB window (no content size, so libzstd keeps the window as asked).
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_NE(cctx, nullptr);
  ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 28)));
  const std::string data = table_text(10'000, 51);
  std::string out(ZSTD_compressBound(data.size()) + 64, '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ASSERT_FALSE(ZSTD_isError(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue)));
  std::size_t rc = 0;
  do {
    rc = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
    ASSERT_FALSE(ZSTD_isError(rc));
  } while (rc != 0);
  ZSTD_freeCCtx(cctx);
  out.resize(o.pos);
  auto back = decompress(kZstd, out);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(back.error().message().find("window"), std::string::npos) << back.error().message();
}

// ---- truncated and corrupt input --------------------------------------------------------------------------

TEST(CompressedStream, EmptyInputIsAnError) {
  for (auto c : {kGzip, kZstd}) {
    auto back = decompress(c, "");
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code(), ErrorCode::kParseError);
    EXPECT_EQ(back.error().context().byte_offset, 0);
    EXPECT_NE(back.error().message().find("empty"), std::string::npos) << back.error().message();
  }
}

TEST(CompressedStream, TruncatedInputGivesTheOffsetWhereItEnds) {
  const std::string small = table_text(3000, 61);
  const std::string large = table_text(1u << 20, 62) + random_bytes(400'000, 63);
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    // Every cut of a small stream.
    const std::string packed = compress(c, small);
    for (std::size_t cut = 1; cut < packed.size(); ++cut) {
      auto back = decompress(c, packed.substr(0, cut), 1000);
      ASSERT_FALSE(back.ok()) << "cut at " << cut;
      EXPECT_EQ(back.error().code(), ErrorCode::kParseError) << back.error().to_string();
      EXPECT_EQ(back.error().context().byte_offset, static_cast<std::int64_t>(cut)) << back.error().to_string();
    }
    // A few cuts of a stream several buffers long, and one ending after a complete member or frame
    // plus part of the next.
    const std::string big = compress(c, large);
    for (std::size_t cut : {big.size() / 3, big.size() / 2 + 1, big.size() - 1, big.size() - 4}) {
      auto back = decompress(c, big.substr(0, cut));
      ASSERT_FALSE(back.ok()) << "cut at " << cut;
      EXPECT_EQ(back.error().context().byte_offset, static_cast<std::int64_t>(cut)) << back.error().to_string();
      const std::string text = back.error().to_string();
      EXPECT_NE(text.find("in.z: "), std::string::npos) << text;
      EXPECT_NE(text.find("truncated"), std::string::npos) << text;
      EXPECT_NE(text.find("byte offset " + std::to_string(cut)), std::string::npos) << text;
    }
    const std::string two = compress(c, small) + packed.substr(0, 10);
    auto back = decompress(c, two);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().context().byte_offset, static_cast<std::int64_t>(two.size()));
  }
}

TEST(CompressedStream, CorruptInputIsAnErrorNeverACrash) {
  const std::string data = table_text(20'000, 71);
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    const std::string packed = compress(c, data);
    std::mt19937 rng(72);
    int errors = 0;
    for (std::size_t pos = 0; pos < packed.size(); ++pos) {
      for (int flip : {0xff, 1 << (rng() % 8)}) {
        std::string bad = packed;
        bad[pos] = static_cast<char>(bad[pos] ^ flip);
        auto back = decompress(c, bad, 4096);
        if (back.ok()) {
          // Only bits no checksum covers (gzip's time stamp and OS byte, say) may change unnoticed.
          EXPECT_TRUE(*back == data) << "flip " << flip << " at " << pos;
          continue;
        }
        ++errors;
        EXPECT_TRUE(back.error().code() == ErrorCode::kParseError || back.error().code() == ErrorCode::kLimitExceeded)
            << back.error().to_string();
        EXPECT_GE(back.error().context().byte_offset, 0);
        EXPECT_LE(back.error().context().byte_offset, static_cast<std::int64_t>(bad.size()));
      }
    }
    EXPECT_GT(errors, static_cast<int>(packed.size()));
    // Random bytes, and random bytes behind a valid magic number.
    const std::string magic = c == kGzip ? std::string("\x1f\x8b\x08\x00", 4) : std::string("\x28\xb5\x2f\xfd", 4);
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
      const std::string junk = random_bytes(1 + seed * 37, seed);
      EXPECT_FALSE(decompress(c, junk).ok());
      auto r = decompress(c, magic + junk);
      if (!r.ok()) {
        EXPECT_NE(r.error().code(), ErrorCode::kInternal) << r.error().to_string();
      }
    }
    // Messages say what is wrong.
    auto garbage = decompress(c, "id,name\n1,x\n");
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().message().find(c == kGzip ? "not gzip data" : "not zstd data"), std::string::npos)
        << garbage.error().message();
  }
}

// A frame whose header declares a content size its blocks do not hold is corrupt whatever the read
// size: libzstd checks the size when it decodes a whole frame into a large enough buffer, but not when
// it streams one into small reads and the frame ends in an empty block (found by the fuzz target).
TEST(CompressedStream, ZstdContentSizeMismatchIsAnErrorAtEveryReadSize) {
  // Frame: magic, descriptor 0x40 (2-byte content size, no checksum), window byte, content size
  // 0x8c1f + 256, then one empty raw last block.
  const std::string empty_block("\x28\xb5\x2f\xfd\x40\x00\x1f\x8c\x01\x00\x00", 11);
  // The same header over a raw last block of 3 bytes ("abc"): 3 of 36,127 declared.
  const std::string short_block("\x28\xb5\x2f\xfd\x40\x00\x1f\x8c\x19\x00\x00" "abc", 14);
  // A good frame first: the error names the second one and its offset.
  const std::string good = compress(kZstd, "hello\n");
  for (const std::string& frame : {empty_block, short_block}) {
    for (std::size_t buffer : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
      SCOPED_TRACE("read size " + std::to_string(buffer));
      auto back = decompress(kZstd, frame, buffer);
      ASSERT_FALSE(back.ok());
      EXPECT_EQ(back.error().code(), ErrorCode::kParseError);
      EXPECT_GE(back.error().context().byte_offset, 0);  // the frame's start or its last block's
      EXPECT_LT(back.error().context().byte_offset, static_cast<std::int64_t>(frame.size()));
      auto second = decompress(kZstd, good + frame, buffer);
      ASSERT_FALSE(second.ok());
      EXPECT_NE(second.error().message().find("frame 2"), std::string::npos) << second.error().to_string();
      EXPECT_GE(second.error().context().byte_offset, static_cast<std::int64_t>(good.size()));
    }
  }
  // Where the size is right, an empty last block is fine: a frame of 3 declared bytes in a raw block
  // followed by an empty last block.
  const std::string right("\x28\xb5\x2f\xfd\x20\x03\x18\x00\x00" "abc" "\x01\x00\x00", 15);
  for (std::size_t buffer : {std::size_t{1}, std::size_t{1} << 20}) {
    auto back = decompress(kZstd, right, buffer);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, "abc");
  }
}

TEST(CompressedStream, DataBeforeAnErrorIsHandedOutAndTheErrorSticks) {
  const std::string a = table_text(100'000, 81);
  for (auto c : {kGzip, kZstd}) {
    std::string second = compress(c, table_text(50'000, 82));
    second[second.size() / 2] = static_cast<char>(second[second.size() / 2] ^ 0x55);
    const std::string first = compress(c, a);
    auto source = *decompressing_source(std::make_unique<MemorySource>(first + second), c);
    std::string got;
    std::vector<std::byte> buf(1 << 20);
    Status failed;
    for (;;) {
      auto n = source->read(buf);
      if (!n.ok()) {
        failed = std::move(n).error();
        break;
      }
      ASSERT_NE(*n, 0u) << "no error for a corrupt second member/frame";
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    EXPECT_EQ(failed.error().code(), ErrorCode::kParseError);
    EXPECT_GT(failed.error().context().byte_offset, static_cast<std::int64_t>(first.size()));
    ASSERT_GE(got.size(), a.size());
    EXPECT_TRUE(got.compare(0, a.size(), a) == 0);
    // Later reads give the same error.
    auto again = source->read(buf);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().to_string(), failed.error().to_string());
  }
}

// ---- sinks: all or nothing ---------------------------------------------------------------------------------

TEST(CompressedStream, AbortLeavesTheInnerWithNothingCommitted) {
  const std::string data = table_text(2u << 20, 91);
  for (auto c : {kGzip, kZstd}) {
    {
      auto mem = std::make_unique<MemorySink>("m");
      MemorySink* inner = mem.get();
      auto sink = *compressing_sink(std::move(mem), c);
      ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
      EXPECT_GT(sink->bytes_written(), 0u);  // some went on to the inner already
      sink->abort();
      EXPECT_EQ(inner->data(), "");
      EXPECT_EQ(inner->bytes_written(), 0u);
      EXPECT_FALSE(sink->write("x", 1).ok());
      EXPECT_FALSE(sink->finish().ok());
      EXPECT_EQ(inner->data(), "");
    }
    {
      auto probe = std::make_unique<ProbeSink>();
      ProbeSink* inner = probe.get();
      auto sink = *compressing_sink(std::move(probe), c);
      ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
      sink->abort();
      sink->abort();  // twice is fine
      EXPECT_EQ(inner->aborts, 1);
      EXPECT_EQ(inner->finishes, 0);
      EXPECT_EQ(inner->committed, "");
    }
  }
}

// Destruction without finish(): an inner that outlives the wrapper shows the abort.
class SharedProbe final : public sluice::io::Sink {
 public:
  explicit SharedProbe(ProbeSink* target) : target_(target) {}
  using sluice::io::Sink::write;
  const std::string& path() const override { return target_->path(); }
  Status write(std::span<const std::byte> d) override { return target_->write(d); }
  Status finish() override { return target_->finish(); }
  void abort() override { target_->abort(); }
  Status stage() override { return target_->stage(); }
  std::uint64_t bytes_written() const override { return target_->bytes_written(); }
  std::uint64_t buffered_bytes() const override { return target_->buffered_bytes(); }

 private:
  ProbeSink* target_;
};

TEST(CompressedStream, DestructionWithoutFinishAborts) {
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    {
      auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
      ASSERT_TRUE(sink->write(std::string(1u << 20, 'a').data(), 1u << 20).ok());
    }
    EXPECT_EQ(probe.aborts, 1);
    EXPECT_EQ(probe.finishes, 0);
    EXPECT_EQ(probe.committed, "");
    EXPECT_EQ(probe.staged, "");
  }
}

TEST(CompressedStream, FinishCommitsOnceAndClosesTheSink) {
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
    EXPECT_EQ(sink->path(), "probe.out");
    const std::string data = table_text(10'000, 95);
    ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
    EXPECT_EQ(probe.writes, 0);  // small output stays in the wrapper's buffer until it fills or ends
    ASSERT_TRUE(sink->finish().ok());
    EXPECT_EQ(probe.finishes, 1);
    EXPECT_EQ(probe.aborts, 0);
    EXPECT_EQ(sink->bytes_written(), probe.committed.size());
    EXPECT_EQ(*decompress(c, probe.committed), data);
    const Status w = sink->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(sink->finish().ok());
    sink->abort();  // after finish: nothing to take back
    EXPECT_EQ(probe.aborts, 0);
    EXPECT_EQ(probe.finishes, 1);
  }
}

TEST(CompressedStream, AFailingInnerAbortsAndReportsItsError) {
  const std::string data = random_bytes(3u << 20, 97);
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    probe.fail_after = 300'000;
    auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
    Status st;
    for (std::size_t pos = 0; pos < data.size() && st.ok(); pos += 65536) st = sink->write(data.data() + pos, 65536);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kIoError);
    EXPECT_EQ(st.error().message(), "disk full");
    EXPECT_EQ(probe.aborts, 1);
    EXPECT_EQ(probe.staged, "");
    EXPECT_FALSE(sink->write("x", 1).ok());
    EXPECT_FALSE(sink->finish().ok());
    EXPECT_EQ(probe.finishes, 0);
  }
  // A failure while finishing (the trailer does not fit) aborts as well.
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    probe.fail_after = 10;
    auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
    ASSERT_TRUE(sink->write("a,b\n1,2\n", 8).ok());
    const Status st = sink->finish();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(probe.aborts, 1);
    EXPECT_EQ(probe.finishes, 0);
  }
}

TEST(CompressedStream, StageEndsTheStreamThenStagesTheInner) {
  const std::string data = table_text(600'000, 98);
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    auto mem = std::make_unique<MemorySink>("m");
    MemorySink* inner = mem.get();
    auto sink = *compressing_sink(std::move(mem), c);
    ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
    ASSERT_TRUE(sink->stage().ok());
    EXPECT_TRUE(inner->staged());
    EXPECT_EQ(inner->data(), "");  // staged, not yet visible
    EXPECT_EQ(sink->buffered_bytes(), 0u);
    EXPECT_EQ(sink->bytes_written(), inner->bytes_written());
    const Status w = sink->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(sink->stage().ok());
    ASSERT_TRUE(sink->finish().ok());
    EXPECT_EQ(*decompress(c, inner->data()), data);  // the whole stream, trailer included
  }
  // Staged, then aborted or dropped: nothing published.
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    {
      auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
      ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
      ASSERT_TRUE(sink->stage().ok());
      EXPECT_EQ(probe.stages, 1);
      EXPECT_EQ(*decompress(c, probe.staged), data);  // complete before the inner is staged
    }
    EXPECT_EQ(probe.aborts, 1);
    EXPECT_EQ(probe.finishes, 0);
    EXPECT_EQ(probe.committed, "");
  }
  // A failed stage() has aborted.
  for (auto c : {kGzip, kZstd}) {
    ProbeSink probe;
    probe.fail_stage = true;
    auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
    ASSERT_TRUE(sink->write(data.data(), data.size()).ok());
    const Status st = sink->stage();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "cannot stage");
    EXPECT_EQ(probe.aborts, 1);
    EXPECT_FALSE(sink->finish().ok());
    EXPECT_EQ(probe.finishes, 0);
  }
}

TEST(CompressedStream, BufferedBytesCountTheEncoderAndTheInner) {
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    ProbeSink probe;  // reports 1000 buffered bytes
    auto sink = *compressing_sink(std::make_unique<SharedProbe>(&probe), c);
    const std::uint64_t open = sink->buffered_bytes();
    EXPECT_GE(open, (256u << 10) + 1000u);  // the output buffer, the encoder, the inner's
    EXPECT_LT(open, 64u << 20);
    ASSERT_TRUE(sink->write(table_text(100'000, 99).data(), 100'000).ok());
    EXPECT_GE(sink->buffered_bytes(), open);
    ASSERT_TRUE(sink->finish().ok());
    EXPECT_EQ(sink->buffered_bytes(), 1000u);  // only the inner's now
  }
  // With a MemorySink inside: nothing after finish().
  auto mem = std::make_unique<MemorySink>();
  auto sink = *compressing_sink(std::move(mem), kZstd, {3, 2});
  EXPECT_GT(sink->buffered_bytes(), 256u << 10);
  ASSERT_TRUE(sink->finish().ok());
  EXPECT_EQ(sink->buffered_bytes(), 0u);
}

// ---- the real tools -------------------------------------------------------------------------------------

class StreamTools : public TempDir {};

TEST_F(StreamTools, ReadsWhatGzipWrote) {
  if (!have_tool("gzip")) GTEST_SKIP() << "gzip(1) is not installed";
  const std::string data = table_text(quick() ? 2u << 20 : 12u << 20, 101);
  write_file(path("t.csv"), data);
  ASSERT_EQ(run("gzip -k -9 " + path("t.csv")), 0);  // a header with the file name and time
  ASSERT_EQ(run("gzip -1 -n -c " + path("t.csv") + " > " + path("t1.csv.gz")), 0);
  ASSERT_EQ(run("cat " + path("t.csv") + " | gzip -c > " + path("pipe.csv.gz")), 0);
  ASSERT_EQ(run("cat " + path("t.csv.gz") + " " + path("t1.csv.gz") + " > " + path("two.csv.gz")), 0);
  for (const char* name : {"t.csv.gz", "t1.csv.gz", "pipe.csv.gz"}) {
    auto file = sluice::io::open_local_source(path(name));
    ASSERT_TRUE(file.ok());
    auto source = decompressing_source(std::move(*file), sluice::codecs::stream_compression_from_path(name));
    ASSERT_TRUE(source.ok());
    auto back = read_all(**source, 8191);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(*back == data) << name;
  }
  auto source = *decompressing_source(*sluice::io::open_local_source(path("two.csv.gz")), kGzip);
  auto back = read_all(*source);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == data + data);
}

TEST_F(StreamTools, ReadsWhatZstdWrote) {
  if (!have_tool("zstd")) GTEST_SKIP() << "zstd(1) is not installed (Debian: apt-get install zstd)";
  const std::string data = table_text(quick() ? 2u << 20 : 12u << 20, 102);
  write_file(path("t.csv"), data);
  ASSERT_EQ(run("zstd -q -f " + path("t.csv") + " -o " + path("t.csv.zst")), 0);
  write_file(path("small.csv"), data.substr(0, 1u << 20));  // -19 is slow
  ASSERT_EQ(run("zstd -q -f -19 --no-check " + path("small.csv") + " -o " + path("t19.csv.zst")), 0);
  ASSERT_EQ(run("zstd -q -f -T2 --long=27 " + path("t.csv") + " -o " + path("long.csv.zst")), 0);
  ASSERT_EQ(run("cat " + path("t.csv") + " | zstd -q -c --fast=3 > " + path("pipe.csv.zst")), 0);
  ASSERT_EQ(run("cat " + path("t.csv.zst") + " " + path("pipe.csv.zst") + " > " + path("two.csv.zst")), 0);
  for (const char* name : {"t.csv.zst", "t19.csv.zst", "long.csv.zst", "pipe.csv.zst"}) {
    auto source = decompressing_source(*sluice::io::open_local_source(path(name)), kZstd);
    ASSERT_TRUE(source.ok());
    auto back = read_all(**source, 8191);
    ASSERT_TRUE(back.ok()) << name << ": " << back.error().to_string();
    EXPECT_TRUE(*back == (std::string(name) == "t19.csv.zst" ? data.substr(0, 1u << 20) : data)) << name;
  }
  auto source = *decompressing_source(*sluice::io::open_local_source(path("two.csv.zst")), kZstd);
  auto back = read_all(*source);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(*back == data + data);
}

TEST_F(StreamTools, ToolsReadWhatWeWrote) {
  const bool gzip = have_tool("gzip"), zstd = have_tool("zstd");
  if (!gzip && !zstd) GTEST_SKIP() << "neither gzip(1) nor zstd(1) is installed";
  const std::string data = table_text(3u << 20, 103);
  struct Case {
    StreamCompression c;
    StreamCompressOptions options;
    const char* name;
  };
  for (const Case& t : {Case{kGzip, {}, "a.csv.gz"}, Case{kGzip, {9, 1}, "b.csv.gz"}, Case{kZstd, {}, "a.csv.zst"},
                        Case{kZstd, {12, 2}, "b.csv.zst"}, Case{kZstd, {-3, 1}, "c.csv.zst"}}) {
    if ((t.c == kGzip && !gzip) || (t.c == kZstd && !zstd)) continue;
    auto file = sluice::io::open_local_sink(path(t.name));
    ASSERT_TRUE(file.ok());
    auto sink = *compressing_sink(std::move(*file), t.c, t.options);
    for (std::size_t pos = 0; pos < data.size(); pos += 65521) {
      ASSERT_TRUE(sink->write(data.data() + pos, std::min<std::size_t>(65521, data.size() - pos)).ok());
    }
    ASSERT_TRUE(sink->finish().ok());
    EXPECT_EQ(sink->bytes_written(), fs::file_size(path(t.name)));
    const std::string tool = t.c == kGzip ? "gzip -t " : "zstd -q -t ";
    EXPECT_EQ(run(tool + path(t.name)), 0) << t.name;
    const std::string unpack = t.c == kGzip ? "gzip -dc " : "zstd -q -dc ";
    ASSERT_EQ(run(unpack + path(t.name) + " > " + path("out.csv")), 0) << t.name;
    EXPECT_TRUE(read_file(path("out.csv")) == data) << t.name;
  }
  // An empty output is a valid empty file for the tools.
  for (auto c : {kGzip, kZstd}) {
    if ((c == kGzip && !gzip) || (c == kZstd && !zstd)) continue;
    const std::string name = std::string("empty.csv") + std::string(sluice::codecs::extension_of(c));
    auto sink = *compressing_sink(*sluice::io::open_local_sink(path(name)), c);
    ASSERT_TRUE(sink->finish().ok());
    const std::string unpack = c == kGzip ? "gzip -dc " : "zstd -q -dc ";
    ASSERT_EQ(run(unpack + path(name) + " > " + path("out.csv")), 0) << name;
    EXPECT_EQ(read_file(path("out.csv")), "");
  }
}

// ---- a decompression bomb -------------------------------------------------------------------------------

// 1 GB of zeros compresses to about 1 MB (gzip) or 40 KB (zstd); read back through a 4 KiB buffer it
// must stream in bounded memory: nothing in the decoder grows with the output.
TEST(CompressedStream, DecompressionBombStreamsInBoundedMemory) {
  const std::uint64_t total = quick() ? (256u << 20) : (std::uint64_t{1} << 30);
  const std::string zeros(1u << 20, '\0');
  for (auto c : {kGzip, kZstd}) {
    SCOPED_TRACE(std::string(sluice::codecs::stream_compression_name(c)));
    std::string packed;
    {
      auto mem = std::make_unique<MemorySink>();
      MemorySink* inner = mem.get();
      auto sink = *compressing_sink(std::move(mem), c);
      for (std::uint64_t done = 0; done < total; done += zeros.size()) ASSERT_TRUE(sink->write(zeros.data(), zeros.size()).ok());
      ASSERT_TRUE(sink->finish().ok());
      packed = inner->data();
    }
    EXPECT_LT(packed.size(), total / 500);
    auto source = *decompressing_source(std::make_unique<MemorySource>(std::move(packed)), c);
    const std::size_t rss_before = rss_bytes();
    std::size_t rss_peak = rss_before;
    std::vector<std::byte> buf(4096);
    std::uint64_t seen = 0;
    bool all_zero = true;
    for (std::uint64_t reads = 0;; ++reads) {
      auto n = source->read(buf);
      ASSERT_TRUE(n.ok()) << n.error().to_string();
      if (*n == 0) break;
      if (buf[0] != std::byte{0} || buf[*n - 1] != std::byte{0}) all_zero = false;
      seen += *n;
      if (reads % 16384 == 0) rss_peak = std::max(rss_peak, rss_bytes());
    }
    EXPECT_EQ(seen, total);
    EXPECT_TRUE(all_zero);
    // Decoder state (a 32 KiB window for gzip, at most a few MiB for this zstd frame) and the input
    // buffer: far below the output's size.
    EXPECT_LT(rss_peak - rss_before, std::size_t{32} << 20) << "RSS grew from " << rss_before << " to " << rss_peak;
  }
}

}  // namespace
