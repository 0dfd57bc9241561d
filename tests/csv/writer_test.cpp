#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "sluice/core/builder.hpp"
#include "util.hpp"

namespace sluice::csv {
namespace {

Batch sample() {
  BinaryBuilder s;
  s.append("plain");
  s.append("has,comma");
  s.append("has \"quote\"");
  s.append("line\nbreak");
  s.append("");
  s.append_null();
  s.append(" spaced ");
  s.append("cr\rhere");
  FixedWidthBuilder<std::int64_t> n(int64());
  for (int i = 0; i < 7; ++i) n.append(i * 1000 - 3);
  n.append_null();
  FixedWidthBuilder<double> d(float64());
  for (double v : {0.1, 1e300, -0.0, 1.0 / 3.0, 5e-324, 2.5, 100.0}) d.append(v);
  d.append_null();
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"s", utf8(), true}, {"n", int64(), true}, {"d", float64(), true}};
  return Batch{schema, {s.finish(), n.finish(), d.finish()}, 8};
}

std::string write(const Batch& b, WriteOptions o) { return testing::render({b}, o); }

TEST(CsvWriter, MinimalQuotingIsExactlyWhatRfc4180Needs) {
  EXPECT_EQ(write(sample(), {}),
                "s,n,d\n"
                "plain,-3,0.1\n"
                "\"has,comma\",997,1e+300\n"
                "\"has \"\"quote\"\"\",1997,-0.0\n"
                "\"line\nbreak\",2997,0.3333333333333333\n"
                "\"\",3997,5e-324\n"
                ",4997,2.5\n"
                " spaced ,5997,100.0\n"
                "\"cr\rhere\",,\n");
}

TEST(CsvWriter, QuoteStylesNullStringLineEndings) {
  WriteOptions o;
  o.quoting = QuoteStyle::kAll;
  o.null_string = "NULL";
  o.line_ending = "\r\n";
  o.header = false;
  const std::string all = write(sample(), o);
  EXPECT_EQ(all.substr(0, all.find("\r\n", 0) + 2), "\"plain\",\"-3\",\"0.1\"\r\n");
  EXPECT_NE(all.find("NULL,\"4997\""), std::string::npos) << all;
  o.quoting = QuoteStyle::kNonNumeric;
  const std::string nn = write(sample(), o);
  EXPECT_EQ(nn.substr(0, nn.find("\r\n") + 2), "\"plain\",-3,0.1\r\n");
  o.quoting = QuoteStyle::kNone;
  o.null_string = "";
  auto batch = sample();
  io::MemorySink sink;
  auto w = CsvWriter::open(sink, o);
  Status s = (*w)->write(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().context().row, 1);
  EXPECT_EQ(s.error().context().column, 1);
}

TEST(CsvWriter, DelimiterAndTypes) {
  WriteOptions o;
  o.delimiter = '\t';
  auto r = testing::read_string("a,b,c,d\n2024-01-02,2024-01-02 03:04:05.000001,true,-12.50\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(write((*r)[0], o), "a\tb\tc\td\n2024-01-02\t2024-01-02 03:04:05.000001\ttrue\t-12.5\n");
}

TEST(CsvWriter, RoundTripsThroughTheReader) {
  const Batch b = sample();
  const std::string text = write(b, {});
  ReadOptions o;
  o.column_types = {{"s", utf8()}, {"n", int64()}, {"d", float64()}};
  auto back = testing::read_string(text, o);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(testing::render(*back), text);
  const ArrayData& s = (*back)[0].column(0);
  EXPECT_EQ(s.string_at(4), "");
  EXPECT_TRUE(s.is_valid(4));
  EXPECT_TRUE(s.is_null(5));
  EXPECT_EQ(s.string_at(7), "cr\rhere");
}

TEST(CsvWriter, NestedColumnsAreWrittenAsQuotedJson) {
  MapBuilder m(map(utf8(), int64()));
  m.keys_as<BinaryBuilder>().append("k");
  m.values_as<FixedWidthBuilder<std::int64_t>>().append(7);
  m.append_valid();
  m.append_valid();
  m.append_null();
  ListBuilder l(list(int64()));
  l.child_as<FixedWidthBuilder<std::int64_t>>().append(5);
  l.append_valid();
  l.child_as<FixedWidthBuilder<std::int64_t>>().append(1);
  l.child_as<FixedWidthBuilder<std::int64_t>>().append(2);
  l.append_valid();
  l.append_null();
  StructBuilder st(struct_({{"a", list(utf8()), true}, {"b", float64(), true}}));
  auto& a = st.child_as<ListBuilder>(0);
  a.child_as<BinaryBuilder>().append("x,\"y\"");
  a.append_valid();
  st.child_as<FixedWidthBuilder<double>>(1).append(0.5);
  st.append_valid();
  a.append_null();
  st.child_as<FixedWidthBuilder<double>>(1).append_null();
  st.append_valid();
  st.append_null();
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"m", m.type(), true}, {"l", l.type(), true}, {"st", st.type(), true}};
  const Batch b{schema, {m.finish(), l.finish(), st.finish()}, 3};
  ASSERT_TRUE(b.validate().ok());
  EXPECT_EQ(write(b, {}),
            "m,l,st\n"
            "\"{\"\"k\"\":7}\",[5],\"{\"\"a\"\":[\"\"x,\\\"\"y\\\"\"\"\"],\"\"b\"\":0.5}\"\n"
            "{},\"[1,2]\",\"{\"\"a\"\":null,\"\"b\"\":null}\"\n"
            ",,\n");
  // Sliced, and quoted as text under kNonNumeric.
  WriteOptions o;
  o.quoting = QuoteStyle::kNonNumeric;
  o.header = false;
  EXPECT_EQ(write(b.slice(1, 1), o), "\"{}\",\"[1,2]\",\"{\"\"a\"\":null,\"\"b\"\":null}\"\n");
}

