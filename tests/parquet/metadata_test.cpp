// Parquet metadata: the parquet-testing corpus (every file parses, validates and its pages tile its
// chunks), facts about known files, hostile footers and page headers built by hand (each with its
// error code and no large allocation), validation rules, page index / bloom filter headers, names.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "parquet/metadata.hpp"

// ---- Allocation probe ----------------------------------------------------------------------------
// Replacing the global operator new lets a test see the largest single allocation the parser made,
// so "a hostile length does not allocate" is checked, not assumed.
namespace {
std::atomic<bool> g_probe_on{false};
std::atomic<std::size_t> g_probe_largest{0};
}  // namespace

// gcc sees malloc behind new and free behind delete once inlined, and takes them for a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  if (g_probe_on.load(std::memory_order_relaxed)) {
    std::size_t prev = g_probe_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_probe_largest.compare_exchange_weak(prev, n)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace sluice::parquet {
namespace {

namespace fs = std::filesystem;

class AllocationProbe {
 public:
  AllocationProbe() {
    g_probe_largest = 0;
    g_probe_on = true;
  }
  ~AllocationProbe() { g_probe_on = false; }
  std::size_t largest() const { return g_probe_largest.load(); }
};

constexpr std::size_t kSmallAllocation = 64 * 1024;

// ---- Helpers -------------------------------------------------------------------------------------

using Bytes = std::vector<std::uint8_t>;

fs::path corpus_root() { return fs::path(SLUICE_TESTDATA_DIR) / "parquet-testing"; }

#define SKIP_WITHOUT_CORPUS()                                                                                  \
  if (!fs::is_directory(corpus_root() / "data"))                                                               \
  GTEST_SKIP() << "parquet-testing not found at " << corpus_root().string()                                    \
               << " (set SLUICE_TESTDATA_DIR to the folder holding parquet-testing/)"

Bytes read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::span<const std::uint8_t> span_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::span<const std::uint8_t> span_of(const Bytes& b) { return {b.data(), b.size()}; }

template <class T>
std::string serialized(const T& value) {
  auto r = detail::serialize(value);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : std::string();
}

// Reads the metadata the way the reader will: the file's tail first, the footer again if it did not
// fit in the tail.
Result<format::FileMetaData> read_metadata(std::span<const std::uint8_t> file, std::size_t tail_bytes = kSuggestedTailBytes,
                                           const ThriftLimits& limits = {}) {
  SLUICE_TRY(check_leading_magic(file));
  const auto tail = file.last(std::min(tail_bytes, file.size()));
  SLUICE_ASSIGN_OR_RETURN(FooterInfo info, locate_footer(file.size(), tail));
  const auto footer = info.within_tail(tail.size()) ? info.in_tail(tail) : file.subspan(info.offset, info.length);
  return parse_file_metadata(footer, file.size(), limits);
}

std::uint32_t read_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

struct ChunkPages {
  std::int64_t pages = 0;
  std::int64_t data_pages = 0;
  std::int64_t values = 0;  // in data pages
  std::int64_t first_data_page = -1;  // its file offset
  bool dictionary_first = false;
};

// Walks the pages of a chunk as a reader will: every header parses, and the pages tile chunk_range,
// or, for writers that undercount (chunk_read_range), hold num_values within the padded range.
Result<ChunkPages> walk_pages(std::span<const std::uint8_t> file, const format::FileMetaData& md,
                              const format::ColumnChunk& cc) {
  const ByteRange r = chunk_range(cc);
  const auto data_end = static_cast<std::uint64_t>(file.size() - 8 - read_le32(file.data() + file.size() - 8));
  const ByteRange readable = chunk_read_range(cc, md.created_by, data_end);
  ChunkPages out;
  std::int64_t pos = r.offset;
  while (pos < r.end() || (out.values < cc.meta_data.num_values && pos < readable.end())) {
    std::uint32_t header_size = 0;
    auto h = parse_page_header(file.subspan(pos, readable.end() - pos), ThriftLimits{}, &header_size);
    if (!h.ok()) {
      Error e = std::move(h).error();
      e.context().byte_offset += pos;
      return e;
    }
    if (out.pages == 0) out.dictionary_first = h->type == format::PageType::DICTIONARY_PAGE;
    ++out.pages;
    const bool data = h->type == format::PageType::DATA_PAGE || h->type == format::PageType::DATA_PAGE_V2;
    if (data && out.first_data_page < 0) out.first_data_page = pos;
    if (h->type == format::PageType::DATA_PAGE) {
      ++out.data_pages;
      out.values += h->data_page_header.num_values;
    } else if (h->type == format::PageType::DATA_PAGE_V2) {
      ++out.data_pages;
      out.values += h->data_page_header_v2.num_values;
    }
    pos += header_size + std::int64_t{h->compressed_page_size};
  }
  if (pos != r.end() && !(pos > r.end() && pos <= readable.end())) {
    return Error(ErrorCode::kParseError, "the last page ends at " + std::to_string(pos) + ", past the chunk's end " +
                                             std::to_string(r.end()));
  }
  return out;
}

std::vector<fs::path> parquet_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> leaf_names(const format::FileMetaData& md) { return leaf_paths(md.schema); }

// A small valid file layout: root { a: required INT32, b: optional BYTE_ARRAY }, one row group of 10
// rows, chunk a at [4, 104), chunk b at [104, 204); the footer starts at 204.
constexpr std::uint64_t kDataEnd = 204;

format::SchemaElement group(const std::string& name, int children, bool root = false) {
  format::SchemaElement e;
  e.__set_name(name);
  e.__set_num_children(children);
  if (!root) e.__set_repetition_type(format::FieldRepetitionType::OPTIONAL);
  return e;
}

format::SchemaElement leaf(const std::string& name, format::Type::type t,
                           format::FieldRepetitionType::type rep = format::FieldRepetitionType::OPTIONAL) {
  format::SchemaElement e;
  e.__set_name(name);
  e.__set_type(t);
  e.__set_repetition_type(rep);
  return e;
}

format::ColumnChunk chunk(const std::string& name, format::Type::type t, std::int64_t offset, std::int64_t size,
                          std::int64_t values = 10) {
  format::ColumnChunk cc;
  cc.file_offset = 0;
  format::ColumnMetaData m;
  m.type = t;
  m.encodings = {format::Encoding::PLAIN};
  m.path_in_schema = {name};
  m.codec = format::CompressionCodec::UNCOMPRESSED;
  m.num_values = values;
  m.total_uncompressed_size = size;
  m.total_compressed_size = size;
  m.data_page_offset = offset;
  cc.__set_meta_data(m);
  return cc;
}

format::FileMetaData small_metadata() {
  format::FileMetaData md;
  md.version = 1;
  md.schema = {group("schema", 2, true), leaf("a", format::Type::INT32, format::FieldRepetitionType::REQUIRED),
               leaf("b", format::Type::BYTE_ARRAY)};
  md.num_rows = 10;
  format::RowGroup rg;
  rg.columns = {chunk("a", format::Type::INT32, 4, 100), chunk("b", format::Type::BYTE_ARRAY, 104, 100)};
  rg.total_byte_size = 200;
  rg.num_rows = 10;
  md.row_groups = {rg};
  md.__set_created_by("sluice metadata_test");
  return md;
}

// A whole "file": magic, `data_bytes` of filler, the footer, its length and the trailing magic.
Bytes make_file(const std::string& footer, std::size_t data_bytes = kDataEnd - 4, std::string_view tail_magic = kMagic) {
  std::string f(kMagic);
  f.append(data_bytes, '\xAB');
  f += footer;
  const auto n = static_cast<std::uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>(n >> (8 * i)));
  f += tail_magic;
  return Bytes(f.begin(), f.end());
}

// Compact-protocol bytes for tests that need what thrift's writer will not write.
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
// A field header in the long form (absolute id), valid whatever field came before.
void put_field(std::string& out, int type, int id) {
  out.push_back(static_cast<char>(type));
  put_varint(out, zigzag(id));
}
constexpr int kCtI32 = 5, kCtI64 = 6, kCtBinary = 8, kCtList = 9, kCtMap = 11, kCtStruct = 12;

// A valid FileMetaData with `extra` appended as further fields before its final stop byte.
std::string metadata_with_fields(const format::FileMetaData& md, const std::string& extra) {
  std::string s = serialized(md);
  EXPECT_EQ(s.back(), '\0');
  s.pop_back();
  return s + extra + std::string(1, '\0');
}

Error error_of(const Status& s) {
  EXPECT_FALSE(s.ok());
  return s.ok() ? Error(ErrorCode::kInternal, "no error") : s.error();
}
template <class T>
Error error_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error(ErrorCode::kInternal, "no error") : r.error();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// ---- The corpus ----------------------------------------------------------------------------------

struct CorpusCounts {
  std::size_t files = 0;
  std::int64_t chunks = 0, offset_indexes = 0, column_indexes = 0, bloom_filters = 0;
};

// Everything a reader will do with a good file's metadata: read it (with a short tail too), walk the
// pages of every chunk, and parse its page index and bloom filter headers.
void expect_readable(const fs::path& path, CorpusCounts* counts) {
  SCOPED_TRACE(path.string());
  const Bytes file = read_bytes(path);
  // A tail of 1 KiB is too short for some footers: that path (read the footer again) runs too.
  for (std::size_t tail : {std::size_t{1024}, std::size_t{kSuggestedTailBytes}}) {
    auto md = read_metadata(span_of(file), tail);
    ASSERT_TRUE(md.ok()) << md.error().to_string();
  }
  auto md = read_metadata(span_of(file));
  ++counts->files;
  const auto leaves = leaf_names(*md);
  std::int64_t rows = 0;
  for (const auto& rg : md->row_groups) {
    rows += rg.num_rows;
    ASSERT_EQ(rg.columns.size(), leaves.size());
    for (std::size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      SCOPED_TRACE("column " + leaves[c]);
      ++counts->chunks;
      auto pages = walk_pages(span_of(file), *md, cc);
      ASSERT_TRUE(pages.ok()) << pages.error().to_string();
      EXPECT_EQ(pages->values, cc.meta_data.num_values);
      if (cc.__isset.offset_index_offset) {
        ++counts->offset_indexes;
        auto oi = parse_offset_index(span_of(file).subspan(cc.offset_index_offset, cc.offset_index_length));
        ASSERT_TRUE(oi.ok()) << oi.error().to_string();
        EXPECT_EQ(static_cast<std::int64_t>(oi->page_locations.size()), pages->data_pages);
        // Not always data_page_offset: alltypes_tiny_pages.parquet has a dictionary page there.
        if (!oi->page_locations.empty()) {
          EXPECT_EQ(oi->page_locations[0].offset, pages->first_data_page);
        }
      }
      if (cc.__isset.column_index_offset) {
        ++counts->column_indexes;
        auto ci = parse_column_index(span_of(file).subspan(cc.column_index_offset, cc.column_index_length));
        ASSERT_TRUE(ci.ok()) << ci.error().to_string();
        EXPECT_EQ(static_cast<std::int64_t>(ci->null_pages.size()), pages->data_pages);
      }
      if (cc.meta_data.__isset.bloom_filter_offset) {
        ++counts->bloom_filters;
        const auto at = static_cast<std::size_t>(cc.meta_data.bloom_filter_offset);
        std::uint32_t header_size = 0;
        auto bf = parse_bloom_filter_header(span_of(file).subspan(at), ThriftLimits{}, &header_size);
        ASSERT_TRUE(bf.ok()) << bf.error().to_string();
        if (cc.meta_data.__isset.bloom_filter_length) {
          EXPECT_EQ(std::int64_t{header_size} + bf->numBytes, cc.meta_data.bloom_filter_length);
        }
      }
    }
  }
  // repeated_no_annotation.parquet (parquet-rs 0.3.0) says 0 rows for a row group of 6: the row
  // groups are what counts.
  if (path.filename() == "repeated_no_annotation.parquet") {
    EXPECT_EQ(md->num_rows, 0);
    EXPECT_EQ(rows, 6);
  } else {
    EXPECT_EQ(rows, md->num_rows);
  }
}

TEST(ParquetCorpus, EveryDataFileParsesAndItsPagesTileItsChunks) {
  SKIP_WITHOUT_CORPUS();
  CorpusCounts counts;
  for (const auto& path : parquet_files(corpus_root() / "data")) expect_readable(path, &counts);
  EXPECT_GE(counts.files, 70u);  // parquet-testing's data/ holds about 80 .parquet files
  EXPECT_GT(counts.chunks, 500);
  EXPECT_GT(counts.offset_indexes, 10);
  EXPECT_GT(counts.column_indexes, 10);
  EXPECT_GE(counts.bloom_filters, 2);
}

// The seed corpus of the fuzz target holds small files DuckDB wrote (nested types, v2 pages, row
// groups, bloom filters...): they must read the same way.
TEST(ParquetCorpus, FilesDuckDbWroteParse) {
  const fs::path dir = fs::path(SLUICE_SOURCE_DIR) / "fuzz" / "corpus" / "parquet_footer";
  CorpusCounts counts;
  for (const auto& path : parquet_files(dir)) {
    if (path.filename().string().starts_with("duckdb_")) expect_readable(path, &counts);
  }
  EXPECT_GE(counts.files, 10u);
}

TEST(ParquetCorpus, KnownFacts) {
  SKIP_WITHOUT_CORPUS();
  const auto data = corpus_root() / "data";
  auto md_of = [&](const std::string& name) {
    auto r = read_metadata(span_of(read_bytes(data / name)));
    EXPECT_TRUE(r.ok()) << name << ": " << r.error().to_string();
    return r.ok() ? std::move(r).value() : format::FileMetaData();
  };
  {
    const auto md = md_of("alltypes_plain.parquet");
    EXPECT_EQ(md.num_rows, 8);
    ASSERT_EQ(md.row_groups.size(), 1u);
    const std::vector<std::string> expected = {"id",         "bool_col",        "tinyint_col", "smallint_col",
                                               "int_col",    "bigint_col",      "float_col",   "double_col",
                                               "date_string_col", "string_col", "timestamp_col"};
    EXPECT_EQ(leaf_names(md), expected);
    EXPECT_EQ(md.schema[1].type, format::Type::INT32);
    EXPECT_EQ(md.schema[11].type, format::Type::INT96);
    EXPECT_TRUE(md.created_by.starts_with("impala version 1.3.0"));
  }
  {
    const auto md = md_of("delta_binary_packed.parquet");  // see delta_binary_packed.md
    EXPECT_EQ(md.num_rows, 200);
    const auto leaves = leaf_names(md);
    ASSERT_EQ(leaves.size(), 66u);
    EXPECT_EQ(leaves[0], "bitwidth0");
    EXPECT_EQ(leaves[64], "bitwidth64");
    for (const auto& cc : md.row_groups[0].columns) {
      EXPECT_NE(std::find(cc.meta_data.encodings.begin(), cc.meta_data.encodings.end(),
                          format::Encoding::DELTA_BINARY_PACKED),
                cc.meta_data.encodings.end());
    }
  }
  {
    const auto md = md_of("delta_encoding_required_column.parquet");  // 17 required columns, 100 rows
    EXPECT_EQ(md.num_rows, 100);
    ASSERT_EQ(leaf_names(md).size(), 17u);
    EXPECT_EQ(md.schema[1].repetition_type, format::FieldRepetitionType::REQUIRED);
    EXPECT_EQ(logical_type_summary(md.schema[10].logicalType), "STRING");
    EXPECT_EQ(md.row_groups[0].columns[0].meta_data.data_page_offset, 4);
    EXPECT_EQ(md.row_groups[0].columns[1].meta_data.data_page_offset, 54);
  }
  {
    const auto md = md_of("nested_structs.rust.parquet");
    EXPECT_EQ(leaf_names(md).size(), 216u);
    EXPECT_EQ(md.schema.size(), 253u);
  }
  {
    const auto md = md_of("fixed_length_byte_array.parquet");  // FLBA(4), 1000 values, page index
    EXPECT_EQ(md.schema[1].type, format::Type::FIXED_LEN_BYTE_ARRAY);
    EXPECT_EQ(md.schema[1].type_length, 4);
    const auto& cc = md.row_groups[0].columns[0];
    EXPECT_EQ(cc.meta_data.num_values, 1000);
    const Bytes file = read_bytes(data / "fixed_length_byte_array.parquet");
    auto ci = parse_column_index(span_of(file).subspan(cc.column_index_offset, cc.column_index_length));
    ASSERT_TRUE(ci.ok()) << ci.error().to_string();
    EXPECT_EQ(ci->boundary_order, format::BoundaryOrder::DESCENDING);
    ASSERT_GE(ci->null_counts.size(), 8u);
    EXPECT_EQ(ci->null_counts[0], 9);
    EXPECT_EQ(ci->null_counts[2], 19);
  }
  {
    const auto md = md_of("int32_with_null_pages.parquet");  // page 2 is all nulls
    const auto& cc = md.row_groups[0].columns[0];
    const Bytes file = read_bytes(data / "int32_with_null_pages.parquet");
    auto ci = parse_column_index(span_of(file).subspan(cc.column_index_offset, cc.column_index_length));
    ASSERT_TRUE(ci.ok()) << ci.error().to_string();
    ASSERT_GE(ci->null_pages.size(), 3u);
    EXPECT_FALSE(ci->null_pages[0]);
    EXPECT_TRUE(ci->null_pages[2]);
    EXPECT_EQ(ci->null_counts[2], 100);
    EXPECT_EQ(boundary_order_name(ci->boundary_order), "UNORDERED");
  }
  {
    const auto md = md_of("int96_from_spark.parquet");
    EXPECT_EQ(md.num_rows, 6);
    EXPECT_EQ(type_name(md.schema[1].type), "INT96");
  }
  {
    const auto md = md_of("float16_nonzeros_and_nans.parquet");
    EXPECT_EQ(logical_type_summary(md.schema[1].logicalType), "FLOAT16");
  }
  {
    const auto md = md_of("geospatial/geospatial.parquet");
    bool geometry = false;
    for (const auto& e : md.schema) geometry = geometry || logical_type_summary(e.logicalType).starts_with("GEOMETRY");
    EXPECT_TRUE(geometry);
  }
  {
    const auto md = md_of("geospatial/crs-geography.parquet");
    bool geography = false;
    for (const auto& e : md.schema) geography = geography || logical_type_summary(e.logicalType).starts_with("GEOGRAPHY");
    EXPECT_TRUE(geography);
  }
  {
    const auto md = md_of("sort_columns.parquet");  // first column descending, nulls first
    ASSERT_EQ(md.row_groups.size(), 2u);
    ASSERT_EQ(md.row_groups[0].sorting_columns.size(), 2u);
    EXPECT_TRUE(md.row_groups[0].sorting_columns[0].descending);
    EXPECT_TRUE(md.row_groups[0].sorting_columns[0].nulls_first);
    EXPECT_FALSE(md.row_groups[0].sorting_columns[1].descending);
  }
  {
    const auto md = md_of("binary_truncated_min_max.parquet");  // exact and truncated statistics
    int exact = 0, inexact = 0;
    for (const auto& cc : md.row_groups[0].columns) {
      const auto& s = cc.meta_data.statistics;
      if (s.__isset.is_max_value_exact) (s.is_max_value_exact ? exact : inexact)++;
    }
    EXPECT_GT(exact, 0);
    EXPECT_GT(inexact, 0);
  }
}

// dict-page-offset-zero.parquet: dictionary_page_offset = 0 means "no dictionary", and its
// ColumnMetaData carries a field 15 that is a list of structs (a writer's own extension) where the
// spec has i32 bloom_filter_length: the field must be skipped, not misread.
TEST(ParquetCorpus, NonStandardColumnMetaDataFieldIsSkipped) {
  SKIP_WITHOUT_CORPUS();
  const Bytes file = read_bytes(corpus_root() / "data" / "dict-page-offset-zero.parquet");
  auto md = read_metadata(span_of(file));
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  const auto& m = md->row_groups[0].columns[0].meta_data;
  EXPECT_FALSE(m.__isset.bloom_filter_length);
  EXPECT_TRUE(m.__isset.dictionary_page_offset);
  EXPECT_EQ(m.dictionary_page_offset, 0);
  EXPECT_EQ(m.data_page_offset, 4);
  EXPECT_EQ(m.num_values, 39);
  const ByteRange r = chunk_range(md->row_groups[0].columns[0]);
  EXPECT_EQ(r.offset, 4);
  EXPECT_EQ(r.length, m.total_compressed_size);
  // Fields after the skipped one are still read.
  EXPECT_EQ(md->key_value_metadata.size(), 3u);
  // The re-written footer is smaller by exactly the skipped field.
  const auto info = locate_footer(file.size(), span_of(file));
  ASSERT_TRUE(info.ok());
  EXPECT_LT(serialized(*md).size(), info->length);
}

// column_chunk_key_value_metadata.parquet: no rows, so each chunk holds only a dictionary page and
// its data_page_offset is 0; the chunk starts at the dictionary.
TEST(ParquetCorpus, ChunkWithoutDataPagesStartsAtItsDictionary) {
  SKIP_WITHOUT_CORPUS();
  const Bytes file = read_bytes(corpus_root() / "data" / "column_chunk_key_value_metadata.parquet");
  auto md = read_metadata(span_of(file));
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  const auto& cc = md->row_groups[0].columns[0];
  EXPECT_EQ(cc.meta_data.data_page_offset, 0);
  EXPECT_EQ(chunk_range(cc).offset, 4);
  auto pages = walk_pages(span_of(file), *md, cc);
  ASSERT_TRUE(pages.ok()) << pages.error().to_string();
  EXPECT_TRUE(pages->dictionary_first);
  EXPECT_EQ(pages->data_pages, 0);
  ASSERT_EQ(cc.meta_data.key_value_metadata.size(), 2u);
  EXPECT_EQ(cc.meta_data.key_value_metadata[0].key, "foo");
  EXPECT_EQ(cc.meta_data.key_value_metadata[0].value, "bar");
  EXPECT_FALSE(cc.meta_data.key_value_metadata[1].__isset.value);
}

// nation.dict-malformed.parquet, written by a parquet-mr without a version: the chunk 'name' is 15
// bytes longer than its total_compressed_size says (its dictionary page header, PARQUET-816).
TEST(ParquetCorpus, OldParquetMrChunksNeedPadding) {
  SKIP_WITHOUT_CORPUS();
  const Bytes file = read_bytes(corpus_root() / "data" / "nation.dict-malformed.parquet");
  auto md = read_metadata(span_of(file));
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  EXPECT_EQ(md->created_by, "parquet-mr");
  EXPECT_TRUE(writer_undercounts_chunks(md->created_by));
  const auto& cc = md->row_groups[0].columns[1];
  EXPECT_EQ(chunk_range(cc).offset, 129);
  EXPECT_EQ(chunk_range(cc).end(), 451);
  const auto footer = locate_footer(file.size(), span_of(file));
  ASSERT_TRUE(footer.ok());
  EXPECT_EQ(chunk_read_range(cc, md->created_by, footer->offset).end(), 551);
  auto pages = walk_pages(span_of(file), *md, cc);
  ASSERT_TRUE(pages.ok()) << pages.error().to_string();
  EXPECT_EQ(pages->values, 25);
}

TEST(ParquetCorpus, UnknownLogicalTypeIsKeptAsUnrecognized) {
  SKIP_WITHOUT_CORPUS();
  auto md = read_metadata(span_of(read_bytes(corpus_root() / "data" / "unknown-logical-type.parquet")));
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  ASSERT_EQ(md->schema.size(), 3u);
  EXPECT_EQ(logical_type_summary(md->schema[1].logicalType), "STRING");
  EXPECT_TRUE(md->schema[2].__isset.logicalType);
  EXPECT_EQ(logical_type_summary(md->schema[2].logicalType), "UNRECOGNIZED");
}

TEST(ParquetCorpus, BadDataNeverCrashes) {
  SKIP_WITHOUT_CORPUS();
  const auto dir = corpus_root() / "bad_data";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no bad_data folder in " << corpus_root().string();
  std::size_t files = 0, rejected = 0;
  for (const auto& path : parquet_files(dir)) {
    SCOPED_TRACE(path.string());
    ++files;
    const Bytes file = read_bytes(path);
    auto md = read_metadata(span_of(file));
    if (!md.ok()) {
      ++rejected;
      const Error& e = md.error();
      EXPECT_TRUE(e.code() == ErrorCode::kParseError || e.code() == ErrorCode::kLimitExceeded) << e.to_string();
      EXPECT_FALSE(e.message().empty());
      continue;
    }
    // Accepted metadata: the pages may still be bad, which the page walk reports (or not) cleanly.
    for (const auto& rg : md->row_groups) {
      for (const auto& cc : rg.columns) (void)walk_pages(span_of(file), *md, cc);
    }
  }
  EXPECT_GE(files, 8u);
  EXPECT_GE(rejected, 2u);
  {
    // A corrupted schema element (see bad_data/README.md).
    auto md = read_metadata(span_of(read_bytes(dir / "PARQUET-1481.parquet")));
    const Error e = error_of(md);
    EXPECT_EQ(e.code(), ErrorCode::kParseError);
    EXPECT_TRUE(contains(e.message(), "unknown physical type (-7)")) << e.to_string();
  }
  {
    // A dictionary page header with a negative value count; its chunk also runs into the footer.
    auto md = read_metadata(span_of(read_bytes(dir / "ARROW-RS-GH-6229-DICTHEADER.parquet")));
    const Error e = error_of(md);
    EXPECT_TRUE(contains(e.to_string(), "row group 0")) << e.to_string();
    EXPECT_TRUE(contains(e.to_string(), "column 'name'")) << e.to_string();
  }
}

// ---- Finding the footer --------------------------------------------------------------------------

TEST(ParquetFooter, LocatesTheFooterAndSaysWhenTheTailIsShort) {
  const std::string footer = serialized(small_metadata());
  const Bytes file = make_file(footer);
  auto info = locate_footer(file.size(), span_of(file).last(8));
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->offset, kDataEnd);
  EXPECT_EQ(info->length, footer.size());
  EXPECT_FALSE(info->within_tail(8));
  EXPECT_TRUE(info->within_tail(footer.size() + 8));
  const auto tail = span_of(file).last(footer.size() + 8);
  const auto in_tail = info->in_tail(tail);
  EXPECT_EQ(std::string(in_tail.begin(), in_tail.end()), footer);
  auto md = read_metadata(span_of(file), 8);
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  EXPECT_EQ(md->created_by, "sluice metadata_test");
}

