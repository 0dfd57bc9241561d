// The Parquet reader against parquet-testing: every valid file reads (values checked against the
// upstream expectations where they exist, and files checked against themselves where they hold the
// same values in two encodings), every broken one fails with a clear error; threads, batch sizes and
// projections never change what is read.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "parquet/bloom.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/io/local.hpp"
#include "text/format.hpp"

namespace fs = std::filesystem;
using namespace sluice;

namespace {

fs::path data_dir() { return fs::path(SLUICE_TESTDATA_DIR) / "parquet-testing" / "data"; }
fs::path bad_dir() { return fs::path(SLUICE_TESTDATA_DIR) / "parquet-testing" / "bad_data"; }

#define SKIP_WITHOUT_CORPUS() \
  if (!fs::exists(data_dir())) GTEST_SKIP() << "no parquet-testing corpus at " << data_dir()

Result<std::vector<Batch>> read_file(const fs::path& p, parquet::ReadOptions opt = {}) {
  SLUICE_ASSIGN_OR_RETURN(auto src, io::open_local_source(p.string()));
  return parquet::read_all(std::move(src), std::move(opt));
}

std::vector<Batch> must_read(const fs::path& p, parquet::ReadOptions opt = {}) {
  auto r = read_file(p, std::move(opt));
  EXPECT_TRUE(r.ok()) << p << ": " << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return {};
  for (const auto& b : *r) EXPECT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  return std::move(r).value();
}

// The text of one value ("" for null; nested values as sluice's text of them).
std::string cell(const ArrayData& a, std::int64_t i) {
  if (a.is_null(i)) return "";
  std::string s;
  if (!text::append_value(s, a, i)) {
    // Nested: recurse in a simple, stable notation.
    if (a.type->id == TypeId::kList) {
      auto [b, e] = a.list_range(i);
      s = "[";
      for (auto k = b; k < e; ++k) s += (k > b ? "," : "") + cell(*a.children[0], k);
      return s + "]";
    }
    if (a.type->id == TypeId::kMap) {
      auto [b, e] = a.map_range(i);
      const auto& ent = *a.children[0];
      s = "{";
      for (auto k = b; k < e; ++k)
        s += (k > b ? "," : "") + cell(*ent.children[0], k) + ":" + cell(*ent.children[1], k);
      return s + "}";
    }
    if (a.type->id == TypeId::kStruct) {
      s = "(";
      for (std::size_t c = 0; c < a.children.size(); ++c)
        s += (c ? "," : "") + cell(*a.children[c], a.offset + i - a.children[c]->offset);
      return s + ")";
    }
  }
  return s;
}

// Every value of every batch, as rows of cells.
std::vector<std::vector<std::string>> rows_of(const std::vector<Batch>& bs) {
  std::vector<std::vector<std::string>> out;
  for (const auto& b : bs)
    for (std::int64_t r = 0; r < b.num_rows; ++r) {
      std::vector<std::string> row;
      for (std::size_t c = 0; c < b.num_columns(); ++c) row.push_back(cell(b.column(c), r));
      out.push_back(std::move(row));
    }
  return out;
}

// A small CSV reader for the upstream expectation files (quoted fields, "" escapes).
std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string t = ss.str();
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string f;
  bool q = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (q) {
      if (c == '"' && i + 1 < t.size() && t[i + 1] == '"') f += '"', ++i;
      else if (c == '"') q = false;
      else f += c;
    } else if (c == '"') {
      q = true;
    } else if (c == ',') {
      row.push_back(f), f.clear();
    } else if (c == '\n') {
      row.push_back(f), f.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      f += c;
    }
  }
  if (!f.empty() || !row.empty()) row.push_back(f), rows.push_back(row);
  return rows;
}

}  // namespace

TEST(ParquetCorpus, EveryValidFileReadsTheSameAtAnyThreadsAndBatchSize) {
  SKIP_WITHOUT_CORPUS();
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(data_dir())) {
    if (e.path().extension() != ".parquet") continue;
    const std::string name = e.path().filename().string();
    if (name == "large_string_map.brotli.parquet") continue;  // > 2 GB decompressed: opt-in only
    if (name == "nation.dict-malformed.parquet") continue;     // broken on purpose (below)
    ++files;
    SCOPED_TRACE(name);
    const auto base = rows_of(must_read(e.path()));
    for (int threads : {2, 3}) {
      for (std::int64_t batch : {1, 7, 1000}) {
        parquet::ReadOptions o;
        o.threads = threads;
        o.batch_rows = batch;
        auto bs = must_read(e.path(), o);
        for (const auto& b : bs) EXPECT_LE(b.num_rows, batch);
        ASSERT_EQ(rows_of(bs), base) << "threads " << threads << ", batch_rows " << batch;
      }
    }
  }
  EXPECT_GT(files, 60);
}

