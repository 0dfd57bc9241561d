// The dataset layer on local folders: globs, hive partitions (escaping both ways), schema
// unification and casts, partition pruning, partitioned writes with their caps and write modes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <random>
#include <set>

#include "sluice/codecs/cast.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/dataset.hpp"

namespace fs = std::filesystem;
using namespace sluice;
using namespace sluice::dataset;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sluice-dataset-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

ArrayPtr ints(std::vector<std::optional<std::int64_t>> v, TypePtr type = int64()) {
  FixedWidthBuilder<std::int64_t> b(type);
  for (auto x : v) x ? b.append(*x) : b.append_null();
  return b.finish();
}
ArrayPtr int32s(std::vector<std::int32_t> v) {
  FixedWidthBuilder<std::int32_t> b(int32());
  for (auto x : v) b.append(x);
  return b.finish();
}
ArrayPtr strings(std::vector<std::optional<std::string>> v) {
  BinaryBuilder b(utf8());
  for (auto& x : v) x ? b.append(*x) : b.append_null();
  return b.finish();
}

Batch make_batch(std::vector<std::pair<std::string, ArrayPtr>> cols) {
  Batch b;
  auto s = std::make_shared<Schema>();
  for (auto& [n, a] : cols) {
    s->fields.push_back(Field{n, a->type, true});
    b.columns.push_back(a);
    b.num_rows = a->length;
  }
  b.schema = std::move(s);
  return b;
}

// A batch's rows as text "v1|v2|..." (nulls, and nested columns, as \N), in order.
std::vector<std::string> row_texts(const Batch& b) {
  std::vector<ArrayPtr> text;
  for (auto& c : b.columns) {
    auto t = cast_array(c, utf8());
    text.push_back(t.ok() ? *t : cast_array(null_array(utf8(), c->length), utf8()).value());
  }
  std::vector<std::string> out;
  for (std::int64_t i = 0; i < b.num_rows; ++i) {
    std::string row;
    for (std::size_t c = 0; c < text.size(); ++c) {
      if (c) row += '|';
      row += text[c]->is_null(i) ? std::string("\\N") : std::string(text[c]->string_at(i));
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Every row of a reader as text (row_texts), sorted.
std::vector<std::string> rows_of(BatchReader& r) {
  std::vector<std::string> out;
  while (true) {
    auto b = r.next();
    EXPECT_TRUE(b.ok()) << b.error().to_string();
    if (!b.ok() || !*b) break;
    for (auto& row : row_texts(**b)) out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<DatasetReader> open_dataset(const std::string& input, DatasetReadOptions ro = {},
                                            FormatReadOptions fo = {}, int* opened = nullptr) {
  auto d = discover(input, nullptr);
  EXPECT_TRUE(d.ok()) << d.error().to_string();
  auto opener = default_file_opener(nullptr, fo);
  FileOpener counting = [opener, opened](const DatasetFile& f, const SchemaPtr& fixed) {
    if (opened) ++*opened;
    return opener(f, fixed);
  };
  auto r = DatasetReader::open(std::move(*d), counting, std::move(ro));
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return std::move(*r);
}

std::vector<std::string> files_below(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Glob, MatchesSegmentsAndDoubleStar) {
  EXPECT_TRUE(Glob("a/*.csv").matches("a/x.csv"));
  EXPECT_FALSE(Glob("a/*.csv").matches("a/b/x.csv"));
  EXPECT_TRUE(Glob("a/**/*.csv").matches("a/x.csv"));
  EXPECT_TRUE(Glob("a/**/*.csv").matches("a/b/c/x.csv"));
  EXPECT_FALSE(Glob("a/**/*.csv").matches("b/x.csv"));
  EXPECT_TRUE(Glob("a/**").matches("a/b/c"));
  EXPECT_FALSE(Glob("a/**").matches("a"));
  EXPECT_TRUE(Glob("d?t[0-9]/[!x]*").matches("dat1/y.json"));
  EXPECT_FALSE(Glob("d?t[0-9]/[!x]*").matches("dat1/x.json"));
  EXPECT_TRUE(Glob("a/\\*.csv").matches("a/*.csv"));
  EXPECT_FALSE(Glob("a/\\*.csv").matches("a/b.csv"));
  // Hidden and underscore names are not matched by wildcards, only named.
  EXPECT_FALSE(Glob("a/*").matches("a/.tmp"));
  EXPECT_FALSE(Glob("a/*").matches("a/_SUCCESS"));
  EXPECT_FALSE(Glob("a/**/*.csv").matches("a/_temporary/x.csv"));
  EXPECT_TRUE(Glob("a/_SUCCESS").matches("a/_SUCCESS"));
  EXPECT_EQ(glob_literal_prefix("in/year=2024/*.csv"), "in/year=2024/");
  EXPECT_EQ(glob_literal_prefix("in/data_*.csv"), "in/data_");
  EXPECT_EQ(glob_root("in/data_*.csv"), "in/");
  EXPECT_EQ(glob_root("*.csv"), "");
  EXPECT_TRUE(has_glob("a/[ab]"));
  EXPECT_FALSE(has_glob("a/\\[ab]"));
}

TEST(Hive, EscapedValuesNeverLeaveTheirFolderAndDecodeBack) {
  const std::vector<std::optional<std::string>> values = {
      "..", ".", "a/b", "../../etc", "x=y", "100%", "tab\there", std::string("nul\0x", 5), "\x7f", "\xff\xfe",
      "é日本", "\xe6\x97", "", " lead", "__HIVE_DEFAULT_PARTITION__", std::nullopt, "a\\b", "a:b*?\"<>|#"};
  for (const auto& v : values) {
    const std::string e = escape_partition_value(v ? std::optional<std::string_view>(*v) : std::nullopt);
    EXPECT_EQ(e.find('/'), std::string::npos) << e;
    EXPECT_NE(e, ".");
    EXPECT_NE(e, "..");
    for (unsigned char c : e) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << e;
    // The segment parses back to the value.
    const auto parts = hive_partitions("k=" + e + "/file.csv");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].second, v) << e;
  }
  // Random bytes round-trip too.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string v(rng() % 12, '\0');
    for (auto& c : v) c = static_cast<char>(rng() & 0xff);
    const std::string e = escape_partition_value(std::string_view(v));
    ASSERT_EQ(e.find('/'), std::string::npos);
    ASSERT_EQ(hive_partitions("k=" + e + "/f")[0].second, std::optional<std::string>(v));
  }
}

TEST(Cast, UnifiesAndWidens) {
  EXPECT_EQ(*unify_types(int32(), int64()), *int64());
  EXPECT_EQ(*unify_types(uint32(), int8()), *int64());
  EXPECT_EQ(*unify_types(uint64(), int8()), *float64());
  EXPECT_EQ(*unify_types(int64(), float32()), *float64());
  EXPECT_EQ(*unify_types(null_type(), utf8()), *utf8());
  EXPECT_EQ(*unify_types(decimal128(10, 2), int32()), *decimal128(12, 2));
  EXPECT_EQ(*unify_types(date32(), timestamp(TimeUnit::kMilli)), *timestamp(TimeUnit::kMilli));
  EXPECT_EQ(*unify_types(timestamp(TimeUnit::kMilli), timestamp(TimeUnit::kNano)), *timestamp(TimeUnit::kNano));
  EXPECT_EQ(unify_types(int64(), utf8()), nullptr);
  EXPECT_EQ(*unify_types(int64(), utf8(), {true}), *utf8());
  auto s1 = struct_({Field{"a", int32(), true}});
  auto s2 = struct_({Field{"a", int64(), true}, Field{"b", utf8(), true}});
  EXPECT_EQ(*unify_types(s1, s2), *struct_({Field{"a", int64(), true}, Field{"b", utf8(), true}}));
  EXPECT_EQ(*unify_types(list(int32()), list(float64())), *list(float64()));

  auto a = cast_array(int32s({1, -2, 3})->slice(1, 2), int64());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->value<std::int64_t>(0), -2);
  EXPECT_EQ((*a)->value<std::int64_t>(1), 3);
  auto d = cast_array(ints({5, std::nullopt}), float64());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->value<double>(0), 5.0);
  EXPECT_TRUE((*d)->is_null(1));
  // A timestamp that does not fit the finer unit is an error naming the row.
  FixedWidthBuilder<std::int64_t> ts(timestamp(TimeUnit::kSecond));
  ts.append(0);
  ts.append(std::int64_t{1} << 40);
  auto t = cast_array(ts.finish(), timestamp(TimeUnit::kNano));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("row 1"), std::string::npos) << t.error().message();
  // A struct gains the other file's field as nulls.
  StructBuilder sb(s1);
  static_cast<FixedWidthBuilder<std::int32_t>&>(sb.child(0)).append(7);
  sb.append_valid();
  auto st = cast_array(sb.finish(), unify_types(s1, s2));
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ((*st)->children[0]->value<std::int64_t>(0), 7);
  EXPECT_TRUE((*st)->children[1]->is_null(0));
  EXPECT_TRUE((*st)->validate().ok());
}

