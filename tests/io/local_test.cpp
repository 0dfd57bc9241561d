#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sluice/io/open.hpp"

namespace sluice::io {
namespace {

namespace fs = std::filesystem;

class LocalIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-io-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {})); }
  fs::path dir_;
};

TEST_F(LocalIo, SinkCommitsOnFinishOnly) {
  auto s = open_local_sink(path("out.csv"));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->write("hello ", 6).ok());
  ASSERT_TRUE((*s)->write(std::string(3 << 20, 'x').data(), 3 << 20).ok());  // past the buffer
  EXPECT_FALSE(fs::exists(path("out.csv")));
  EXPECT_EQ(entries(), 1u);  // the temporary file, hidden beside the target
  ASSERT_TRUE((*s)->finish().ok());
  EXPECT_EQ(slurp(path("out.csv")).size(), 6u + (3 << 20));
  EXPECT_EQ(entries(), 1u);
  EXPECT_EQ((*s)->bytes_written(), 6u + (3 << 20));
  EXPECT_FALSE((*s)->write("x", 1).ok());
}

TEST_F(LocalIo, AbortAndDestructionLeaveNothingAndKeepTheOldFile) {
  { std::ofstream(path("keep.csv")) << "old"; }
  {
    auto s = open_local_sink(path("keep.csv"));
    ASSERT_TRUE((*s)->write("new data", 8).ok());
    (*s)->abort();
  }
  EXPECT_EQ(slurp(path("keep.csv")), "old");
  EXPECT_EQ(entries(), 1u);
  {
    auto s = open_local_sink(path("keep.csv"));
    ASSERT_TRUE((*s)->write("new data", 8).ok());
  }  // destroyed without finish()
  EXPECT_EQ(slurp(path("keep.csv")), "old");
  EXPECT_EQ(entries(), 1u);
  auto s = open_local_sink(path("keep.csv"));
  ASSERT_TRUE((*s)->write("new", 3).ok());
  ASSERT_TRUE((*s)->finish().ok());
  EXPECT_EQ(slurp(path("keep.csv")), "new");
}

TEST_F(LocalIo, NoOverwriteWhenAsked) {
  { std::ofstream(path("a")) << "old"; }
  LocalSinkOptions o;
  o.overwrite = false;
  auto s = open_local_sink(path("a"), o);
  ASSERT_TRUE((*s)->write("new", 3).ok());
  Status st = (*s)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(slurp(path("a")), "old");
  EXPECT_EQ(entries(), 1u);
  auto fresh = open_local_sink(path("b"), o);
  ASSERT_TRUE((*fresh)->finish().ok());
  EXPECT_TRUE(fs::exists(path("b")));
}

TEST_F(LocalIo, SinkErrors) {
  EXPECT_FALSE(open_local_sink(path("no/such/dir/x")).ok());
  EXPECT_FALSE(open_local_sink(dir_.string()).ok());
  auto e = open_local_source(path("missing"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(e.error().to_string().find("missing"), std::string::npos);
  EXPECT_FALSE(open_source("s3://bucket/key").ok());
}

TEST_F(LocalIo, SourceReadsAtOffsetsAndSequentially) {
  { std::ofstream(path("f")) << "0123456789"; }
  auto s = open_source("file://" + path("f"));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->supports_random_access());
  EXPECT_EQ(*(*s)->size(), 10u);
  std::byte buf[4];
  EXPECT_EQ(*(*s)->read_at(8, buf), 2u);
  EXPECT_EQ(static_cast<char>(buf[0]), '8');
  EXPECT_EQ(*(*s)->read_at(20, buf), 0u);
  EXPECT_EQ(*(*s)->read(buf), 4u);
  EXPECT_EQ(*(*s)->read(buf), 4u);
  EXPECT_EQ(static_cast<char>(buf[0]), '4');
  std::vector<ByteRange> ranges = {{1, 2}, {5, 3}};
  auto got = (*s)->read_ranges(ranges);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*got)[1]->data()), 3), "567");
  std::vector<ByteRange> past = {{8, 5}};
  EXPECT_FALSE((*s)->read_ranges(past).ok());
}

TEST_F(LocalIo, FilesOver4GiB) {
  // A sparse file: 5 GiB long, a marker written past the 4 GiB line.
  const std::string p = path("big");
  const int fd = ::open(p.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  const off_t at = (4LL << 30) + 12345;
  ASSERT_EQ(::ftruncate(fd, 5LL << 30), 0);
  ASSERT_EQ(::pwrite(fd, "MARK", 4, at), 4);
  ::close(fd);
  auto s = open_local_source(p);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->size(), 5ULL << 30);
  std::byte buf[4];
  ASSERT_EQ(*(*s)->read_at(static_cast<std::uint64_t>(at), buf), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf), 4), "MARK");
  ASSERT_EQ(*(*s)->read_at((5ULL << 30) - 2, buf), 2u);
}

TEST_F(LocalIo, MemorySinkCommitsOnFinish) {
  MemorySink m;
  ASSERT_TRUE(m.write("ab", 2).ok());
  EXPECT_EQ(m.data(), "");
  ASSERT_TRUE(m.finish().ok());
  EXPECT_EQ(m.data(), "ab");
}

}  // namespace
}  // namespace sluice::io