TEST(ParquetCorpus, UpstreamExpectations) {
  SKIP_WITHOUT_CORPUS();
  int checked = 0;
  for (const auto& e : fs::directory_iterator(data_dir())) {
    const std::string name = e.path().filename().string();
    const std::string suffix = "_expect.csv";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const fs::path pq = data_dir() / (name.substr(0, name.size() - suffix.size()) + ".parquet");
    SCOPED_TRACE(pq.filename().string());
    auto expected = read_csv(e.path());
    ASSERT_FALSE(expected.empty());
    expected.erase(expected.begin());  // header
    const auto got = rows_of(must_read(pq));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t r = 0; r < got.size(); ++r) ASSERT_EQ(got[r], expected[r]) << "row " << r;
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(ParquetCorpus, Int96FromSparkAsSparkWroteIt) {
  SKIP_WITHOUT_CORPUS();
  // The microseconds int96_from_spark.md lists, the last one beyond the nanosecond range.
  const std::vector<std::int64_t> want = {1704141296123456, 1704070800000000, 253402225200000000,
                                          1735599600000000, 0, 9089380393200000000};
  auto bs = must_read(data_dir() / "int96_from_spark.parquet");
  ASSERT_EQ(bs.size(), 1u);
  const auto& a = bs[0].column(0);
  ASSERT_EQ(a.type->to_string(), "timestamp[us]");
  for (std::int64_t i = 0; i < 6; ++i) {
    if (i == 4) {
      EXPECT_TRUE(a.is_null(i));
      continue;
    }
    EXPECT_EQ(a.value<std::int64_t>(i), want[static_cast<std::size_t>(i)]) << i;
  }
  // In nanoseconds the last one does not fit: an error naming the column, never a wrapped value.
  parquet::ReadOptions ns;
  ns.int96_unit = TimeUnit::kNano;
  auto r = read_file(data_dir() / "int96_from_spark.parquet", ns);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("out of the range of timestamp[ns]"), std::string::npos) << r.error().to_string();
}

TEST(ParquetCorpus, ByteStreamSplitColumnsEqualTheirPlainTwins) {
  SKIP_WITHOUT_CORPUS();
  const auto rows = rows_of(must_read(data_dir() / "byte_stream_split_extended.gzip.parquet"));
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 14u);
    for (std::size_t c = 0; c < 14; c += 2) EXPECT_EQ(row[c], row[c + 1]) << "column " << c;
  }
}

TEST(ParquetCorpus, Lz4VariantsHoldTheSameValues) {
  SKIP_WITHOUT_CORPUS();
  // Hadoop-framed LZ4, LZ4 without the framing and LZ4_RAW (which DuckDB also reads) agree.
  const auto hadoop = rows_of(must_read(data_dir() / "hadoop_lz4_compressed.parquet"));
  const auto raw = rows_of(must_read(data_dir() / "non_hadoop_lz4_compressed.parquet"));
  ASSERT_EQ(hadoop.size(), 4u);
  EXPECT_EQ(hadoop, raw);
  EXPECT_EQ(hadoop[0][1], "abc");
  EXPECT_EQ(hadoop[3][2], "7.7");
  const auto larger = rows_of(must_read(data_dir() / "hadoop_lz4_compressed_larger.parquet"));
  const auto larger_raw = rows_of(must_read(data_dir() / "lz4_raw_compressed_larger.parquet"));
  EXPECT_EQ(larger.size(), 10000u);
  EXPECT_EQ(larger, larger_raw);
}

TEST(ParquetCorpus, ChecksumsCheckedOnRequest) {
  SKIP_WITHOUT_CORPUS();
  parquet::ReadOptions verify;
  verify.verify_checksums = true;
  for (const char* good : {"datapage_v1-snappy-compressed-checksum.parquet", "datapage_v1-uncompressed-checksum.parquet",
                           "plain-dict-uncompressed-checksum.parquet", "rle-dict-snappy-checksum.parquet"}) {
    SCOPED_TRACE(good);
    must_read(data_dir() / good, verify);
  }
  for (const char* bad : {"datapage_v1-corrupt-checksum.parquet", "rle-dict-uncompressed-corrupt-checksum.parquet"}) {
    SCOPED_TRACE(bad);
    must_read(data_dir() / bad);  // off by default: reads
    auto r = read_file(data_dir() / bad, verify);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("checksum mismatch"), std::string::npos) << r.error().to_string();
    EXPECT_GE(r.error().context().byte_offset, 4);
    EXPECT_FALSE(r.error().context().column_name.empty());
  }
}