TEST(Cast, ExtensionsUnifyToTheirStorage) {
  // A file with a UUID column beside one with plain 16-byte binary: the bytes; JSON beside text: text.
  EXPECT_EQ(*unify_types(uuid_type(), uuid_type()), *uuid_type());
  EXPECT_EQ(*unify_types(uuid_type(), fixed_size_binary(16)), *fixed_size_binary(16));
  EXPECT_EQ(*unify_types(json_type(), utf8()), *utf8());
  EXPECT_EQ(*unify_types(utf8(), json_type()), *utf8());
  EXPECT_EQ(*unify_types(list(json_type()), list(utf8())), *list(utf8()));
  EXPECT_EQ(unify_types(uuid_type(), utf8()), nullptr);
  EXPECT_EQ(*unify_types(uuid_type(), utf8(), {true}), *utf8());

  FixedSizeBinaryBuilder fb(uuid_type());
  fb.append(std::string_view("\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95\x0e", 16));
  fb.append_null();
  const ArrayPtr u = fb.finish();
  // To the storage type: the same buffers, relabelled.
  auto bytes = cast_array(u, fixed_size_binary(16));
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  EXPECT_EQ(*(*bytes)->type, *fixed_size_binary(16));
  EXPECT_EQ((*bytes)->buffers[1], u->buffers[1]);
  EXPECT_TRUE((*bytes)->is_null(1));
  // To a string: the UUID's text.
  auto text = cast_array(u, utf8());
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ((*text)->string_at(0), "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_TRUE((*text)->is_null(1));
  // And back: plain bytes become a UUID without a copy.
  auto again = cast_array(*bytes, uuid_type());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->type, *uuid_type());

  // An INTERVAL to a string is its text too (a dataset whose files disagree reads it as such).
  EXPECT_EQ(*unify_types(interval_type(), utf8(), {true}), *utf8());
  FixedSizeBinaryBuilder ib(interval_type());
  ib.append(std::string_view("\x0e\0\0\0\x03\0\0\0\xdc\x05\0\0", 12));  // 14 months, 3 days, 1500 ms
  ib.append_null();
  auto iv = cast_array(ib.finish(), utf8());
  ASSERT_TRUE(iv.ok()) << iv.error().to_string();
  EXPECT_EQ((*iv)->string_at(0), "1 year 2 months 3 days 00:00:01.5");
  EXPECT_TRUE((*iv)->is_null(1));

  // Geometries: no CRS and OGC:CRS84 are one CRS (GeoParquet files read as the named one, files with
  // the logical type as none); two others have no common type (strings, their WKT, on request);
  // geographies with two edge algorithms likewise. Before, they became binary.
  EXPECT_EQ(*unify_types(geometry_type(), geometry_type("OGC:CRS84")), *geometry_type("OGC:CRS84"));
  EXPECT_EQ(*unify_types(geometry_type("OGC:CRS84"), geometry_type()), *geometry_type("OGC:CRS84"));
  EXPECT_EQ(*unify_types(geometry_type("EPSG:3857"), geometry_type("EPSG:3857")), *geometry_type("EPSG:3857"));
  EXPECT_EQ(unify_types(geometry_type("EPSG:3857"), geometry_type()), nullptr);
  EXPECT_EQ(*unify_types(geometry_type("EPSG:3857"), geometry_type(), {true}), *utf8());
  EXPECT_EQ(unify_types(geography_type(), geography_type({}, Edges::kKarney)), nullptr);
  EXPECT_EQ(unify_types(geography_type(), geometry_type()), nullptr);
  EXPECT_EQ(*unify_types(geometry_type(), binary()), *binary());  // the storage, as a UUID beside bytes

  // A geometry to a string is its WKT, as it prints; bytes that are not WKB stay bytes. To binary:
  // the same buffers.
  BinaryBuilder gb(geometry_type("EPSG:4326"));
  gb.append(std::string_view("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40", 21));
  gb.append_null();
  gb.append("not wkb");
  const ArrayPtr g = gb.finish();
  auto wkt = cast_array(g, utf8());
  ASSERT_TRUE(wkt.ok()) << wkt.error().to_string();
  EXPECT_EQ((*wkt)->string_at(0), "POINT (1 2)");
  EXPECT_TRUE((*wkt)->is_null(1));
  EXPECT_EQ((*wkt)->string_at(2), "not wkb");
  auto wkb = cast_array(g, binary());
  ASSERT_TRUE(wkb.ok()) << wkb.error().to_string();
  EXPECT_EQ((*wkb)->buffers[2], g->buffers[2]);
}

