#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ndjson/json_format.hpp"
#include "text/parse.hpp"
#include "sluice/codecs/ndjson.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/io/local.hpp"

namespace sluice::ndjson {
namespace {

using I64 = FixedWidthBuilder<std::int64_t>;
using I32 = FixedWidthBuilder<std::int32_t>;

struct Written {
  std::string text;
  std::int64_t non_finite = 0;
  std::int64_t rows = 0;
};

Written write_all(const std::vector<Batch>& batches, WriteOptions o = {}) {
  io::MemorySink sink("out.json");
  auto w = NdjsonWriter::open(sink, o);
  EXPECT_TRUE(w.ok());
  for (const auto& b : batches) {
    Status s = (*w)->write(b);
    EXPECT_TRUE(s.ok()) << s.error().to_string();
  }
  EXPECT_TRUE((*w)->finish().ok());
  EXPECT_TRUE(sink.finish().ok());
  return {sink.data(), (*w)->non_finite_count(), (*w)->rows_written()};
}

std::string write(const Batch& b, WriteOptions o = {}) { return write_all({b}, o).text; }

// The error of writing `b` (which must fail).
Error write_error(const Batch& b, WriteOptions o) {
  io::MemorySink sink("out.json");
  auto w = NdjsonWriter::open(sink, o);
  Status s = (*w)->write(b);
  EXPECT_FALSE(s.ok());
  if (s.ok()) return Error(ErrorCode::kInternal, "no error");
  return s.error();
}

Batch make_batch(std::vector<std::pair<std::string, ArrayPtr>> cols) {
  auto schema = std::make_shared<Schema>();
  Batch b;
  for (auto& [name, a] : cols) {
    schema->fields.push_back({name, a->type, true});
    b.num_rows = a->length;
    b.columns.push_back(a);
  }
  b.schema = schema;
  EXPECT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  return b;
}
Batch one(ArrayPtr a, std::string name = "v") { return make_batch({{std::move(name), std::move(a)}}); }

template <class T>
ArrayPtr fixed(TypePtr type, std::vector<T> values, std::vector<bool> nulls = {}) {
  FixedWidthBuilder<T> b(std::move(type));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i < nulls.size() && nulls[i]) b.append_null();
    else b.append(values[i]);
  }
  return b.finish();
}

ArrayPtr strings(std::vector<std::string> values, TypePtr type = utf8()) {
  BinaryBuilder b(std::move(type));
  for (const auto& v : values) b.append(v);
  return b.finish();
}

// Each row's text (the column "v" of one-column batches), without the {"v": and }\n around it.
std::vector<std::string> values_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::string line = text.substr(at, nl - at);
    EXPECT_EQ(line.rfind("{\"v\":", 0), 0u) << line;
    EXPECT_EQ(line.back(), '}') << line;
    out.push_back(line.substr(5, line.size() - 6));
    at = nl + 1;
  }
  return out;
}
std::vector<std::string> values_of(const Batch& b, WriteOptions o = {}) { return values_of(write(b, o)); }

using V = std::vector<std::string>;

std::string num(const char* prefix, std::int64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// ---- Scalars -----------------------------------------------------------------------------------

TEST(NdjsonWriter, RecordsKeysAndIntegers) {
  BooleanBuilder bools;
  bools.append(true);
  bools.append(false);
  bools.append_null();
  NullBuilder nulls;
  for (int i = 0; i < 3; ++i) nulls.append_null();
  const Batch b = make_batch({
      {"b", bools.finish()},
      {"i8", fixed<std::int8_t>(int8(), {-128, 127, 0})},
      {"i16", fixed<std::int16_t>(int16(), {-32768, 32767, 0})},
      {"i32", fixed<std::int32_t>(int32(), {INT32_MIN, INT32_MAX, 0})},
      {"i64", fixed<std::int64_t>(int64(), {INT64_MIN, INT64_MAX, 0}, {false, false, true})},
      {"u8", fixed<std::uint8_t>(uint8(), {255, 0, 1})},
      {"u16", fixed<std::uint16_t>(uint16(), {65535, 0, 1})},
      {"u32", fixed<std::uint32_t>(uint32(), {UINT32_MAX, 0, 1})},
      {"u64", fixed<std::uint64_t>(uint64(), {UINT64_MAX, 0, 1})},
      {"n", nulls.finish()},
      {"we\"ird\\ key\n\x01", fixed<std::int8_t>(int8(), {1, 2, 3})},
  });
  EXPECT_EQ(write(b),
            "{\"b\":true,\"i8\":-128,\"i16\":-32768,\"i32\":-2147483648,\"i64\":-9223372036854775808,\"u8\":255,"
            "\"u16\":65535,\"u32\":4294967295,\"u64\":18446744073709551615,\"n\":null,\"we\\\"ird\\\\ key\\n\\u0001\":1}\n"
            "{\"b\":false,\"i8\":127,\"i16\":32767,\"i32\":2147483647,\"i64\":9223372036854775807,\"u8\":0,"
            "\"u16\":0,\"u32\":0,\"u64\":0,\"n\":null,\"we\\\"ird\\\\ key\\n\\u0001\":2}\n"
            "{\"b\":null,\"i8\":0,\"i16\":0,\"i32\":0,\"i64\":null,\"u8\":1,\"u16\":1,\"u32\":1,\"u64\":1,\"n\":null,"
            "\"we\\\"ird\\\\ key\\n\\u0001\":3}\n");
}

// Shortest round-trip text, but -0.0 keeps its ".0" ("-0" reads back as the integer 0).
TEST(NdjsonWriter, FloatsAreShortestRoundTrip) {
  EXPECT_EQ(values_of(one(fixed<double>(float64(), {0.1, 1e300, -0.0, 5e-324, 1.0 / 3.0, 100.0, 2.5e-8, -1.5,
                                                    1.7976931348623157e308, 2.2250738585072014e-308}))),
            (V{"0.1", "1e+300", "-0.0", "5e-324", "0.3333333333333333", "100.0", "2.5e-08", "-1.5",
               "1.7976931348623157e+308", "2.2250738585072014e-308"}));
  EXPECT_EQ(values_of(one(fixed<float>(float32(), {0.1f, 3.4028235e38f, 1e-45f, -0.0f, 16777216.0f, 1.17549435e-38f}))),
            (V{"0.1", "3.4028235e+38", "1e-45", "-0.0", "16777216.0", "1.1754944e-38"}));
  // float16 as bits: 1, 0.1, 65504 (shortest "65500"), smallest subnormal, largest subnormal,
  // smallest normal, 1/3, -2, -0, 100, 0.9995, 3.14.
  EXPECT_EQ(values_of(one(fixed<std::uint16_t>(float16(), {0x3C00, 0x2E66, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x3555,
                                                          0xC000, 0x8000, 0x5640, 0x3BFF, 0x4248}))),
            (V{"1.0", "0.1", "65500.0", "6e-08", "6.1e-05", "6.104e-05", "0.3333", "-2.0", "-0.0", "100.0", "0.9995", "3.14"}));
}

TEST(NdjsonWriter, Float16ShortestTextReadsBackForEveryFiniteValue) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    char buf[40];
    char* e = detail::format_half(buf, static_cast<std::uint16_t>(h));
    double x = 0;
    ASSERT_EQ(std::from_chars(buf, e, x).ec, std::errc()) << h;
    // Reads back: the half nearest to x is h (x lies strictly closer to h than to its neighbours,
    // or on a tie that goes to h's even mantissa).
    const double v = detail::half_bits_to_double(static_cast<std::uint16_t>(h));
    if (v == 0) {
      EXPECT_EQ(std::string(buf, e), (h & 0x8000) ? "-0.0" : "0.0");
      continue;
    }
    EXPECT_EQ(std::signbit(x), std::signbit(v));
    std::uint16_t best = 0;
    double best_d = INFINITY;
    for (int d = -1; d <= 1; ++d) {
      const std::uint32_t k = (h & 0x7fff) + static_cast<std::uint32_t>(d);
      if (k > 0x7bff) continue;
      const double dist = std::fabs(std::fabs(x) - detail::half_bits_to_double(static_cast<std::uint16_t>(k)));
      if (dist < best_d || (dist == best_d && (k & 1) == 0)) best_d = dist, best = static_cast<std::uint16_t>(k);
    }
    ASSERT_EQ(best, h & 0x7fff) << std::string(buf, e);
  }
}