TEST(ParquetCorpus, BrokenFilesGiveClearErrors) {
  SKIP_WITHOUT_CORPUS();
  std::vector<fs::path> bad = {data_dir() / "nation.dict-malformed.parquet"};
  for (const auto& e : fs::directory_iterator(bad_dir()))
    if (e.path().extension() == ".parquet") bad.push_back(e.path());
  ASSERT_GE(bad.size(), 9u);
  for (const auto& p : bad) {
    SCOPED_TRACE(p.filename().string());
    for (int threads : {1, 2}) {
      parquet::ReadOptions o;
      o.threads = threads;
      auto r = read_file(p, o);
      if (p.filename() == "ARROW-GH-43605.parquet") {
        // Dictionary indices of bit width 0 are all index 0: valid, and read (as DuckDB and Arrow do).
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        continue;
      }
      ASSERT_FALSE(r.ok());
      const std::string msg = r.error().to_string();
      EXPECT_NE(msg.find(p.filename().string()), std::string::npos) << msg;  // names the file
      EXPECT_TRUE(r.error().code() == ErrorCode::kParseError || r.error().code() == ErrorCode::kNotImplemented ||
                  r.error().code() == ErrorCode::kLimitExceeded)
          << msg;
    }
  }
}

TEST(ParquetCorpus, ProjectionReadsTheSameValues) {
  SKIP_WITHOUT_CORPUS();
  const fs::path f = data_dir() / "alltypes_plain.parquet";
  const auto all = rows_of(must_read(f));
  parquet::ReadOptions o;
  o.columns = {"string_col", "id"};
  auto bs = must_read(f, o);
  ASSERT_FALSE(bs.empty());
  ASSERT_EQ(bs[0].num_columns(), 2u);
  EXPECT_EQ(bs[0].schema->fields[0].name, "string_col");  // in the order asked for
  const auto some = rows_of(bs);
  ASSERT_EQ(some.size(), all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    EXPECT_EQ(some[r][0], all[r][9]);
    EXPECT_EQ(some[r][1], all[r][0]);
  }
  // Nested: a struct's field, a map's keys (the map comes whole), and an unknown name.
  o.columns = {"a.key"};
  auto maps = must_read(data_dir() / "nested_maps.snappy.parquet", o);
  ASSERT_FALSE(maps.empty());
  EXPECT_EQ(maps[0].schema->to_string(), "a: map<string, map<int32, bool>>\n");
  o.columns = {"nope"};
  auto r = read_file(f, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("'nope'"), std::string::npos);
}

TEST(ParquetCorpus, LargeStringMapIsALimitUnlessAllowed) {
  SKIP_WITHOUT_CORPUS();
  const fs::path f = data_dir() / "large_string_map.brotli.parquet";
  // Its dictionary page decompresses to over 2 GB: by default a clear error, before any allocation.
  auto r = read_file(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded) << r.error().to_string();
  EXPECT_NE(r.error().to_string().find("arr.key_value.key"), std::string::npos) << r.error().to_string();
  if (!std::getenv("SLUICE_TEST_LARGE")) GTEST_SKIP() << "set SLUICE_TEST_LARGE=1 to read it whole (over 2 GB of memory)";
  parquet::ReadOptions o;
  o.max_page_bytes = std::int64_t{3} << 30;
  auto bs = must_read(f, o);
  std::int64_t rows = 0, key_bytes = 0;
  for (const auto& b : bs) {
    rows += b.num_rows;
    const auto& keys = *b.column(0).children[0]->children[0];
    for (std::int64_t i = 0; i < keys.length; ++i) key_bytes += static_cast<std::int64_t>(keys.string_at(i).size());
  }
  EXPECT_EQ(rows, 2);
  EXPECT_GE(key_bytes, std::int64_t{1} << 31);
}