TEST(Discover, FoldersGlobsAndPartitionTypes) {
  TempDir t;
  write_file(t / "in/year=2024/month=01/day=2024-01-05/ok=true/a.csv", "x\n1\n");
  write_file(t / "in/year=2024/month=02/day=2024-02-05/ok=false/b.csv", "x\n2\n");
  write_file(t / "in/year=2023/month=12/day=__HIVE_DEFAULT_PARTITION__/ok=true/c.csv", "x\n3\n");
  write_file(t / "in/_SUCCESS", "");
  write_file(t / "in/.hidden/d.csv", "x\n4\n");
  write_file(t / "in/year=2023/.e.csv.sluice-tmp-1", "x\n5\n");
  auto d = discover(t / "in", nullptr);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  ASSERT_EQ(d->files.size(), 3u);
  EXPECT_EQ(d->files[0].relative, "year=2023/month=12/day=__HIVE_DEFAULT_PARTITION__/ok=true/c.csv");
  ASSERT_EQ(d->partition_keys, (std::vector<std::string>{"year", "month", "day", "ok"}));
  EXPECT_EQ(*d->partition_fields[3].type, *boolean());
  EXPECT_EQ(*d->partition_fields[0].type, *int64());
  EXPECT_EQ(*d->partition_fields[1].type, *int64());
  EXPECT_EQ(*d->partition_fields[2].type, *date32());
  EXPECT_FALSE(d->files[0].partition_values[2].has_value());

  auto g = discover(t / "in/year=2024/**/*.csv", nullptr);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->files.size(), 2u);
  auto none = discover(t / "in/*.parquet", nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);

  DiscoverOptions off;
  off.hive = HivePartitioning::kOff;
  EXPECT_TRUE(discover(t / "in", nullptr, off)->partition_keys.empty());
  DiscoverOptions typed;
  typed.partition_types = {{"month", utf8()}};
  EXPECT_EQ(*discover(t / "in", nullptr, typed)->partition_fields[1].type, *utf8());
}

TEST(DatasetReader, UnifiesSchemasAndAddsPartitionsAndFileNames) {
  TempDir t;
  write_file(t / "in/k=a/1.csv", "x,y\n1,p\n2,q\n");
  write_file(t / "in/k=b/2.csv", "x,z\n2.5,true\n");
  write_file(t / "in/k=c/3.ndjson", "{\"x\": 7, \"w\": {\"s\": 1}}\n");
  DatasetReadOptions ro;
  ro.filename_column = "filename";
  auto r = open_dataset(t / "in", ro);
  ASSERT_TRUE(r);
  std::vector<std::string> names;
  for (auto& f : r->schema()->fields) names.push_back(f.name + ":" + f.type->to_string());
  EXPECT_EQ(names, (std::vector<std::string>{"x:float64", "y:string", "z:bool", "w:struct<s: int64>", "k:string",
                                             "filename:string"}));
  const auto rows = rows_of(*r);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "1.0|p|\\N|\\N|a|" + (t / "in/k=a/1.csv"));
  EXPECT_EQ(rows[2], "2.5|\\N|true|\\N|b|" + (t / "in/k=b/2.csv"));
  EXPECT_EQ(rows[3], "7.0|\\N|\\N|\\N|c|" + (t / "in/k=c/3.ndjson"));
}

TEST(DatasetReader, DisagreeingFilesNameTheFile) {
  TempDir t;
  write_file(t / "in/1.csv", "x\n1\n");
  write_file(t / "in/2.csv", "x\nabc\n");
  auto d = discover(t / "in", nullptr);
  ASSERT_TRUE(d.ok());
  auto r = DatasetReader::open(std::move(*d), default_file_opener(nullptr, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().context().path, t / "in/2.csv");
  EXPECT_NE(r.error().message().find("column 'x' is string here but int64 in " + (t / "in/1.csv")), std::string::npos)
      << r.error().message();
  DatasetReadOptions ro;
  ro.union_to_string = true;
  auto ok = open_dataset(t / "in", ro);
  EXPECT_EQ(rows_of(*ok), (std::vector<std::string>{"1", "abc"}));
}

// --schema-from first: only the first file is opened before reading; the others are read in its
// schema (a missing column null, a narrower type widened); a column it lacks, or a type that does not
// widen to its type, is an error naming both files.
TEST(DatasetReader, SchemaFromTheFirstFileOpensOnlyItBeforeReading) {
  TempDir t;
  write_file(t / "in/1.csv", "x,y\n1.5,a\n");
  write_file(t / "in/2.csv", "x\n2\n");  // no y; x int64, widened to the first file's double
  write_file(t / "in/3.csv", "y,x\nb,3.25\n");
  DatasetReadOptions ro;
  ro.schema_from_first_file = true;
  int opened = 0;
  auto r = open_dataset(t / "in", ro, {}, &opened);
  ASSERT_TRUE(r);
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(r->schema()->to_string(), "x: float64\ny: string\n");
  EXPECT_EQ(rows_of(*r), (std::vector<std::string>{"1.5|a", "2.0|\\N", "3.25|b"}));
  EXPECT_EQ(opened, 3);  // each file opened once

  write_file(t / "extra/1.csv", "x\n1\n");
  write_file(t / "extra/2.csv", "x,z\n2,3\n");
  auto e = open_dataset(t / "extra", ro);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->next().ok());
  auto b = e->next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().context().path, t / "extra/2.csv");
  EXPECT_NE(b.error().message().find("column 'z' is not in " + (t / "extra/1.csv")), std::string::npos) << b.error().to_string();
  EXPECT_NE(b.error().message().find("--schema-from all"), std::string::npos) << b.error().to_string();
  ro.schema_from_first_file = false;  // unified: z is a column, null in the first file
  EXPECT_EQ(rows_of(*open_dataset(t / "extra", ro)), (std::vector<std::string>{"1|\\N", "2|3"}));

  // A later CSV or NDJSON file reads the first file's columns with its types: a value that does not
  // fit is an error naming the value, the column and the first file.
  write_file(t / "narrow/1.csv", "x\n1\n");
  write_file(t / "narrow/2.csv", "x\n2.5\n");  // double does not narrow to int64
  ro.schema_from_first_file = true;
  auto n = open_dataset(t / "narrow", ro);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->next().ok());
  b = n->next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().context().path, t / "narrow/2.csv");
  EXPECT_EQ(b.error().context().column_name, "x");
  EXPECT_NE(b.error().message().find("'2.5' is not a valid int64; the column is int64 in " + (t / "narrow/1.csv")),
            std::string::npos)
      << b.error().to_string();
  EXPECT_NE(b.error().message().find("--schema-from all"), std::string::npos) << b.error().to_string();
  write_file(t / "narrow_json/1.ndjson", "{\"x\": 1}\n");
  write_file(t / "narrow_json/2.ndjson", "{\"x\": 2}\n{\"x\": 2.5}\n");
  n = open_dataset(t / "narrow_json", ro);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->next().ok());
  b = n->next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().context().path, t / "narrow_json/2.ndjson");
  EXPECT_NE(b.error().message().find("the column is int64 in " + (t / "narrow_json/1.ndjson")), std::string::npos)
      << b.error().to_string();
}