TEST(NdjsonWriter, NonFiniteAsNullAndCounted) {
  const Batch b = make_batch({
      {"d", fixed<double>(float64(), {NAN, INFINITY, -INFINITY, 1.0})},
      {"f", fixed<float>(float32(), {1.0f, NAN, 2.0f, -INFINITY})},
      {"h", fixed<std::uint16_t>(float16(), {0x7C00, 0x3C00, 0x7E00, 0xFC00})},
  });
  const Written w = write_all({b});
  EXPECT_EQ(w.text,
            "{\"d\":null,\"f\":1.0,\"h\":null}\n"
            "{\"d\":null,\"f\":null,\"h\":1.0}\n"
            "{\"d\":null,\"f\":2.0,\"h\":null}\n"
            "{\"d\":1.0,\"f\":null,\"h\":null}\n");
  EXPECT_EQ(w.non_finite, 8);
  EXPECT_EQ(w.rows, 4);
}

TEST(NdjsonWriter, NonFiniteAsErrorNamesRowAndColumn) {
  WriteOptions o;
  o.non_finite = NonFinite::kError;
  const Batch b = make_batch({
      {"ok", fixed<double>(float64(), {1.0, 2.0, 3.0})},
      {"bad", fixed<float>(float32(), {1.0f, 2.0f, -INFINITY})},
  });
  // The first batch writes fine; the row count carries into the second's error.
  io::MemorySink sink("out.json");
  auto w = NdjsonWriter::open(sink, o);
  ASSERT_TRUE((*w)->write(b.slice(0, 2)).ok());
  Status s = (*w)->write(b);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().context().row, 4);
  EXPECT_EQ(s.error().context().column, 2);
  EXPECT_EQ(s.error().context().column_name, "bad");
  EXPECT_EQ(s.error().context().path, "out.json");
  EXPECT_NE(s.error().message().find("-Infinity"), std::string::npos) << s.error().to_string();
  EXPECT_EQ((*w)->rows_written(), 4);
  // No half record: what was written is the complete rows before the failure.
  ASSERT_TRUE((*w)->finish().ok());
  ASSERT_TRUE(sink.finish().ok());
  EXPECT_EQ(sink.data(),
            "{\"ok\":1.0,\"bad\":1.0}\n{\"ok\":2.0,\"bad\":2.0}\n{\"ok\":1.0,\"bad\":1.0}\n{\"ok\":2.0,\"bad\":2.0}\n");

  const Error nan = write_error(one(fixed<double>(float64(), {NAN})), o);
  EXPECT_EQ(nan.context().row, 0);
  EXPECT_NE(nan.message().find("NaN"), std::string::npos);
  // Nested: the error names the top-level column.
  ListBuilder lb(list(float64()));
  lb.child_as<FixedWidthBuilder<double>>().append(INFINITY);
  lb.append_valid();
  const Error nested = write_error(one(lb.finish(), "deep"), o);
  EXPECT_EQ(nested.context().column_name, "deep");
}

TEST(NdjsonWriter, DecimalsAreExactNumbers) {
  const __int128 max38 = static_cast<__int128>(10000000000000000000ULL) * static_cast<__int128>(10000000000000000000ULL) - 1;
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(10, 2), {12345, -12345, 0, -5, 5, 100}))),
            (V{"123.45", "-123.45", "0.00", "-0.05", "0.05", "1.00"}));
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(18, 0), {0, -42, 999999999999999999}))), (V{"0", "-42", "999999999999999999"}));
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(38, 0), {max38, -max38}))),
            (V{"99999999999999999999999999999999999999", "-99999999999999999999999999999999999999"}));
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(38, 38), {max38, -1}))),
            (V{"0.99999999999999999999999999999999999999", "-0.00000000000000000000000000000000000001"}));
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(38, 10), {-max38}))), (V{"-9999999999999999999999999999.9999999999"}));
  // Scales outside 0..38 (an imported type may carry them): the exact number with an exponent.
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(5, -3), {123, -4, 0}))), (V{"123e3", "-4e3", "0e3"}));
  EXPECT_EQ(values_of(one(fixed<__int128>(decimal128(38, 50), {max38, -7}))),
            (V{"99999999999999999999999999999999999999e-50", "-7e-50"}));
}

