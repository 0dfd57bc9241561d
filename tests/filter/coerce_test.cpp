// coerce(): constants converted to every column type, and the compare_* functions; and the text of values
// (text/format.hpp, text/wkt.hpp) that filters and writers share.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "sluice/core/builder.hpp"
#include "text/format.hpp"
#include "text/wkt_parse.hpp"
#include "util.hpp"

namespace sluice::filter_test {
namespace {

using K = Constant::Kind;

Literal num(std::string t) { return Literal{Literal::Kind::kNumber, false, std::move(t)}; }
Literal str(std::string t) { return Literal{Literal::Kind::kString, false, std::move(t)}; }
Literal lit_bool(bool b) { return Literal{Literal::Kind::kBool, b, {}}; }

Constant ok(const Literal& l, const TypePtr& t) {
  auto c = coerce(l, *t, "col");
  EXPECT_TRUE(c.ok()) << t->to_string() << " " << l.text << ": " << (c.ok() ? "" : c.error().to_string());
  return c.ok() ? std::move(c).value() : Constant{};
}

void expect_int(const Literal& l, const TypePtr& t, std::int64_t v, bool fraction = false) {
  SCOPED_TRACE(t->to_string() + " " + l.text);
  const Constant c = ok(l, t);
  EXPECT_EQ(c.kind, K::kInt64);
  EXPECT_EQ(c.i64, v);
  EXPECT_EQ(c.fraction, fraction);
}

void expect_infinite(const Literal& l, const TypePtr& t, int sign) {
  SCOPED_TRACE(t->to_string() + " " + l.text);
  const Constant c = ok(l, t);
  EXPECT_EQ(c.kind, K::kDouble);
  EXPECT_TRUE(std::isinf(c.f64));
  EXPECT_EQ(c.f64 > 0, sign > 0);
}

Error bad(const Literal& l, const TypePtr& t) {
  auto c = coerce(l, *t, "col");
  EXPECT_FALSE(c.ok()) << t->to_string() << " " << l.text;
  if (c.ok()) return Error(ErrorCode::kInternal, "no error");
  EXPECT_EQ(c.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(c.error().message().find("'col'"), std::string::npos) << c.error().message();
  return std::move(c).error();
}

TEST(FilterCoerce, Integers) {
  expect_int(num("12"), int32(), 12);
  expect_int(num("-12"), int8(), -12);
  expect_int(num("+7"), int16(), 7);
  expect_int(num("2e3"), int32(), 2000);
  expect_int(num("2.000"), int32(), 2);
  expect_int(num("1000"), int8(), 1000);  // beyond int8: compared exactly, not wrapped
  expect_int(num("-9223372036854775808"), int64(), std::numeric_limits<std::int64_t>::min());
  // A fraction: the floor, and `fraction` (sorts between the floor and the next integer).
  expect_int(num("2.5"), int32(), 2, true);
  expect_int(num("-2.5"), int32(), -3, true);
  expect_int(num("0.001"), int64(), 0, true);
  expect_int(num("-1e-400"), int64(), -1, true);
  expect_int(num("1e-400"), int64(), 0, true);
  expect_int(num("9007199254740993.5"), int64(), 9007199254740993, true);
  // Beyond int64: uint64, then infinity.
  Constant c = ok(num("9223372036854775808"), int64());
  EXPECT_EQ(c.kind, K::kUInt64);
  EXPECT_EQ(c.u64, 9223372036854775808ull);
  expect_infinite(num("18446744073709551616"), int64(), 1);
  expect_infinite(num("-9223372036854775809"), int64(), -1);
  expect_infinite(num("1e30"), int16(), 1);
  expect_infinite(num("-1e99999999999999"), int16(), -1);
  // Unsigned columns: uint64 constants; a negative literal stays int64.
  c = ok(num("18446744073709551615"), uint64());
  EXPECT_EQ(c.kind, K::kUInt64);
  EXPECT_EQ(c.u64, std::numeric_limits<std::uint64_t>::max());
  c = ok(num("5.5"), uint8());
  EXPECT_EQ(c.kind, K::kUInt64);
  EXPECT_EQ(c.u64, 5u);
  EXPECT_TRUE(c.fraction);
  expect_int(num("-1"), uint32(), -1);
  expect_int(num("-0.5"), uint32(), -1, true);
  // Zero in any spelling.
  expect_int(num("-0"), int32(), 0);
  expect_int(num("0.000e5"), int32(), 0);
  bad(str("12"), int32());
  bad(lit_bool(true), int64());
  bad(num("1x"), int64());
}

TEST(FilterCoerce, Floats) {
  Constant c = ok(num("0.1"), float64());
  EXPECT_EQ(c.kind, K::kDouble);
  EXPECT_EQ(c.f64, 0.1);
  // float32: the text a float prints as means that float; anything else compares as a double.
  EXPECT_EQ(ok(num("0.1"), float32()).f64, static_cast<double>(0.1f));
  EXPECT_EQ(ok(num("1e-1"), float32()).f64, static_cast<double>(0.1f));
  EXPECT_EQ(ok(num("16777217"), float32()).f64, 16777217.0);
  EXPECT_EQ(ok(num("0.3"), float32()).f64, static_cast<double>(0.3f));
  EXPECT_EQ(ok(num("0.30000001"), float32()).f64, 0.30000001);
  EXPECT_EQ(ok(num("-2"), float32()).f64, -2.0);
  EXPECT_EQ(ok(num("1e39"), float32()).f64, 1e39);  // beyond float32: still ordered above every finite value
  EXPECT_EQ(ok(num("0.1"), float16()).f64, 0.1);
  EXPECT_EQ(ok(num("1e400"), float64()).f64, std::numeric_limits<double>::infinity());
  bad(str("nan"), float64());
  bad(lit_bool(false), float32());
}

TEST(FilterCoerce, Decimals) {
  const TypePtr d = decimal128(10, 2);
  Constant c = ok(num("1.5"), d);
  EXPECT_EQ(c.kind, K::kDecimal);
  EXPECT_TRUE(c.dec == 150);
  EXPECT_FALSE(c.fraction);
  c = ok(num("12"), d);
  EXPECT_TRUE(c.dec == 1200);
  c = ok(num("-0.07"), d);
  EXPECT_TRUE(c.dec == -7);
  // More decimals than the scale: the floor at the scale, and `fraction`; never rounded.
  c = ok(num("1.005"), d);
  EXPECT_TRUE(c.dec == 100);
  EXPECT_TRUE(c.fraction);
  c = ok(num("-1.005"), d);
  EXPECT_TRUE(c.dec == -101);
  EXPECT_TRUE(c.fraction);
  c = ok(num("1.0050000000000000000000000000000000000000000000001"), d);
  EXPECT_TRUE(c.dec == 100);
  EXPECT_TRUE(c.fraction);
  c = ok(num("12345678901234567890123456789012345.5"), decimal128(38, 0));
  EXPECT_TRUE(c.dec == static_cast<__int128>(12345678901234567890ull) * static_cast<__int128>(1000000000000000ull) +
                         static_cast<__int128>(123456789012345ull));
  EXPECT_TRUE(c.fraction);
  c = ok(num("1e3"), decimal128(5, 0));
  EXPECT_TRUE(c.dec == 1000);  // beyond the precision: still exact
  expect_infinite(num("1e40"), d, 1);
  expect_infinite(num("-1e37"), decimal128(38, 2), -1);
  bad(str("1.5"), d);
}

TEST(FilterCoerce, Dates) {
  expect_int(str("2024-01-01"), date32(), 19723);
  expect_int(str("1970-01-01"), date32(), 0);
  expect_int(str("1969-12-31"), date32(), -1);
  bad(str("2024-13-01"), date32());
  bad(str("2024-02-30"), date32());
  bad(str("2024-01-01 10:00"), date32());
  const Error e = bad(num("5"), date32());
  EXPECT_NE(e.message().find("YYYY-MM-DD"), std::string::npos) << e.message();
}

TEST(FilterCoerce, Times) {
  expect_int(str("12:34:56.789"), time_type(TimeUnit::kMilli), 45296789);
  expect_int(str("12:34"), time_type(TimeUnit::kSecond), 45240);
  expect_int(str("00:00:00.000000001"), time_type(TimeUnit::kNano), 1);
  expect_int(str("23:59:59.999999"), time_type(TimeUnit::kMicro), 86399999999);
  expect_int(str("12:00:00.5"), time_type(TimeUnit::kSecond), 43200, true);
  expect_int(str("00:00:00.0000000001"), time_type(TimeUnit::kNano), 0, true);
  expect_int(str("24:00:00"), time_type(TimeUnit::kSecond), 86400);
  bad(str("25:00:00"), time_type(TimeUnit::kSecond));
  bad(str("12:60"), time_type(TimeUnit::kSecond));
  bad(str("12:00:00."), time_type(TimeUnit::kSecond));
  bad(num("12"), time_type(TimeUnit::kSecond));
}

TEST(FilterCoerce, Timestamps) {
  const std::int64_t jan1 = 1704067200;  // 2024-01-01T00:00:00Z
  const TypePtr local_us = timestamp(TimeUnit::kMicro), utc_us = timestamp(TimeUnit::kMicro, "UTC");
  expect_int(str("2024-01-01"), local_us, jan1 * 1000000);
  expect_int(str("2024-01-01 00:00:00"), local_us, jan1 * 1000000);
  expect_int(str("2024-01-01T00:00"), local_us, jan1 * 1000000);
  expect_int(str("2024-01-01 00:00:01.25"), timestamp(TimeUnit::kMilli), (jan1 + 1) * 1000 + 250);
  // Without an offset: as written, for local and zoned columns alike (a zoned one reads it as UTC).
  expect_int(str("2024-01-01 10:00:00"), utc_us, (jan1 + 36000) * 1000000);
  expect_int(str("2024-01-01 10:00:00"), timestamp(TimeUnit::kSecond, "Europe/Paris"), jan1 + 36000);
  // With an offset: converted to UTC, for both.
  for (const TypePtr& t : {local_us, utc_us}) {
    expect_int(str("2024-01-01 02:00:00+02:00"), t, jan1 * 1000000);
    expect_int(str("2024-01-01 02:00:00 +02"), t, jan1 * 1000000);
    expect_int(str("2023-12-31T19:00:00-0500"), t, jan1 * 1000000);
    expect_int(str("2024-01-01 00:00:00Z"), t, jan1 * 1000000);
    expect_int(str("2024-01-01 00:00:00 UTC"), t, jan1 * 1000000);
    expect_int(str("2024-01-01 05:30:00.000001+05:30"), t, jan1 * 1000000 + 1);
  }
  // Finer than the unit: the floor, and `fraction` (also before 1970, where the floor is below).
  expect_int(str("2024-01-01 00:00:00.5"), timestamp(TimeUnit::kSecond), jan1, true);
  expect_int(str("1969-12-31 23:59:59.5"), timestamp(TimeUnit::kSecond), -1, true);
  expect_int(str("2024-01-01 00:00:00.123456789"), timestamp(TimeUnit::kMilli), jan1 * 1000 + 123, true);
  expect_int(str("2024-01-01 00:00:00.1234567890000"), timestamp(TimeUnit::kNano), jan1 * 1000000000 + 123456789);
  // Beyond what int64 nanoseconds hold: infinite, ordered past every value.
  expect_infinite(str("3000-01-01"), timestamp(TimeUnit::kNano), 1);
  expect_infinite(str("1000-01-01"), timestamp(TimeUnit::kNano), -1);
  expect_int(str("-0001-12-31"), timestamp(TimeUnit::kSecond), -62135596800 - 86400 * 367);  // year 0 is a leap year
  for (const char* b : {"2024-01-01 25:00:00", "2024-01-01 10:00:00+", "2024-01-01 10:00:00+2", "2024-01-01 10:00:00+24:00",
                        "2024-01-01X10:00", "2024-01-01 10:00:00 PST", "yesterday", ""})
    bad(str(b), local_us);
  const Error e = bad(num("1704067200"), local_us);
  EXPECT_NE(e.message().find("timestamp"), std::string::npos) << e.message();
}

TEST(FilterCoerce, Durations) {
  expect_int(num("1500"), duration(TimeUnit::kMilli), 1500);
  expect_int(str("1.5s"), duration(TimeUnit::kMilli), 1500);
  expect_int(str("1500us"), duration(TimeUnit::kMilli), 1, true);
  expect_int(str("-2ms"), duration(TimeUnit::kNano), -2000000);
  expect_int(str("3ns"), duration(TimeUnit::kSecond), 0, true);
  bad(str("2x"), duration(TimeUnit::kMilli));
  bad(str("ms"), duration(TimeUnit::kMilli));
  bad(lit_bool(true), duration(TimeUnit::kMilli));
}

TEST(FilterCoerce, BoolsStringsBinary) {
  Constant c = ok(lit_bool(true), boolean());
  EXPECT_EQ(c.kind, K::kBool);
  EXPECT_TRUE(c.boolean);
  bad(str("true"), boolean());
  bad(num("1"), boolean());
  c = ok(str("abc"), utf8());
  EXPECT_EQ(c.kind, K::kBytes);
  EXPECT_EQ(c.bytes, "abc");
  EXPECT_EQ(ok(str("\x01\x02"), binary()).bytes, "\x01\x02");
  EXPECT_EQ(ok(str("abcd"), fixed_size_binary(4)).bytes, "abcd");
  EXPECT_EQ(ok(str("ab"), fixed_size_binary(4)).bytes, "ab");  // equals nothing, still ordered
  const Error e = bad(num("5"), utf8());
  EXPECT_NE(e.message().find("5"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("string"), std::string::npos) << e.message();
  bad(lit_bool(true), binary());
}

TEST(FilterCoerce, UuidsAreTheirSixteenBytes) {
  const std::string want("\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95\x0e", 16);
  for (const char* text : {"0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E",
                           "0f8fad5bd9cb469fa16570867728950e", "{0f8fad5b-d9cb-469f-a165-70867728950e}"}) {
    const Constant c = ok(str(text), uuid_type());
    EXPECT_EQ(c.kind, K::kBytes);
    EXPECT_EQ(c.bytes, want) << text;
  }
  for (const char* text : {"", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0",
                           "0f8fad5bd-9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950g",
                           "0f8fad5bd9cb469fa16570867728950", "{0f8fad5b-d9cb-469f-a165-70867728950e"}) {
    const Error e = bad(str(text), uuid_type());
    EXPECT_NE(e.message().find("UUID"), std::string::npos) << e.message();
  }
  bad(num("5"), uuid_type());
  // The text a UUID prints as is the text that parses back.
  char buf[40];
  EXPECT_EQ(std::string(buf, text::format_uuid(buf, want)), "0f8fad5b-d9cb-469f-a165-70867728950e");
  // Plain 16-byte binary keeps comparing the literal's bytes.
  EXPECT_EQ(ok(str("0f8fad5bd9cb469fa16570867728950e"), fixed_size_binary(16)).bytes, "0f8fad5bd9cb469fa16570867728950e");
}

// Intervals have no order (a month against 30 days): no literal compares with one.
TEST(FilterCoerce, IntervalsTakeNoLiteral) {
  bad(str("1 day"), interval_type());
  bad(str("00:00:01"), interval_type());
  bad(num("5"), interval_type());
  // Nor with a geometry's or a geography's WKB.
  bad(str("POINT (1 2)"), geometry_type());
  bad(str("x"), geography_type("OGC:CRS84"));
  // The same twelve bytes without the annotation compare as bytes.
  EXPECT_EQ(ok(str("abcdefghijkl"), fixed_size_binary(12)).bytes, "abcdefghijkl");
}

std::string interval_text(std::uint32_t months, std::uint32_t days, std::uint32_t millis) {
  char bytes[12];
  for (int k = 0; k < 4; ++k) {
    bytes[k] = static_cast<char>(months >> (8 * k));
    bytes[4 + k] = static_cast<char>(days >> (8 * k));
    bytes[8 + k] = static_cast<char>(millis >> (8 * k));
  }
  char buf[64];
  return std::string(buf, text::format_interval(buf, std::string_view(bytes, 12)));
}

// As DuckDB prints an INTERVAL (its `::VARCHAR`, CSV and JSON output), the expectations taken from
// DuckDB 1.5's output for the same values.
TEST(TextFormat, IntervalsPrintAsDuckDBPrintsThem) {
  EXPECT_EQ(interval_text(0, 0, 0), "00:00:00");
  EXPECT_EQ(interval_text(14, 3, 3600000), "1 year 2 months 3 days 01:00:00");
  EXPECT_EQ(interval_text(0, 0, 1500), "00:00:01.5");
  EXPECT_EQ(interval_text(0, 0, 1), "00:00:00.001");
  EXPECT_EQ(interval_text(0, 0, 90000000), "25:00:00");
  EXPECT_EQ(interval_text(12, 0, 0), "1 year");
  EXPECT_EQ(interval_text(1, 0, 0), "1 month");
  EXPECT_EQ(interval_text(0, 1, 0), "1 day");
  EXPECT_EQ(interval_text(24, 2, 0), "2 years 2 days");
  EXPECT_EQ(interval_text(0, 1000, 360000250), "1000 days 100:00:00.25");
  EXPECT_EQ(interval_text(0, 0, 3723040), "01:02:03.04");
  // The largest values each field holds: nothing wraps, and the text fits the 60 bytes promised.
  const std::uint32_t m = 0xFFFFFFFFu;
  const std::string widest = interval_text(m, m, m);
  EXPECT_EQ(widest, "357913941 years 3 months 4294967295 days 1193:02:47.295");
  EXPECT_LE(widest.size(), 60u);
}

TEST(FilterCoerce, NestedAndNull) {
  for (const TypePtr& t : {list(int32()), struct_({Field{"a", int32(), true}}), map(utf8(), int32())}) {
    const Error e = bad(num("1"), t);
    EXPECT_NE(e.message().find("IS [NOT] NULL"), std::string::npos) << e.message();
  }
  bad(Literal{}, int32());
  // A null column: any constant (no row will match).
  EXPECT_TRUE(coerce(num("1"), *null_type(), "col").ok());
  EXPECT_TRUE(coerce(str("a"), *null_type(), "col").ok());
}

TEST(FilterCompare, ExactMixedComparisons) {
  using O = std::partial_ordering;
  Constant c;
  c.kind = K::kDouble;
  c.f64 = 9223372036854775808.0;  // 2^63
  EXPECT_EQ(compare_int(std::numeric_limits<std::int64_t>::max(), c), O::less);
  c.f64 = 9007199254740992.0;  // 2^53: 2^53 + 1 rounds to it as a double, yet is greater
  EXPECT_EQ(compare_int(9007199254740993, c), O::greater);
  EXPECT_EQ(compare_int(9007199254740992, c), O::equivalent);
  c.f64 = 2.5;
  EXPECT_EQ(compare_int(2, c), O::less);
  EXPECT_EQ(compare_int(3, c), O::greater);
  EXPECT_EQ(compare_uint(3, c), O::greater);
  c.f64 = -0.5;
  EXPECT_EQ(compare_uint(0, c), O::greater);
  c.f64 = std::nan("");
  EXPECT_EQ(compare_int(0, c), O::unordered);
  EXPECT_TRUE(satisfies(O::unordered, CompareOp::kNe));
  EXPECT_FALSE(satisfies(O::unordered, CompareOp::kEq));
  EXPECT_FALSE(satisfies(O::unordered, CompareOp::kLe));
  EXPECT_FALSE(satisfies(O::unordered, CompareOp::kGe));

  Constant i;
  i.kind = K::kInt64;
  i.i64 = -1;
  EXPECT_EQ(compare_uint(0, i), O::greater);
  EXPECT_EQ(compare_uint(std::numeric_limits<std::uint64_t>::max(), i), O::greater);
  i.i64 = 2;
  i.fraction = true;  // 2.something
  EXPECT_EQ(compare_int(2, i), O::less);
  EXPECT_EQ(compare_int(3, i), O::greater);
  EXPECT_EQ(compare_double(2.0, i), O::less);
  EXPECT_EQ(compare_double(std::nan(""), i), O::unordered);
  Constant u;
  u.kind = K::kUInt64;
  u.u64 = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(compare_int(-1, u), O::less);
  EXPECT_EQ(compare_uint(std::numeric_limits<std::uint64_t>::max(), u), O::equivalent);

  Constant d;
  d.kind = K::kDecimal;
  d.dec = 100;
  d.fraction = true;
  EXPECT_EQ(compare_decimal(100, d), O::less);
  EXPECT_EQ(compare_decimal(101, d), O::greater);

  Constant b;
  b.kind = K::kBytes;
  b.bytes = "a";
  EXPECT_EQ(compare_bytes("\xff", b), O::greater);  // bytes compare unsigned
  EXPECT_EQ(compare_bytes("", b), O::less);
  EXPECT_EQ(compare_bytes("a", b), O::equivalent);
  EXPECT_EQ(compare_bytes("a", c), O::unordered);  // another kind
  Constant t;
  t.kind = K::kBool;
  t.boolean = true;
  EXPECT_EQ(compare_bool(false, t), O::less);
  EXPECT_EQ(compare_bool(true, t), O::equivalent);
}

TEST(FilterCompare, MaySatisfyWithStatistics) {
  // Statistics min = 2, max = 2 on an integer column, against constants with and without a fraction.
  auto may = [](const char* lit, CompareOp op, std::int64_t min, std::int64_t max) {
    const Constant c = ok(num(lit), int64());
    return may_satisfy(op, compare_int(min, c), compare_int(max, c));
  };
  EXPECT_TRUE(may("2.5", CompareOp::kLt, 2, 2));
  EXPECT_FALSE(may("2.5", CompareOp::kGt, 2, 2));
  EXPECT_FALSE(may("2.5", CompareOp::kEq, 2, 2));
  EXPECT_TRUE(may("2.5", CompareOp::kEq, 2, 3));
  EXPECT_FALSE(may("2.5", CompareOp::kEq, 3, 9));
  EXPECT_TRUE(may("2", CompareOp::kLe, 2, 5));
  EXPECT_FALSE(may("2", CompareOp::kLt, 2, 5));
  EXPECT_TRUE(may("5", CompareOp::kGe, 2, 5));
  EXPECT_FALSE(may("5", CompareOp::kGt, 2, 5));
  EXPECT_TRUE(may("2", CompareOp::kNe, 2, 2));  // never excludes
  EXPECT_FALSE(may("1e30", CompareOp::kGt, -5, 5));
  EXPECT_TRUE(may("1e30", CompareOp::kLt, -5, 5));
  Constant nan;
  nan.kind = Constant::Kind::kDouble;
  nan.f64 = std::nan("");
  EXPECT_TRUE(may_satisfy(CompareOp::kEq, compare_double(1, nan), compare_double(2, nan)));
}

TEST(FilterCompare, CompareValueOnArrays) {
  auto a = column<std::int32_t>(int32(), {1, 5, std::nullopt, 9});
  const Constant c = ok(num("5"), int32());
  EXPECT_EQ(compare_value(*a, 0, c), std::partial_ordering::less);
  EXPECT_EQ(compare_value(*a, 1, c), std::partial_ordering::equivalent);
  EXPECT_EQ(compare_value(*a->slice(2, 2), 1, c), std::partial_ordering::greater);
  auto s = strings({"b", "a"});
  EXPECT_EQ(compare_value(*s->slice(1, 1), 0, ok(str("a"), utf8())), std::partial_ordering::equivalent);
  auto d = column<__int128>(decimal128(10, 2), {150, -7});
  EXPECT_EQ(compare_value(*d, 0, ok(num("1.5"), decimal128(10, 2))), std::partial_ordering::equivalent);
  EXPECT_EQ(compare_value(*d, 1, ok(num("-0.07"), decimal128(10, 2))), std::partial_ordering::equivalent);
}

// WKB built by hand: little-endian unless `big`.
struct Wkb {
  std::string b;
  bool big = false;
  Wkb& head(std::uint32_t code) {
    b += big ? '\0' : '\1';
    return u32(code);
  }
  Wkb& u32(std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b += static_cast<char>(v >> (8 * (big ? 3 - k : k)));
    return *this;
  }
  Wkb& f64(double d) {
    std::uint64_t v;
    std::memcpy(&v, &d, 8);
    for (int k = 0; k < 8; ++k) b += static_cast<char>(v >> (8 * (big ? 7 - k : k)));
    return *this;
  }
};

std::string wkt(const std::string& wkb) {
  std::string out = "x";
  if (!text::append_wkt(out, wkb)) {
    EXPECT_EQ(out, "x");  // left as it was
    return "(invalid)";
  }
  return out.substr(1);
}

// The forms DuckDB's ST_AsText gives (the DuckDB oracle compares every geometry of parquet-testing's
// geospatial files); here the WKB variants those files do not have, and broken WKB.
TEST(TextFormat, WkbPrintsAsWkt) {
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(30).f64(10).b), "POINT (30 10)");
  Wkb be;
  be.big = true;
  EXPECT_EQ(wkt(be.head(1).f64(-1.5).f64(1e-7).b), "POINT (-1.5 1e-07)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(NAN).f64(NAN).b), "POINT EMPTY");
  EXPECT_EQ(wkt(Wkb{}.head(2).u32(3).f64(0).f64(0).f64(NAN).f64(1).f64(2).f64(2).b), "LINESTRING (0 0, nan 1, 2 2)");
  // EWKB: Z and M flags, an SRID (not printed).
  EXPECT_EQ(wkt(Wkb{}.head(0xA0000001u).u32(4326).f64(1).f64(2).f64(3).b), "POINT Z (1 2 3)");
  EXPECT_EQ(wkt(Wkb{}.head(0x40000002u).u32(0).b), "LINESTRING M EMPTY");
  // Parts in either byte order inside one collection.
  Wkb part;
  part.big = true;
  part.head(1).f64(5).f64(6);
  EXPECT_EQ(wkt(Wkb{}.head(4).u32(2).head(1).f64(1).f64(2).b + part.b), "MULTIPOINT (1 2, 5 6)");
  EXPECT_EQ(wkt(Wkb{}.head(7).u32(2).head(7).u32(0).head(1002).u32(0).b),
            "GEOMETRYCOLLECTION (GEOMETRYCOLLECTION EMPTY, LINESTRING Z EMPTY)");
  // DuckDB 1.5: '...'::GEOMETRY printed back.
  EXPECT_EQ(wkt(Wkb{}.head(4).u32(2).head(1).f64(NAN).f64(NAN).head(1).f64(1).f64(2).b), "MULTIPOINT (EMPTY, 1 2)");
  EXPECT_EQ(wkt(Wkb{}.head(7).u32(1).head(1).f64(NAN).f64(NAN).b), "GEOMETRYCOLLECTION (POINT EMPTY)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(1e20).f64(1e-20).b), "POINT (1e+20 1e-20)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(123456789012345678.0).f64(0.1).b), "POINT (1.2345678901234568e+17 0.1)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(0.30000000000000004).f64(-0.0).b), "POINT (0.30000000000000004 -0)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(1e15).f64(1e16).b), "POINT (1000000000000000 1e+16)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(0.0001).f64(0.00001).b), "POINT (0.0001 1e-05)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(1.5e-5).f64(-2.5e-7).b), "POINT (1.5e-05 -2.5e-07)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(4503599627370497.0).f64(1e300).b), "POINT (4503599627370497 1e+300)");
  EXPECT_EQ(wkt(Wkb{}.head(1).f64(INFINITY).f64(-INFINITY).b), "POINT (inf -inf)");