TEST(ParquetFooter, BadMagicIsAParseError) {
  const Bytes file = make_file(serialized(small_metadata()), kDataEnd - 4, "PAR2");
  const Error e = error_of(locate_footer(file.size(), span_of(file)));
  EXPECT_EQ(e.code(), ErrorCode::kParseError);
  EXPECT_EQ(e.message(), "not a Parquet file: it ends with \"PAR2\" instead of \"PAR1\"");
  EXPECT_EQ(e.context().byte_offset, static_cast<std::int64_t>(file.size() - 4));

  const Bytes head = {'P', 'K', 3, 4};
  const Error h = error_of(check_leading_magic(span_of(head)));
  EXPECT_EQ(h.code(), ErrorCode::kParseError);
  EXPECT_EQ(h.message(), "not a Parquet file: it starts with 0x504b0304 instead of \"PAR1\"");
  EXPECT_EQ(error_of(check_leading_magic({})).code(), ErrorCode::kParseError);
}

TEST(ParquetFooter, EncryptedFilesAreNotImplemented) {
  const Bytes file = make_file("encrypted bytes", kDataEnd - 4, kEncryptedMagic);
  const Error e = error_of(locate_footer(file.size(), span_of(file)));
  EXPECT_EQ(e.code(), ErrorCode::kNotImplemented);
  EXPECT_TRUE(contains(e.message(), "encrypted")) << e.message();
  const Bytes head = {'P', 'A', 'R', 'E'};
  EXPECT_EQ(error_of(check_leading_magic(span_of(head))).code(), ErrorCode::kNotImplemented);

  // Plaintext footer, encrypted column: the column cannot be read.
  auto md = small_metadata();
  md.row_groups[0].columns[1].__set_crypto_metadata(format::ColumnCryptoMetaData());
  md.row_groups[0].columns[1].crypto_metadata.__set_ENCRYPTION_WITH_FOOTER_KEY(format::EncryptionWithFooterKey());
  const Error c = error_of(validate_file_metadata(md, kDataEnd));
  EXPECT_EQ(c.code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(c.context().column_name, "b");
}

TEST(ParquetFooter, FooterLengthBeyondTheFile) {
  Bytes file = make_file(serialized(small_metadata()));
  const std::uint32_t too_long = static_cast<std::uint32_t>(file.size() - 11);
  for (int i = 0; i < 4; ++i) file[file.size() - 8 + i] = static_cast<std::uint8_t>(too_long >> (8 * i));
  const Error e = error_of(locate_footer(file.size(), span_of(file)));
  EXPECT_EQ(e.code(), ErrorCode::kParseError);
  EXPECT_TRUE(contains(e.message(), "footer length " + std::to_string(too_long))) << e.message();
  EXPECT_EQ(e.context().byte_offset, static_cast<std::int64_t>(file.size() - 8));

  for (std::uint32_t n : {0u, 0xFFFFFFFFu}) {
    for (int i = 0; i < 4; ++i) file[file.size() - 8 + i] = static_cast<std::uint8_t>(n >> (8 * i));
    EXPECT_EQ(error_of(locate_footer(file.size(), span_of(file))).code(), ErrorCode::kParseError);
  }
}

TEST(ParquetFooter, TooSmallFilesAndBadArguments) {
  const Bytes tiny = {'P', 'A', 'R', '1', 0, 0, 0, 0, 'P', 'A', 'R', '1'};
  EXPECT_EQ(error_of(locate_footer(tiny.size() - 1, span_of(tiny).last(8))).code(), ErrorCode::kParseError);
  EXPECT_EQ(error_of(locate_footer(tiny.size(), span_of(tiny).last(7))).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_of(locate_footer(5, span_of(tiny).last(8))).code(), ErrorCode::kInvalidArgument);
  // Twelve bytes with a zero footer length: the smallest file shape, and still not Parquet.
  EXPECT_EQ(error_of(locate_footer(tiny.size(), span_of(tiny))).code(), ErrorCode::kParseError);
  const std::string footer = serialized(small_metadata());
  EXPECT_EQ(error_of(parse_file_metadata(span_of(footer), footer.size() + 11)).code(), ErrorCode::kInvalidArgument);
}

TEST(ParquetFooter, EveryTruncationIsAParseError) {
  const std::string footer = serialized(small_metadata());
  for (std::size_t n = 0; n < footer.size(); ++n) {
    SCOPED_TRACE(n);
    const auto cut = span_of(footer).first(n);
    const Error e = error_of(parse_file_metadata(cut, kDataEnd + n + 8));
    EXPECT_EQ(e.code(), ErrorCode::kParseError);
    EXPECT_GE(e.context().byte_offset, static_cast<std::int64_t>(kDataEnd));
    bool truncated = false;
    format::FileMetaData md;
    EXPECT_FALSE(detail::deserialize(cut, &md, ThriftLimits{}, nullptr, &truncated).ok());
    EXPECT_TRUE(truncated);
  }
  auto md = parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8);
  ASSERT_TRUE(md.ok()) << md.error().to_string();
}