TEST(NdjsonWriter, DatesTimesTimestampsDurations) {
  EXPECT_EQ(values_of(one(fixed<std::int32_t>(date32(), {0, -1, -719162, -719528, -719529, 2932896, 2932897, 19723}))),
            (V{"\"1970-01-01\"", "\"1969-12-31\"", "\"0001-01-01\"", "\"0000-01-01\"", "\"-0001-12-31\"",
               "\"9999-12-31\"", "\"10000-01-01\"", "\"2024-01-01\""}));
  EXPECT_EQ(values_of(one(fixed<std::int32_t>(time_type(TimeUnit::kSecond), {0, 3661, 86399}))),
            (V{"\"00:00:00\"", "\"01:01:01\"", "\"23:59:59\""}));
  EXPECT_EQ(values_of(one(fixed<std::int32_t>(time_type(TimeUnit::kMilli), {3661001, 100, 86399999}))),
            (V{"\"01:01:01.001\"", "\"00:00:00.1\"", "\"23:59:59.999\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(time_type(TimeUnit::kMicro), {86399999999, 1, 45296000000}))),
            (V{"\"23:59:59.999999\"", "\"00:00:00.000001\"", "\"12:34:56\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(time_type(TimeUnit::kNano), {1, 45296123456789}))),
            (V{"\"00:00:00.000000001\"", "\"12:34:56.123456789\""}));

  // Without a zone: local date and time, the unit's full fraction on every value.
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kSecond), {1700000000, 0, -1, -62135596800}))),
            (V{"\"2023-11-14 22:13:20\"", "\"1970-01-01 00:00:00\"", "\"1969-12-31 23:59:59\"",
               "\"0001-01-01 00:00:00\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kMilli), {1700000000123, 1700000000100, 1700000000000}))),
            (V{"\"2023-11-14 22:13:20.123\"", "\"2023-11-14 22:13:20.100\"", "\"2023-11-14 22:13:20.000\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kMicro), {1700000000123456, -1, 1700000000000000,
                                                                         253402300799999999}))),
            (V{"\"2023-11-14 22:13:20.123456\"", "\"1969-12-31 23:59:59.999999\"", "\"2023-11-14 22:13:20.000000\"",
               "\"9999-12-31 23:59:59.999999\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kNano), {1700000000123456789, INT64_MIN, INT64_MAX}))),
            (V{"\"2023-11-14 22:13:20.123456789\"", "\"1677-09-21 00:12:43.145224192\"",
               "\"2262-04-11 23:47:16.854775807\""}));
  // With a time zone the value is an instant, written in UTC as RFC 3339 with Z.
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kSecond, "UTC"), {1700000000, -1}))),
            (V{"\"2023-11-14T22:13:20Z\"", "\"1969-12-31T23:59:59Z\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kMilli, "Europe/Paris"), {1700000000123, 1700000000000}))),
            (V{"\"2023-11-14T22:13:20.123Z\"", "\"2023-11-14T22:13:20.000Z\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kMicro, "+02:00"), {1700000000123456}))),
            (V{"\"2023-11-14T22:13:20.123456Z\""}));
  EXPECT_EQ(values_of(one(fixed<std::int64_t>(timestamp(TimeUnit::kNano, "UTC"), {-1}))),
            (V{"\"1969-12-31T23:59:59.999999999Z\""}));

  for (TimeUnit u : {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano})
    EXPECT_EQ(values_of(one(fixed<std::int64_t>(duration(u), {0, -5, 86400, INT64_MAX}))),
              (V{"0", "-5", "86400", "9223372036854775807"}));
}

// What the text parsers the sluice readers share (text/parse.hpp) read back from the writer's text.
TEST(NdjsonWriter, TemporalTextReadsBackThroughTheSluiceParsers) {
  std::mt19937_64 rng(7);
  for (TimeUnit unit : {TimeUnit::kSecond, TimeUnit::kMilli, TimeUnit::kMicro, TimeUnit::kNano}) {
    // Years 0001..9999 (four-digit years, as the parsers take); for nanoseconds the int64 range but
    // its first day (parse_timestamp computes the day's start first, which is out of range there).
    const std::int64_t per_s = units_per_second(unit);
    const std::int64_t lo = unit == TimeUnit::kNano ? INT64_MIN + 86400 * per_s : -62135596800 * per_s;
    const std::int64_t hi = unit == TimeUnit::kNano ? INT64_MAX : 253402300799 * per_s + (per_s - 1);
    std::vector<std::int64_t> values = {lo, hi, 0, -1, 1};
    for (int k = 0; k < 2000; ++k) {
      std::int64_t v = static_cast<std::int64_t>(rng());
      if (unit != TimeUnit::kNano) v = lo + static_cast<std::int64_t>(static_cast<std::uint64_t>(v) % static_cast<std::uint64_t>(hi - lo));
      if (k % 3 == 0) v -= v % per_s;  // whole seconds too
      values.push_back(v);
    }
    for (bool zoned : {false, true}) {
      const auto texts = values_of(one(fixed<std::int64_t>(timestamp(unit, zoned ? "UTC" : ""), values)));
      for (std::size_t k = 0; k < values.size(); ++k) {
        const std::string t = texts[k].substr(1, texts[k].size() - 2);
        std::int64_t back = 0;
        text::TzKind tz{};
        ASSERT_TRUE(text::parse_timestamp(t.data(), t.size(), unit, back, tz)) << t;
        EXPECT_EQ(back, values[k]) << t;
        EXPECT_EQ(tz, zoned ? text::TzKind::kOffset : text::TzKind::kNone) << t;
      }
    }
    if (unit == TimeUnit::kSecond || unit == TimeUnit::kMilli) continue;
    std::vector<std::int64_t> times;
    for (int k = 0; k < 500; ++k) times.push_back(static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(86400 * per_s)));
    const auto texts = values_of(one(fixed<std::int64_t>(time_type(unit), times)));
    for (std::size_t k = 0; k < times.size(); ++k) {
      std::int64_t back = 0;
      ASSERT_TRUE(text::parse_time(texts[k].data() + 1, texts[k].size() - 2, unit, back)) << texts[k];
      EXPECT_EQ(back, times[k]);
    }
  }
  std::vector<std::int32_t> days;
  for (std::int32_t d = -719162; d <= 2932896; d += 997) days.push_back(d);
  const auto texts = values_of(one(fixed<std::int32_t>(date32(), days)));
  for (std::size_t k = 0; k < days.size(); ++k) {
    std::int32_t back = 0;
    ASSERT_TRUE(text::parse_date(texts[k].data() + 1, texts[k].size() - 2, back)) << texts[k];
    EXPECT_EQ(back, days[k]);
  }
}

// ---- Strings -----------------------------------------------------------------------------------

TEST(NdjsonWriter, StringEscapes) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  EXPECT_EQ(values_of(one(strings({"", "plain", "q\"b\\s/", controls, "\x7f", "\xE2\x80\xA8\xE2\x80\xA9",
                                   "tab\there and a much longer tail of plain text \"quoted\" \\ end"}))),
            (V{"\"\"", "\"plain\"", "\"q\\\"b\\\\s/\"",
               "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
               "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
               "\\u001e\\u001f\"",
               "\"\x7f\"", "\"\xE2\x80\xA8\xE2\x80\xA9\"",
               "\"tab\\there and a much longer tail of plain text \\\"quoted\\\" \\\\ end\""}));
}

TEST(NdjsonWriter, UnicodePassesThrough) {
  const std::string mixed = "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  const std::string long_text = std::string(37, 'a') + mixed + std::string(20, 'b') + mixed + mixed;
  EXPECT_EQ(values_of(one(strings({mixed, long_text, "\xF0\x9F\x98\x80"}))),
            (V{"\"" + mixed + "\"", "\"" + long_text + "\"", "\"\xF0\x9F\x98\x80\""}));
}