  // Broken: never a crash, never a partial text.
  const std::string point = Wkb{}.head(1).f64(30).f64(10).b;
  for (std::size_t n = 0; n < point.size(); ++n) EXPECT_EQ(wkt(point.substr(0, n)), "(invalid)") << n;
  EXPECT_EQ(wkt(point + "x"), "(invalid)");                                  // bytes after it
  EXPECT_EQ(wkt(Wkb{}.head(8).f64(1).f64(2).b), "(invalid)");                // no type 8
  EXPECT_EQ(wkt(Wkb{}.head(4001).f64(1).f64(2).b), "(invalid)");             // no such dimensions
  EXPECT_EQ(wkt(std::string("\x02") + point.substr(1)), "(invalid)");        // byte order 2
  EXPECT_EQ(wkt(Wkb{}.head(2).u32(0xFFFFFFFFu).f64(1).f64(2).b), "(invalid)");  // more points than bytes
  EXPECT_EQ(wkt(Wkb{}.head(4).u32(1).head(2).u32(0).b), "(invalid)");       // a MULTIPOINT of a linestring
  // Collections nested past the depth limit.
  Wkb deep;
  for (int d = 0; d < 100; ++d) deep.head(7).u32(1);
  deep.head(1).f64(0).f64(0);
  EXPECT_EQ(wkt(deep.b), "(invalid)");
}

// A geometry column's values in CSV / head: their WKT, or their bytes where they are not WKB.
TEST(TextFormat, GeometryValuesPrintAsWkt) {
  BinaryBuilder bb(geometry_type("srid:4326"));
  bb.append(Wkb{}.head(1).f64(30).f64(10).b);
  bb.append(std::string_view("not wkb"));
  const ArrayPtr a = bb.finish();
  std::string s;
  ASSERT_TRUE(text::append_value(s, *a, 0));
  EXPECT_EQ(s, "POINT (30 10)");
  s.clear();
  ASSERT_TRUE(text::append_value(s, *a, 1));
  EXPECT_EQ(s, "not wkb");
}

// WKT read as DuckDB 1.5 reads text cast to GEOMETRY (its answers of 2026-11-23 to these strings):
// the WKB is exact, and it prints back as DuckDB printed it.
std::string wkb_of(std::string_view text) {
  std::string out = "x";
  if (!text::parse_wkt(text, &out)) {
    EXPECT_EQ(out, "x");  // left as it was
    return "(refused)";
  }
  return out.substr(1);
}
std::string wkt_again(std::string_view text) {
  const std::string b = wkb_of(text);
  return b == "(refused)" ? b : wkt(b);
}

TEST(TextParse, WktReadsAsDuckDBReadsIt) {
  EXPECT_EQ(wkb_of("POINT(30 10)"), Wkb{}.head(1).f64(30).f64(10).b);
  EXPECT_EQ(wkb_of("point z (1 2 3)"), Wkb{}.head(1001).f64(1).f64(2).f64(3).b);
  EXPECT_EQ(wkb_of("LINESTRING(0 0, 1 1)"), Wkb{}.head(2).u32(2).f64(0).f64(0).f64(1).f64(1).b);
  EXPECT_EQ(wkb_of("POLYGON((0 0, 1 0, 0 0), (0 0, 0 0))"),
            Wkb{}.head(3).u32(2).u32(3).f64(0).f64(0).f64(1).f64(0).f64(0).f64(0).u32(2).f64(0).f64(0).f64(0).f64(0).b);
  EXPECT_EQ(wkb_of("MULTIPOINT M ((1 2 3), EMPTY)"),
            Wkb{}.head(2004).u32(2).head(2001).f64(1).f64(2).f64(3).head(2001).f64(NAN).f64(NAN).f64(NAN).b);
  EXPECT_EQ(wkb_of("GEOMETRYCOLLECTION (POINT EMPTY, LINESTRING EMPTY)"),
            Wkb{}.head(7).u32(2).head(1).f64(NAN).f64(NAN).head(2).u32(0).b);
  EXPECT_EQ(wkb_of("POINT ZM EMPTY"), Wkb{}.head(3001).f64(NAN).f64(NAN).f64(NAN).f64(NAN).b);
  const std::pair<const char*, const char*> cases[] = {
      {"POINT(1 2)", "POINT (1 2)"},
      {"POINTZ(1 2 3)", "POINT Z (1 2 3)"},
      {"POINT M (1 2 3)", "POINT M (1 2 3)"},
      {"POINTZM(1 2 3 4)", "POINT ZM (1 2 3 4)"},
      {"POINT ZM(1 2 3 4)", "POINT ZM (1 2 3 4)"},
      {"POINT EMPTY", "POINT EMPTY"},
      {"POINT Z EMPTY", "POINT Z EMPTY"},
      {"MULTIPOINT(1 2, 3 4)", "MULTIPOINT (1 2, 3 4)"},
      {"MULTIPOINT((1 2), EMPTY)", "MULTIPOINT (1 2, EMPTY)"},
      {"MULTIPOINT(EMPTY)", "MULTIPOINT (EMPTY)"},
      {"MULTIPOINTZ(1 2 3)", "MULTIPOINT Z (1 2 3)"},
      {"MULTILINESTRING((0 0, 1 1), EMPTY)", "MULTILINESTRING ((0 0, 1 1), EMPTY)"},
      {"MULTIPOLYGON(EMPTY, ((0 0, 1 0, 0 0)))", "MULTIPOLYGON (EMPTY, ((0 0, 1 0, 0 0)))"},
      {"GEOMETRYCOLLECTION EMPTY", "GEOMETRYCOLLECTION EMPTY"},
      {"GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 2)))", "GEOMETRYCOLLECTION (GEOMETRYCOLLECTION (POINT (1 2)))"},
      {"GEOMETRYCOLLECTION Z (POINT Z (1 2 3))", "GEOMETRYCOLLECTION Z (POINT Z (1 2 3))"},
      {"SRID=4326;POINT(1 2)", "POINT (1 2)"},
      {"srid=4326; POINT(1 2)", "POINT (1 2)"},
      {"POINT(1e3 -2.5E-1)", "POINT (1000 -0.25)"},
      {"POINT(nan 1)", "POINT (nan 1)"},
      {"POINT(1. 2)", "POINT (1 2)"},
      {"POINT(inf -infinity)", "POINT (inf -inf)"},
      {"POINT(-0 1)", "POINT (-0 1)"},
      {"POINT(1e400 1)", "POINT (inf 1)"},
      {"POINT (00012 1)", "POINT (12 1)"},
      {"  POINT\t(  1   2 )\n", "POINT (1 2)"},
      {"LINESTRING(1 2)", "LINESTRING (1 2)"},
      {"POLYGON((0 0, 1 1))", "POLYGON ((0 0, 1 1))"},
      {"POLYGON EMPTY", "POLYGON EMPTY"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(wkt_again(in), want) << in;
  // What DuckDB refuses, and text after the geometry (which DuckDB ignores: here an error, not a
  // value silently cut short).
  for (const char* in : {"POINT (1 2 3)", "POINT(1 2", "POINT(1)", "LINESTRING(1 2, 3 4 5)",
                         "GEOMETRYCOLLECTION(POINT Z(1 2 3), POINT(1 2))", "GEOMETRYCOLLECTION Z (POINT (1 2))",
                         "POINT(+1 .5)", "POINT()", "TRIANGLE((0 0,1 0,0 1,0 0))", "POINT(1,2)", "POLYGON(EMPTY)",
                         "POINT(0x10 1)", "POINT MZ(1 2 3 4)", "POINT(1e 2)", "POINT(1 2) x", "POINTX(1 2)", "",
                         "SRID=;POINT(1 2)", "SRID=4326 POINT(1 2)", "MULTIPOINT(1 2,)", "POINT EMPTY EMPTY"})
    EXPECT_EQ(wkb_of(in), "(refused)") << in;
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "GEOMETRYCOLLECTION(";
  deep += "POINT(1 2)";
  for (int i = 0; i < 70; ++i) deep += ")";
  EXPECT_EQ(wkb_of(deep), "(refused)");
}

}  // namespace
}  // namespace sluice::filter_test