// --schema-from first reads a later CSV / NDJSON file's columns with the first file's types instead
// of inferring its own, as DuckDB reads files after the first: codes that happen to be all digits
// in a later file stay strings, integers stay doubles and dates, a column the file lacks is null.
// Before, the later file's own inference (int64 there) did not widen to string: an error.
TEST(DatasetReader, SchemaFromTheFirstFileReadsLaterTextFilesWithItsTypes) {
  TempDir t;
  write_file(t / "csv/1.csv", "code,price,day\nA1,1.5,2024-01-02\n");
  write_file(t / "csv/2.csv", "day,code\n2024-02-03,0123\n");  // no price; 0123 keeps its zero
  write_file(t / "csv/3.csv", "code,price,day\n77,2,\n");
  DatasetReadOptions ro;
  ro.schema_from_first_file = true;
  auto r = open_dataset(t / "csv", ro);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->schema()->to_string(), "code: string\nprice: float64\nday: date32\n");
  EXPECT_EQ(rows_of(*r), (std::vector<std::string>{"0123|\\N|2024-02-03", "77|2.0|\\N", "A1|1.5|2024-01-02"}));

  write_file(t / "json/1.ndjson", "{\"code\": \"A1\", \"n\": 1.5, \"tags\": [\"a\"]}\n");
  write_file(t / "json/2.ndjson", "{\"code\": 7, \"n\": 2, \"tags\": []}\n{\"code\": \"B\", \"n\": null}\n");
  r = open_dataset(t / "json", ro);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->schema()->to_string(), "code: string\nn: float64\ntags: list<string>\n");
  EXPECT_EQ(rows_of(*r), (std::vector<std::string>{"7|2.0|\\N", "A1|1.5|\\N", "B|\\N|\\N"}));  // lists as \\N

  // Without it, the files' own types are unified: the digits in 3.csv are an int64 column there.
  ro.schema_from_first_file = false;
  auto all = discover(t / "csv", nullptr);
  ASSERT_TRUE(all.ok());
  auto u = DatasetReader::open(std::move(*all), default_file_opener(nullptr, {}), ro);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message().find("column 'code' is int64 here but string"), std::string::npos) << u.error().to_string();
}

TEST(DatasetReader, PartitionFilterSkipsFilesWithoutOpeningThem) {
  TempDir t;
  for (int y = 2020; y < 2025; ++y)
    for (int m = 1; m <= 3; ++m)
      write_file(t / ("in/year=" + std::to_string(y) + "/month=" + std::to_string(m) + "/f.csv"),
                 "v\n" + std::to_string(y * 100 + m) + "\n");
  DatasetReadOptions ro;
  ro.filter = std::make_shared<Predicate>(*Predicate::parse("year >= 2023 and month in (1, 3) and v > 0"));
  int opened = 0;
  auto r = open_dataset(t / "in", ro, {}, &opened);
  EXPECT_EQ(r->files_pruned(), 11u);
  EXPECT_EQ(rows_of(*r), (std::vector<std::string>{"202301|2023|1", "202303|2023|3", "202401|2024|1",
                                                    "202403|2024|3"}));
  // Each remaining file is opened twice (schema, then rows) except the first, read at once.
  EXPECT_EQ(opened, 4 + 3);
}

TEST(DatasetReader, PartitionFiltersWithOrAndNot) {
  TempDir t;
  for (int y = 2020; y < 2025; ++y)
    for (int m = 1; m <= 3; ++m)
      write_file(t / ("in/year=" + std::to_string(y) + "/month=" + std::to_string(m) + "/f.csv"),
                 "v\n" + std::to_string(y * 100 + m) + "\n");
  write_file(t / "in/year=__HIVE_DEFAULT_PARTITION__/month=1/f.csv", "v\n1\n");
  const std::pair<const char*, std::size_t> cases[] = {
      {"year = 2020 or (year = 2024 and month = 2)", 12},
      {"not year between 2021 and 2024", 13},  // 2020 stays; the null year is unknown, not false
      {"year = 2022 or v > 0", 0},             // v is in the files: nothing is ruled out
      {"(year = 2022 or v > 0) and month = 2", 11},
      {"not (year = 2022 or v > 0)", 4},       // true in 2022 whatever v is; never false for a null year
      {"year is null or month = 3", 10},
      {"not year is null and not year != 2021", 13},
      {"year in (2021, null)", 13},
      {"not year in (2021, null)", 16},        // never false: every file is out
      {"year < month", 16},                      // two partition columns: judged per file
      {"not year < month", 1},                   // the null year: unknown
      {"year > v", 0},                           // v is in the files
  };
  for (const auto& [where, pruned] : cases) {
    SCOPED_TRACE(where);
    DatasetReadOptions ro;
    ro.filter = std::make_shared<Predicate>(*Predicate::parse(where));
    auto d = discover(t / "in", nullptr);
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    std::size_t out = 0;
    for (const auto& f : d->files) {
      auto keep = partition_may_match(*ro.filter, *d, f);
      ASSERT_TRUE(keep.ok()) << keep.error().to_string();
      out += *keep ? 0 : 1;
    }
    EXPECT_EQ(out, pruned);
  }
}

namespace {

DatasetWriteOptions csv_options() {
  DatasetWriteOptions o;
  o.format = FileFormat{"csv"};
  return o;
}

Batch sample(int rows, int partitions) {
  std::vector<std::optional<std::int64_t>> id, part;
  std::vector<std::optional<std::string>> name;
  for (int i = 0; i < rows; ++i) {
    id.push_back(i);
    part.push_back(i % partitions);
    name.push_back(std::string("n").append(std::to_string(i)));  // (not "n" + ...: a gcc 12 -Wrestrict false positive)
  }
  return make_batch({{"id", ints(id)}, {"p", ints(part)}, {"name", strings(name)}});
}

}  // namespace

TEST(DatasetWriter, PartitionedWriteReadsBackExactly) {
  TempDir t;
  auto o = csv_options();
  o.partition_by = {"p"};
  auto w = DatasetWriter::open(t / "out", o);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  const Batch b = sample(1000, 7);
  ASSERT_TRUE((*w)->write(b.slice(0, 500)).ok());
  ASSERT_TRUE((*w)->write(b.slice(500, 500)).ok());
  // Nothing visible before finish (the files are in a staging folder beside it).
  EXPECT_FALSE(fs::exists(t / "out"));
  ASSERT_TRUE((*w)->finish(nullptr).ok());
  const auto files = files_below(t / "out");
  ASSERT_EQ(files.size(), 7u);
  EXPECT_EQ(files[0].rfind("p=0/part-", 0), 0u) << files[0];
  // No staging folder is left beside it.
  for (auto& e : fs::directory_iterator(t.path())) EXPECT_EQ(e.path().filename(), "out");
  auto r = open_dataset(t / "out");
  const auto rows = rows_of(*r);
  ASSERT_EQ(rows.size(), 1000u);
  std::set<std::string> expect;
  for (int i = 0; i < 1000; ++i) expect.insert(std::to_string(i) + "|n" + std::to_string(i) + "|" + std::to_string(i % 7));
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()), expect);
}