TEST(NdjsonWriter, InvalidUtf8IsReplacedPerMaximalSubpart) {
  const std::string r = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x80", r},                                   // stray continuation
      {"a\xBF" "b", "a" + r + "b"},
      {"\xC0\xAF", r + r},                           // overlong '/'
      {"\xC1\xBF", r + r},                           // overlong
      {"\xE0\x80\xAF", r + r + r},                   // overlong 3-byte
      {"\xF0\x80\x80\xAF", r + r + r + r},           // overlong 4-byte
      {"\xED\xA0\x80", r + r + r},                   // UTF-16 surrogate D800
      {"\xED\xBF\xBF", r + r + r},                   // surrogate DFFF
      {"\xED\x9F\xBF", "\xED\x9F\xBF"},              // U+D7FF is fine
      {"\xF4\x90\x80\x80", r + r + r + r},           // > U+10FFFF
      {"\xF5\x80\x80\x80", r + r + r + r},
      {"\xFF\xFE", r + r},
      {"\xE2\x82", r},                               // truncated at the end: one maximal subpart
      {"\xE2\x82x", r + "x"},
      {"\xF0\x9F\x98", r},
      {"\xF0\x9F\x98 ok", r + " ok"},
      {"\xF0\x9F", r},
      {"\xC3", r},
      {"\xC3\xC3\xA9", r + "\xC3\xA9"},
      {"0123456789abcdefghij\x80klmnopqrstuvwxyz\xE0\xA0", "0123456789abcdefghij" + r + "klmnopqrstuvwxyz" + r},
  };
  std::vector<std::string> in;
  V expect;
  for (const auto& [bad, good] : cases) {
    in.push_back(bad);
    expect.push_back("\"" + good + "\"");
  }
  EXPECT_EQ(values_of(one(strings(in))), expect);
}

TEST(NdjsonWriter, InvalidUtf8AsErrorNamesRowAndColumn) {
  WriteOptions o;
  o.invalid_utf8 = InvalidUtf8::kError;
  const Batch b = make_batch({{"a", strings({"fine", "also fine \xF0\x9F\x98\x80", "ok"})},
                              {"b", strings({"x", "y", "0123456789abcdefghi\xED\xA0\x80"})}});
  const Error e = write_error(b, o);
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.context().row, 2);
  EXPECT_EQ(e.context().column, 2);
  EXPECT_EQ(e.context().column_name, "b");
  EXPECT_EQ(e.context().path, "out.json");
  EXPECT_NE(e.message().find("byte 19"), std::string::npos) << e.to_string();
  // Valid text passes under kError too.
  EXPECT_EQ(write(b.slice(0, 2), o), "{\"a\":\"fine\",\"b\":\"x\"}\n{\"a\":\"also fine \xF0\x9F\x98\x80\",\"b\":\"y\"}\n");
  // Map keys are checked as well.
  MapBuilder m(map(utf8(), int64()));
  m.keys_as<BinaryBuilder>().append("k\xFF");
  m.values_as<I64>().append(1);
  m.append_valid();
  EXPECT_EQ(write_error(one(m.finish()), o).context().column_name, "v");
}

// A plain reference: byte by byte, Unicode's table of well-formed sequences.
std::string reference_json_string(std::string_view s) {
  std::string o = "\"";
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\b': o += "\\b"; break;
        case '\f': o += "\\f"; break;
        case '\n': o += "\\n"; break;
        case '\r': o += "\\r"; break;
        case '\t': o += "\\t"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            o += buf;
          } else {
            o += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t need = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) need = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
    else if (c == 0xED) need = 2, hi = 0x9F;
    else if (c == 0xF0) need = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) need = 3, hi = 0x8F;
    std::size_t k = 1;
    while (need > 0 && k <= need && i + k < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? lo : 0x80u) || d > (k == 1 ? hi : 0xBFu)) break;
      ++k;
    }
    if (need > 0 && k == need + 1) {
      o.append(s.substr(i, k));
    } else {
      o += "\xEF\xBF\xBD";
    }
    i += k;
  }
  return o + "\"";
}

TEST(NdjsonWriter, StringEscapingMatchesAPlainReferenceOnRandomBytes) {
  const std::vector<std::string> pieces = {"a", "b", "Z", " ", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\x80", "\xBF",
                                           "\xC2", "\xC3\xA9", "\xE0", "\xE0\xA0", "\xED", "\xED\xA0", "\xE6\x97\xA5",
                                           "\xF0", "\xF0\x9F", "\xF0\x9F\x98", "\xF0\x9F\x98\x80", "\xF4", "\xF4\x90",
                                           "\xF5", "\xFF", "0123456789abcdef", "plain text run "};
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    std::string out;
    detail::Out o(out);
    std::size_t bad = 0;
    ASSERT_TRUE(detail::write_string(o, s.data(), s.size(), true, bad));
    o.release();
    ASSERT_EQ(out, reference_json_string(s)) << iter;
    // Under kError: fails exactly when the reference replaced something, at the first bad byte.
    std::string strict;
    detail::Out so(strict);
    const bool valid = detail::write_string(so, s.data(), s.size(), false, bad);
    ASSERT_EQ(valid, out.find("\xEF\xBF\xBD") == std::string::npos) << iter;
  }
}

TEST(NdjsonWriter, BinaryIsBase64) {
  EXPECT_EQ(values_of(one(strings({"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\xfe", 3)}, binary()))),
            (V{"\"\"", "\"Zg==\"", "\"Zm8=\"", "\"Zm9v\"", "\"Zm9vYg==\"", "\"Zm9vYmE=\"", "\"Zm9vYmFy\"", "\"AP/+\""}));
  FixedSizeBinaryBuilder fb(fixed_size_binary(4));
  fb.append("\xfb\xff\xbf\x00");
  fb.append_null();
  fb.append("abcd");
  EXPECT_EQ(values_of(one(fb.finish())), (V{"\"+/+/AA==\"", "null", "\"YWJjZA==\""}));
}

TEST(NdjsonWriter, UuidIsItsTextAndJsonIsEmbedded) {
  FixedSizeBinaryBuilder fb(uuid_type());
  fb.append(std::string_view("\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95\x0e", 16));
  fb.append_null();
  EXPECT_EQ(values_of(one(fb.finish())), (V{"\"0f8fad5b-d9cb-469f-a165-70867728950e\"", "null"}));
  // A JSON column's valid values go out as JSON (line breaks between tokens as spaces: one record
  // per line); text that is not one JSON value goes out as a string, so every line stays JSON.
  EXPECT_EQ(values_of(one(strings({"{\"a\": [1, 2]}", "\"s\"", "12", "null", "[1,\n2]\r\n", "not json", "{\"a\":", "",
                                    "1 2", "\"\\n\""},
                                   json_type()))),
            (V{"{\"a\": [1, 2]}", "\"s\"", "12", "null", "[1, 2]  ", "\"not json\"", "\"{\\\"a\\\":\"", "\"\"",
               "\"1 2\"", "\"\\n\""}));
}

