#include <gtest/gtest.h>

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
                "\"has \"\"quote\"\"\",1997,-0\n"
                "\"line\nbreak\",2997,0.3333333333333333\n"
                "\"\",3997,5e-324\n"
                ",4997,2.5\n"
                " spaced ,5997,100\n"
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

TEST(CsvWriter, EmptyInputStillGetsAHeader) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {{"x", int64(), true}, {"y,z", utf8(), true}};
  io::MemorySink sink;
  auto w = CsvWriter::open(sink, {});
  ASSERT_TRUE((*w)->finish(schema.get()).ok());
  ASSERT_TRUE(sink.finish().ok());
  EXPECT_EQ(sink.data(), "x,\"y,z\"\n");
}

}  // namespace
}  // namespace sluice::csv
