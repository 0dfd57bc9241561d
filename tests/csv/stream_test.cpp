// Streaming: reading several GiB keeps memory flat. The input is generated on the fly by a Source, so
// the test needs no disk; offsets pass 4 GiB.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/statvfs.h>

#include <cstdio>
#include <string>

#include "sluice/codecs/csv.hpp"
#include "sluice/io/local.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_ASAN 1
#endif
#endif

namespace sluice::csv {
namespace {

// Rows "id,name,price,day\n" with quoted fields that hold delimiters and line breaks.
class GeneratedCsv final : public io::Source {
 public:
  explicit GeneratedCsv(std::uint64_t bytes) : limit_(bytes) { pending_ = "id,name,price,day\n"; }
  const std::string& path() const override { return name_; }
  bool supports_random_access() const override { return false; }
  Result<std::uint64_t> size() override { return Error(ErrorCode::kNotImplemented, "stream"); }
  Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return Error(ErrorCode::kNotImplemented, "stream");
  }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    std::size_t done = 0;
    while (done < dst.size()) {
      if (pos_ == pending_.size()) {
        if (produced_ >= limit_) break;
        next_rows();
      }
      const std::size_t n = std::min(dst.size() - done, pending_.size() - pos_);
      std::memcpy(dst.data() + done, pending_.data() + pos_, n);
      pos_ += n;
      done += n;
      produced_ += n;
    }
    return done;
  }
  std::int64_t rows() const { return rows_; }

 private:
  void next_rows() {
    pending_.clear();
    pos_ = 0;
    for (int k = 0; k < 1024; ++k, ++rows_) {
      pending_ += std::to_string(rows_);
      pending_ += (rows_ % 3 == 0) ? ",\"Smith, \"\"J\"\"\r\nline\"," : ",plain name,";
      pending_ += std::to_string(rows_ % 10000) + "." + std::to_string(rows_ % 100) + ",2024-03-1" +
                  std::to_string(rows_ % 10) + "\n";
    }
  }
  std::string name_ = "<generated>";
  std::string pending_;
  std::size_t pos_ = 0;
  std::uint64_t limit_;
  std::uint64_t produced_ = 0;
  std::int64_t rows_ = 0;
};

std::int64_t rss_kib(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field, 0) == 0) return std::atoll(line.c_str() + std::strlen(field));
  return -1;
}

TEST(CsvStream, MemoryStaysFlatOverSeveralGiB) {
  bool quick = std::getenv("SLUICE_TEST_QUICK") != nullptr;
#ifndef NDEBUG
  quick = true;  // unoptimised builds check the behaviour on less data
#endif
  const std::uint64_t total = quick ? (600ULL << 20) : (5ULL << 30);
  auto src = std::make_unique<GeneratedCsv>(total);
  GeneratedCsv* gen = src.get();
  ReadOptions o;
  o.threads = 2;
  auto reader = CsvReader::open(std::move(src), o);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  std::int64_t rows = 0, rss_early = -1, rss_peak_late = 0;
  std::int64_t last_id = -1;
  while (true) {
    auto b = (*reader)->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    if (!*b) break;
    const Batch& batch = **b;
    ASSERT_EQ(batch.column(0).value<std::int64_t>(0), last_id + 1);
    last_id = batch.column(0).value<std::int64_t>(batch.num_rows - 1);
    rows += batch.num_rows;
    const std::uint64_t done = (*reader)->bytes_read();
    if (rss_early < 0 && done > total / 8) rss_early = rss_kib("VmRSS:");
    if (done > total / 2) rss_peak_late = std::max(rss_peak_late, rss_kib("VmRSS:"));
  }
  EXPECT_GT((*reader)->bytes_read(), 4ULL << 30 >> (quick ? 3 : 0));
  EXPECT_EQ(rows, last_id + 1);
  EXPECT_GE(gen->rows(), rows);
  EXPECT_EQ((*reader)->schema()->fields[2].type->id, TypeId::kFloat64);
  const std::int64_t hwm = rss_kib("VmHWM:");
  std::printf("read %.2f GiB, %lld rows; RSS after 1/8: %lld KiB, max RSS in 2nd half: %lld KiB, peak: %lld KiB\n",
              static_cast<double>(total) / (1 << 30), static_cast<long long>(rows),
              static_cast<long long>(rss_early), static_cast<long long>(rss_peak_late), static_cast<long long>(hwm));
  // Memory is a function of the options (block size × chunks in flight), not of the input size.
#ifdef SLUICE_ASAN
  std::printf("AddressSanitizer holds freed memory in quarantine: RSS bounds not checked in this build\n");
#else
  EXPECT_LT(rss_peak_late - rss_early, 32 * 1024);
  EXPECT_LT(hwm, 512 * 1024);
#endif
}

// The same on a real file of several GiB written by the test (skipped where the disk lacks room).
TEST(CsvStream, MemoryStaysFlatOnAFileOfSeveralGiB) {
  bool quick = std::getenv("SLUICE_TEST_QUICK") != nullptr;
#ifndef NDEBUG
  quick = true;
#endif
  const std::uint64_t total = quick ? (512ULL << 20) : (3ULL << 30);
  const std::string path = ::testing::TempDir() + "sluice_stream_test.csv";
  struct statvfs fs {};
  if (::statvfs(::testing::TempDir().c_str(), &fs) != 0 ||
      static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < 2 * total)
    GTEST_SKIP() << "not enough free disk space in " << ::testing::TempDir() << " for a " << (total >> 20)
                 << " MiB file";
  std::int64_t rows_written = 0;
  {
    GeneratedCsv gen(total);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::vector<std::byte> buf(1 << 20);
    while (true) {
      auto n = gen.read(buf);
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      ASSERT_EQ(std::fwrite(buf.data(), 1, *n, f), *n);
    }
    ASSERT_EQ(std::fclose(f), 0);
    rows_written = gen.rows();
  }
  auto src = io::open_local_source(path);
  ASSERT_TRUE(src.ok());
  ReadOptions o;
  o.threads = 2;
  auto reader = CsvReader::open(std::move(*src), o);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  std::int64_t rows = 0, rss_early = -1, rss_late = 0;
  while (true) {
    auto b = (*reader)->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    if (!*b) break;
    rows += (*b)->num_rows;
    const std::uint64_t done = (*reader)->bytes_read();
    if (rss_early < 0 && done > total / 8) rss_early = rss_kib("VmRSS:");
    if (done > total / 2) rss_late = std::max(rss_late, rss_kib("VmRSS:"));
  }
  std::remove(path.c_str());
  EXPECT_GT(rows, 0);
  EXPECT_LE(rows, rows_written);
  std::printf("file of %.2f GiB, %lld rows; RSS after 1/8: %lld KiB, max RSS in 2nd half: %lld KiB\n",
              static_cast<double>(total) / (1 << 30), static_cast<long long>(rows), static_cast<long long>(rss_early),
              static_cast<long long>(rss_late));
#ifndef SLUICE_ASAN
  EXPECT_LT(rss_late - rss_early, 32 * 1024);
#endif
}

}  // namespace
}  // namespace sluice::csv