// ---- Nested ------------------------------------------------------------------------------------

// list<struct<a: list<int64>, s: string>>, with nulls and empties at every level.
ArrayPtr nested_column() {
  ListBuilder outer(list(struct_({{"a", list(int64()), true}, {"s", utf8(), true}})));
  auto& st = outer.child_as<StructBuilder>();
  auto& a = st.child_as<ListBuilder>(0);
  auto& ai = a.child_as<I64>();
  auto& s = st.child_as<BinaryBuilder>(1);
  // [{"a":[1,2],"s":"x"},{"a":[],"s":null},null,{"a":null,"s":"y"}]
  ai.append(1);
  ai.append(2);
  a.append_valid();
  s.append("x");
  st.append_valid();
  a.append_valid();
  s.append_null();
  st.append_valid();
  st.append_null();
  a.append_null();
  s.append("y");
  st.append_valid();
  outer.append_valid();
  outer.append_valid();  // []
  outer.append_null();   // null
  // [{"a":[null,3],"s":"\"q\""}]
  ai.append_null();
  ai.append(3);
  a.append_valid();
  s.append("\"q\"");
  st.append_valid();
  outer.append_valid();
  return outer.finish();
}

TEST(NdjsonWriter, NestedListsAndStructs) {
  EXPECT_EQ(values_of(one(nested_column())),
            (V{"[{\"a\":[1,2],\"s\":\"x\"},{\"a\":[],\"s\":null},null,{\"a\":null,\"s\":\"y\"}]", "[]", "null",
               "[{\"a\":[null,3],\"s\":\"\\\"q\\\"\"}]"}));
  // list<list<list<int32>>>
  ListBuilder l3(list(list(list(int32()))));
  auto& l2 = l3.child_as<ListBuilder>();
  auto& l1 = l2.child_as<ListBuilder>();
  auto& v = l1.child_as<I32>();
  v.append(1);
  l1.append_valid();
  l1.append_valid();
  l2.append_valid();  // [[1],[]]
  l2.append_valid();  // []
  l2.append_null();   // null
  v.append_null();
  l1.append_valid();
  l2.append_valid();  // [[null]]
  l3.append_valid();
  l3.append_valid();  // []
  EXPECT_EQ(values_of(one(l3.finish())), (V{"[[[1],[]],[],null,[[null]]]", "[]"}));
}

TEST(NdjsonWriter, StructNullsAndEmptyStructs) {
  // struct<x: int64, inner: struct<y: string>>: a null struct, a struct with null fields.
  StructBuilder sb(struct_({{"x", int64(), true}, {"inner", struct_({{"y", utf8(), true}}), true}}));
  auto& x = sb.child_as<I64>(0);
  auto& inner = sb.child_as<StructBuilder>(1);
  x.append(1);
  inner.child_as<BinaryBuilder>(0).append("y");
  inner.append_valid();
  sb.append_valid();
  x.append_null();
  inner.child_as<BinaryBuilder>(0).append_null();
  inner.append_valid();
  sb.append_valid();
  x.append(2);
  inner.append_null();
  sb.append_valid();
  sb.append_null();
  StructBuilder empty(struct_({}));
  empty.append_valid();
  empty.append_valid();
  empty.append_null();
  empty.append_valid();
  const Batch b = make_batch({{"s", sb.finish()}, {"e", empty.finish()}});
  EXPECT_EQ(write(b),
            "{\"s\":{\"x\":1,\"inner\":{\"y\":\"y\"}},\"e\":{}}\n"
            "{\"s\":{\"x\":null,\"inner\":{\"y\":null}},\"e\":{}}\n"
            "{\"s\":{\"x\":2,\"inner\":null},\"e\":null}\n"
            "{\"s\":null,\"e\":{}}\n");
  WriteOptions o;
  o.write_nulls = false;
  EXPECT_EQ(write(b, o),
            "{\"s\":{\"x\":1,\"inner\":{\"y\":\"y\"}},\"e\":{}}\n"
            "{\"s\":{\"inner\":{}},\"e\":{}}\n"
            "{\"s\":{\"x\":2}}\n"
            "{\"e\":{}}\n");
}

TEST(NdjsonWriter, MapsWithStringKeysAreObjectsOthersEntryArrays) {
  MapBuilder ms(map(utf8(), int64()));
  ms.keys_as<BinaryBuilder>().append("a");
  ms.values_as<I64>().append(1);
  ms.keys_as<BinaryBuilder>().append("b\"q\n");
  ms.values_as<I64>().append_null();
  ms.append_valid();
  ms.append_valid();  // {}
  ms.append_null();
  MapBuilder mi(map(int32(), list(utf8())));
  mi.keys_as<I32>().append(1);
  auto& vl = mi.values_as<ListBuilder>();
  vl.child_as<BinaryBuilder>().append("one");
  vl.append_valid();
  mi.keys_as<I32>().append(-2);
  vl.append_null();
  mi.append_valid();
  mi.append_valid();  // []
  mi.append_null();
  const Batch b = make_batch({{"ms", ms.finish()}, {"mi", mi.finish()}});
  EXPECT_EQ(write(b),
            "{\"ms\":{\"a\":1,\"b\\\"q\\n\":null},\"mi\":[{\"key\":1,\"value\":[\"one\"]},{\"key\":-2,\"value\":null}]}\n"
            "{\"ms\":{},\"mi\":[]}\n"
            "{\"ms\":null,\"mi\":null}\n");
}

// ---- Offsets -----------------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    out.push_back(text.substr(at, nl + 1 - at));
    at = nl + 1;
  }
  return out;
}