// ---- Hostile Thrift ------------------------------------------------------------------------------

TEST(ParquetThrift, HugeStringLengthAllocatesNothing) {
  auto md = small_metadata();
  md.__isset.created_by = false;
  for (std::uint64_t n : {std::uint64_t{50} << 20, std::uint64_t{0x7FFFFFFF}}) {
    std::string extra;
    put_field(extra, kCtBinary, 6);  // created_by
    put_varint(extra, n);
    extra += "only a few bytes";
    const std::string footer = metadata_with_fields(md, extra);
    AllocationProbe probe;
    auto r = parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8);
    const Error e = error_of(r);
    EXPECT_LT(probe.largest(), kSmallAllocation);
    if (n < ThriftLimits{}.max_string_bytes) {
      EXPECT_EQ(e.code(), ErrorCode::kParseError);
      EXPECT_TRUE(contains(e.message(), "runs past the end of the input")) << e.message();
    } else {
      EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
      EXPECT_TRUE(contains(e.message(), "max_string_bytes")) << e.message();
    }
  }
  // A length that does not fit in 32 bits, and a negative one (zigzag does not apply to lengths).
  for (std::uint64_t n : {std::uint64_t{1} << 40, std::uint64_t{0xFFFFFFFF}}) {
    std::string extra;
    put_field(extra, kCtBinary, 6);
    put_varint(extra, n);
    const std::string footer = metadata_with_fields(md, extra);
    AllocationProbe probe;
    EXPECT_FALSE(parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8).ok());
    EXPECT_LT(probe.largest(), kSmallAllocation);
  }
}