TEST(DatasetWriter, HostileValuesStayInsideTheOutput) {
  TempDir t;
  const std::vector<std::optional<std::string>> v = {"..", "../../escape", "/abs", ".", "a\nb", std::string("\0z", 2),
                                                     "\xff", std::nullopt, "", "ok"};
  std::vector<std::optional<std::int64_t>> ids;
  for (std::size_t i = 0; i < v.size(); ++i) ids.push_back(static_cast<std::int64_t>(i));
  auto o = csv_options();
  o.partition_by = {"v"};
  auto w = DatasetWriter::open(t / "d/out", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->write(make_batch({{"id", ints(ids)}, {"v", strings(v)}})).ok());
  ASSERT_TRUE((*w)->finish(nullptr).ok());
  // Everything written is below out/, each value one folder deep.
  for (auto& e : fs::recursive_directory_iterator(t / "d"))
    if (e.is_regular_file()) {
      const auto rel = fs::relative(e.path(), t / "d/out").generic_string();
      EXPECT_EQ(std::count(rel.begin(), rel.end(), '/'), 1) << rel;
    }
  EXPECT_EQ(files_below(t / "d").size(), v.size());
  DiscoverOptions typed;
  typed.partition_types = {{"v", utf8()}};
  auto d = discover(t / "d/out", nullptr, typed);
  ASSERT_TRUE(d.ok());
  auto r = DatasetReader::open(std::move(*d), default_file_opener(nullptr, {}));
  ASSERT_TRUE(r.ok());
  std::map<std::int64_t, std::optional<std::string>> got;
  while (auto b = (*r)->next()) {
    ASSERT_TRUE(b.ok());
    if (!*b) break;
    const auto& bb = **b;
    for (std::int64_t i = 0; i < bb.num_rows; ++i) {
      const auto& vc = *bb.columns[1];
      got[bb.columns[0]->value<std::int64_t>(i)] = vc.is_null(i) ? std::nullopt : std::optional<std::string>(vc.string_at(i));
    }
  }
  ASSERT_EQ(got.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(got[static_cast<std::int64_t>(i)], v[i]) << i;
}

TEST(DatasetWriter, ModesErrorOverwriteAppendIgnore) {
  TempDir t;
  const std::string out = t / "out";
  auto write = [&](WriteMode m, int rows) {
    auto o = csv_options();
    o.mode = m;
    auto w = DatasetWriter::open(out, o);
    if (!w.ok()) return w.error().code();
    if ((*w)->skipped()) return ErrorCode::kCancelled;
    EXPECT_TRUE((*w)->write(sample(rows, 1)).ok());
    EXPECT_TRUE((*w)->finish(nullptr).ok());
    return ErrorCode::kInternal;  // "written"
  };
  auto count = [&] { return rows_of(*open_dataset(out)).size(); };
  EXPECT_EQ(write(WriteMode::kError, 3), ErrorCode::kInternal);
  EXPECT_EQ(count(), 3u);
  EXPECT_EQ(write(WriteMode::kError, 4), ErrorCode::kAlreadyExists);
  EXPECT_EQ(write(WriteMode::kIgnore, 4), ErrorCode::kCancelled);
  EXPECT_EQ(count(), 3u);
  EXPECT_EQ(write(WriteMode::kAppend, 4), ErrorCode::kInternal);
  EXPECT_EQ(count(), 7u);
  EXPECT_EQ(files_below(out).size(), 2u);
  EXPECT_EQ(write(WriteMode::kOverwrite, 5), ErrorCode::kInternal);
  EXPECT_EQ(count(), 5u);
  EXPECT_EQ(files_below(out).size(), 1u);
  // An empty folder is no data.
  fs::remove_all(out);
  fs::create_directories(out);
  EXPECT_EQ(write(WriteMode::kError, 2), ErrorCode::kInternal);
  EXPECT_EQ(count(), 2u);
}

TEST(DatasetWriter, AFailedOverwriteLeavesTheOldDataAndNoStaging) {
  TempDir t;
  const std::string out = t / "out";
  write_file(out + "/old.csv", "id\n1\n");
  for (WriteMode m : {WriteMode::kOverwrite, WriteMode::kAppend}) {
    auto o = csv_options();
    o.mode = m;
    o.partition_by = {"p"};
    o.max_open_files = 2;  // files are completed (and in append mode published) before the failure
    auto w = DatasetWriter::open(out, o);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write(sample(100, 10)).ok());
    // A batch without the partition column fails the write.
    Status st = (*w)->write(make_batch({{"id", ints({1})}}));
    ASSERT_FALSE(st.ok());
    w->reset();
    EXPECT_EQ(files_below(out), (std::vector<std::string>{"old.csv"}));
    std::vector<std::string> beside;
    for (auto& e : fs::directory_iterator(t.path())) beside.push_back(e.path().filename());
    EXPECT_EQ(beside, (std::vector<std::string>{"out"}));
  }
}

TEST(DatasetWriter, RotatesFilesAtRowAndByteLimits) {
  TempDir t;
  auto o = csv_options();
  o.max_rows_per_file = 300;
  auto w = DatasetWriter::open(t / "rows", o);
  ASSERT_TRUE((*w)->write(sample(1000, 1)).ok());
  ASSERT_TRUE((*w)->finish(nullptr).ok());
  EXPECT_EQ(files_below(t / "rows").size(), 4u);
  EXPECT_EQ(rows_of(*open_dataset(t / "rows")).size(), 1000u);

  o = csv_options();
  o.max_bytes_per_file = 2000;
  auto w2 = DatasetWriter::open(t / "bytes", o);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*w2)->write(sample(100, 1)).ok());
  ASSERT_TRUE((*w2)->finish(nullptr).ok());
  const auto files = files_below(t / "bytes");
  EXPECT_GT(files.size(), 5u);
  for (auto& f : files) EXPECT_LT(fs::file_size(t / ("bytes/" + f)), 2000u + 3000u);
  EXPECT_EQ(rows_of(*open_dataset(t / "bytes")).size(), 2000u);
}

// 10,000 partitions under small caps: memory stays under the cap, open files under theirs, and every
// row arrives.
TEST(DatasetWriter, TenThousandPartitionsStayUnderTheCaps) {
  TempDir t;
  DatasetWriteOptions o;
  o.format = FileFormat{"parquet"};
  o.partition_by = {"p"};
  o.max_open_files = 256;
  o.max_buffered_bytes = 8 << 20;
  auto w = DatasetWriter::open(t / "out", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->write(sample(50000, 10000)).ok());
  ASSERT_TRUE((*w)->finish(nullptr).ok());
  EXPECT_LE((*w)->peak_buffered_bytes(), o.max_buffered_bytes + (4u << 20));
  std::size_t folders = 0;
  for (auto& e : fs::directory_iterator(t / "out")) folders += e.is_directory();
  EXPECT_EQ(folders, 10000u);
  auto r = open_dataset(t / "out");
  EXPECT_EQ(rows_of(*r).size(), 50000u);
}