TEST(NdjsonWriter, SlicesRespectOffsets) {
  BooleanBuilder bools;
  BinaryBuilder s;
  FixedSizeBinaryBuilder fb(fixed_size_binary(2));
  StructBuilder st(struct_({{"l", list(utf8()), true}, {"d", decimal128(5, 2), true}}));
  MapBuilder m(map(utf8(), int32()));
  ListBuilder deep(list(list(int64())));
  for (int i = 0; i < 9; ++i) {
    if (i % 4 == 3) bools.append_null();
    else bools.append(i % 3 == 0);
    if (i % 5 == 4) s.append_null();
    else s.append(num("s", i) + (i % 2 ? "\n\xC3\xA9" : ""));
    fb.append(std::string(1, static_cast<char>('a' + i)) + "!");
    if (i == 6) {
      st.append_null();
    } else {
      auto& l = st.child_as<ListBuilder>(0);
      for (int k = 0; k < i % 3; ++k) l.child_as<BinaryBuilder>().append(std::to_string(i * 10 + k));
      l.append_valid();
      st.child_as<FixedWidthBuilder<__int128>>(1).append(i * 125 - 500);
      st.append_valid();
    }
    for (int k = 0; k < i % 3; ++k) {
      m.keys_as<BinaryBuilder>().append(num("k", k));
      m.values_as<I32>().append(i * k);
    }
    if (i == 2) m.append_null();
    else m.append_valid();
    auto& inner = deep.child_as<ListBuilder>();
    for (int k = 0; k < i % 4; ++k) {
      for (int j = 0; j < k; ++j) inner.child_as<I64>().append(i * 100 + j);
      inner.append_valid();
    }
    if (i == 5) deep.append_null();
    else deep.append_valid();
  }
  const Batch b = make_batch({{"b", bools.finish()},
                              {"s", s.finish()},
                              {"fb", fb.finish()},
                              {"st", st.finish()},
                              {"m", m.finish()},
                              {"deep", deep.finish()}});
  const std::string full = write(b);
  const auto lines = lines_of(full);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[3], "{\"b\":null,\"s\":\"s3\\n\xC3\xA9\",\"fb\":\"ZCE=\",\"st\":{\"l\":[],\"d\":-1.25},\"m\":{},"
                      "\"deep\":[[],[300],[300,301]]}\n");
  EXPECT_EQ(lines[6], "{\"b\":true,\"s\":\"s6\",\"fb\":\"ZyE=\",\"st\":null,\"m\":{},\"deep\":[[],[600]]}\n");
  auto join = [&](std::size_t from, std::size_t n) {
    std::string out;
    for (std::size_t k = from; k < from + n; ++k) out += lines[k];
    return out;
  };
  for (std::int64_t start = 0; start < 9; ++start)
    for (std::int64_t len = 0; start + len <= 9; ++len)
      ASSERT_EQ(write(b.slice(start, len)), join(static_cast<std::size_t>(start), static_cast<std::size_t>(len)))
          << start << "+" << len;
  // A slice of a slice.
  EXPECT_EQ(write(b.slice(2, 6).slice(3, 2)), join(5, 2));
  // A list whose child array is itself a slice: the list's offsets count from the child's start.
  auto ints = fixed<std::int64_t>(int64(), {10, 11, 12, 13, 14});
  auto a = std::make_shared<ArrayData>();
  a->type = list(int64());
  a->length = 2;
  auto offs = Buffer::allocate(3 * 8);
  offs->mutable_data_as<std::int64_t>()[0] = 0;
  offs->mutable_data_as<std::int64_t>()[1] = 2;
  offs->mutable_data_as<std::int64_t>()[2] = 3;
  a->buffers = {nullptr, offs};
  a->children = {ints->slice(2, 3)};
  EXPECT_EQ(values_of(one(a)), (V{"[12,13]", "[14]"}));
}

// ---- Framing -----------------------------------------------------------------------------------

Batch int_batch(std::int64_t from, std::int64_t n) {
  I64 x(int64());
  BinaryBuilder s;
  for (std::int64_t i = from; i < from + n; ++i) {
    x.append(i);
    if (i % 3 == 2) s.append_null();
    else s.append(num("r", i));
  }
  return make_batch({{"x", x.finish()}, {"s", s.finish()}});
}

TEST(NdjsonWriter, ArrayModeAndSeveralBatches) {
  WriteOptions o;
  o.array = true;
  EXPECT_EQ(write_all({}, o).text, "[]\n");
  EXPECT_EQ(write_all({int_batch(0, 0)}, o).text, "[]\n");
  EXPECT_EQ(write_all({int_batch(0, 1)}, o).text, "[{\"x\":0,\"s\":\"r0\"}]\n");
  EXPECT_EQ(write_all({int_batch(0, 2), int_batch(2, 0), int_batch(2, 2)}, o).text,
            "[{\"x\":0,\"s\":\"r0\"},\n{\"x\":1,\"s\":\"r1\"},\n{\"x\":2,\"s\":null},\n{\"x\":3,\"s\":\"r3\"}]\n");
  const Written lines = write_all({int_batch(0, 2), int_batch(2, 0), int_batch(2, 2)});
  EXPECT_EQ(lines.text, "{\"x\":0,\"s\":\"r0\"}\n{\"x\":1,\"s\":\"r1\"}\n{\"x\":2,\"s\":null}\n{\"x\":3,\"s\":\"r3\"}\n");
  EXPECT_EQ(lines.rows, 4);
  EXPECT_EQ(write_all({}).text, "");
  // No columns: empty objects.
  EXPECT_EQ(write(Batch{std::make_shared<Schema>(), {}, 2}), "{}\n{}\n");
}

TEST(NdjsonWriter, WriteNullsFalseLeavesNullFieldsOut) {
  WriteOptions o;
  o.write_nulls = false;
  NullBuilder nb;
  for (int i = 0; i < 4; ++i) nb.append_null();
  const Batch b = make_batch({{"a", fixed<std::int64_t>(int64(), {1, 0, 0, 4}, {false, true, true, false})},
                              {"n", nb.finish()},
                              {"c", strings({"x", "y", "", ""})}});
  const Batch with_null_c = make_batch({{"a", b.columns[0]}, {"n", b.columns[1]},
                                        {"c", [] {
                                           BinaryBuilder s;
                                           s.append("x");
                                           s.append("y");
                                           s.append_null();
                                           s.append_null();
                                           return s.finish();
                                         }()}});
  EXPECT_EQ(write(with_null_c, o), "{\"a\":1,\"c\":\"x\"}\n{\"c\":\"y\"}\n{}\n{\"a\":4}\n");
  o.array = true;
  EXPECT_EQ(write(with_null_c, o), "[{\"a\":1,\"c\":\"x\"},\n{\"c\":\"y\"},\n{},\n{\"a\":4}]\n");
}

// Records each write the writer makes.
class CountingSink final : public io::Sink {
 public:
  using Sink::write;
  const std::string& path() const override { return path_; }
  Status write(std::span<const std::byte> data) override {
    ++writes;
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
    return ok_status();
  }
  Status finish() override { return ok_status(); }
  void abort() override {}
  std::uint64_t bytes_written() const override { return text.size(); }
  int writes = 0;
  std::string text;

 private:
  std::string path_ = "counting";
};