TEST(ParquetThrift, HugeListCountAllocatesNothing) {
  format::FileMetaData md = small_metadata();
  md.row_groups.clear();
  for (std::uint64_t n : {std::uint64_t{999'999}, std::uint64_t{2'000'000}}) {
    std::string extra;
    put_field(extra, kCtList, 4);  // row_groups: list<struct>
    extra.push_back(static_cast<char>(0xF0 | kCtStruct));
    put_varint(extra, n);
    extra += std::string(8, '\0');
    const std::string footer = metadata_with_fields(md, extra);
    AllocationProbe probe;
    const Error e = error_of(parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8));
    EXPECT_LT(probe.largest(), kSmallAllocation);
    if (n <= 1'000'000) {
      EXPECT_EQ(e.code(), ErrorCode::kParseError);
      EXPECT_TRUE(contains(e.message(), "cannot fit in the")) << e.message();
    } else {
      EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
      EXPECT_TRUE(contains(e.message(), "max_container_elems")) << e.message();
    }
  }
  // The same bound in a skipped unknown field: a map of many entries and a list of many strings.
  for (int type : {kCtMap, kCtList}) {
    std::string extra;
    put_field(extra, type, 1000);
    if (type == kCtMap) {
      put_varint(extra, 900'000);
      extra.push_back(static_cast<char>(kCtBinary << 4 | kCtI32));
    } else {
      extra.push_back(static_cast<char>(0xF0 | kCtBinary));
      put_varint(extra, 900'000);
    }
    const std::string footer = metadata_with_fields(small_metadata(), extra);
    AllocationProbe probe;
    const Error e = error_of(parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8));
    EXPECT_EQ(e.code(), ErrorCode::kParseError) << e.to_string();
    EXPECT_LT(probe.largest(), kSmallAllocation);
  }
}

TEST(ParquetThrift, LimitsAreConfigurable) {
  auto md = small_metadata();
  md.__set_created_by(std::string(1000, 'x'));
  md.row_groups.push_back(md.row_groups[0]);
  md.num_rows = 20;
  const std::string footer = serialized(md);
  const std::uint64_t file_size = kDataEnd + footer.size() + 8;
  ASSERT_TRUE(parse_file_metadata(span_of(footer), file_size).ok());
  ThriftLimits strings;
  strings.max_string_bytes = 999;
  const Error s = error_of(parse_file_metadata(span_of(footer), file_size, strings));
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(s.message(),
            "Parquet FileMetaData: a string of 1000 bytes is longer than the limit of 999 (ThriftLimits::max_string_bytes)");
  ThriftLimits lists;
  lists.max_container_elems = 1;
  const Error l = error_of(parse_file_metadata(span_of(footer), file_size, lists));
  EXPECT_EQ(l.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(l.message(),  // the schema is the first list
            "Parquet FileMetaData: a list of 3 elements is longer than the limit of 1 (ThriftLimits::max_container_elems)");
}

TEST(ParquetThrift, DeepNestingIsALimit) {
  // Unknown field 1000, a struct holding field 1000, a struct... 200 levels: skipping it would recurse.
  std::string extra;
  for (int i = 0; i < 200; ++i) put_field(extra, kCtStruct, 1000);
  extra += std::string(200, '\0');
  const std::string footer = metadata_with_fields(small_metadata(), extra);
  const Error e = error_of(parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8));
  EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
  EXPECT_TRUE(contains(e.message(), "nested deeper than 64")) << e.message();

  // 20 levels are fine: the unknown field is skipped.
  std::string shallow;
  for (int i = 0; i < 20; ++i) put_field(shallow, kCtStruct, 1000);
  shallow += std::string(20, '\0');
  const std::string ok_footer = metadata_with_fields(small_metadata(), shallow);
  auto md = parse_file_metadata(span_of(ok_footer), kDataEnd + ok_footer.size() + 8);
  ASSERT_TRUE(md.ok()) << md.error().to_string();
}

TEST(ParquetThrift, UnknownFieldsOfEveryKindAreSkipped) {
  std::string extra;
  put_field(extra, kCtI64, 100);
  put_varint(extra, zigzag(-5));
  put_field(extra, kCtBinary, 101);
  put_varint(extra, 3);
  extra += "abc";
  put_field(extra, kCtList, 102);  // list<string> of 2
  extra.push_back(static_cast<char>(2 << 4 | kCtBinary));
  extra += "\x01x\x02yz";
  put_field(extra, kCtMap, 103);  // map<string, i32> of 1
  put_varint(extra, 1);
  extra.push_back(static_cast<char>(kCtBinary << 4 | kCtI32));
  extra += "\x01k";
  put_varint(extra, zigzag(7));
  put_field(extra, kCtStruct, 104);  // struct { 1: i32 }
  put_field(extra, kCtI32, 1);
  put_varint(extra, zigzag(1));
  extra.push_back('\0');
  const std::string footer = metadata_with_fields(small_metadata(), extra);
  auto md = parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8);
  ASSERT_TRUE(md.ok()) << md.error().to_string();
  EXPECT_EQ(md->created_by, "sluice metadata_test");

  // A type code Thrift does not have is an error, not a skip.
  std::string bad;
  bad.push_back(static_cast<char>(14));
  put_varint(bad, zigzag(105));
  const std::string bad_footer = metadata_with_fields(small_metadata(), bad);
  EXPECT_EQ(error_of(parse_file_metadata(span_of(bad_footer), kDataEnd + bad_footer.size() + 8)).code(),
            ErrorCode::kParseError);
}

TEST(ParquetThrift, MissingRequiredFieldIsAParseError) {
  // A FileMetaData holding only num_rows: version, schema and row_groups are missing.
  std::string s;
  put_field(s, kCtI64, 3);
  put_varint(s, zigzag(5));
  s.push_back('\0');
  const Error e = error_of(parse_file_metadata(span_of(s), kDataEnd + s.size() + 8));
  EXPECT_EQ(e.code(), ErrorCode::kParseError);
  EXPECT_EQ(e.message(), "Parquet FileMetaData: a required field is missing or a field is malformed");
  EXPECT_EQ(e.context().byte_offset, static_cast<std::int64_t>(kDataEnd + s.size()));
}

TEST(ParquetThrift, EnumValuesOutsideTheIdlAreKept) {
  auto md = small_metadata();
  md.row_groups[0].columns[0].meta_data.codec = static_cast<format::CompressionCodec::type>(99);
  md.row_groups[0].columns[0].meta_data.encodings.push_back(static_cast<format::Encoding::type>(-3));
  const std::string footer = serialized(md);
  auto r = parse_file_metadata(span_of(footer), kDataEnd + footer.size() + 8);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(codec_name(r->row_groups[0].columns[0].meta_data.codec), "99");
  EXPECT_EQ(encoding_name(r->row_groups[0].columns[0].meta_data.encodings.back()), "-3");
}

// ---- Validation ----------------------------------------------------------------------------------

TEST(ParquetValidate, TheSmallMetadataIsValid) {
  auto md = small_metadata();
  ASSERT_TRUE(validate_file_metadata(md, kDataEnd).ok());
  EXPECT_EQ(leaf_paths(md.schema), (std::vector<std::string>{"a", "b"}));
  // It just fits: one byte less of data region and chunk b runs into the footer.
  const Error e = error_of(validate_file_metadata(md, kDataEnd - 1));
  EXPECT_EQ(e.to_string(),
            "invalid Parquet metadata: row group 0: the column chunk's 100 bytes at offset 104 run past the data "
            "region, which ends at byte 203 where the footer begins (column 'b')");
  EXPECT_EQ(e.context().column, 1);
}

TEST(ParquetValidate, SchemaShape) {
  auto expect_schema_error = [](std::vector<format::SchemaElement> schema, const std::string& text,
                                ErrorCode code = ErrorCode::kParseError) {
    auto md = small_metadata();
    md.schema = std::move(schema);
    md.row_groups.clear();
    const Error e = error_of(validate_file_metadata(md, kDataEnd));
    EXPECT_EQ(e.code(), code);
    EXPECT_TRUE(contains(e.message(), text)) << e.message();
  };
  using T = format::Type;
  expect_schema_error({}, "it has no elements");
  format::SchemaElement root_leaf = leaf("schema", T::INT32);
  expect_schema_error({root_leaf}, "element 0 ('schema') is the root but has no num_children");
  expect_schema_error({group("schema", 3, true), leaf("a", T::INT32)}, "declares 3 children but 1 elements follow");
  expect_schema_error({group("schema", 1, true), leaf("a", T::INT32), leaf("b", T::INT32)},
                      "element 2 ('b') is left over");
  expect_schema_error({group("schema", 1, true), group("g", 2), leaf("a", T::INT32)},
                      "element 1 ('g') declares 2 children but only 1 elements follow");
  auto neither = leaf("x", T::INT32);
  neither.__isset.type = false;
  expect_schema_error({group("schema", 1, true), neither}, "element 1 ('x') has neither a type nor children");
  expect_schema_error({group("schema", 1, true), group("g", -1)}, "negative num_children");
  expect_schema_error({group("schema", 1, true), leaf("x", static_cast<T::type>(42))},
                      "has an unknown physical type (42)");
  expect_schema_error({group("schema", 1, true), leaf("x", T::INT32, static_cast<format::FieldRepetitionType::type>(7))},
                      "unknown repetition_type (7)");
  auto no_rep = leaf("x", T::INT32);
  no_rep.__isset.repetition_type = false;
  expect_schema_error({group("schema", 1, true), no_rep}, "has no repetition_type");
  expect_schema_error({group("schema", 1, true), leaf("f", T::FIXED_LEN_BYTE_ARRAY)},
                      "FIXED_LEN_BYTE_ARRAY without a positive type_length");

  // Deep but legal, then one level too deep.
  for (int depth : {kMaxSchemaDepth - 1, kMaxSchemaDepth}) {
    std::vector<format::SchemaElement> schema = {group("schema", 1, true)};
    for (int i = 0; i < depth; ++i) {
      std::string name = "g";
      name += std::to_string(i);
      schema.push_back(group(name, 1));
    }
    schema.push_back(leaf("x", T::INT32));
    auto md = small_metadata();
    md.schema = schema;
    md.row_groups.clear();
    const Status st = validate_file_metadata(md, kDataEnd);
    if (depth < kMaxSchemaDepth) {
      EXPECT_TRUE(st.ok()) << st.error().to_string();
      EXPECT_EQ(leaf_paths(md.schema).size(), 1u);
    } else {
      expect_schema_error(schema, "nested deeper than 256 groups", ErrorCode::kLimitExceeded);
    }
  }

  // Empty groups hold no column; nested paths are dotted.
  auto md = small_metadata();
  md.schema = {group("schema", 3, true), group("empty", 0), group("s", 2), leaf("a", T::INT32),
               group("t", 1), leaf("b", T::BYTE_ARRAY), leaf("c", T::INT64)};
  md.row_groups.clear();
  ASSERT_TRUE(validate_file_metadata(md, kDataEnd).ok());
  EXPECT_EQ(leaf_paths(md.schema), (std::vector<std::string>{"s.a", "s.t.b", "c"}));
}

TEST(ParquetValidate, RowGroupsAndChunks) {
  auto expect_error = [](auto mutate, const std::string& text, ErrorCode code = ErrorCode::kParseError) {
    auto md = small_metadata();
    mutate(md);
    const Error e = error_of(validate_file_metadata(md, kDataEnd));
    EXPECT_EQ(e.code(), code);
    EXPECT_TRUE(contains(e.to_string(), text)) << e.to_string();
  };
  auto chunk_b = [](format::FileMetaData& md) -> format::ColumnMetaData& {
    return md.row_groups[0].columns[1].meta_data;
  };
  expect_error([](auto& md) { md.num_rows = -1; }, "the file's num_rows is negative (-1)");
  expect_error([](auto& md) { md.row_groups[0].num_rows = -2; }, "row group 0 has a negative num_rows (-2)");
  expect_error([](auto& md) { md.row_groups[0].columns.pop_back(); },
               "row group 0 has 1 column chunks but the schema has 2 leaf columns");
  expect_error([](auto& md) { md.row_groups[0].columns[1].__isset.meta_data = false; },
               "row group 0: the column chunk has no meta_data (column 'b')");
  expect_error([&](auto& md) { chunk_b(md).type = format::Type::INT64; },
               "the column chunk's type INT64 differs from the schema's BYTE_ARRAY (column 'b')");
  expect_error([&](auto& md) { chunk_b(md).num_values = -1; }, "num_values is negative (-1)");
  expect_error([&](auto& md) { chunk_b(md).data_page_offset = -1; }, "data_page_offset is negative (-1)");
  expect_error([&](auto& md) { chunk_b(md).__set_dictionary_page_offset(-4); }, "dictionary_page_offset is negative (-4)");
  expect_error([&](auto& md) { chunk_b(md).total_compressed_size = -100; }, "total_compressed_size is negative");
  expect_error([&](auto& md) { chunk_b(md).total_uncompressed_size = -100; }, "total_uncompressed_size is negative");
  expect_error([&](auto& md) { chunk_b(md).data_page_offset = 2; }, "starts at byte 2, inside the leading magic");
  expect_error([&](auto& md) { chunk_b(md).total_compressed_size = std::numeric_limits<std::int64_t>::max(); },
               "run past the data region");
  expect_error([&](auto& md) { chunk_b(md).data_page_offset = std::numeric_limits<std::int64_t>::max(); },
               "run past the data region");
  expect_error([&](auto& md) { md.row_groups[0].columns[1].__set_file_path("other.parquet"); },
               "data is in another file ('other.parquet')", ErrorCode::kNotImplemented);
  expect_error([&](auto& md) { md.row_groups[0].columns[1].__set_offset_index_offset(300); },
               "the offset index offset 300 is outside the data region");
  expect_error(
      [&](auto& md) {
        md.row_groups[0].columns[0].__set_column_index_offset(150);
        md.row_groups[0].columns[0].__set_column_index_length(100);
      },
      "the column index of 100 bytes at offset 150 does not fit");
  expect_error(
      [&](auto& md) {
        chunk_b(md).__set_bloom_filter_offset(190);
        chunk_b(md).__set_bloom_filter_length(-1);
      },
      "the bloom filter of -1 bytes");

  // Errors name the row group and the column.
  auto md = small_metadata();
  md.row_groups.push_back(md.row_groups[0]);
  md.row_groups[1].columns[1].meta_data.num_values = -7;
  const Error e = error_of(validate_file_metadata(md, kDataEnd));
  EXPECT_EQ(e.to_string(), "invalid Parquet metadata: row group 1: num_values is negative (-7) (column 'b')");

  // An empty file shape: no row groups, or a chunk without values or bytes anywhere.
  auto empty = small_metadata();
  empty.row_groups.clear();
  empty.num_rows = 0;
  EXPECT_TRUE(validate_file_metadata(empty, 4).ok());
  auto no_values = small_metadata();
  chunk_b(no_values).num_values = 0;
  chunk_b(no_values).total_compressed_size = 0;
  chunk_b(no_values).data_page_offset = 0;
  EXPECT_TRUE(validate_file_metadata(no_values, kDataEnd).ok());
}

TEST(ParquetValidate, ChunkRange) {
  auto cc = chunk("a", format::Type::INT32, 1000, 500);
  EXPECT_EQ(chunk_range(cc).offset, 1000);
  EXPECT_EQ(chunk_range(cc).length, 500);
  cc.meta_data.__set_dictionary_page_offset(0);  // "none" (dict-page-offset-zero.parquet)
  EXPECT_EQ(chunk_range(cc).offset, 1000);
  cc.meta_data.__set_dictionary_page_offset(900);  // the dictionary comes first
  EXPECT_EQ(chunk_range(cc).offset, 900);
  EXPECT_EQ(chunk_range(cc).end(), 1400);
  cc.meta_data.__set_dictionary_page_offset(1000);  // not before the data page: not the first page
  EXPECT_EQ(chunk_range(cc).offset, 1000);
  cc.meta_data.__set_dictionary_page_offset(1200);
  EXPECT_EQ(chunk_range(cc).offset, 1000);
  cc.meta_data.data_page_offset = 0;  // no data page (column_chunk_key_value_metadata.parquet)
  cc.meta_data.__set_dictionary_page_offset(4);
  EXPECT_EQ(chunk_range(cc).offset, 4);

  // The data page must lie inside the chunk when there are values.
  auto md = small_metadata();
  md.row_groups[0].columns[1].meta_data.__set_dictionary_page_offset(104);
  md.row_groups[0].columns[1].meta_data.data_page_offset = 250;
  const Error e = error_of(validate_file_metadata(md, 400));
  EXPECT_TRUE(contains(e.message(), "data_page_offset 250 is not inside the column chunk [104, 204)")) << e.message();
}

TEST(ParquetValidate, WritersThatUndercountChunks) {
  EXPECT_TRUE(writer_undercounts_chunks("parquet-mr"));
  EXPECT_TRUE(writer_undercounts_chunks("parquet-mr version 1.2.8 (build 0123abc)"));
  EXPECT_TRUE(writer_undercounts_chunks("parquet-mr version 1.2"));
  EXPECT_TRUE(writer_undercounts_chunks("parquet-mr version 0.99.99999999999999999999"));
  EXPECT_FALSE(writer_undercounts_chunks("parquet-mr version 1.2.9"));
  EXPECT_FALSE(writer_undercounts_chunks("parquet-mr version 1.12.0-SNAPSHOT (build 6901a2040848c6b37fa61f4b0a76246445f396db)"));
  EXPECT_FALSE(writer_undercounts_chunks("parquet-mr version 2"));
  EXPECT_FALSE(writer_undercounts_chunks("parquet-cpp version 1.0.0"));
  EXPECT_FALSE(writer_undercounts_chunks("parquet-mrs"));
  EXPECT_FALSE(writer_undercounts_chunks(""));

  const auto cc = chunk("a", format::Type::INT32, 1000, 500);
  EXPECT_EQ(chunk_read_range(cc, "parquet-mr", 2000).end(), 1600);
  EXPECT_EQ(chunk_read_range(cc, "parquet-mr", 1550).end(), 1550);  // not into the footer
  EXPECT_EQ(chunk_read_range(cc, "parquet-mr version 1.10.0", 2000).end(), 1500);
}

// ---- Page headers --------------------------------------------------------------------------------

format::PageHeader data_page(std::int32_t size, std::int32_t values) {
  format::PageHeader h;
  h.type = format::PageType::DATA_PAGE;
  h.uncompressed_page_size = size;
  h.compressed_page_size = size;
  h.__set_crc(0x12345678);
  format::DataPageHeader d;
  d.num_values = values;
  d.encoding = format::Encoding::PLAIN;
  d.definition_level_encoding = format::Encoding::RLE;
  d.repetition_level_encoding = format::Encoding::RLE;
  h.__set_data_page_header(d);
  return h;
}

format::PageHeader v2_page(std::int32_t size, std::int32_t def, std::int32_t rep) {
  format::PageHeader h;
  h.type = format::PageType::DATA_PAGE_V2;
  h.uncompressed_page_size = size;
  h.compressed_page_size = size;
  format::DataPageHeaderV2 d;
  d.num_values = 10;
  d.num_nulls = 2;
  d.num_rows = 10;
  d.encoding = format::Encoding::PLAIN;
  d.definition_levels_byte_length = def;
  d.repetition_levels_byte_length = rep;
  h.__set_data_page_header_v2(d);
  return h;
}

TEST(ParquetPageHeader, ParsesAndReportsItsSize) {
  const std::string header = serialized(data_page(100, 25));
  const std::string page = header + std::string(100, 'x');
  std::uint32_t size = 0;
  auto h = parse_page_header(span_of(page), ThriftLimits{}, &size);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_EQ(size, header.size());
  EXPECT_EQ(h->data_page_header.num_values, 25);
  EXPECT_EQ(h->crc, 0x12345678);
  EXPECT_EQ(page_type_name(h->type), "DATA_PAGE");

  auto v2 = parse_page_header(span_of(serialized(v2_page(100, 10, 5))), ThriftLimits{}, &size);
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_TRUE(v2->data_page_header_v2.is_compressed);  // the IDL's default

  // A page type this build does not know is returned for the reader to skip.
  auto odd = data_page(10, 1);
  odd.type = static_cast<format::PageType::type>(42);
  auto r = parse_page_header(span_of(serialized(odd)), ThriftLimits{}, &size);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(page_type_name(r->type), "42");
}

TEST(ParquetPageHeader, BadSizesAreErrors) {
  auto expect_error = [](const format::PageHeader& h, const std::string& text) {
    std::uint32_t size = 0;
    const Error e = error_of(parse_page_header(span_of(serialized(h)), ThriftLimits{}, &size));
    EXPECT_EQ(e.code(), ErrorCode::kParseError);
    EXPECT_TRUE(contains(e.message(), text)) << e.message();
    EXPECT_EQ(e.context().byte_offset, 0);
  };
  auto h = data_page(100, 10);
  h.compressed_page_size = -1;
  expect_error(h, "compressed_page_size is negative (-1)");
  h = data_page(100, 10);
  h.uncompressed_page_size = -5;
  expect_error(h, "uncompressed_page_size is negative (-5)");
  h = data_page(100, -10);
  expect_error(h, "num_values is negative (-10)");
  h = data_page(100, 10);
  h.__isset.data_page_header = false;
  expect_error(h, "a DATA_PAGE without data_page_header");
  expect_error(v2_page(100, 90, 20), "the levels' 110 bytes are more than the page's");
  expect_error(v2_page(100, -1, 0), "a negative level length");
  h = v2_page(100, 0, 0);
  h.uncompressed_page_size = 5;
  h.data_page_header_v2.definition_levels_byte_length = 6;
  expect_error(h, "the levels' 6 bytes are more than the page's (compressed 100, uncompressed 5)");
  h = v2_page(100, 0, 0);
  h.data_page_header_v2.num_nulls = 11;
  expect_error(h, "num_nulls (11) is not within [0, num_values = 10]");
  format::PageHeader dict;
  dict.type = format::PageType::DICTIONARY_PAGE;
  dict.uncompressed_page_size = dict.compressed_page_size = 10;
  format::DictionaryPageHeader d;
  d.num_values = -3;
  d.encoding = format::Encoding::PLAIN;
  dict.__set_dictionary_page_header(d);
  expect_error(dict, "the dictionary's num_values is negative (-3)");
}

TEST(ParquetPageHeader, TruncatedHeadersAskForMore) {
  const std::string header = serialized(v2_page(100, 10, 5));
  for (std::size_t n = 0; n < header.size(); ++n) {
    std::uint32_t size = 0;
    bool more = false;
    const Error e = error_of(parse_page_header(span_of(header).first(n), ThriftLimits{}, &size, &more));
    EXPECT_EQ(e.code(), ErrorCode::kParseError);
    EXPECT_TRUE(more) << n;
  }
  // Statistics with a 1 GiB min_value in a 40-byte window: more is needed, nothing is allocated.
  std::string s = serialized(data_page(100, 1));
  bool more = false;
  std::uint32_t size = 0;
  std::string hostile = s.substr(0, s.size() - 1);  // PageHeader's stop byte removed
  put_field(hostile, kCtStruct, 5);  // data_page_header again (read twice: the second wins)
  put_field(hostile, kCtI32, 1);
  put_varint(hostile, zigzag(1));
  put_field(hostile, kCtI32, 2);
  put_varint(hostile, 0);
  put_field(hostile, kCtI32, 3);
  put_varint(hostile, 0);
  put_field(hostile, kCtI32, 4);
  put_varint(hostile, 0);
  put_field(hostile, kCtStruct, 5);  // statistics
  put_field(hostile, kCtBinary, 6);  // min_value
  put_varint(hostile, std::uint64_t{1} << 30);
  ThriftLimits big;
  big.max_string_bytes = std::int64_t{2} << 30;
  AllocationProbe probe;
  const Error e = error_of(parse_page_header(span_of(hostile), big, &size, &more));
  EXPECT_TRUE(more);
  EXPECT_LT(probe.largest(), kSmallAllocation);
  EXPECT_TRUE(contains(e.message(), "runs past the end of the input")) << e.message();
}

// ---- Page index and bloom filters ----------------------------------------------------------------

TEST(ParquetPageIndex, ColumnIndexListsMustAgree) {
  format::ColumnIndex ci;
  ci.null_pages = {false, true};
  ci.min_values = {"a", ""};
  ci.max_values = {"z", ""};
  ci.boundary_order = format::BoundaryOrder::ASCENDING;
  ci.__set_null_counts({0, 5});
  auto ok = parse_column_index(span_of(serialized(ci)));
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->max_values[0], "z");
  auto bad = ci;
  bad.max_values.pop_back();
  EXPECT_TRUE(contains(error_of(parse_column_index(span_of(serialized(bad)))).message(), "max_values 1"));
  bad = ci;
  bad.__set_null_counts({1});
  EXPECT_TRUE(contains(error_of(parse_column_index(span_of(serialized(bad)))).message(), "null_counts has 1"));
  bad = ci;
  bad.__set_definition_level_histograms({1, 2, 3});
  EXPECT_TRUE(contains(error_of(parse_column_index(span_of(serialized(bad)))).message(), "not a multiple"));
}