// MemoryCap::kProcess: the files get what the rest of the process leaves under the cap. Here the
// rest holds a block of 24 MiB (touched) besides the test's own memory, so a 48 MiB cap leaves the
// files only the floor (an eighth), which the writer says; with kWriters the same files fill far more.
TEST(DatasetWriter, ProcessCapLeavesTheFilesWhatTheRestDoesNotHold) {
  if (!sluice::heap_in_use() || !sluice::resident_bytes()) GTEST_SKIP() << "no allocator statistics here";
  TempDir t;
  std::vector<char> held(24u << 20, 1);
  auto run = [&](MemoryCap cap, const std::string& name) {
    DatasetWriteOptions o;
    o.format = FileFormat{"parquet"};
    o.format_options.parquet.dictionary = false;
    o.partition_by = {"p"};
    o.max_buffered_bytes = 48u << 20;
    o.memory_cap = cap;
    auto w = DatasetWriter::open(t / name, o);
    EXPECT_TRUE(w.ok());
    for (int i = 0; i < 16; ++i) EXPECT_TRUE((*w)->write(sample(50000, 4)).ok());
    EXPECT_TRUE((*w)->finish(nullptr).ok());
    EXPECT_EQ(rows_of(*open_dataset(t / name)).size(), 800000u);
    return std::move(*w);
  };
  auto process = run(MemoryCap::kProcess, "process");
  EXPECT_LE(process->peak_buffered_bytes(), (6u << 20) + (1u << 20));
  EXPECT_GE(process->peak_other_bytes(), held.size());
  EXPECT_NE(process->reports().find("--max-memory 48 MiB is too small"), std::string::npos) << process->reports();
  auto writers = run(MemoryCap::kWriters, "writers");
  EXPECT_GT(writers->peak_buffered_bytes(), 10u << 20);
  EXPECT_EQ(writers->peak_other_bytes(), 0u);
  EXPECT_EQ(held[12345], 1);
}

TEST(DatasetWriter, EmptyInputWritesOneFileWithTheSchema) {
  TempDir t;
  DatasetWriteOptions o;
  o.format = FileFormat{"parquet"};
  auto w = DatasetWriter::open(t / "out", o);
  const Batch b = sample(1, 1);
  ASSERT_TRUE((*w)->finish(b.schema.get()).ok());
  ASSERT_EQ(files_below(t / "out").size(), 1u);
  auto r = open_dataset(t / "out");
  EXPECT_EQ(r->schema()->fields.size(), 3u);
  EXPECT_TRUE(rows_of(*r).empty());
}

TEST(Format, ExtensionsAndCompressedStreams) {
  auto f = format_of_path("s3://b/x/data.CSV.GZ?versionId=1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->name, "csv");
  EXPECT_EQ(f->compression, StreamCompression::kGzip);
  EXPECT_EQ(format_of_path("a.jsonl.zst")->name, "ndjson");
  EXPECT_EQ(format_of_path("noext")->name, "csv");
  EXPECT_FALSE(format_of_path("a.xlsx").ok());
  EXPECT_FALSE(parse_format("parquet.gz").ok());
  TempDir t;
  for (const char* fmt : {"csv.gz", "ndjson.zst", "tsv.gz"}) {
    DatasetWriteOptions o;
    o.format = *parse_format(fmt);
    o.max_rows_per_file = 400;
    auto w = DatasetWriter::open(t / fmt, o);
    ASSERT_TRUE((*w)->write(sample(1000, 3)).ok());
    ASSERT_TRUE((*w)->finish(nullptr).ok());
    const auto files = files_below(t / fmt);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_NE(files[0].find(std::string(".") + fmt), std::string::npos) << files[0];
    EXPECT_EQ(rows_of(*open_dataset(t / fmt)).size(), 1000u) << fmt;
  }
}

namespace {

// One batch of one row (x = the file's number); the first next() can wait for a condition first.
class OneRowReader final : public BatchReader {
 public:
  OneRowReader(std::int64_t x, std::function<void()> before) : before_(std::move(before)) {
    batch_ = make_batch({{"x", ints({x})}});
  }
  const SchemaPtr& schema() const override { return batch_.schema; }
  Result<std::optional<Batch>> next() override {
    if (done_) return std::optional<Batch>();
    if (before_) before_();
    done_ = true;
    return std::optional<Batch>(batch_);
  }
  std::uint64_t bytes_read() const override { return 0; }

 private:
  Batch batch_;
  std::function<void()> before_;
  bool done_ = false;
};

// Files of a store of these sizes (as listed).
Discovery store_files(const std::vector<std::uint64_t>& sizes) {
  Discovery d;
  d.root = "s3://bucket/t/";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    DatasetFile f;
    f.key = "t/f" + std::to_string(i) + ".csv";
    f.uri = "s3://bucket/" + f.key;
    f.relative = "f" + std::to_string(i) + ".csv";
    f.size = sizes[i];
    d.files.push_back(f);
  }
  return d;
}

// The number in a store_files() file's name.
int file_number(const DatasetFile& f) { return std::stoi(f.relative.substr(1)); }

// n files of a store, too big to be kept after the schema pass (so each is opened again to be read).
Discovery big_store_files(std::size_t n) {
  return store_files(std::vector<std::uint64_t>(n, DatasetReader::kKeepFileBytes + 1));
}

}  // namespace

// A store's files: the next one is opened while the current one is read, so its first requests overlap
// the reading. Here file 1's reader only hands out its row once file 2 is being opened again (after the
// schema pass's open); one at a time, that would never happen and the wait would time out.
TEST(DatasetReader, AStoresNextFileOpensWhileTheCurrentOneIsRead) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> opens = std::vector<int>(4, 0);
    std::vector<int> order;  // file opened, in order (schema pass, then reading)
  };
  auto sh = std::make_shared<Shared>();
  bool overlapped = false;
  FileOpener opener = [sh, &overlapped](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    {
      std::lock_guard<std::mutex> lock(sh->mu);
      ++sh->opens[static_cast<std::size_t>(i)];
      sh->order.push_back(i);
    }
    sh->cv.notify_all();
    std::function<void()> before;
    if (i == 1) {
      before = [sh, &overlapped] {
        std::unique_lock<std::mutex> lock(sh->mu);
        overlapped = sh->cv.wait_for(lock, std::chrono::seconds(10), [&] { return sh->opens[2] >= 2; });
      };
    }
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, std::move(before)));
  };
  auto r = DatasetReader::open(big_store_files(4), opener);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(rows_of(**r), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_TRUE(overlapped) << "file 2 was not opened while file 1 was read";
  std::lock_guard<std::mutex> lock(sh->mu);
  // Each file opened twice at most: once for the schema, once to read (file 0's reader is kept).
  EXPECT_EQ(sh->opens, (std::vector<int>{1, 2, 2, 2}));
}