TEST(NdjsonWriter, FlushesAtBufferSizeWithIdenticalOutput) {
  std::vector<Batch> batches;
  for (int k = 0; k < 5; ++k) batches.push_back(int_batch(k * 1000, 1000));
  batches.push_back(make_batch({{"x", nested_column()}, {"s", strings({std::string(100000, 'z'), "", "\n", "q"})}}));
  for (bool array : {false, true}) {
    WriteOptions big;
    big.array = array;
    const std::string expected = write_all(batches, big).text;
    for (std::int64_t size : {1, 7, 100, 4096}) {
      WriteOptions o = big;
      o.buffer_size = size;
      CountingSink sink;
      auto w = NdjsonWriter::open(sink, o);
      ASSERT_TRUE(w.ok());
      for (const auto& b : batches) ASSERT_TRUE((*w)->write(b).ok());
      ASSERT_TRUE((*w)->finish().ok());
      EXPECT_EQ(sink.text, expected) << size;
      EXPECT_GT(sink.writes, static_cast<int>(expected.size() / static_cast<std::size_t>(size) / 200)) << size;
    }
  }
  io::MemorySink sink;
  WriteOptions bad;
  bad.buffer_size = 0;
  EXPECT_FALSE(NdjsonWriter::open(sink, bad).ok());
}

// ---- Threads -----------------------------------------------------------------------------------

// n rows from row `from`: integers, doubles with NaN and ±Inf, strings with escapes and invalid UTF-8,
// timestamps, a struct and a list of structs (nested), with nulls at every level.
Batch mixed(std::int64_t from, std::int64_t n) {
  I64 x(int64());
  FixedWidthBuilder<double> d(float64());
  BinaryBuilder s;
  FixedWidthBuilder<std::int64_t> ts(timestamp(TimeUnit::kMilli, "UTC"));
  StructBuilder st(struct_({{"a", int32(), true}, {"b", list(utf8()), true}}));
  auto& sa = st.child_as<I32>(0);
  auto& sb = st.child_as<ListBuilder>(1);
  ListBuilder deep(list(struct_({{"a", list(int64()), true}, {"s", utf8(), true}})));
  auto& ds = deep.child_as<StructBuilder>();
  auto& da = ds.child_as<ListBuilder>(0);
  auto& ds_s = ds.child_as<BinaryBuilder>(1);
  for (std::int64_t i = from; i < from + n; ++i) {
    if (i % 10 == 9) x.append_null();
    else x.append(i * 31 - 1000);
    switch (i % 8) {
      case 0: d.append(NAN); break;
      case 3: d.append(i % 16 == 3 ? INFINITY : -INFINITY); break;
      case 5: d.append_null(); break;
      default: d.append(static_cast<double>(i) / 3.0); break;
    }
    switch (i % 7) {
      case 0: s.append("plain"); break;
      case 1: s.append("tab\tquote\"back\\slash\n"); break;
      case 2: s.append("bad \xFF\xC0 utf8 " + std::to_string(i)); break;
      case 3: s.append_null(); break;
      case 4: s.append("\xE2\x82\xAC euro"); break;
      default: s.append(std::string(static_cast<std::size_t>(i % 50), 'y')); break;
    }
    if (i % 6 == 2) ts.append_null();
    else ts.append(i * 86400123LL);
    if (i % 5 == 4) {
      sa.append_null();
      sb.append_null();
      st.append_null();
    } else {
      sa.append(static_cast<std::int32_t>(i));
      for (std::int64_t k = 0; k < i % 3; ++k) sb.child_as<BinaryBuilder>().append(num("e", k));
      sb.append_valid();
      st.append_valid();
    }
    if (i % 4 == 3) {
      deep.append_null();
      continue;
    }
    for (std::int64_t k = 0; k < i % 3; ++k) {
      if ((i + k) % 5 == 0) {
        da.append_null();
        ds_s.append_null();
        ds.append_null();
        continue;
      }
      for (std::int64_t j = 0; j < k; ++j) da.child_as<I64>().append(i + j);
      da.append_valid();
      ds_s.append(num("s", i + k));
      ds.append_valid();
    }
    deep.append_valid();
  }
  return make_batch({{"x", x.finish()}, {"d", d.finish()}, {"s", s.finish()}, {"ts", ts.finish()},
                     {"st", st.finish()}, {"deep", deep.finish()}});
}

// Batches of many shapes: empty, one row, odd sizes, large, and slices (offsets inside buffers).
std::vector<Batch> shapes() {
  std::vector<Batch> out;
  std::int64_t at = 0;
  for (std::int64_t n : {0, 1, 17, 1000, 0, 3, 30000, 255, 9000}) {
    out.push_back(mixed(at, n));
    at += n;
  }
  const Batch big = mixed(at, 5000);
  out.push_back(big.slice(3, 2000));
  out.push_back(big.slice(2003, 1));
  out.push_back(big.slice(2004, 2996));
  return out;
}

struct Outcome {
  std::string text;
  std::optional<Error> error;
  std::int64_t rows = 0;
  std::int64_t non_finite = 0;
};

// Writes the batches until one write() fails (the threaded writer may report a batch's error from a
// later write() or from finish()), then finishes the writer; what reached the sink.
Outcome write_threads(const std::vector<Batch>& batches, WriteOptions o, int threads) {
  o.threads = threads;
  io::MemorySink sink("t.ndjson");
  auto w = NdjsonWriter::open(sink, o);
  EXPECT_TRUE(w.ok());
  Outcome out;
  for (const auto& b : batches) {
    Status s = (*w)->write(b);
    if (!s.ok()) {
      out.error = s.error();
      break;
    }
  }
  Status f = (*w)->finish();
  if (!f.ok() && !out.error) out.error = f.error();
  out.rows = (*w)->rows_written();
  out.non_finite = (*w)->non_finite_count();
  EXPECT_TRUE(sink.finish().ok());
  out.text = sink.data();
  return out;
}

TEST(NdjsonWriter, ThreadsWriteTheSameBytes) {
  const std::vector<Batch> batches = shapes();
  WriteOptions omit;
  omit.write_nulls = false;
  WriteOptions array;
  array.array = true;
  for (const WriteOptions& base : {WriteOptions{}, omit, array}) {
    const Outcome one = write_threads(batches, base, 1);
    ASSERT_FALSE(one.error) << one.error->to_string();
    EXPECT_EQ(one.rows, 45273);
    EXPECT_GT(one.non_finite, 10000);
    for (int threads : {2, 3, 5}) {
      for (std::int64_t size : {std::int64_t{1}, std::int64_t{700}, std::int64_t{64 << 10}, std::int64_t{1} << 20}) {
        WriteOptions o = base;
        o.buffer_size = size;
        const Outcome t = write_threads(batches, o, threads);
        ASSERT_FALSE(t.error) << t.error->to_string();
        EXPECT_EQ(t.text, one.text) << threads << " threads, buffer " << size;
        EXPECT_EQ(t.rows, one.rows);
        EXPECT_EQ(t.non_finite, one.non_finite);
      }
    }
  }
  // Array mode without rows, and with rows only after empty batches (the first row opens the array).
  WriteOptions o;
  o.array = true;
  EXPECT_EQ(write_threads({}, o, 2).text, "[]\n");
  EXPECT_EQ(write_threads({int_batch(0, 0), int_batch(0, 0)}, o, 3).text, "[]\n");
  EXPECT_EQ(write_threads({int_batch(0, 0), int_batch(0, 2)}, o, 2).text,
            "[{\"x\":0,\"s\":\"r0\"},\n{\"x\":1,\"s\":\"r1\"}]\n");
}