TEST(ParquetPageIndex, OffsetIndexLocations) {
  format::OffsetIndex oi;
  oi.page_locations.resize(3);
  for (int i = 0; i < 3; ++i) {
    oi.page_locations[i].offset = 4 + 100 * i;
    oi.page_locations[i].compressed_page_size = 100;
    oi.page_locations[i].first_row_index = 10 * i;
  }
  ASSERT_TRUE(parse_offset_index(span_of(serialized(oi))).ok());
  auto bad = oi;
  bad.page_locations[2].first_row_index = 10;
  EXPECT_EQ(error_of(parse_offset_index(span_of(serialized(bad)))).message(),
            "invalid Parquet offset index: page 2: first_row_index 10 does not follow the previous page's");
  bad = oi;
  bad.page_locations[0].first_row_index = 1;
  EXPECT_TRUE(contains(error_of(parse_offset_index(span_of(serialized(bad)))).message(), "is not 0"));
  bad = oi;
  bad.page_locations[1].compressed_page_size = 0;
  EXPECT_TRUE(contains(error_of(parse_offset_index(span_of(serialized(bad)))).message(), "not positive"));
  bad = oi;
  bad.page_locations[1].offset = -1;
  EXPECT_TRUE(contains(error_of(parse_offset_index(span_of(serialized(bad)))).message(), "negative offset"));
  bad = oi;
  bad.__set_unencoded_byte_array_data_bytes({1, 2});
  EXPECT_TRUE(contains(error_of(parse_offset_index(span_of(serialized(bad)))).message(), "2 entries for 3 pages"));
}