// A file opened ahead that fails to open is the error of that file, when it is reached: the files
// before it are read whole first.
TEST(DatasetReader, AFailedOpenAheadIsTheErrorOfItsFileWhenReached) {
  auto opens = std::make_shared<std::vector<std::atomic<int>>>(4);
  FileOpener opener = [opens](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    if (++(*opens)[static_cast<std::size_t>(i)] == 2 && i == 2)
      return Error(ErrorCode::kIoError, "connection reset", ErrorContext(f.uri));
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, nullptr));
  };
  auto r = DatasetReader::open(big_store_files(4), opener);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  for (int want = 0; want < 2; ++want) {
    auto b = (*r)->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    ASSERT_TRUE(*b);
    EXPECT_EQ((**b).columns[0]->value<std::int64_t>(0), want);
  }
  auto b = (*r)->next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().context().path, "s3://bucket/t/f2.csv");
  EXPECT_NE(b.error().message().find("connection reset"), std::string::npos) << b.error().to_string();
  EXPECT_EQ((*opens)[3].load(), 1) << "a file past the failed one was opened again";
}

// A reader dropped while the next file is being opened waits for that open (which uses the reader's
// opener and file list) before it goes: no use after free (ASan), no hang.
TEST(DatasetReader, DroppedWhileTheNextFileOpens) {
  auto slow = std::make_shared<std::atomic<int>>(0);
  FileOpener opener = [slow](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    if (i == 1 && ++*slow == 2) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, nullptr));
  };
  auto r = DatasetReader::open(big_store_files(3), opener);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto b = (*r)->next();
  ASSERT_TRUE(b.ok() && *b);
  r->reset();
  EXPECT_EQ(slow->load(), 2);  // the open ahead had started, and finished before the reader went
}

// --schema-from first on a store: every file is opened once, the next one while one is read.
TEST(DatasetReader, AStoresFilesInTheFirstFilesSchemaAreOpenedOnce) {
  auto opens = std::make_shared<std::vector<std::atomic<int>>>(4);
  FileOpener opener = [opens](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    ++(*opens)[static_cast<std::size_t>(i)];
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, nullptr));
  };
  DatasetReadOptions ro;
  ro.schema_from_first_file = true;
  auto r = DatasetReader::open(big_store_files(4), opener, ro);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*opens)[2].load() + (*opens)[3].load(), 0);  // at most file 1 is opening (ahead)
  EXPECT_EQ(rows_of(**r), (std::vector<std::string>{"0", "1", "2", "3"}));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ((*opens)[i].load(), 1) << "file " << i;
}

// A store's small files keep the reader that gave their schema (opened, so fetched, once), up to
// keep_budget bytes of them; the others are opened again to be read, the next while one is read.
TEST(DatasetReader, AStoresSmallFilesAreOpenedOnce) {
  constexpr std::uint64_t small = DatasetReader::kKeepFileBytes;
  constexpr std::uint64_t big = DatasetReader::kKeepFileBytes + 1;
  // File 0 is read by its schema's reader anyway; then big, small, big, and small files until one
  // more would pass the budget (file 2 took 1 MiB of it), then one past it.
  std::vector<std::uint64_t> sizes = {small, big, small, big};
  const std::size_t fill = DatasetReadOptions{}.keep_budget / small;
  for (std::size_t i = 0; i < fill; ++i) sizes.push_back(small);
  auto opens = std::make_shared<std::vector<std::atomic<int>>>(sizes.size());
  FileOpener opener = [opens](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    ++(*opens)[static_cast<std::size_t>(i)];
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, nullptr));
  };
  auto r = DatasetReader::open(store_files(sizes), opener);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::vector<std::int64_t> read, want;  // in file order
  while (true) {
    auto b = (*r)->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    if (!*b) break;
    for (std::int64_t i = 0; i < (*b)->num_rows; ++i) read.push_back((*b)->columns[0]->value<std::int64_t>(i));
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) want.push_back(static_cast<std::int64_t>(i));
  EXPECT_EQ(read, want);
  std::vector<int> got, expected;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    got.push_back((*opens)[i].load());
    const bool again = sizes[i] == big || i == sizes.size() - 1;  // the last small file is past the budget
    expected.push_back(again ? 2 : 1);
  }
  EXPECT_EQ(got, expected);

  // No budget (a tight --max-memory): none kept, each file but the first opened twice.
  for (auto& n : *opens) n = 0;
  DatasetReadOptions none;
  none.keep_budget = 0;
  auto r0 = DatasetReader::open(store_files(sizes), opener, none);
  ASSERT_TRUE(r0.ok()) << r0.error().to_string();
  EXPECT_EQ(rows_of(**r0).size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) EXPECT_EQ((*opens)[i].load(), i == 0 ? 1 : 2) << "file " << i;
}

// Local files are opened when they are reached, as before (no thread per file for a fast open).
TEST(DatasetReader, LocalFilesOpenWhenReached) {
  TempDir t;
  for (int i = 0; i < 3; ++i) write_file(t / ("d/f" + std::to_string(i) + ".csv"), "x\n" + std::to_string(i) + "\n");
  int opened = 0;
  auto r = open_dataset(t / "d/", {}, {}, &opened);
  ASSERT_TRUE(r);
  EXPECT_EQ(opened, 3);  // the schema pass; file 0's reader is kept
  ASSERT_TRUE(r->next().ok());
  EXPECT_EQ(opened, 3);  // nothing opened ahead
  ASSERT_TRUE(r->next().ok());
  EXPECT_EQ(opened, 4);
}

// ---- scan_unordered(): several files at once ----------------------------------------------------

namespace {

// A reader whose next() fails (after `rows` one-row batches of x = n).
class FailingReader final : public BatchReader {
 public:
  FailingReader(std::int64_t n, int rows, std::string uri) : n_(n), rows_(rows), uri_(std::move(uri)) {
    batch_ = make_batch({{"x", ints({n})}});
  }
  const SchemaPtr& schema() const override { return batch_.schema; }
  Result<std::optional<Batch>> next() override {
    if (rows_-- > 0) return std::optional<Batch>(batch_);
    return Error(ErrorCode::kParseError, "broken file " + std::to_string(n_), ErrorContext(uri_));
  }
  std::uint64_t bytes_read() const override { return 0; }

 private:
  std::int64_t n_;
  int rows_;
  std::string uri_;
  Batch batch_;
};

struct ScannedRow {
  std::string row;
  std::size_t file;
  int thread;
};

// Every batch of an unordered scan on `threads`, as rows "v1|v2|..." with their places.
Status scan_rows(DatasetReader& r, int threads, std::vector<ScannedRow>& out) {
  std::mutex mu;
  return r.scan_unordered(threads, [&](Batch&& b, const DatasetReader::FilePlace& place) -> Status {
    auto rows = row_texts(b);
    std::lock_guard<std::mutex> lock(mu);
    for (auto& row : rows) out.push_back({std::move(row), place.file, place.thread});
    return ok_status();
  });
}

}  // namespace