// A geometry column is written as its WKT (quoted where it has a comma), as DuckDB writes a GEOMETRY,
// and a UUID as its text; bytes that are not WKB as they are. Before, the WKB bytes went out raw.
TEST(CsvWriter, GeometriesAreWrittenAsWkt) {
  BinaryBuilder g(geometry_type("EPSG:4326"));
  g.append(std::string_view("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40", 21));
  g.append(std::string_view("\x01\x04\x00\x00\x00\x02\x00\x00\x00"
                            "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40"
                            "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x40\x00\x00\x00\x00\x00\x00\x10\x40", 51));
  g.append_null();
  g.append("not wkb");
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"g", g.type(), true}};
  const Batch b{schema, {g.finish()}, 4};
  EXPECT_EQ(write(b, {}), "g\nPOINT (1 2)\n\"MULTIPOINT (1 2, 3 4)\"\n\nnot wkb\n");
}

TEST(CsvWriter, EmptyInputStillGetsAHeader) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"x", int64(), true}, {"y,z", utf8(), true}};
  io::MemorySink sink;
  auto w = CsvWriter::open(sink, {});
  ASSERT_TRUE((*w)->finish(schema.get()).ok());
  ASSERT_TRUE(sink.finish().ok());
  EXPECT_EQ(sink.data(), "x,\"y,z\"\n");
}

// ---- Threads -----------------------------------------------------------------------------------

// n rows from row `from` of every kind the writer formats: integers, doubles, booleans, dates,
// timestamps, text that needs quotes, nested (JSON text) and decimals (the general path), with nulls.
Batch wide(std::int64_t from, std::int64_t n) {
  FixedWidthBuilder<std::int64_t> id(int64());
  FixedWidthBuilder<std::int32_t> k(int32());
  FixedWidthBuilder<double> d(float64());
  BooleanBuilder f;
  FixedWidthBuilder<std::int32_t> day(date32());
  FixedWidthBuilder<std::int64_t> ts(timestamp(TimeUnit::kMicro));
  BinaryBuilder s;
  ListBuilder l(list(int64()));
  FixedWidthBuilder<__int128> dec(decimal128(12, 2));
  for (std::int64_t i = from; i < from + n; ++i) {
    id.append(i * 7919 - 100000);
    if (i % 5 == 3) k.append_null();
    else k.append(static_cast<std::int32_t>(i % 1000 - 500));
    if (i % 11 == 0) d.append_null();
    else d.append(static_cast<double>(i) / 7.0);
    if (i % 7 == 6) f.append_null();
    else f.append(i % 2 == 0);
    day.append(static_cast<std::int32_t>(i % 40000 - 20000));
    if (i % 13 == 1) ts.append_null();
    else ts.append(i * 1234567891LL);
    switch (i % 6) {
      case 0: s.append("plain " + std::to_string(i)); break;
      case 1: s.append("a,b"); break;
      case 2: s.append("say \"hi\"\n" + std::to_string(i)); break;
      case 3: s.append_null(); break;
      case 4: s.append(""); break;
      default: s.append(std::string(static_cast<std::size_t>(i % 97), 'x')); break;
    }
    if (i % 4 == 0) {
      l.append_null();
    } else {
      for (std::int64_t j = 0; j < i % 4; ++j) l.child_as<FixedWidthBuilder<std::int64_t>>().append(i + j);
      l.append_valid();
    }
    if (i % 9 == 4) dec.append_null();
    else dec.append(static_cast<__int128>(i) * 12345 - 7);
  }
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"id", int64(), true},       {"k", int32(), true},   {"d", float64(), true},
                    {"f", boolean(), true},      {"day", date32(), true}, {"ts", timestamp(TimeUnit::kMicro), true},
                    {"s, text", utf8(), true},   {"l", list(int64()), true}, {"dec", decimal128(12, 2), true}};
  return Batch{schema,
               {id.finish(), k.finish(), d.finish(), f.finish(), day.finish(), ts.finish(), s.finish(), l.finish(),
                dec.finish()},
               n};
}

// Batches of many shapes: empty, one row, odd sizes, large, and slices (offsets inside buffers).
std::vector<Batch> shapes() {
  std::vector<Batch> out;
  std::int64_t at = 0;
  for (std::int64_t n : {0, 1, 17, 1000, 0, 3, 40000, 255, 256, 257, 9000}) {
    out.push_back(wide(at, n));
    at += n;
  }
  const Batch big = wide(at, 5000);
  out.push_back(big.slice(3, 2000));
  out.push_back(big.slice(2003, 1));
  out.push_back(big.slice(2004, 2996));
  return out;
}