TEST(ParquetBloom, XxHash64KnownValues) {
  // Reference values of XXH64 with seed 0.
  EXPECT_EQ(parquet::xxhash64("", 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(parquet::xxhash64("a", 1), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(parquet::xxhash64("abc", 3), 0x44BC2CF5AD770999ULL);
  const std::string fox = "The quick brown fox jumps over the lazy dog";  // 43 bytes: the 32-byte stripes too
  EXPECT_EQ(parquet::xxhash64(fox.data(), fox.size()), 0x0B242D361FDA71BCULL);
}

TEST(ParquetBloom, UpstreamFilterHoldsItsStrings) {
  SKIP_WITHOUT_CORPUS();
  std::ifstream in(data_dir() / "bloom_filter.xxhash.bin", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto f = parquet::BloomFilter::parse({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  for (const std::string s : {"hello", "parquet", "bloom", "filter"})
    EXPECT_TRUE(f->might_contain(parquet::xxhash64(s.data(), s.size()))) << s;
  int false_positives = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string s = "absent-" + std::to_string(i);
    false_positives += f->might_contain(parquet::xxhash64(s.data(), s.size()));
  }
  EXPECT_LT(false_positives, 50);
}

TEST(ParquetFilter, BloomFiltersSkipRowGroups) {
  SKIP_WITHOUT_CORPUS();
  for (const char* name : {"data_index_bloom_encoding_stats.parquet", "data_index_bloom_encoding_with_length.parquet"}) {
    SCOPED_TRACE(name);
    auto count = [&](const std::string& where, int* skipped) {
      parquet::ReadOptions o;
      o.filter = std::make_shared<const Predicate>(Predicate::parse(where).value());
      auto src = io::open_local_source((data_dir() / name).string());
      auto r = parquet::ParquetReader::open(std::move(*src), o);
      EXPECT_TRUE(r.ok()) << r.error().to_string();
      std::int64_t rows = 0;
      while (true) {
        auto b = (*r)->next();
        EXPECT_TRUE(b.ok());
        if (!b.ok() || !*b) break;
        rows += (*b)->num_rows;  // the reader prunes; rows are filtered by the caller
      }
      *skipped = (*r)->row_groups_skipped();
      return rows;
    };
    int skipped = -1;
    // 'Hello' is in the column; 'Help' is within min/max ("Hello" .. "test") but not in the filter.
    EXPECT_EQ(count("String = 'Hello'", &skipped), 14);
    EXPECT_EQ(skipped, 0);
    EXPECT_EQ(count("String = 'Help'", &skipped), 0);
    EXPECT_EQ(skipped, 1);
    EXPECT_EQ(count("String in ('Help', 'test')", &skipped), 14);
    EXPECT_EQ(skipped, 0);
  }
}

TEST(ParquetFilter, PageIndexesSkipPagesNeverRows) {
  SKIP_WITHOUT_CORPUS();
  // For each filter: the rows read with pruning, filtered row by row, are exactly the rows of the
  // whole file filtered; and the page indexes leave out rows where the filter allows.
  struct Case {
    const char* file;
    const char* where;
    bool prunes;
  };
  const Case cases[] = {
      {"alltypes_tiny_pages.parquet", "id = 122", true},
      {"alltypes_tiny_pages.parquet", "id >= 100 and id < 200", true},
      {"alltypes_tiny_pages.parquet", "bool_col = true and id < 50", true},
      {"alltypes_tiny_pages.parquet", "tinyint_col = 3", false},
      {"alltypes_tiny_pages_plain.parquet", "id in (5, 7000)", true},
      {"alltypes_tiny_pages_plain.parquet", "date_string_col = '01/01/10'", false},
      {"int32_with_null_pages.parquet", "int32_field is null", false},  // every page has nulls
      {"int32_with_null_pages.parquet", "int32_field is not null", true},  // pages of nulls only
      {"int32_with_null_pages.parquet", "int32_field is not null and int32_field > 0", false},
      {"fixed_length_byte_array.parquet", "flba_field is null", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.file) + " where " + c.where);
    auto pred = Predicate::parse(c.where);
    ASSERT_TRUE(pred.ok()) << pred.error().to_string();
    auto filtered = [&](const std::vector<Batch>& bs) {
      std::vector<Batch> out;
      for (const auto& b : bs) {
        auto f = pred->filter(b);
        EXPECT_TRUE(f.ok()) << f.error().to_string();
        if (f.ok() && f->num_rows > 0) out.push_back(std::move(*f));
      }
      return rows_of(out);
    };
    const auto all = must_read(data_dir() / c.file);
    for (int threads : {1, 2}) {
      for (std::int64_t batch : {7, 100000}) {
        parquet::ReadOptions o;
        o.filter = std::make_shared<const Predicate>(*pred);
        o.threads = threads;
        o.batch_rows = batch;
        const auto pruned = must_read(data_dir() / c.file, o);
        std::int64_t read = 0, total = 0;
        for (const auto& b : pruned) read += b.num_rows;
        for (const auto& b : all) total += b.num_rows;
        EXPECT_EQ(filtered(pruned), filtered(all));
        if (c.prunes) {
          EXPECT_LT(read, total);
        }
      }
    }
  }
}