TEST(ParquetBloomFilter, Header) {
  format::BloomFilterHeader h;
  h.numBytes = 1024;
  h.algorithm.__set_BLOCK(format::SplitBlockAlgorithm());
  h.hash.__set_XXHASH(format::XxHash());
  h.compression.__set_UNCOMPRESSED(format::Uncompressed());
  const std::string bytes = serialized(h) + std::string(1024, '\0');
  std::uint32_t size = 0;
  auto r = parse_bloom_filter_header(span_of(bytes), ThriftLimits{}, &size);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(size, serialized(h).size());
  auto bad = h;
  bad.numBytes = 0;
  EXPECT_EQ(error_of(parse_bloom_filter_header(span_of(serialized(bad)), ThriftLimits{}, &size)).code(),
            ErrorCode::kParseError);
  bad = h;
  bad.hash.__isset.XXHASH = false;  // a hash from a newer spec
  EXPECT_EQ(error_of(parse_bloom_filter_header(span_of(serialized(bad)), ThriftLimits{}, &size)).code(),
            ErrorCode::kNotImplemented);
}

// ---- Names ---------------------------------------------------------------------------------------

TEST(ParquetNames, EnumsAndLogicalTypes) {
  EXPECT_EQ(type_name(format::Type::FIXED_LEN_BYTE_ARRAY), "FIXED_LEN_BYTE_ARRAY");
  EXPECT_EQ(type_name(static_cast<format::Type::type>(8)), "8");
  EXPECT_EQ(converted_type_name(format::ConvertedType::TIMESTAMP_MICROS), "TIMESTAMP_MICROS");
  EXPECT_EQ(converted_type_name(static_cast<format::ConvertedType::type>(-1)), "-1");
  EXPECT_EQ(repetition_name(format::FieldRepetitionType::REPEATED), "REPEATED");
  EXPECT_EQ(repetition_name(static_cast<format::FieldRepetitionType::type>(3)), "3");
  EXPECT_EQ(encoding_name(format::Encoding::BYTE_STREAM_SPLIT), "BYTE_STREAM_SPLIT");
  EXPECT_EQ(encoding_name(static_cast<format::Encoding::type>(1)), "1");  // GROUP_VAR_INT, never used
  EXPECT_EQ(codec_name(format::CompressionCodec::LZ4_RAW), "LZ4_RAW");
  EXPECT_EQ(page_type_name(format::PageType::DICTIONARY_PAGE), "DICTIONARY_PAGE");
  EXPECT_EQ(boundary_order_name(static_cast<format::BoundaryOrder::type>(2147483647)), "2147483647");

  format::LogicalType lt;
  EXPECT_EQ(logical_type_summary(lt), "UNRECOGNIZED");
  format::TimestampType ts;
  ts.isAdjustedToUTC = true;
  ts.unit.__set_MICROS(format::MicroSeconds());
  lt.__set_TIMESTAMP(ts);
  EXPECT_EQ(logical_type_summary(lt), "TIMESTAMP(isAdjustedToUTC=true, unit=MICROS)");
  lt = format::LogicalType();
  format::TimeType t;
  t.isAdjustedToUTC = false;
  t.unit.__set_NANOS(format::NanoSeconds());
  lt.__set_TIME(t);
  EXPECT_EQ(logical_type_summary(lt), "TIME(isAdjustedToUTC=false, unit=NANOS)");
  lt = format::LogicalType();
  format::DecimalType d;
  d.precision = 10;
  d.scale = 2;
  lt.__set_DECIMAL(d);
  EXPECT_EQ(logical_type_summary(lt), "DECIMAL(precision=10, scale=2)");
  lt = format::LogicalType();
  format::IntType i;
  i.bitWidth = 8;
  i.isSigned = false;
  lt.__set_INTEGER(i);
  EXPECT_EQ(logical_type_summary(lt), "INTEGER(bitWidth=8, isSigned=false)");
  lt = format::LogicalType();
  format::GeographyType g;
  g.__set_crs("OGC:CRS84");
  g.__set_algorithm(format::EdgeInterpolationAlgorithm::KARNEY);
  lt.__set_GEOGRAPHY(g);
  EXPECT_EQ(logical_type_summary(lt), "GEOGRAPHY(crs=OGC:CRS84, algorithm=KARNEY)");
  lt.GEOGRAPHY.algorithm = static_cast<format::EdgeInterpolationAlgorithm::type>(9);
  lt.GEOGRAPHY.__isset.crs = false;
  EXPECT_EQ(logical_type_summary(lt), "GEOGRAPHY(algorithm=9)");
  lt = format::LogicalType();
  lt.__set_VARIANT(format::VariantType());
  EXPECT_EQ(logical_type_summary(lt), "VARIANT");
  lt.VARIANT.__set_specification_version(1);
  EXPECT_EQ(logical_type_summary(lt), "VARIANT(specification_version=1)");
}

}  // namespace
}  // namespace sluice::parquet