// Every row once, with the file it is of (its partition value and file name conformed on the thread
// that read it), on 1 to 4 threads; the same rows as next() gives; next() is at the end afterwards.
TEST(DatasetScanUnordered, EveryRowOnceWithItsFile) {
  TempDir t;
  for (int i = 0; i < 12; ++i) {
    std::string text = "x,y\n";
    for (int r = 0; r <= i * 3; ++r) text += std::to_string(i * 1000 + r) + "," + (r % 4 ? "v" : "") + "\n";
    write_file(t / ("in/k=" + std::to_string(i % 3) + "/f" + std::to_string(i) + ".csv"), text);
  }
  DatasetReadOptions ro;
  ro.filename_column = "filename";
  FormatReadOptions fo;
  fo.csv.batch_rows = 4;  // several batches per file
  const auto expected = rows_of(*open_dataset(t / "in", ro, fo));
  ASSERT_EQ(expected.size(), 12u + 3 * 66u);
  for (int threads = 1; threads <= 4; ++threads) {
    auto r = open_dataset(t / "in", ro, fo);
    std::vector<ScannedRow> rows;
    Status st = scan_rows(*r, threads, rows);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    std::vector<std::string> got;
    std::set<int> threads_seen;
    for (const auto& row : rows) {
      got.push_back(row.row);
      threads_seen.insert(row.thread);
      // x's thousands are the file's number; the file name column is the place's file.
      const std::string& uri = r->discovery().files[row.file].uri;
      EXPECT_EQ(row.row.substr(row.row.rfind('|') + 1), uri) << row.row;
      const long long x = std::stoll(row.row.substr(0, row.row.find('|')));
      EXPECT_TRUE(uri.ends_with("/f" + std::to_string(x / 1000) + ".csv")) << row.row;
      EXPECT_GE(row.thread, 0);
      EXPECT_LT(row.thread, threads);
    }
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected) << threads << " threads";
    if (threads == 1) EXPECT_EQ(threads_seen, (std::set<int>{0}));
    auto end = r->next();
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
  }
}

// The threads read files at once: file 0's reader hands out its row only once another file's reader
// has handed out its own; read one at a time, that never happens and the wait times out.
TEST(DatasetScanUnordered, FilesAreReadAtOnce) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    int others_read = 0;
  };
  auto sh = std::make_shared<Shared>();
  bool overlapped = false;
  FileOpener opener = [sh, &overlapped](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    std::function<void()> before = [sh] {
      {
        std::lock_guard<std::mutex> lock(sh->mu);
        ++sh->others_read;
      }
      sh->cv.notify_all();
    };
    if (i == 0) {
      before = [sh, &overlapped] {
        std::unique_lock<std::mutex> lock(sh->mu);
        overlapped = sh->cv.wait_for(lock, std::chrono::seconds(10), [&] { return sh->others_read > 0; });
      };
    }
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, std::move(before)));
  };
  auto r = DatasetReader::open(big_store_files(5), opener);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::vector<ScannedRow> rows;
  Status st = scan_rows(**r, 2, rows);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_TRUE(overlapped) << "no other file was read while file 0 was";
  std::vector<std::string> got;
  for (const auto& row : rows) {
    got.push_back(row.row);
    EXPECT_EQ(row.row, std::to_string(row.file));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

// The error is the one next() meets first: the first failing file's (here file 3's, in its reading,
// not file 6's, in its opening), after every row of the files before it; on any number of threads.
TEST(DatasetScanUnordered, TheFirstFailingFilesErrorAfterEveryFileBeforeIt) {
  FileOpener opener = [](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    const int i = file_number(f);
    if (i == 3) return std::unique_ptr<BatchReader>(std::make_unique<FailingReader>(i, 2, f.uri));
    if (i == 6) return Error(ErrorCode::kIoError, "connection reset", ErrorContext(f.uri));
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(i, nullptr));
  };
  DatasetReadOptions ro;
  ro.schema_from_first_file = true;  // (file 6 fails only when it is read)
  for (int threads = 1; threads <= 4; ++threads) {
    for (int round = 0; round < 20; ++round) {
      auto r = DatasetReader::open(big_store_files(10), opener, ro);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      std::vector<ScannedRow> rows;
      Status st = scan_rows(**r, threads, rows);
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.error().message(), "broken file 3");
      EXPECT_EQ(st.error().context().path, "s3://bucket/t/f3.csv");
      std::multiset<std::string> got;
      for (const auto& row : rows) got.insert(row.row);
      for (const char* want : {"0", "1", "2"}) EXPECT_EQ(got.count(want), 1u) << want << " on " << threads << " threads";
      EXPECT_EQ(got.count("3"), 2u);  // its two rows before the error
      auto end = (*r)->next();
      ASSERT_TRUE(end.ok());
      EXPECT_FALSE(*end);
    }
  }
}

// consume's first failure (file 2's, not file 5's) reaches the caller, its error or its exception;
// scan_unordered() is refused once next() has begun.
TEST(DatasetScanUnordered, ConsumersFailuresReachTheCaller) {
  FileOpener opener = [](const DatasetFile& f, const SchemaPtr&) -> Result<std::unique_ptr<BatchReader>> {
    return std::unique_ptr<BatchReader>(std::make_unique<OneRowReader>(file_number(f), nullptr));
  };
  for (int threads = 1; threads <= 3; ++threads) {
    auto r = DatasetReader::open(big_store_files(8), opener);
    ASSERT_TRUE(r.ok());
    Status st = (*r)->scan_unordered(threads, [](Batch&&, const DatasetReader::FilePlace& place) -> Status {
      if (place.file == 2 || place.file == 5) return Error(ErrorCode::kInvalidArgument, "no " + std::to_string(place.file));
      return ok_status();
    });
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().message(), "no 2");
    r = DatasetReader::open(big_store_files(8), opener);
    ASSERT_TRUE(r.ok());
    EXPECT_THROW((void)(*r)->scan_unordered(threads,
                                            [](Batch&&, const DatasetReader::FilePlace& place) -> Status {
                                              if (place.file == 4) throw std::runtime_error("consumer threw");
                                              return ok_status();
                                            }),
                 std::runtime_error);
  }
  auto r = DatasetReader::open(big_store_files(3), opener);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->next().ok());
  Status st = (*r)->scan_unordered(2, [](Batch&&, const DatasetReader::FilePlace&) { return ok_status(); });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("after next()"), std::string::npos) << st.error().to_string();
}

// --schema-from first: a later file's column the first file lacks is the same error as next()'s,
// and the bytes read are those of every file.
TEST(DatasetScanUnordered, LaterFilesAreCheckedAgainstTheFirstFilesSchema) {
  TempDir t;
  write_file(t / "extra/1.csv", "x\n1\n");
  write_file(t / "extra/2.csv", "x\n2\n");
  write_file(t / "extra/3.csv", "x,z\n3,4\n");
  DatasetReadOptions ro;
  ro.schema_from_first_file = true;
  auto r = open_dataset(t / "extra", ro);
  std::vector<ScannedRow> rows;
  Status st = scan_rows(*r, 3, rows);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().context().path, t / "extra/3.csv");
  EXPECT_NE(st.error().message().find("column 'z' is not in " + (t / "extra/1.csv")), std::string::npos)
      << st.error().to_string();
  EXPECT_EQ(rows.size(), 2u);

  write_file(t / "extra/3.csv", "x\n3\n");
  r = open_dataset(t / "extra", ro);
  rows.clear();
  st = scan_rows(*r, 3, rows);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_EQ(r->bytes_read(), 3u * 4u);  // "x\nN\n" three times
}
