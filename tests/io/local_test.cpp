#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// Large outputs are allocated ahead of the writes; what was allocated past the end is given back
// when the file is closed (finish or stage), so no output keeps blocks it does not use.
TEST_F(LocalIo, PreallocationIsTrimmedAtTheEnd) {
  for (bool stage : {false, true}) {
    SCOPED_TRACE(stage);
    const std::string target = path("big.ndjson");
    auto s = open_local_sink(target);
    ASSERT_TRUE(s.ok());
    std::string piece(300 << 10, 'y');
    std::string expect;
    for (int i = 0; i < 70; ++i) {  // ~20.5 MiB, in pieces below and above the buffer's size
      piece[0] = static_cast<char>('a' + i % 26);
      const std::size_t n = i % 3 == 0 ? piece.size() : 1000 + i;
      ASSERT_TRUE((*s)->write(piece.data(), n).ok());
      expect.append(piece, 0, n);
    }
    // While writing, the temporary file holds more blocks than bytes where the file system can
    // preallocate (ext4, xfs, tmpfs); never fewer than its bytes once flushed.
    std::string temp;
    for (const auto& e : fs::directory_iterator(dir_)) temp = e.path().string();
    struct stat st {};
    ASSERT_EQ(::stat(temp.c_str(), &st), 0);
    const bool preallocated =
        static_cast<std::uint64_t>(st.st_blocks) * 512 > expect.size() + (1 << 20);
    if (stage) {
      ASSERT_TRUE((*s)->stage().ok());
    }
    ASSERT_TRUE((*s)->finish().ok());
    EXPECT_EQ(slurp(target), expect);
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(static_cast<std::size_t>(st.st_size), expect.size());
    EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, expect.size() + (64 << 10))
        << "preallocated blocks left past the end (preallocated while writing: " << preallocated << ")";
    fs::remove(target);
  }
}

TEST_F(LocalIo, MemorySinkCommitsOnFinish) {
  MemorySink m;
  ASSERT_TRUE(m.write("ab", 2).ok());
  EXPECT_EQ(m.data(), "");
  ASSERT_TRUE(m.finish().ok());
  EXPECT_EQ(m.data(), "ab");
}

TEST_F(LocalIo, StagedSinkPublishesOnlyAtFinish) {
  for (bool overwrite : {true, false}) {
    SCOPED_TRACE(overwrite);
    LocalSinkOptions o;
    o.overwrite = overwrite;
    o.fsync = true;
    const std::string target = path(overwrite ? "over.csv" : "new.csv");
    auto s = open_local_sink(target, o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->write("hello ", 6).ok());
    EXPECT_EQ((*s)->buffered_bytes(), 64u << 10);  // a small first buffer, not the 1 MiB one
    ASSERT_TRUE((*s)->write(std::string(3 << 20, 'x').data(), 3 << 20).ok());
    ASSERT_TRUE((*s)->write("tail", 4).ok());
    EXPECT_GT((*s)->buffered_bytes(), 0u);
    ASSERT_TRUE((*s)->stage().ok());
    EXPECT_EQ((*s)->buffered_bytes(), 0u);
    EXPECT_FALSE(fs::exists(target));
    EXPECT_EQ(entries(), 1u);  // the temporary file, complete, still hidden
    auto w = (*s)->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE((*s)->stage().ok());
    ASSERT_TRUE((*s)->finish().ok());
    EXPECT_EQ(slurp(target), "hello " + std::string(3 << 20, 'x') + "tail");
    EXPECT_EQ(entries(), 1u);
    EXPECT_FALSE((*s)->finish().ok());
    fs::remove(target);
  }
}

TEST_F(LocalIo, AbortOrDestructionAfterStageRemovesTheTemporaryFile) {
  { std::ofstream(path("keep.csv")) << "old"; }
  {
    auto s = open_local_sink(path("keep.csv"));
    ASSERT_TRUE((*s)->write("new data", 8).ok());
    ASSERT_TRUE((*s)->stage().ok());
    EXPECT_EQ(entries(), 2u);
    (*s)->abort();
    EXPECT_EQ(entries(), 1u);
    EXPECT_FALSE((*s)->finish().ok());
  }
  {
    auto s = open_local_sink(path("keep.csv"));
    ASSERT_TRUE((*s)->write("new data", 8).ok());
    ASSERT_TRUE((*s)->stage().ok());
  }  // destroyed without finish()
  EXPECT_EQ(slurp(path("keep.csv")), "old");
  EXPECT_EQ(entries(), 1u);
  // overwrite = false: a target that appeared meanwhile wins, and the staged file goes.
  LocalSinkOptions o;
  o.overwrite = false;
  auto s = open_local_sink(path("keep.csv"), o);
  ASSERT_TRUE((*s)->write("new", 3).ok());
  ASSERT_TRUE((*s)->stage().ok());
  Status st = (*s)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(slurp(path("keep.csv")), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(LocalIo, MoreStagedSinksThanSignalCleanupSlots) {
  // Past the cleanup table's slots a sink is not removed on a signal, and works the same otherwise.
  // Staged sinks hold no file descriptor: more of them than the descriptor limit may wait at once.
  const int n = 1100;
  std::vector<SinkPtr> sinks;
  std::uint64_t held = 0;
  for (int i = 0; i < n; ++i) {
    auto s = open_local_sink(path("f" + std::to_string(i)));
    ASSERT_TRUE(s.ok()) << i << ": " << s.error().to_string();
    ASSERT_TRUE((*s)->write(std::to_string(i).data(), std::to_string(i).size()).ok());
    ASSERT_TRUE((*s)->stage().ok());
    held += (*s)->buffered_bytes();
    sinks.push_back(std::move(*s));
  }
  EXPECT_EQ(held, 0u);
  EXPECT_EQ(entries(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    if (i % 2) {
      ASSERT_TRUE(sinks[static_cast<std::size_t>(i)]->finish().ok()) << i;
    } else {
      sinks[static_cast<std::size_t>(i)]->abort();
    }
  }
  sinks.clear();
  EXPECT_EQ(entries(), static_cast<std::size_t>(n / 2));
  EXPECT_EQ(slurp(path("f1099")), "1099");
  EXPECT_FALSE(fs::exists(path("f1098")));
}

TEST_F(LocalIo, MemoryAndStdoutSinksStage) {
  MemorySink m;
  ASSERT_TRUE(m.write("ab", 2).ok());
  EXPECT_EQ(m.buffered_bytes(), 2u);
  ASSERT_TRUE(m.stage().ok());
  EXPECT_TRUE(m.staged());
  EXPECT_EQ(m.buffered_bytes(), 0u);
  EXPECT_EQ(m.data(), "");
  EXPECT_FALSE(m.write("c", 1).ok());
  ASSERT_TRUE(m.finish().ok());
  EXPECT_EQ(m.data(), "ab");
  // Standard output cannot stage: stage() only ends the writing.
  auto out = open_stdout_sink();
  ASSERT_TRUE(out->stage().ok());
  auto w = out->write("x", 1);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(out->finish().ok());
}

}  // namespace
}  // namespace sluice::io