struct Outcome {
  std::string text;
  std::optional<Error> error;
  std::int64_t rows = 0;
};

// Writes the batches until one write() fails (the threaded writer may report a batch's error from a
// later write() or from finish()), then finishes the writer; what reached the sink.
Outcome write_threads(const std::vector<Batch>& batches, WriteOptions o, int threads) {
  o.threads = threads;
  io::MemorySink sink("t.csv");
  auto w = CsvWriter::open(sink, o);
  EXPECT_TRUE(w.ok());
  Outcome out;
  for (const auto& b : batches) {
    Status s = (*w)->write(b);
    if (!s.ok()) {
      out.error = s.error();
      break;
    }
  }
  Status f = (*w)->finish(batches.empty() ? nullptr : batches.front().schema.get());
  if (!f.ok() && !out.error) out.error = f.error();
  out.rows = (*w)->rows_written();
  EXPECT_TRUE(sink.finish().ok());
  out.text = sink.data();
  return out;
}

TEST(CsvWriter, ThreadsWriteTheSameBytes) {
  const std::vector<Batch> batches = shapes();
  WriteOptions nn;
  nn.quoting = QuoteStyle::kNonNumeric;
  nn.null_string = "NA";
  nn.line_ending = "\r\n";
  WriteOptions all;
  all.quoting = QuoteStyle::kAll;
  all.delimiter = ';';
  all.header = false;
  for (const WriteOptions& base : {WriteOptions{}, nn, all}) {
    const Outcome one = write_threads(batches, base, 1);
    ASSERT_FALSE(one.error) << one.error->to_string();
    EXPECT_EQ(one.rows, 55786);
    for (int threads : {2, 3, 5}) {
      for (std::int64_t size : {std::int64_t{1}, std::int64_t{700}, std::int64_t{64 << 10}, std::int64_t{1} << 20}) {
        WriteOptions o = base;
        o.buffer_size = size;
        const Outcome t = write_threads(batches, o, threads);
        ASSERT_FALSE(t.error) << t.error->to_string();
        EXPECT_EQ(t.text, one.text) << threads << " threads, buffer " << size;
        EXPECT_EQ(t.rows, one.rows);
      }
    }
  }
  // No batches: the header only when a schema is given; nothing at all without.
  EXPECT_EQ(write_threads({wide(0, 0)}, {}, 2).text, "id,k,d,f,day,ts,\"s, text\",l,dec\n");
  WriteOptions o;
  o.threads = 3;
  io::MemorySink sink;
  auto w = CsvWriter::open(sink, o);
  ASSERT_TRUE((*w)->finish().ok());
  EXPECT_EQ(sink.data(), "");
}

TEST(CsvWriter, ThreadsReportTheFirstBadValueAsOneThreadDoes) {
  // Quoting 'none' refuses the first text value that needs quotes; make every batch clean but one.
  auto clean = [](std::int64_t from, std::int64_t n, std::int64_t bad_at) {
    FixedWidthBuilder<std::int64_t> x(int64());
    BinaryBuilder s;
    for (std::int64_t i = from; i < from + n; ++i) {
      x.append(i);
      if (i == bad_at || i == bad_at + 5) s.append("has,comma");
      else if (i % 3 == 0) s.append_null();
      else s.append("v" + std::to_string(i));
    }
    auto schema = std::make_shared<Schema>();
    schema->fields = {{"x", int64(), true}, {"s", utf8(), true}};
    return Batch{schema, {x.finish(), s.finish()}, n};
  };
  WriteOptions o;
  o.quoting = QuoteStyle::kNone;
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{1}, std::int64_t{4999}, std::int64_t{5000}, std::int64_t{23456}, std::int64_t{39999}}) {
    std::vector<Batch> batches;
    for (std::int64_t at = 0; at < 40000; at += 5000) batches.push_back(clean(at, 5000, bad));
    const Outcome one = write_threads(batches, o, 1);
    ASSERT_TRUE(one.error);
    EXPECT_EQ(one.error->context().row, bad);
    EXPECT_EQ(one.error->context().column, 2);
    for (int threads : {2, 4}) {
      for (std::int64_t size : {std::int64_t{100}, std::int64_t{1} << 20}) {
        WriteOptions t_opt = o;
        t_opt.buffer_size = size;
        const Outcome t = write_threads(batches, t_opt, threads);
        ASSERT_TRUE(t.error) << bad;
        EXPECT_EQ(t.error->to_string(), one.error->to_string());
        EXPECT_EQ(t.error->context().row, bad);
        EXPECT_EQ(t.rows, one.rows) << bad;
        // What the sink got: every row before the bad one (and the half row the writer stopped in).
        EXPECT_EQ(t.text, one.text) << bad << ", " << threads << " threads, buffer " << size;
      }
    }
  }
}

}  // namespace
}  // namespace sluice::csv
