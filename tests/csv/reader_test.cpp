#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "csv/tokenize.hpp"
#include "util.hpp"

namespace sluice::csv {
namespace {

using testing::read_string;
using testing::render;
using testing::total_rows;

std::string types_of(const Schema& s) {
  std::string out;
  for (const auto& f : s.fields) out += (out.empty() ? "" : ",") + f.name + ":" + f.type->to_string();
  return out;
}

TEST(CsvReader, InfersTypesAndHeader) {
  auto r = read_string(
      "id,price,day,at,ok,name,zoned\n"
      "1,1.5,2024-01-02,2024-01-02 03:04:05.25,true,x,2024-01-02T03:04:05Z\n"
      "-2,3,2024-02-29,2024-01-02 03:04:05,FALSE,\"y, z\",2024-01-02 05:04:05+02:00\n");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(types_of(*(*r)[0].schema),
            "id:int64,price:float64,day:date32,at:timestamp[us],ok:bool,name:string,zoned:timestamp[us, tz=UTC]");
  EXPECT_EQ(render(*r),
            "id,price,day,at,ok,name,zoned\n"
            "1,1.5,2024-01-02,2024-01-02 03:04:05.25,true,x,2024-01-02 03:04:05+00\n"
            "-2,3.0,2024-02-29,2024-01-02 03:04:05,false,\"y, z\",2024-01-02 03:04:05+00\n");
}

// A column of times with and without offsets is zoned (those without read as UTC), as DuckDB's sniffer
// makes it TIMESTAMP WITH TIME ZONE; dates join either kind.
TEST(CsvReader, TimesWithAndWithoutOffsetsAreZoned) {
  auto r = read_string("a,b,c\n2024-01-02 03:04:05,2024-01-02,2024-01-02T03:04:05+01:00\n"
                       "2024-03-04T05:06:07Z,2024-03-04 05:06:07.5,2024-02-03\n,2024-05-06T07:08:09-02:00,\n");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(types_of(*(*r)[0].schema), "a:timestamp[us, tz=UTC],b:timestamp[us, tz=UTC],c:timestamp[us, tz=UTC]");
  EXPECT_EQ(render(*r),
            "a,b,c\n"
            "2024-01-02 03:04:05+00,2024-01-02 00:00:00+00,2024-01-02 02:04:05+00\n"
            "2024-03-04 05:06:07+00,2024-03-04 05:06:07.5+00,2024-02-03 00:00:00+00\n"
            ",2024-05-06 09:08:09+00,\n");
}

TEST(CsvReader, NoHeaderWhenFirstRowFitsTheTypes) {
  auto r = read_string("1,2.5\n2,3.5\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(types_of(*(*r)[0].schema), "column0:int64,column1:float64");
  EXPECT_EQ(total_rows(*r), 2);
}

TEST(CsvReader, HeaderForcedOffAndNamesGiven) {
  ReadOptions o;
  o.header = false;
  o.column_names = {"a", "b"};
  auto r = read_string("x,y\nz,w\n", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(render(*r), "a,b\nx,y\nz,w\n");
  o.column_names = {"a"};
  auto bad = read_string("x,y\n", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CsvReader, DuplicateAndEmptyHeaderNames) {
  auto r = read_string("a,a,,b\n1,2,3,4\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(types_of(*(*r)[0].schema), "a:int64,a_1:int64,column2:int64,b:int64");
}

TEST(CsvReader, LineEndingsBomBlankLines) {
  for (const std::string text : {"\xEF\xBB\xBFh1,h2\r\n1,a\r\n\r\n2,\"b\r\nc\"\r\n",
                                 "h1,h2\r1,a\r\r2,\"b\r\nc\"\r", "h1,h2\n1,a\n\n2,\"b\r\nc\"", "h1,h2\n\n1,a\n2,\"b\r\nc\"\n\n"}) {
    auto r = read_string(text);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(render(*r), "h1,h2\n1,a\n2,\"b\r\nc\"\n") << text;
  }
}

TEST(CsvReader, QuotesEscapesComments) {
  auto r = read_string("a,b\n\"x\"\"y\",\"p,q\"\n\"\",z\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].column(0).string_at(0), "x\"y");
  EXPECT_EQ((*r)[0].column(1).string_at(0), "p,q");
  EXPECT_TRUE((*r)[0].column(0).is_valid(1));  // "" is an empty string, not null
  EXPECT_EQ((*r)[0].column(0).string_at(1), "");

  ReadOptions o;
  o.escape = '\\';
  o.comment = '#';
  auto e = read_string("# a comment, with \"quote\n a,b\n\"x\\\"y\",z\n#another\n1,2\n", o);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(render(*e), " a,b\n\"x\"\"y\",z\n1,2\n");
}

TEST(CsvReader, DelimiterAndQuoteSniffing) {
  auto semi = read_string("a;b;c\n1;2;3\n4;5;6\n");
  ASSERT_TRUE(semi.ok());
  EXPECT_EQ((*semi)[0].num_columns(), 3u);
  auto tab = read_string("a\tb\n1,5\t2\n3\t4\n");
  ASSERT_TRUE(tab.ok());
  EXPECT_EQ((*tab)[0].num_columns(), 2u);
  auto pipe = read_string("a|b\n'x|y'|2\n'z'|3\n");
  ASSERT_TRUE(pipe.ok());
  ASSERT_EQ((*pipe)[0].num_columns(), 2u);
  EXPECT_EQ((*pipe)[0].column(0).string_at(0), "x|y");
}

TEST(CsvReader, NullValuesAndSkipRows) {
  ReadOptions o;
  o.null_values = {"NA", "NULL"};
  o.skip_rows = 2;
  auto r = read_string("junk line\nmore \"junk\n a,b\n1,NA\nNULL,\n\"NA\",2\n", o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Batch& b = (*r)[0];
  EXPECT_EQ(types_of(*b.schema), " a:string,b:string");
  EXPECT_TRUE(b.column(1).is_null(0));
  EXPECT_TRUE(b.column(0).is_null(1));
  EXPECT_TRUE(b.column(1).is_valid(1));  // the empty field is not null here
  EXPECT_EQ(b.column(0).string_at(2), "NA");  // quoted: a value
}

TEST(CsvReader, ASkippedLineOverTheRowLimitIsALocatedError) {
  // The second skipped line (from byte 10) runs past max_row_bytes: its line and offset, the limit.
  ReadOptions o;
  o.skip_rows = 3;
  o.max_row_bytes = 64;
  const std::string text = "junk line\n" + std::string(200, 'x') + "\na,b\n1,2\n";
  auto r = read_string(text, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().context().line, 2);
  EXPECT_EQ(r.error().context().byte_offset, 10);
  EXPECT_NE(r.error().message().find("skip_rows (--skip-rows) is longer than the limit of 64 bytes"), std::string::npos)
      << r.error().to_string();
  o.skip_rows = 1;  // only the short line skipped: the long one is the header, over the limit too
  EXPECT_FALSE(read_string(text, o).ok());
  o.max_row_bytes = 1000;
  o.skip_rows = 2;
  auto fine = read_string(text, o);
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_EQ((*fine)[0].num_rows, 1);
}

TEST(CsvReader, DeclaredTypes) {
  ReadOptions o;
  o.column_types = {{"a", int32()}, {"b", decimal128(10, 2)}, {"c", utf8()}, {"d", timestamp(TimeUnit::kMilli)},
                    {"e", time_type(TimeUnit::kMicro)}, {"f", uint8()}, {"g", float32()}};
  auto r = read_string("a,b,c,d,e,f,g\n7,1.25,0012,2024-01-01 00:00:00.5,10:11:12.5,255,0.5\n", o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(types_of(*(*r)[0].schema),
            "a:int32,b:decimal128(10, 2),c:string,d:timestamp[ms],e:time[us],f:uint8,g:float32");
  EXPECT_EQ(render(*r), "a,b,c,d,e,f,g\n7,1.25,0012,2024-01-01 00:00:00.5,10:11:12.5,255,0.5\n");
  o.column_types = {{"nope", int32()}};
  EXPECT_FALSE(read_string("a\n1\n", o).ok());
}

TEST(CsvReader, DeclaredUuidAndJson) {
  ReadOptions o;
  o.column_types = {{"u", uuid_type()}, {"j", json_type()}};
  auto r = read_string(
      "u,j\n0f8fad5b-d9cb-469f-a165-70867728950e,\"{\"\"a\"\": 1}\"\n,\n"
      "0F8FAD5BD9CB469FA16570867728950F,[1]\n{00000000-0000-0000-0000-000000000001},x\n",
      o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(types_of(*(*r)[0].schema), "u:uuid,j:json");
  const auto& u = (*r)[0].column(0);
  EXPECT_EQ(u.fixed_binary_at(0), std::string_view("\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95\x0e", 16));
  EXPECT_TRUE(u.is_null(1));
  // Written back as text: the canonical form, lowercase with hyphens; the JSON column as it came.
  EXPECT_EQ(render(*r),
            "u,j\n0f8fad5b-d9cb-469f-a165-70867728950e,\"{\"\"a\"\": 1}\"\n,\n"
            "0f8fad5b-d9cb-469f-a165-70867728950f,[1]\n00000000-0000-0000-0000-000000000001,x\n");
  for (const char* bad : {"0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b+d9cb-469f-a165-70867728950e",
                          "0f8fad5bd9cb469fa16570867728950g", "x"}) {
    auto e = read_string(std::string("u,j\n") + bad + ",1\n", o);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code(), ErrorCode::kTypeError);
    EXPECT_EQ(e.error().context().column_name, "u");
    EXPECT_NE(e.error().message().find("not a valid uuid"), std::string::npos) << e.error().to_string();
  }
}

TEST(CsvReader, DeclaredTypeMismatchIsAnErrorWithLineAndColumn) {
  ReadOptions o;
  o.column_types = {{"n", int64()}};
  auto r = read_string("s,n\nx,1\n\"multi\nline\",2\ny,abc\n", o);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.code(), ErrorCode::kTypeError);
  EXPECT_EQ(e.context().path, "test.csv");
  EXPECT_EQ(e.context().line, 5);
  EXPECT_EQ(e.context().column, 2);
  EXPECT_EQ(e.context().column_name, "n");
  EXPECT_EQ(e.context().byte_offset, 25);
  EXPECT_NE(e.to_string().find("test.csv:5:2: value 'abc' is not a valid int64"), std::string::npos) << e.to_string();
}

TEST(CsvReader, RaggedRowAndUnterminatedQuoteErrors) {
  auto r = read_string("a,b\n1,2\n3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kParseError);
  EXPECT_EQ(r.error().context().line, 3);
  EXPECT_EQ(r.error().context().column, 2);
  auto more = read_string("a,b\n1,2\n3,4,5\n");
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().context().line, 3);
  auto q = read_string("a,b\n1,2\n3,\"4\n5,6\n");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().message().find("unterminated"), std::string::npos);
  EXPECT_EQ(q.error().context().line, 3);
}

TEST(CsvReader, SkipBadRowsReportsThem) {
  ReadOptions o;
  o.bad_rows = BadRowPolicy::kSkip;
  o.column_types = {{"n", int64()}};
  std::unique_ptr<CsvReader> reader =
      std::move(CsvReader::open(std::make_unique<io::MemorySource>("s,n\nx,1\ny\nz,2\nw,bad\nv,3,4\nu,4\n"), o).value());
  std::vector<Batch> batches;
  while (true) {
    auto b = reader->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    if (!*b) break;
    batches.push_back(**b);
  }
  EXPECT_EQ(render(batches), "s,n\nx,1\nz,2\nu,4\n");
  EXPECT_EQ(reader->bad_rows().count, 3);
  EXPECT_EQ(reader->bad_rows().first_lines, (std::vector<std::int64_t>{3, 6, 5}));
}

TEST(CsvReader, WidensInsteadOfNulling) {
  // The sample sees only integers; later values widen the column, and nothing becomes null.
  std::string text = "n,d,b\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",2024-01-01,true\n";
  text += "1.5,2024-01-01 10:00:00,maybe\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",2024-01-02,false\n";
  text += "word,x,1\n";
  ReadOptions o;
  o.infer_rows = 100;
  o.block_size = 4096;
  std::unique_ptr<CsvReader> reader = std::move(CsvReader::open(std::make_unique<io::MemorySource>(text), o).value());
  EXPECT_EQ(types_of(*reader->schema()), "n:int64,d:date32,b:bool");
  std::vector<Batch> batches;
  std::int64_t nulls = 0;
  while (true) {
    auto b = reader->next();
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    if (!*b) break;
    for (const auto& c : (*b)->columns) nulls += c->null_count;
    batches.push_back(**b);
  }
  EXPECT_EQ(nulls, 0);
  EXPECT_EQ(types_of(*reader->schema()), "n:string,d:string,b:string");
  EXPECT_EQ(types_of(*batches.front().schema), "n:int64,d:date32,b:bool");
  EXPECT_EQ(total_rows(batches), 10002);
  // Text of the widened values is kept exactly as written.
  const Batch& last = batches.back();
  EXPECT_EQ(last.column(0).string_at(last.num_rows - 1), "word");
  bool saw = false;
  for (const auto& b : batches)
    for (std::int64_t i = 0; i < b.num_rows; ++i)
      if (b.column(2).type->id == TypeId::kString && b.column(2).string_at(i) == "maybe") saw = true;
  EXPECT_TRUE(saw);
}

TEST(CsvReader, WholeInputInferenceGivesEveryBatchTheFinalSchema) {
  const std::string path = ::testing::TempDir() + "sluice_infer_all_test.csv";
  std::string text = "n,d,s\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",2024-01-01,\n";
  text += "1.5,2024-01-01 10:00:00,x\n";
  { std::ofstream(path, std::ios::binary) << text; }
  ReadOptions o;
  o.infer_rows = -1;
  o.block_size = 4096;
  o.threads = 2;
  auto all = read_all(std::move(*io::open_local_source(path)), o);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  for (const auto& b : *all) EXPECT_EQ(types_of(*b.schema), "n:float64,d:timestamp[us],s:string");
  ReadOptions sampled;
  sampled.block_size = 4096;
  auto some = read_string(text, sampled);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(types_of(*some->front().schema), "n:int64,d:date32,s:null");
  EXPECT_EQ(total_rows(*all), 20001);
  EXPECT_EQ(total_rows(*some), 20001);
  const Batch& first = all->front();
  const Batch& last = all->back();
  EXPECT_EQ(first.column(0).value<double>(0), 0.0);
  EXPECT_EQ(first.column(1).value<std::int64_t>(0), 1704067200000000LL);  // 2024-01-01 00:00:00
  EXPECT_TRUE(first.column(2).is_null(0));
  EXPECT_EQ(last.column(0).value<double>(last.num_rows - 1), 1.5);
  EXPECT_EQ(last.column(2).string_at(last.num_rows - 1), "x");
  // A stream cannot be read twice.
  class StreamOnly final : public io::Source {
   public:
    explicit StreamOnly(std::string t) : m_(std::move(t)) {}
    const std::string& path() const override { return m_.path(); }
    bool supports_random_access() const override { return false; }
    Result<std::uint64_t> size() override { return Error(ErrorCode::kNotImplemented, "stream"); }
    Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
      return Error(ErrorCode::kNotImplemented, "stream");
    }
    Result<std::size_t> read(std::span<std::byte> dst) override { return m_.read(dst); }

   private:
    io::MemorySource m_;
  };
  auto stream = read_all(std::make_unique<StreamOnly>(text), o);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().code(), ErrorCode::kInvalidArgument);
  std::remove(path.c_str());
}

TEST(CsvReader, WideningMidChunkReconvertsTheWholeChunk) {
  auto r = read_string("v\n1\n2\n2.5\n3\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(types_of(*(*r)[0].schema), "v:float64");
  EXPECT_EQ(render(*r), "v\n1.0\n2.0\n2.5\n3.0\n");  // doubles print as doubles
  ReadOptions o;
  o.infer_rows = 1;
  auto late = read_string("v\n1\n2\n2.5\n3\n", o);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(types_of(*(*late)[0].schema), "v:float64");
  EXPECT_EQ(render(*late), "v\n1.0\n2.0\n2.5\n3.0\n");
}

TEST(CsvReader, EmptyInputs) {
  auto empty = read_string("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  std::unique_ptr<CsvReader> reader = std::move(CsvReader::open(std::make_unique<io::MemorySource>("a,b\n")).value());
  EXPECT_EQ(types_of(*reader->schema()), "a:null,b:null");
  auto b = reader->next();
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(*b);
  auto blank = read_string("\n\n\r\n");
  ASSERT_TRUE(blank.ok());
  EXPECT_TRUE(blank->empty());
}

// A file of one column writes a null as an empty line (DuckDB, and sluice's writer): read as a null
// row, as DuckDB reads it. With more columns blank lines are skipped, and so are those before the
// first row.
TEST(CsvReader, BlankLinesAreNullsInAFileOfOneColumn) {
  auto one = read_string("a\n1\n\n3\n\n");
  ASSERT_TRUE(one.ok()) << one.error().to_string();
  EXPECT_EQ(render(*one), "a\n1\n\n3\n\n");
  EXPECT_EQ(types_of(*(*one)[0].schema), "a:int64");
  std::int64_t nulls = 0, rows = 0;
  for (const auto& b : *one) {
    rows += b.num_rows;
    nulls += b.column(0).null_count;
  }
  EXPECT_EQ(rows, 4);
  EXPECT_EQ(nulls, 2);
  auto crlf = read_string("\r\n\r\na\r\n1\r\n\r\n3\r\n");
  ASSERT_TRUE(crlf.ok()) << crlf.error().to_string();
  EXPECT_EQ(render(*crlf), "a\n1\n\n3\n");
  auto strings = read_string("\n\nname\nx\n\n\ny");
  ASSERT_TRUE(strings.ok()) << strings.error().to_string();
  EXPECT_EQ(render(*strings), "name\nx\n\n\ny\n");
  auto two = read_string("a,b\n1,x\n\n3,y\n\n");
  ASSERT_TRUE(two.ok()) << two.error().to_string();
  EXPECT_EQ(render(*two), "a,b\n1,x\n3,y\n");
  // Many blank lines across chunks, on several threads: every one a row.
  ReadOptions o;
  o.block_size = 4096;
  o.threads = 3;
  std::string text = "v\n";
  for (int i = 0; i < 20000; ++i) text += i % 3 == 0 ? "\n" : std::to_string(i) + "\n";
  auto many = read_string(text, o);
  ASSERT_TRUE(many.ok()) << many.error().to_string();
  rows = nulls = 0;
  for (const auto& b : *many) {
    rows += b.num_rows;
    nulls += b.column(0).null_count;
  }
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(nulls, 6667);
}

TEST(CsvReader, AllNullColumnBecomesTypedLater) {
  ReadOptions o;
  o.infer_rows = 10;
  o.block_size = 4096;
  std::string text = "a,b\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",\n";
  text += "1,42\n";
  auto r = read_string(text, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r).front().column(1).type->id, TypeId::kNull);
  EXPECT_EQ((*r).back().column(1).type->id, TypeId::kInt64);
  const Batch& last = r->back();
  EXPECT_EQ(last.column(1).value<std::int64_t>(last.num_rows - 1), 42);
}

// The dialect, the header and the types come from the first MiB whatever the block size (a knob of
// speed and memory): a 4 KiB first block once saw only integers here, and only one column in the
// second input.
TEST(CsvReader, BlockSizeDoesNotChangeTheSample) {
  std::string text = "n,s\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + ",a\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + ".5,b\n";
  std::string one_column_first;  // no delimiter in the first 4 KiB
  for (int i = 0; i < 600; ++i) one_column_first += "word" + std::to_string(i) + "\n";
  for (int i = 0; i < 3000; ++i) one_column_first += "x;" + std::to_string(i) + "\n";
  for (const std::string& in : {text, one_column_first}) {
    std::string want_types, want_text, want_error;
    for (const std::int64_t block : {std::int64_t{1} << 20, std::int64_t{4096}, std::int64_t{5000}}) {
      ReadOptions o;
      o.block_size = block;
      auto r = read_string(in, o);
      const std::string types = r.ok() ? types_of(*r->front().schema) : "";
      const std::string rendered = r.ok() ? render(*r) : "";
      const std::string error = r.ok() ? "" : r.error().message();
      if (block == std::int64_t{1} << 20) {
        want_types = types;
        want_text = rendered;
        want_error = error;
        continue;
      }
      EXPECT_EQ(types, want_types) << block;
      EXPECT_EQ(rendered, want_text) << block;
      EXPECT_EQ(error, want_error) << block;
      if (r.ok()) {
        EXPECT_GT(r->size(), 1u) << block;  // still cut into blocks
      }
    }
  }
  auto r = read_string(text, ReadOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(types_of(*r->front().schema), "n:float64,s:string");
}

TEST(CsvReader, RowLongerThanTheLimitIsAnError) {
  ReadOptions o;
  o.max_row_bytes = 10000;
  o.block_size = 4096;
  std::string text = "a,b\n1,\"" + std::string(50000, 'x') + "\"\n";
  auto r = read_string(text, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  o.max_row_bytes = 100000;
  auto ok = read_string(text, o);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ((*ok)[0].column(1).string_at(0).size(), 50000u);
}

// A row over max_row_bytes is an error wherever the blocks are cut: inside a block, running past one,
// at the end of the input, with or without a header, under either bad-row policy, on any thread
// count. A row of exactly the limit (before its line end) reads.
TEST(CsvReader, RowLimitIsExactWhateverTheBlockSize) {
  const auto row_of = [](std::string lead, std::size_t bytes) {
    return lead + "," + std::string(bytes - lead.size() - 1, 'x');
  };
  struct Case {
    std::string name, text;
    std::int64_t limit;
    bool reads;
    std::int64_t line = 0;    // of the error
    std::int64_t offset = 0;  // of the error
  };
  const std::string head = "a,b\n1,x\n";  // 8 bytes, 2 lines
  constexpr std::int64_t kBig = (std::int64_t{3} << 20) / 2;
  std::vector<Case> cases = {
      {"at the limit", head + row_of("2", 100) + "\n3,y\n", 100, true},
      {"one over", head + row_of("2", 101) + "\n3,y\n", 100, false, 3, 8},
      {"at the limit, CRLF", "a,b\r\n1,x\r\n" + row_of("2", 100) + "\r\n3,y\r\n", 100, true},
      {"one over, CRLF", "a,b\r\n1,x\r\n" + row_of("2", 101) + "\r\n3,y\r\n", 100, false, 3, 10},
      {"at the limit, last, no line end", head + row_of("2", 100), 100, true},
      {"one over, last, no line end", head + row_of("2", 101), 100, false, 3, 8},
      {"quoted line ends count", head + "2,\"" + std::string(40, 'q') + "\n" + std::string(60, 'q') + "\"\n3,y\n", 100,
       false, 3, 8},
      {"the header", row_of("h", 101) + "\n1,2\n", 100, false, 1, 0},
      {"an unterminated quote", head + "2,\"" + std::string(300, 'x'), 100, false, 3, 8},
      {"past a block, at the limit", head + row_of("2", 6000) + "\n3,y\n", 6000, true},
      {"past a block, one over", head + row_of("2", 6001) + "\n3,y\n", 6000, false, 3, 8},
      // Past the first read (1 MiB): the reader reads on to find the row's end...
      {"past the first read, at the limit", head + row_of("2", kBig) + "\n3,y\n", kBig, true},
      {"past the first read, one over", head + row_of("2", kBig + 1) + "\n3,y\n", kBig, false, 3, 8},
      // ... and stops reading once what it holds of the row is over the limit.
      {"far past the limit", head + row_of("2", 2 * kBig) + "\n3,y\n", kBig, false, 3, 8},
      {"far past the limit, unterminated", head + "2,\"" + std::string(2 * kBig, 'x'), kBig, false, 3, 8},
  };
  for (const auto& c : cases) {
    for (const std::int64_t block : {std::int64_t{4096}, std::int64_t{1} << 20}) {
      for (const auto policy : {BadRowPolicy::kError, BadRowPolicy::kSkip}) {
        for (const int threads : {1, 2}) {
          ReadOptions o;
          o.max_row_bytes = c.limit;
          o.block_size = block;
          o.bad_rows = policy;
          o.threads = threads;
          o.header = true;
          const std::string where = c.name + ", block " + std::to_string(block) + ", threads " + std::to_string(threads) +
                                    (policy == BadRowPolicy::kSkip ? ", skip" : "");
          auto r = read_string(c.text, o);
          if (c.reads) {
            ASSERT_TRUE(r.ok()) << where << ": " << r.error().to_string();
            std::int64_t rows = 0;
            for (const auto& b : *r) rows += b.num_rows;
            EXPECT_EQ(rows, c.name.find("last") != std::string::npos ? 2 : 3) << where;
            continue;
          }
          ASSERT_FALSE(r.ok()) << where;
          EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded) << where << ": " << r.error().to_string();
          EXPECT_NE(r.error().to_string().find("limit of " + std::to_string(c.limit) + " bytes"), std::string::npos)
              << where << ": " << r.error().to_string();
          EXPECT_EQ(r.error().context().byte_offset, c.offset) << where << ": " << r.error().to_string();
          EXPECT_EQ(r.error().context().line, c.line) << where << ": " << r.error().to_string();
        }
      }
    }
  }
}

// A row too long to buffer is refused where the reader meets it in the input: after every row before
// it (whatever is in flight on other threads), and after an earlier bad row's error.
TEST(CsvReader, ARowTooLongToBufferFailsInInputOrder) {
  std::string good = "a,b\n";
  std::int64_t before = 0;
  while (good.size() < (std::size_t{3} << 20)) good += std::to_string(before++) + ",some text\n";
  const std::string tail = "1," + std::string(std::size_t{4} << 20, 'x') + "\n5,y\n";
  for (const int threads : {1, 2}) {
    ReadOptions o;
    o.max_row_bytes = std::int64_t{1} << 20;
    o.block_size = 64 << 10;
    o.threads = threads;
    o.batch_rows = 1000;
    auto reader = CsvReader::open(std::make_unique<io::MemorySource>(good + tail, "t.csv"), o);
    ASSERT_TRUE(reader.ok()) << reader.error().to_string();
    std::int64_t rows = 0;
    std::optional<Error> error;
    while (true) {
      auto b = (*reader)->next();
      if (!b.ok()) {
        error = b.error();
        break;
      }
      if (!*b) break;
      rows += (*b)->num_rows;
    }
    ASSERT_TRUE(error) << threads;
    EXPECT_EQ(error->code(), ErrorCode::kLimitExceeded) << error->to_string();
    EXPECT_EQ(error->context().byte_offset, static_cast<std::int64_t>(good.size())) << error->to_string();
    EXPECT_EQ(error->context().line, before + 2) << error->to_string();
    EXPECT_EQ(rows, before) << threads;

    // A ragged row just before the long one is the error.
    std::string ragged = good;
    ragged.insert(ragged.rfind('\n', ragged.size() - 1000) + 1, "1,2,3\n");
    auto r = read_string(ragged + tail, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kParseError) << r.error().to_string();
  }
}

// Skipped leading lines are held to the limit too, wherever they end.
TEST(CsvReader, SkippedLinesAreHeldToTheRowLimit) {
  ReadOptions o;
  o.skip_rows = 1;
  o.max_row_bytes = 100;
  auto at = read_string(std::string(100, '#') + "\na,b\n1,2\n", o);
  ASSERT_TRUE(at.ok()) << at.error().to_string();
  EXPECT_EQ(at->front().num_rows, 1);
  auto over = read_string(std::string(101, '#') + "\na,b\n1,2\n", o);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), ErrorCode::kLimitExceeded);
}

TEST(CsvReader, ColumnCountIsLimited) {
  std::string wide(200000, ',');
  wide += "\n";
  auto r = read_string(wide);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kLimitExceeded);
  ReadOptions o;
  o.max_columns = 300000;
  o.header = false;
  auto ok = read_string(wide + wide, o);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ((*ok)[0].num_columns(), 200001u);
  EXPECT_EQ(testing::total_rows(*ok), 2);
}

TEST(CsvReader, BatchesAreBoundedInRows) {
  ReadOptions o;
  o.batch_rows = 100;
  std::string text = "a\n";
  for (int i = 0; i < 1050; ++i) text += std::to_string(i) + "\n";
  auto r = read_string(text, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 11u);
  for (const auto& b : *r) {
    EXPECT_LE(b.num_rows, 100);
    EXPECT_TRUE(b.validate().ok());
  }
  EXPECT_EQ(total_rows(*r), 1050);
}

// A quoted CRLF, a CRLF line end, or a doubled quote straddling every position of a block boundary.
TEST(CsvReader, EveryBlockBoundaryPosition) {
  const std::string row = "7,\"a\r\nb\"\"c\",\"x,y\"\r\n";
  const std::size_t block = 4096;
  for (std::size_t shift = 0; shift < row.size() * 2 + 2; ++shift) {
    std::string text = "k,v,w\r\n";
    std::string filler;
    int i = 0;
    while (text.size() + filler.size() + 20 < block - shift) filler += std::to_string(i++ % 10) + ",f,g\r\n";
    text += filler;
    if (text.size() < block - shift) {  // lengthen the last filler row
      const std::string tail = text.substr(text.size() - 2);
      text.resize(text.size() - 2);
      text.append(block - shift - text.size() - 2, 'h');
      text += tail;
    }
    std::string expect_tail;
    for (int k = 0; k < 4; ++k) text += row;
    ReadOptions o;
    o.block_size = static_cast<std::int64_t>(block);
    o.column_types = {{"k", utf8()}, {"v", utf8()}, {"w", utf8()}};
    auto small = read_string(text, o);
    ASSERT_TRUE(small.ok()) << "shift " << shift << ": " << small.error().to_string();
    ReadOptions big = o;
    big.block_size = 1 << 20;
    auto ref = read_string(text, big);
    ASSERT_TRUE(ref.ok());
    ASSERT_EQ(render(*small), render(*ref)) << "shift " << shift;
    const Batch& last = small->back();
    ASSERT_EQ(last.column(1).string_at(last.num_rows - 1), "a\r\nb\"c") << "shift " << shift;
  }
}

std::string random_table(std::mt19937_64& rng, int rows) {
  std::string t = "id,s,d,x\n";
  for (int r = 0; r < rows; ++r) {
    t += std::to_string(r) + ",";
    switch (rng() % 5) {
      case 0: t += "plain"; break;
      case 1: t += "\"quoted, with comma\""; break;
      case 2: t += "\"multi\nline \"\"q\"\"\""; break;
      case 3: break;
      default: t += "\"crlf\r\ninside\""; break;
    }
    t += ',';
    t += std::to_string(static_cast<double>(rng() % 100000) / 100.0);
    if (rng() % 7 == 0) {
      t += ",\n";
    } else {
      t += ",2024-0";
      t += std::to_string(1 + rng() % 9);
      t += "-1";
      t += std::to_string(rng() % 10);
      t += '\n';
    }
  }
  return t;
}

TEST(CsvReader, ThreadsGiveIdenticalBatches) {
  std::mt19937_64 rng(11);
  const std::string text = random_table(rng, 60000);
  std::string reference;
  std::vector<std::int64_t> ref_sizes;
  for (int threads : {1, 2, 3, 8}) {
    ReadOptions o;
    o.threads = threads;
    o.block_size = 8192;
    o.batch_rows = 1000;
    auto r = read_string(text, o);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    std::vector<std::int64_t> sizes;
    for (const auto& b : *r) sizes.push_back(b.num_rows);
    const std::string out = render(*r);
    if (threads == 1) {
      reference = out;
      ref_sizes = sizes;
      EXPECT_EQ(total_rows(*r), 60000);
    } else {
      EXPECT_EQ(out, reference) << threads << " threads";
      EXPECT_EQ(sizes, ref_sizes) << threads << " threads";
    }
  }
}

TEST(CsvReader, ThreadsReportTheSameFirstError) {
  std::mt19937_64 rng(5);
  std::string text = random_table(rng, 20000);
  text += "1,2\n";  // ragged, at the end
  text += random_table(rng, 100).substr(9);
  std::string first;
  for (int threads : {1, 2, 4}) {
    ReadOptions o;
    o.threads = threads;
    o.block_size = 4096;
    auto r = read_string(text, o);
    ASSERT_FALSE(r.ok());
    if (threads == 1) first = r.error().to_string();
    else EXPECT_EQ(r.error().to_string(), first);
  }
  EXPECT_NE(first.find("test.csv:"), std::string::npos) << first;
}

TEST(CsvReader, EveryKernelGivesTheSameResult) {
  std::mt19937_64 rng(9);
  const std::string text = random_table(rng, 5000);
  std::string reference;
  const detail::Kernel* saved = &detail::active_kernel();
  for (const detail::Kernel* k : detail::available_kernels()) {
    detail::force_kernel(k);
    ReadOptions o;
    o.block_size = 4096;
    auto r = read_string(text, o);
    ASSERT_TRUE(r.ok()) << k->name << ": " << r.error().to_string();
    const std::string out = render(*r);
    if (reference.empty()) reference = out;
    else EXPECT_EQ(out, reference) << k->name;
  }
  detail::force_kernel(saved);
}

}  // namespace
}  // namespace sluice::csv

namespace sluice::csv {
namespace {

// A local file gives exactly what the same bytes give from memory, whatever its length relative to
// pages, blocks and padding, with or without a final line end, at any thread count.
TEST(CsvReader, LocalFilesReadLikeMemory) {
  const std::string path = ::testing::TempDir() + "sluice_mapped_test.csv";
  std::mt19937_64 rng(23);
  std::string base = "a,b,c\n";
  while (base.size() < 40000) {
    base += std::to_string(rng() % 100000) + ",\"x, " + std::to_string(rng() % 7) + "\"" + ",2024-01-0" +
            std::to_string(1 + rng() % 9) + "\n";
  }
  for (std::size_t target : {4096u, 4097u, 8191u, 8192u, 12288u, 12300u, 32768u, 32800u}) {
    for (bool final_newline : {true, false}) {
      // Whole rows, then a last row padded so the file is exactly `target` bytes long.
      std::string text = base.substr(0, target - 40);
      text.resize(text.rfind('\n') + 1);
      text += "1,q,";
      text.append(target - text.size() - (final_newline ? 1 : 0), 'z');
      if (final_newline) text += '\n';
      ASSERT_EQ(text.size(), target);
      { std::ofstream(path, std::ios::binary) << text; }
      for (int threads : {1, 2}) {
        ReadOptions o;
        o.block_size = 4096;
        o.threads = threads;
        o.column_types = {{"a", utf8()}, {"b", utf8()}, {"c", utf8()}};
        auto src = io::open_local_source(path);
        ASSERT_TRUE(src.ok());
        auto from_file = read_all(std::move(*src), o);
        auto from_memory = read_string(text, o);
        ASSERT_TRUE(from_file.ok()) << target << ": " << from_file.error().to_string();
        ASSERT_TRUE(from_memory.ok());
        ASSERT_EQ(render(*from_file), render(*from_memory)) << "size " << text.size();
      }
    }
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sluice::csv