TEST(NdjsonWriter, ThreadsReportTheFirstBadValueAsOneThreadDoes) {
  // Invalid UTF-8 and non-finite numbers refused: the first bad row of all, its column, the rows
  // before it written whole, the counts as one thread leaves them.
  // ±Inf before and after the bad row (counted as null up to it), or none: then the first non-finite
  // value is the NaN in the row after the bad string.
  auto batches_with_bad_row = [](std::int64_t bad, bool infinities) {
    std::vector<Batch> out;
    for (std::int64_t at = 0; at < 40000; at += 5000) {
      I64 x(int64());
      BinaryBuilder s;
      FixedWidthBuilder<double> d(float64());
      for (std::int64_t i = at; i < at + 5000; ++i) {
        x.append(i);
        s.append(i == bad ? "bad \xFF" : i == bad + 3 ? "\xC0" : "ok");
        d.append(i == bad + 1 ? NAN : infinities && i % 7 == 0 ? INFINITY : 0.5);
      }
      out.push_back(make_batch({{"x", x.finish()}, {"s", s.finish()}, {"d", d.finish()}}));
    }
    return out;
  };
  for (bool array : {false, true}) {
    for (std::int64_t bad : {std::int64_t{0}, std::int64_t{1}, std::int64_t{4999}, std::int64_t{5000}, std::int64_t{23456}, std::int64_t{39990}}) {
      const auto batches = batches_with_bad_row(bad, true);
      WriteOptions o;
      o.array = array;
      o.invalid_utf8 = InvalidUtf8::kError;
      const Outcome one = write_threads(batches, o, 1);
      ASSERT_TRUE(one.error);
      EXPECT_EQ(one.error->context().row, bad);
      EXPECT_EQ(one.error->context().column_name, "s");
      EXPECT_EQ(one.rows, bad);
      // One thread closes the array at finish() after the failed write(); the threaded writer may
      // report the error from finish() itself, which then writes nothing more.
      auto same = [&](const std::string& got, const std::string& want) {
        if (got == want || !array) return got == want;
        const std::string close = want == "[]\n" ? "[]\n" : "]\n";
        return want.size() >= close.size() && want.compare(want.size() - close.size(), close.size(), close) == 0 &&
               got == want.substr(0, want.size() - close.size());
      };
      for (int threads : {2, 4}) {
        for (std::int64_t size : {std::int64_t{100}, std::int64_t{1} << 20}) {
          WriteOptions t_opt = o;
          t_opt.buffer_size = size;
          const Outcome t = write_threads(batches, t_opt, threads);
          ASSERT_TRUE(t.error) << bad;
          EXPECT_EQ(t.error->to_string(), one.error->to_string());
          EXPECT_EQ(t.rows, one.rows) << bad;
          EXPECT_EQ(t.non_finite, one.non_finite) << bad;
          EXPECT_TRUE(same(t.text, one.text)) << bad << ", " << threads << " threads, buffer " << size << ": "
                                              << t.text.size() << " bytes, one thread " << one.text.size();
        }
      }
      // Under NonFinite::kError: the NaN in the row after the bad string.
      const auto finite = batches_with_bad_row(bad, false);
      o.non_finite = NonFinite::kError;
      o.invalid_utf8 = InvalidUtf8::kReplace;
      const Outcome nf_one = write_threads(finite, o, 1);
      ASSERT_TRUE(nf_one.error);
      EXPECT_EQ(nf_one.error->context().row, bad + 1);
      EXPECT_EQ(nf_one.error->context().column_name, "d");
      const Outcome nf = write_threads(finite, o, 3);
      ASSERT_TRUE(nf.error);
      EXPECT_EQ(nf.error->to_string(), nf_one.error->to_string());
      EXPECT_EQ(nf.rows, nf_one.rows);
      EXPECT_TRUE(same(nf.text, nf_one.text)) << bad;
    }
  }
}

// After a failure the threaded writer takes no more batches; finish() after a reported failure
// succeeds with what was written (as with one thread).
TEST(NdjsonWriter, ThreadsStopAtTheFirstFailure) {
  WriteOptions o;
  o.non_finite = NonFinite::kError;
  o.threads = 2;
  io::MemorySink sink("t.ndjson");
  auto w = NdjsonWriter::open(sink, o);
  const Batch bad = one(fixed<double>(float64(), {1.0, NAN, 2.0}), "d");
  Status first = (*w)->write(bad);
  for (int i = 0; i < 3 && first.ok(); ++i) first = (*w)->write(one(fixed<double>(float64(), {3.0}), "d"));
  if (first.ok()) first = (*w)->finish();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().context().row, 1);
  EXPECT_EQ((*w)->rows_written(), 1);
  EXPECT_FALSE((*w)->write(one(fixed<double>(float64(), {4.0}), "d")).ok());
  EXPECT_TRUE((*w)->finish().ok());
  ASSERT_TRUE(sink.finish().ok());
  EXPECT_EQ(sink.data(), "{\"d\":1.0}\n");
}

// ---- append_json_value -------------------------------------------------------------------------

TEST(NdjsonWriter, AppendJsonValue) {
  std::string out = "prefix:";
  const auto col = nested_column();
  append_json_value(out, *col, 0);
  EXPECT_EQ(out, "prefix:[{\"a\":[1,2],\"s\":\"x\"},{\"a\":[],\"s\":null},null,{\"a\":null,\"s\":\"y\"}]");
  out.clear();
  append_json_value(out, *col, 2);
  EXPECT_EQ(out, "null");
  out.clear();
  const auto d = fixed<double>(float64(), {NAN, 0.5});
  append_json_value(out, *d, 0);
  append_json_value(out, *d, 1);
  EXPECT_EQ(out, "null0.5");
  out.clear();
  append_json_value(out, *strings({"bad \xFF"}), 0);
  EXPECT_EQ(out, "\"bad \xEF\xBF\xBD\"");
  out.clear();
  append_json_value(out, *col->slice(3, 1), 0);
  EXPECT_EQ(out, "[{\"a\":[null,3],\"s\":\"\\\"q\\\"\"}]");
}

}  // namespace
}  // namespace sluice::ndjson
