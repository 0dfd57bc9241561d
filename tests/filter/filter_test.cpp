// Predicate::matches and Predicate::filter over batches of every type: nulls, NaN, slices, struct
// paths, and the fast loops checked against compare_value() row by row.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "util.hpp"

namespace sluice::filter_test {
namespace {

constexpr auto kNull = std::nullopt;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(FilterMatches, IntegersWithNulls) {
  const Batch b = make_batch({{"x", column<std::int32_t>(int32(), {5, kNull, 10, -3, 20, kNull, 10})}});
  EXPECT_EQ(selected(b, "x >= 10"), (Rows{2, 4, 6}));
  EXPECT_EQ(selected(b, "x > 10"), (Rows{4}));
  EXPECT_EQ(selected(b, "x < 10"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "x <= 10"), (Rows{0, 2, 3, 6}));
  EXPECT_EQ(selected(b, "x = 10"), (Rows{2, 6}));
  EXPECT_EQ(selected(b, "x == 10"), (Rows{2, 6}));
  EXPECT_EQ(selected(b, "x != 10"), (Rows{0, 3, 4}));  // nulls satisfy no comparison, != neither
  EXPECT_EQ(selected(b, "x <> 10"), (Rows{0, 3, 4}));
  EXPECT_EQ(selected(b, "x in (5, 20, 99)"), (Rows{0, 4}));
  EXPECT_EQ(selected(b, "x in (5, null)"), (Rows{0}));
  EXPECT_EQ(selected(b, "x in (null)"), (Rows{}));
  EXPECT_EQ(selected(b, "x is null"), (Rows{1, 5}));
  EXPECT_EQ(selected(b, "x is not null"), (Rows{0, 2, 3, 4, 6}));
  EXPECT_EQ(selected(b, "x > 2.5"), (Rows{0, 2, 4, 6}));
  EXPECT_EQ(selected(b, "x < 5.5"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "x = 5.0"), (Rows{0}));
  EXPECT_EQ(selected(b, "x = 5.5"), (Rows{}));
  EXPECT_EQ(selected(b, "x != 5.5"), (Rows{0, 2, 3, 4, 6}));
  EXPECT_EQ(selected(b, "x in (5.5, 10)"), (Rows{2, 6}));
  EXPECT_EQ(selected(b, "x >= -3 and x < 10"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "x > 100 and x < 0"), (Rows{}));
}

TEST(FilterMatches, OutOfRangeLiterals) {
  const Batch b = make_batch({{"x", column<std::int8_t>(int8(), {-128, 0, kNull, 127})},
                              {"u", column<std::uint64_t>(uint64(), {0, 1, 18446744073709551615ull, kNull})}});
  EXPECT_EQ(selected(b, "x < 1000"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "x > -1000"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "x = 300"), (Rows{}));
  EXPECT_EQ(selected(b, "x != 300"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "x >= 127"), (Rows{3}));
  EXPECT_EQ(selected(b, "x <= -128"), (Rows{0}));
  EXPECT_EQ(selected(b, "x < 1e100"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "x in (1000, -128, 127.5)"), (Rows{0}));
  EXPECT_EQ(selected(b, "u > -1"), (Rows{0, 1, 2}));
  EXPECT_EQ(selected(b, "u = 18446744073709551615"), (Rows{2}));
  EXPECT_EQ(selected(b, "u < 18446744073709551616"), (Rows{0, 1, 2}));
  EXPECT_EQ(selected(b, "u > 0.5"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "u >= -0.5"), (Rows{0, 1, 2}));
}

TEST(FilterMatches, LargeIntegersStayExact) {
  // 2^53 + 1 is not a double: comparisons through doubles would call it equal to 2^53.
  const Batch b = make_batch({{"x", column<std::int64_t>(int64(), {9007199254740992, 9007199254740993,
                                                                  std::numeric_limits<std::int64_t>::max(),
                                                                  std::numeric_limits<std::int64_t>::min()})}});
  EXPECT_EQ(selected(b, "x = 9007199254740993"), (Rows{1}));
  EXPECT_EQ(selected(b, "x > 9007199254740992.5"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "x < 9007199254740992.5"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "x = 9223372036854775807"), (Rows{2}));
  EXPECT_EQ(selected(b, "x < 9223372036854775808"), (Rows{0, 1, 2, 3}));
  EXPECT_EQ(selected(b, "x <= -9223372036854775808"), (Rows{3}));
  EXPECT_EQ(selected(b, "x < -9223372036854775808"), (Rows{}));
  EXPECT_EQ(selected(b, "x > 9223372036854775806.5"), (Rows{2}));
}

TEST(FilterMatches, FloatsAndNaN) {
  const Batch b = make_batch({{"d", column<double>(float64(), {1.5, kNaN, kNull, -0.0, 0.1, INFINITY})},
                              {"f", column<float>(float32(), {0.1f, 2.0f, 3.5f, std::nanf(""), kNull, -1.0f})}});
  EXPECT_EQ(selected(b, "d > 1"), (Rows{0, 5}));
  EXPECT_EQ(selected(b, "d < 1e400"), (Rows{0, 3, 4}));
  EXPECT_EQ(selected(b, "d = 0"), (Rows{3}));  // -0 == 0
  EXPECT_EQ(selected(b, "d != 1.5"), (Rows{1, 3, 4, 5}));  // NaN != x holds (IEEE); null does not
  EXPECT_EQ(selected(b, "d = 0.1"), (Rows{4}));
  EXPECT_EQ(selected(b, "d <= 1.5"), (Rows{0, 3, 4}));
  EXPECT_EQ(selected(b, "d in (0, 1.5)"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "d is not null"), (Rows{0, 1, 3, 4, 5}));
  EXPECT_EQ(selected(b, "f = 0.1"), (Rows{0}));  // the float32 0.1, as it prints
  EXPECT_EQ(selected(b, "f > 0.1"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "f >= 2"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "f != 2"), (Rows{0, 2, 3, 5}));
  EXPECT_EQ(selected(b, "f < 0"), (Rows{5}));
  EXPECT_EQ(selected(b, "f in (2, 3.5, 10)"), (Rows{1, 2}));
  // Long IN lists take another loop: NaN must still match nothing there.
  EXPECT_EQ(selected(b, "f in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3.5)"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "d in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.5, 0)"), (Rows{0, 3}));
}

TEST(FilterMatches, Float16) {
  // 0x3C00 = 1.0, 0x4000 = 2.0, 0x7E00 = NaN, 0xBC00 = -1.0, 0x2E66 = 0.0999755859375
  const Batch b = make_batch(
      {{"h", column<std::uint16_t>(float16(), {std::uint16_t{0x3C00}, std::uint16_t{0x4000}, std::uint16_t{0x7E00},
                                               kNull, std::uint16_t{0xBC00}, std::uint16_t{0x2E66}})}});
  EXPECT_EQ(selected(b, "h >= 1"), (Rows{0, 1}));
  EXPECT_EQ(selected(b, "h = 2"), (Rows{1}));
  EXPECT_EQ(selected(b, "h != 2"), (Rows{0, 2, 4, 5}));
  EXPECT_EQ(selected(b, "h < 0"), (Rows{4}));
  EXPECT_EQ(selected(b, "h = 0.0999755859375"), (Rows{5}));
  EXPECT_EQ(selected(b, "h in (-1, 1)"), (Rows{0, 4}));
}

TEST(FilterMatches, Decimals) {
  const TypePtr t = decimal128(10, 2);
  const Batch b = make_batch({{"p", column<__int128>(t, {150, 100, 101, kNull, -7, 0})}});
  EXPECT_EQ(selected(b, "p = 1.5"), (Rows{0}));
  EXPECT_EQ(selected(b, "p = 1.50"), (Rows{0}));
  EXPECT_EQ(selected(b, "p = 1.005"), (Rows{}));  // never rounded into an equality
  EXPECT_EQ(selected(b, "p > 1.005"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "p <= 1.005"), (Rows{1, 4, 5}));
  EXPECT_EQ(selected(b, "p >= -0.07"), (Rows{0, 1, 2, 4, 5}));
  EXPECT_EQ(selected(b, "p < 1e50"), (Rows{0, 1, 2, 4, 5}));
  EXPECT_EQ(selected(b, "p in (1, 1.01, 0.001)"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "p != 0"), (Rows{0, 1, 2, 4}));
}

TEST(FilterMatches, Temporal) {
  const std::int64_t jan1 = 1704067200;
  const Batch b = make_batch({
      {"d", column<std::int32_t>(date32(), {19723, 19724, kNull, 0})},
      {"ts", column<std::int64_t>(timestamp(TimeUnit::kMilli), {jan1 * 1000, jan1 * 1000 + 1, jan1 * 1000 + 86400000, kNull})},
      {"tz", column<std::int64_t>(timestamp(TimeUnit::kSecond, "UTC"), {jan1, jan1 + 3600, kNull, jan1 - 3600})},
      {"t", column<std::int32_t>(time_type(TimeUnit::kMilli), {0, 43200000, 43200001, kNull})},
      {"dur", column<std::int64_t>(duration(TimeUnit::kMicro), {1500000, 1, kNull, -5})},
  });
  EXPECT_EQ(selected(b, "d = '2024-01-01'"), (Rows{0}));
  EXPECT_EQ(selected(b, "d >= '2024-01-01'"), (Rows{0, 1}));
  EXPECT_EQ(selected(b, "d < '1970-01-02'"), (Rows{3}));
  EXPECT_EQ(selected(b, "d in ('2024-01-02', '1970-01-01')"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "ts = '2024-01-01'"), (Rows{0}));
  EXPECT_EQ(selected(b, "ts > '2024-01-01 00:00:00'"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "ts > '2024-01-01 00:00:00.0005'"), (Rows{1, 2}));   // finer than ms
  EXPECT_EQ(selected(b, "ts < '2024-01-01 00:00:00.0015'"), (Rows{0, 1}));
  EXPECT_EQ(selected(b, "ts = '2024-01-01 00:00:00.0005'"), (Rows{}));
  EXPECT_EQ(selected(b, "ts = '2024-01-01 01:00:00+01:00'"), (Rows{0}));
  EXPECT_EQ(selected(b, "ts < '3000-01-01'"), (Rows{0, 1, 2}));
  EXPECT_EQ(selected(b, "tz = '2024-01-01 01:00:00'"), (Rows{1}));  // no offset: UTC
  EXPECT_EQ(selected(b, "tz = '2024-01-01 01:00:00+01:00'"), (Rows{0}));
  EXPECT_EQ(selected(b, "tz < '2024-01-01T00:00:00Z'"), (Rows{3}));
  EXPECT_EQ(selected(b, "t >= '12:00'"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "t = '12:00:00.001'"), (Rows{2}));
  EXPECT_EQ(selected(b, "t < '12:00:00.0005'"), (Rows{0, 1}));
  EXPECT_EQ(selected(b, "dur >= '1.5s'"), (Rows{0}));
  EXPECT_EQ(selected(b, "dur < 2"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "dur < '0ms'"), (Rows{3}));
}

TEST(FilterMatches, StringsBinaryAndBools) {
  const Batch b = make_batch({
      {"s", strings({"apple", "", kNull, "banana", "Apple", "é", "apple"})},
      {"bin", strings({"\x01", "\xff", std::string("\x00\x01", 2), kNull, "", "\x01", "\xfe"}, binary())},
      {"flag", bools({true, false, kNull, true, false, true, false})},
  });
  EXPECT_EQ(selected(b, "s = 'apple'"), (Rows{0, 6}));
  EXPECT_EQ(selected(b, "s != 'apple'"), (Rows{1, 3, 4, 5}));
  EXPECT_EQ(selected(b, "s < 'b'"), (Rows{0, 1, 4, 6}));
  EXPECT_EQ(selected(b, "s > 'z'"), (Rows{5}));  // UTF-8 bytes sort after ASCII
  EXPECT_EQ(selected(b, "s = ''"), (Rows{1}));
  EXPECT_EQ(selected(b, "s in ('banana', 'Apple', 'x')"), (Rows{3, 4}));
  EXPECT_EQ(selected(b, "s in ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'banana', '')"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "bin > ''"), (Rows{0, 1, 2, 5, 6}));
  EXPECT_EQ(selected(b, "bin > '\x7f'"), (Rows{1, 6}));
  EXPECT_EQ(selected(b, "bin = '\x01'"), (Rows{0, 5}));
  EXPECT_EQ(selected(b, "flag = true"), (Rows{0, 3, 5}));
  EXPECT_EQ(selected(b, "flag != true"), (Rows{1, 4, 6}));
  EXPECT_EQ(selected(b, "flag < true"), (Rows{1, 4, 6}));
  EXPECT_EQ(selected(b, "flag >= false"), (Rows{0, 1, 3, 4, 5, 6}));
  EXPECT_EQ(selected(b, "flag in (true, false)"), (Rows{0, 1, 3, 4, 5, 6}));
  EXPECT_EQ(selected(b, "flag is null"), (Rows{2}));
  EXPECT_EQ(selected(b, "flag = true and s = 'apple'"), (Rows{0}));
}

TEST(FilterMatches, FixedSizeBinary) {
  FixedSizeBinaryBuilder fb(fixed_size_binary(3));
  fb.append("abc");
  fb.append_null();
  fb.append("abd");
  fb.append(std::string_view("\xff\x00\x01", 3));
  const Batch b = make_batch({{"k", fb.finish()}});
  EXPECT_EQ(selected(b, "k = 'abc'"), (Rows{0}));
  EXPECT_EQ(selected(b, "k > 'abc'"), (Rows{2, 3}));
  EXPECT_EQ(selected(b, "k = 'ab'"), (Rows{}));
  EXPECT_EQ(selected(b, "k > 'ab'"), (Rows{0, 2, 3}));
  EXPECT_EQ(selected(b, "k in ('abd', 'zzz')"), (Rows{2}));
}

TEST(FilterMatches, NullColumn) {
  NullBuilder nb;
  for (int i = 0; i < 3; ++i) nb.append_null();
  const Batch b = make_batch({{"n", nb.finish()}});
  EXPECT_EQ(selected(b, "n = 1"), (Rows{}));
  EXPECT_EQ(selected(b, "n != 'a'"), (Rows{}));
  EXPECT_EQ(selected(b, "n is null"), (Rows{0, 1, 2}));
  EXPECT_EQ(selected(b, "n is not null"), (Rows{}));
}

// s: struct<a: int32, inner: struct<b: string>>, rows: valid, null struct, valid with null a, valid
// with null inner, valid.
Batch struct_batch() {
  const TypePtr inner_t = struct_({Field{"b", utf8(), true}});
  const TypePtr s_t = struct_({Field{"a", int32(), true}, Field{"inner", inner_t, true}});
  StructBuilder sb(s_t);
  auto& a = sb.child_as<FixedWidthBuilder<std::int32_t>>(0);
  auto& inner = sb.child_as<StructBuilder>(1);
  auto& b = inner.child_as<BinaryBuilder>(0);
  auto row = [&](std::optional<std::int32_t> av, int inner_state, const char* bv) {
    av ? a.append(*av) : a.append_null();
    if (inner_state == 0) {
      inner.append_null();
    } else {
      bv ? b.append(bv) : b.append_null();
      inner.append_valid();
    }
    sb.append_valid();
  };
  row(1, 1, "x");
  sb.append_null();  // row 1: the whole struct null (children get nulls too)
  row(kNull, 1, "y");
  row(4, 0, nullptr);
  row(5, 1, nullptr);
  row(6, 1, "x");
  return make_batch({{"s", sb.finish()}, {"id", column<std::int32_t>(int32(), {0, 1, 2, 3, 4, 5})}});
}

TEST(FilterMatches, StructPaths) {
  const Batch b = struct_batch();
  EXPECT_EQ(selected(b, "s.a > 0"), (Rows{0, 3, 4, 5}));
  EXPECT_EQ(selected(b, "s.a is null"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "s.inner.b = 'x'"), (Rows{0, 5}));
  EXPECT_EQ(selected(b, "s.inner.b is null"), (Rows{1, 3, 4}));
  EXPECT_EQ(selected(b, "s.inner.b is not null"), (Rows{0, 2, 5}));
  EXPECT_EQ(selected(b, "s.inner is null"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "s is null"), (Rows{1}));
  EXPECT_EQ(selected(b, "s is not null and s.a >= 5"), (Rows{4, 5}));
  EXPECT_EQ(selected(b, "\"s\".\"inner\".\"b\" != 'x'"), (Rows{2}));
}

TEST(FilterMatches, StructParentNullHidesValidChild) {
  // A null struct over child values that are valid (as Arrow allows): the path is still null.
  auto child = column<std::int32_t>(int32(), {7, 8, 9});
  auto s = std::make_shared<ArrayData>();
  s->type = struct_({Field{"a", int32(), true}});
  s->length = 3;
  s->null_count = 1;
  BufferPtr bits = Buffer::allocate(1);
  bit::set(bits->mutable_data(), 0);
  bit::set(bits->mutable_data(), 2);
  s->buffers.push_back(bits);
  s->children.push_back(child);
  const Batch b = make_batch({{"s", s}});
  ASSERT_TRUE(b.validate().ok());
  EXPECT_EQ(selected(b, "s.a >= 8"), (Rows{2}));
  EXPECT_EQ(selected(b, "s.a != 7"), (Rows{2}));
  EXPECT_EQ(selected(b, "s.a is null"), (Rows{1}));
  EXPECT_EQ(selected(b, "s.a is not null"), (Rows{0, 2}));
  EXPECT_EQ(selected(b.slice(1, 2), "s.a is null"), (Rows{0}));
}

TEST(FilterMatches, Errors) {
  const Batch b = struct_batch();
  Error e = where_error(b, "nope > 1");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(e.message().find("nope"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("columns: s, id"), std::string::npos) << e.message();
  e = where_error(b, "s.zz = 1");
  EXPECT_NE(e.message().find("no field 'zz'"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("fields: a, inner"), std::string::npos) << e.message();
  e = where_error(b, "id.x = 1");
  EXPECT_NE(e.message().find("not a struct"), std::string::npos) << e.message();
  e = where_error(b, "s = 1");
  EXPECT_NE(e.message().find("IS [NOT] NULL"), std::string::npos) << e.message();
  e = where_error(b, "id = 'abc'");
  EXPECT_NE(e.message().find("'abc'"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("'id'"), std::string::npos) << e.message();
  e = where_error(b, "s.inner.b > 5");
  EXPECT_NE(e.message().find("s.inner.b"), std::string::npos) << e.message();

  // validate() says the same before any data is read.
  EXPECT_FALSE(parse_ok("nope > 1").validate(*b.schema).ok());
  EXPECT_FALSE(parse_ok("id > 'x'").validate(*b.schema).ok());
  EXPECT_FALSE(parse_ok("s > 1").validate(*b.schema).ok());
  EXPECT_TRUE(parse_ok("s is null and s.a < 3.5 and s.inner.b in ('a', null)").validate(*b.schema).ok());
}

TEST(FilterMatches, NestedColumnsTakeOnlyNullTests) {
  ListBuilder lb(list(int32()));
  lb.child_as<FixedWidthBuilder<std::int32_t>>().append(1);
  lb.append_valid();
  lb.append_null();
  MapBuilder mb(map(utf8(), int32()));
  mb.append_null();
  mb.keys_as<BinaryBuilder>().append("k");
  mb.values_as<FixedWidthBuilder<std::int32_t>>().append(1);
  mb.append_valid();
  const Batch b = make_batch({{"l", lb.finish()}, {"m", mb.finish()}});
  EXPECT_EQ(selected(b, "l is null"), (Rows{1}));
  EXPECT_EQ(selected(b, "m is not null"), (Rows{1}));
  EXPECT_NE(where_error(b, "l = 1").message().find("list<int32>"), std::string::npos);
  EXPECT_NE(where_error(b, "m in ('k')").message().find("map<string, int32>"), std::string::npos);
}

TEST(FilterMatches, Slices) {
  const Batch full = make_batch({
      {"x", column<std::int64_t>(int64(), {1, kNull, 3, 4, kNull, 6, 7, 8, 9, 10})},
      {"s", strings({"a", "b", kNull, "d", "e", "f", "g", kNull, "i", "j"})},
      {"f", bools({true, false, true, kNull, true, false, true, true, false, kNull})},
      {"d", column<double>(float64(), {kNaN, 1, 2, 3, 4, 5, kNaN, 7, 8, 9})},
  });
  const Batch b = full.slice(3, 6);  // rows 3..8
  ASSERT_EQ(b.columns[0]->offset, 3);
  EXPECT_EQ(selected(b, "x > 5"), (Rows{2, 3, 4, 5}));
  EXPECT_EQ(selected(b, "x is null"), (Rows{1}));
  EXPECT_EQ(selected(b, "s >= 'e'"), (Rows{1, 2, 3, 5}));
  EXPECT_EQ(selected(b, "f = true"), (Rows{1, 3, 4}));
  EXPECT_EQ(selected(b, "d != 5"), (Rows{0, 1, 3, 4, 5}));
  EXPECT_EQ(selected(b, "d > 3"), (Rows{1, 2, 4, 5}));

  const Batch sb = struct_batch().slice(2, 3);  // struct rows 2..4
  EXPECT_EQ(selected(sb, "s.a > 0"), (Rows{1, 2}));
  EXPECT_EQ(selected(sb, "s.inner.b is null"), (Rows{1, 2}));
  EXPECT_EQ(selected(sb, "s.inner.b = 'y'"), (Rows{0}));
  EXPECT_EQ(selected(sb, "id >= 3"), (Rows{1, 2}));
}

TEST(FilterFilter, AllRunAndScattered) {
  const Batch b = make_batch({
      {"x", column<std::int32_t>(int32(), {1, 2, 3, 4, 5, kNull})},
      {"s", strings({"a", "b", "c", "d", "e", "f"})},
  });
  // Every row: the same batch, buffers shared.
  auto all = parse_ok("s is not null").filter(b);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->columns[0], b.columns[0]);
  EXPECT_EQ(all->num_rows, 6);
  // One run: a zero-copy slice.
  auto run = parse_ok("x >= 2 and x <= 4").filter(b);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->validate().ok());
  EXPECT_EQ(run->num_rows, 3);
  EXPECT_EQ(run->columns[0]->offset, 1);
  EXPECT_EQ(run->columns[1]->buffers[2], b.columns[1]->buffers[2]);
  EXPECT_EQ(run->columns[1]->string_at(0), "b");
  // Scattered: a copy of the rows, validated, with exact null counts.
  auto some = parse_ok("x in (1, 3, 5)").filter(b);
  ASSERT_TRUE(some.ok());
  ASSERT_TRUE(some->validate().ok()) << some->validate().error().to_string();
  EXPECT_EQ(some->num_rows, 3);
  EXPECT_EQ(some->columns[0]->offset, 0);
  EXPECT_EQ(some->columns[0]->null_count, 0);
  EXPECT_EQ(some->columns[0]->buffers[0], nullptr);
  EXPECT_EQ(some->columns[0]->value<std::int32_t>(2), 5);
  EXPECT_EQ(some->columns[1]->string_at(1), "c");
  EXPECT_EQ(some->schema, b.schema);
  // None: an empty batch of the same schema.
  auto none = parse_ok("x > 100").filter(b);
  ASSERT_TRUE(none.ok());
  ASSERT_TRUE(none->validate().ok());
  EXPECT_EQ(none->num_rows, 0);
  EXPECT_EQ(none->columns.size(), 2u);
  // An empty batch in: an empty batch out.
  auto empty = parse_ok("x > 1").filter(b.slice(0, 0));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->num_rows, 0);
  // A filter error comes back from filter() too.
  EXPECT_FALSE(parse_ok("nope = 1").filter(b).ok());
}

TEST(FilterFilter, NestedColumnsAreCarried) {
  const Batch b = struct_batch();
  auto r = parse_ok("id in (0, 2, 5)").filter(b);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->validate().ok()) << r->validate().error().to_string();
  EXPECT_EQ(selected(*r, "s.inner.b = 'x'"), (Rows{0, 2}));
  EXPECT_EQ(selected(*r, "s.a is null"), (Rows{1}));
}

// The typed loops against compare_value() row by row, over random values and constants near the
// edges of each type (fractions, out of range, infinite).
template <class T>
void check_against_reference(const TypePtr& type, std::vector<std::string> literals, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::optional<T>> values;
  T lo, hi;
  if constexpr (std::is_same_v<T, __int128>) {  // numeric_limits knows __int128 only in GNU mode
    hi = 1;
    for (int k = 0; k < 38; ++k) hi *= 10;
    hi -= 1;
    lo = -hi;
  } else {
    lo = std::numeric_limits<T>::min();
    hi = std::numeric_limits<T>::max();
  }
  for (int i = 0; i < 300; ++i) {
    const int pick = static_cast<int>(rng() % 8);
    if (pick == 0) values.push_back(kNull);
    else if (pick == 1) values.push_back(lo);
    else if (pick == 2) values.push_back(hi);
    else if (pick == 3) values.push_back(static_cast<T>(rng() % 7));
    else values.push_back(static_cast<T>(rng()));
  }
  const Batch b = make_batch({{"x", column<T>(type, values)}});
  const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
  for (const auto& lit : literals) {
    for (const char* op : ops) {
      const std::string where = std::string("x ") + op + " " + lit;
      const Predicate p = parse_ok(where);
      auto c = coerce(p.terms[0].comparison.values[0], *type, "x");
      ASSERT_TRUE(c.ok()) << where;
      const Rows got = selected(b, where);
      Rows want;
      for (std::int64_t i = 0; i < b.num_rows; ++i)
        if (b.columns[0]->is_valid(i) && satisfies(compare_value(*b.columns[0], i, *c), p.terms[0].comparison.op)) want.push_back(i);
      ASSERT_EQ(got, want) << where << " on " << type->to_string();
    }
    // IN against the same literal and a value every column holds.
    const std::string where = "x in (" + lit + ", 0, 1)";
    const Rows got = selected(b, where);
    const Predicate in = parse_ok(where);
    Rows want;
    for (std::int64_t i = 0; i < b.num_rows; ++i) {
      if (!b.columns[0]->is_valid(i)) continue;
      bool any = false;
      for (const auto& l : in.terms[0].comparison.values)
        any = any || compare_value(*b.columns[0], i, *coerce(l, *type, "x")) == std::partial_ordering::equivalent;
      if (any) want.push_back(i);
    }
    ASSERT_EQ(got, want) << where << " on " << type->to_string();
  }
}

TEST(FilterMatches, FastLoopsAgreeWithCompareValue) {
  const std::vector<std::string> common = {"0", "3", "3.5", "-3.5", "0.001", "-0.001", "127", "128", "-128", "-129",
                                           "255", "256", "32767", "-32769", "2147483647", "2147483648",
                                           "-2147483649", "4294967295", "4294967296",
                                           "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                           "-9223372036854775809", "18446744073709551615", "18446744073709551616",
                                           "1e40", "-1e40", "9223372036854775806.5", "-9223372036854775807.5"};
  check_against_reference<std::int8_t>(int8(), common, 1);
  check_against_reference<std::int16_t>(int16(), common, 2);
  check_against_reference<std::int32_t>(int32(), common, 3);
  check_against_reference<std::int64_t>(int64(), common, 4);
  check_against_reference<std::uint8_t>(uint8(), common, 5);
  check_against_reference<std::uint16_t>(uint16(), common, 6);
  check_against_reference<std::uint32_t>(uint32(), common, 7);
  check_against_reference<std::uint64_t>(uint64(), common, 8);
  check_against_reference<std::int64_t>(duration(TimeUnit::kNano), common, 9);
  check_against_reference<__int128>(decimal128(38, 3), {"0", "1.5", "-0.0005", "1e34", "1e36", "-1e35", "0.001"}, 10);
}

TEST(FilterMatches, ThreeValuedLogic) {
  const Batch b = make_batch({{"x", column<std::int32_t>(int32(), {1, 5, kNull, 10})},
                              {"y", strings({"a", kNull, "b", "c"})},
                              {"d", column<double>(float64(), {1.0, kNaN, 7.0, kNull})}});
  EXPECT_EQ(selected(b, "x = 1 or y = 'b'"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "x = 1 OR x = 10 OR y = 'b'"), (Rows{0, 2, 3}));
  EXPECT_EQ(selected(b, "not x = 5"), (Rows{0, 3}));  // NOT unknown is unknown: the null row stays out
  EXPECT_EQ(selected(b, "x != 5"), (Rows{0, 3}));
  // Row 2: x = 5 is unknown and y = 'a' false, so the OR is unknown and so is its NOT.
  EXPECT_EQ(selected(b, "not (x = 5 or y = 'a')"), (Rows{3}));
  // Row 1: y is null (unknown) but x = 5 is true, so the OR is true.
  EXPECT_EQ(selected(b, "x = 5 or y = 'zzz'"), (Rows{1}));
  EXPECT_EQ(selected(b, "not (x = 5 and y = 'zzz')"), (Rows{0, 2, 3}));  // row 1: true and unknown
  EXPECT_EQ(selected(b, "x in (1, null)"), (Rows{0}));
  EXPECT_EQ(selected(b, "not x in (1, null)"), (Rows{}));  // 5 in (1, null) is unknown, not false
  EXPECT_EQ(selected(b, "x not in (1)"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "x between 2 and 10"), (Rows{1, 3}));
  EXPECT_EQ(selected(b, "x not between 2 and 10"), (Rows{0}));
  EXPECT_EQ(selected(b, "x is null or x > 7"), (Rows{2, 3}));
  EXPECT_EQ(selected(b, "not x is not null"), (Rows{2}));
  EXPECT_EQ(selected(b, "not (x is null)"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "not not x = 5"), (Rows{1}));
  EXPECT_EQ(selected(b, "(x < 5 or x > 5) and (y = 'a' or y = 'c')"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "10 <= x or 'b' = y"), (Rows{2, 3}));
  // IEEE NaN: false for <, so NOT (d < 5) holds for it; a null stays out.
  EXPECT_EQ(selected(b, "not d < 5"), (Rows{1, 2}));
  EXPECT_EQ(selected(b, "d < 5 or d >= 5"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "not (d < 5 or d >= 5)"), (Rows{1}));
  // Errors inside a tree name the column.
  EXPECT_NE(where_error(b, "x = 1 or z = 2").message().find("'z' is not in the data"), std::string::npos);
  EXPECT_NE(where_error(b, "not x = 'abc'").message().find("abc"), std::string::npos);
}

TEST(FilterMatches, TwoColumns) {
  const double nan = kNaN;
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const Batch b = make_batch(
      {{"a", column<std::int32_t>(int32(), {1, 5, kNull, 10, -3})},
       {"b", column<std::int64_t>(int64(), {1, 4, 7, kNull, big})},
       {"u", column<std::uint64_t>(uint64(), {1, 5, 3, 10, std::numeric_limits<std::uint64_t>::max()})},
       {"v", column<std::uint64_t>(uint64(), {1, 5, 3, 10, static_cast<std::uint64_t>(big) + 1})},
       {"d", column<double>(float64(), {1.0, 4.5, nan, 10.0, -3.0})},
       {"s", strings({"a", "b", kNull, "d", "e"})},
       {"t", strings({"a", "c", "x", "d", kNull})},
       {"dt", column<std::int32_t>(date32(), {0, 1, 2, 3, 4})},
       {"ts", column<std::int64_t>(timestamp(TimeUnit::kMicro), {0, 86400000000 + 1, 86400000000 * 2, 0, kNull})}});
  EXPECT_EQ(selected(b, "a = b"), (Rows{0}));
  EXPECT_EQ(selected(b, "a > b"), (Rows{1}));
  EXPECT_EQ(selected(b, "a < b"), (Rows{4}));
  EXPECT_EQ(selected(b, "a != b"), (Rows{1, 4}));  // nulls on either side: unknown
  // int64 against uint64 exactly: 2^63 - 1 < 2^63 (as doubles they would be equal).
  EXPECT_EQ(selected(b, "b < u"), (Rows{1, 4}));
  EXPECT_EQ(selected(b, "b < v"), (Rows{1, 4}));
  EXPECT_EQ(selected(b, "b = v"), (Rows{0}));
  // int32 against double as doubles; NaN as IEEE.
  EXPECT_EQ(selected(b, "a = d"), (Rows{0, 3, 4}));
  EXPECT_EQ(selected(b, "a > d"), (Rows{1}));
  EXPECT_EQ(selected(b, "u != d"), (Rows{1, 2, 4}));
  EXPECT_EQ(selected(b, "s = t"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "s < t"), (Rows{1}));
  // date against timestamp as timestamps.
  EXPECT_EQ(selected(b, "dt = ts"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "dt < ts"), (Rows{1}));
  EXPECT_EQ(selected(b, "dt > ts"), (Rows{3}));
  // In trees.
  EXPECT_EQ(selected(b, "not a = b"), (Rows{1, 4}));
  EXPECT_EQ(selected(b, "a = b or s = t"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "not (a = b or s = t)"), (Rows{1}));
  EXPECT_EQ(selected(b.slice(1, 3), "a > b or s < t"), (Rows{0}));
  EXPECT_EQ(selected(b.slice(2, 3), "a = d"), (Rows{1, 2}));    // cast to double from a slice
  EXPECT_EQ(selected(b.slice(1, 4), "dt > ts"), (Rows{2}));     // date cast to timestamp from a slice
  // Errors name both columns; a bare word is a column, and the message says how a string is written.
  EXPECT_NE(where_error(b, "a = s").message().find("a (int32) and s (string) cannot be compared"), std::string::npos);
  EXPECT_NE(where_error(b, "s = abc").message().find("a string takes single quotes: 'abc'"), std::string::npos);
  EXPECT_NE(where_error(b, "zz = a").message().find("'zz' is not in the data"), std::string::npos);
  EXPECT_TRUE(parse_ok("a < b and s >= t").validate(*b.schema).ok());
  EXPECT_FALSE(parse_ok("a < s").validate(*b.schema).ok());
  EXPECT_FALSE(parse_ok("a < nope").validate(*b.schema).ok());
}

// IS [NOT] DISTINCT FROM: = and != with nulls as values, never unknown, so their NOT is the other.
TEST(FilterMatches, DistinctFrom) {
  const Batch b = make_batch({{"x", column<std::int32_t>(int32(), {1, 5, kNull, 10, kNull})},
                              {"y", column<std::int64_t>(int64(), {1, kNull, kNull, 4, 9})},
                              {"s", strings({"a", kNull, "b", "a", "c"})}});
  EXPECT_EQ(selected(b, "x is distinct from 5"), (Rows{0, 2, 3, 4}));
  EXPECT_EQ(selected(b, "x is not distinct from 5"), (Rows{1}));
  EXPECT_EQ(selected(b, "not x is distinct from 5"), (Rows{1}));
  EXPECT_EQ(selected(b, "not x is not distinct from 5"), (Rows{0, 2, 3, 4}));
  EXPECT_EQ(selected(b, "x is distinct from null"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "x IS NOT DISTINCT FROM NULL"), (Rows{2, 4}));
  EXPECT_EQ(selected(b, "s is distinct from 'a'"), (Rows{1, 2, 4}));
  // Two columns: both null is not distinct, one null is.
  EXPECT_EQ(selected(b, "x is not distinct from y"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "x is distinct from y"), (Rows{1, 3, 4}));
  EXPECT_EQ(selected(b, "not x is distinct from y"), (Rows{0, 2}));
  EXPECT_EQ(selected(b, "x is distinct from y and s = 'a'"), (Rows{3}));
  EXPECT_EQ(selected(b, "x is not distinct from y or s = 'c'"), (Rows{0, 2, 4}));
  // The printed text is the same condition written with IS [NOT] NULL, = and !=.
  EXPECT_EQ(parse_ok("x is distinct from 5").to_string(), "x IS NULL OR x != 5");
  EXPECT_EQ(parse_ok("x is not distinct from 5").to_string(), "x IS NOT NULL AND x = 5");
  EXPECT_EQ(parse_ok("x is distinct from y").to_string(),
            "NOT (x IS NULL AND y IS NULL OR x IS NOT NULL AND y IS NOT NULL AND x = y)");
  const auto bad = Predicate::parse("x is distinct 5");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("expected FROM after DISTINCT"), std::string::npos) << bad.error().to_string();
  EXPECT_NE(where_error(b, "x is distinct from z").message().find("'z' is not in the data"), std::string::npos);
}

TEST(FilterLike, Patterns) {
  struct Case {
    const char* text;
    const char* pattern;
    bool want;
    char escape = 0;
    bool fold = false;
  };
  const Case cases[] = {
      {"abc", "abc", true},      {"abc", "ab", false},       {"abc", "a%", true},       {"abc", "%c", true},
      {"abc", "%b%", true},      {"abc", "_b_", true},       {"abc", "a_", false},      {"", "%", true},
      {"", "", true},            {"", "_", false},           {"a", "", false},          {"abc", "%%%", true},
      {"mississippi", "%iss%ipp%", true},                    {"mississippi", "m%s_s%i", true},
      {"aaa", "%a%a%a%a", false}, {"aaaa", "%a%a%a%a", true}, {"ab", "a%b%", true},      {"axxb", "a%b", true},
      {"axxbc", "a%b", false},   {"a%b", "a!%b", true, '!'}, {"axb", "a!%b", false, '!'}, {"a_b", "a!_b", true, '!'},
      {"a!b", "a!!b", true, '!'}, {"a%", "%!%", true, '!'},  {"abc", "%!%", false, '!'},
      // _ is one character, however many bytes it takes in UTF-8; % takes whole characters.
      {"\xe2\x82\xacx", "_x", true},   {"\xe2\x82\xac", "__", false}, {"\xe2\x82\xac", "%__", false},
      {"\xc3\xa9t\xc3\xa9", "_t_", true}, {"\xc3\xa9t\xc3\xa9", "%\xc3\xa9", true},
      // ILIKE lower-cases both sides, in the cased scripts too (as DuckDB: each checked there).
      {"ABC", "a%", true, 0, true},  {"abc", "A_C", true, 0, true}, {"ABC", "a%", false}, {"\xc3\x89", "\xc3\xa9", true, 0, true},
      {"ΩMEGA", "ωmega", true, 0, true}, {"ПРИВЕТ", "привет", true, 0, true}, {"ŁÓDŹ", "łódź", true, 0, true},
      {"İ", "i", true, 0, true}, {"ẞ", "ß", true, 0, true}, {"ＡＢ", "ａｂ", true, 0, true}, {"Ǆ", "ǆ", true, 0, true},
      {"ΆΈ", "άέ", true, 0, true}, {"Ωx", "_X", true, 0, true}, {"aÉb", "%é%", true, 0, true}, {"É", "é", false},
      {"Éx", "é!_", false, '!', true}, {"é_", "É!_", true, '!', true}, {"\xff\xc3" "A", "\xff\xc3" "a", true, 0, true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(like_match(c.text, c.pattern, c.escape, c.fold), c.want)
        << "'" << c.text << "' LIKE '" << c.pattern << "' escape " << int(c.escape) << " fold " << c.fold;
  bool exact = false;
  EXPECT_EQ(like_prefix("abc%d", 0, &exact), "abc");
  EXPECT_FALSE(exact);
  EXPECT_EQ(like_prefix("ab!%c_", '!', &exact), "ab%c");
  EXPECT_FALSE(exact);
  EXPECT_EQ(like_prefix("ab!_", '!', &exact), "ab_");
  EXPECT_TRUE(exact);
  EXPECT_EQ(like_prefix("%x", 0, &exact), "");
  EXPECT_FALSE(exact);
}

TEST(FilterLike, Columns) {
  const Batch b = make_batch({{"s", strings({"str-1", "str-12", kNull, "STR-1", "x%y", "str-7"})},
                              {"n", column<std::int64_t>(int64(), {1, 2, 3, 4, 5, 6})}});
  EXPECT_EQ(selected(b, "s like 'str-1%'"), (Rows{0, 1}));
  EXPECT_EQ(selected(b, "s like 'str-1'"), (Rows{0}));
  EXPECT_EQ(selected(b, "s like '%7'"), (Rows{5}));
  EXPECT_EQ(selected(b, "s like '%-1%'"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "s like 's_r-_'"), (Rows{0, 5}));
  EXPECT_EQ(selected(b, "s not like 'str-1%'"), (Rows{3, 4, 5}));  // null stays out
  EXPECT_EQ(selected(b, "s ilike 'STR-1_'"), (Rows{1}));
  EXPECT_EQ(selected(b, "s ilike 'str-1'"), (Rows{0, 3}));
  EXPECT_EQ(selected(b, "s ilike '%R-1%'"), (Rows{0, 1, 3}));
  EXPECT_EQ(selected(b, "s ilike 'x%Y'"), (Rows{4}));
  EXPECT_EQ(selected(b, "s like 'x#%y' escape '#'"), (Rows{4}));
  EXPECT_EQ(selected(b, "s like '%#%%' escape '#'"), (Rows{4}));
  EXPECT_EQ(selected(b, "s like '%'"), (Rows{0, 1, 3, 4, 5}));
  EXPECT_EQ(selected(b.slice(1, 4), "s like 'str%'"), (Rows{0}));
  EXPECT_NE(where_error(b, "n like '1%'").message().find("LIKE needs a string column; 'n' is int64"), std::string::npos);
}

// A reference evaluation of a condition for one row, from compare_value and like_match: what the
// batch loops must agree with. 0 false, 1 true, 2 unknown.
int reference(const Condition& c, const Batch& b, std::int64_t row) {
  switch (c.kind) {
    case Condition::Kind::kNot: {
      const int v = reference(c.operands[0], b, row);
      return v == 2 ? 2 : 1 - v;
    }
    case Condition::Kind::kAnd: {
      int out = 1;
      for (const auto& o : c.operands) {
        const int v = reference(o, b, row);
        if (v == 0) return 0;
        if (v == 2) out = 2;
      }
      return out;
    }
    case Condition::Kind::kOr: {
      int out = 0;
      for (const auto& o : c.operands) {
        const int v = reference(o, b, row);
        if (v == 1) return 1;
        if (v == 2) out = 2;
      }
      return out;
    }
    case Condition::Kind::kComparison: break;
  }
  const Comparison& cmp = c.comparison;
  std::size_t col = 0;
  while (b.schema->fields[col].name != cmp.path[0]) ++col;
  const ArrayData& a = *b.columns[col];
  const bool null = a.is_null(row);
  if (cmp.op == CompareOp::kIsNull) return null ? 1 : 0;
  if (cmp.op == CompareOp::kIsNotNull) return null ? 0 : 1;
  if (null) return 2;
  if (!cmp.other.empty()) {  // i or d against i or d: as doubles (the values are small)
    std::size_t oc = 0;
    while (b.schema->fields[oc].name != cmp.other[0]) ++oc;
    const ArrayData& o = *b.columns[oc];
    if (o.is_null(row)) return 2;
    auto num = [row](const ArrayData& x) {
      return x.type->id == TypeId::kFloat64 ? x.value<double>(row) : static_cast<double>(x.value<std::int64_t>(row));
    };
    const double l = num(a), r = num(o);
    const auto order = l < r    ? std::partial_ordering::less
                       : l > r  ? std::partial_ordering::greater
                       : l == r ? std::partial_ordering::equivalent
                                : std::partial_ordering::unordered;
    return satisfies(order, cmp.op) ? 1 : 0;
  }
  if (cmp.op == CompareOp::kLike || cmp.op == CompareOp::kILike) {
    const auto* offs = a.buffers[1]->data_as<std::int64_t>() + a.offset;
    const std::string_view text(reinterpret_cast<const char*>(a.buffers[2]->data()) + offs[row],
                                static_cast<std::size_t>(offs[row + 1] - offs[row]));
    return like_match(text, cmp.values[0].text, cmp.escape.empty() ? 0 : cmp.escape[0], cmp.op == CompareOp::kILike);
  }
  if (cmp.op == CompareOp::kIn) {
    bool has_null = false;
    for (const auto& l : cmp.values) {
      if (l.kind == Literal::Kind::kNull) {
        has_null = true;
        continue;
      }
      if (compare_value(a, row, *coerce(l, *a.type, "x")) == std::partial_ordering::equivalent) return 1;
    }
    return has_null ? 2 : 0;
  }
  return satisfies(compare_value(a, row, *coerce(cmp.values[0], *a.type, "x")), cmp.op) ? 1 : 0;
}

TEST(FilterMatches, TreesAgreeWithAReferenceEvaluation) {
  std::mt19937_64 rng(20261124);
  const int n = 64;
  std::vector<std::optional<std::int64_t>> iv;
  std::vector<std::optional<double>> dv;
  std::vector<std::optional<std::string>> sv;
  const char* words[] = {"", "a", "ab", "abc", "b", "ba", "\xc3\xa9t\xc3\xa9", "A%b", "zz"};
  for (int i = 0; i < n; ++i) {
    iv.push_back(rng() % 6 == 0 ? std::nullopt : std::optional<std::int64_t>(static_cast<std::int64_t>(rng() % 9) - 4));
    const auto pick = rng() % 8;
    dv.push_back(pick == 0 ? std::nullopt : pick == 1 ? std::optional<double>(kNaN) : std::optional<double>(static_cast<double>(rng() % 7) - 3.5));
    sv.push_back(rng() % 7 == 0 ? std::nullopt : std::optional<std::string>(words[rng() % std::size(words)]));
  }
  const Batch b = make_batch({{"i", column<std::int64_t>(int64(), iv)}, {"d", column<double>(float64(), dv)}, {"s", strings(sv)}});
  // Random conditions from the grammar, as text (so the parser is in the loop too).
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const auto k = rng() % (depth > 3 ? 4 : 8);
    const char* ops[] = {"=", "!=", "<", "<=", ">", ">="};
    switch (k) {
      case 0: return std::string("i ") + ops[rng() % 6] + " " + std::to_string(static_cast<int>(rng() % 9) - 4);
      case 1: return std::string("d ") + ops[rng() % 6] + " " + std::to_string(static_cast<int>(rng() % 7) - 3);
      case 2: {
        const char* pats[] = {"'a%'", "'%b'", "'_'", "'%'", "'a_c'", "'%\xc3\xa9%'", "'A!%b' escape '!'", "'ab'"};
        return std::string("s ") + (rng() % 3 == 0 ? "not " : "") + (rng() % 4 == 0 ? "ilike " : "like ") + pats[rng() % 8];
      }
      case 3: {
        const char* others[] = {"i is null", "d is not null", "s is null", "i in (1, 2, null)", "i not in (0, 3)",
                                "i between -1 and 2", "d not between -1 and 1", "s in ('a', 'zz')", "s >= 'b'",
                                "i < d", "d = i", "i != d", "d >= d", "i <= i"};
        return others[rng() % std::size(others)];
      }
      case 4: case 5: {
        std::string out = "(" + gen(depth + 1);
        const int more = 1 + static_cast<int>(rng() % 3);
        for (int m = 0; m < more; ++m) out += (k == 4 ? " and " : " or ") + gen(depth + 1);
        return out + ")";
      }
      default: return "not " + gen(depth + 1);
    }
  };
  for (int round = 0; round < 3000; ++round) {
    const std::string where = gen(0);
    const Predicate p = parse_ok(where);
    auto m = p.matches(b);
    ASSERT_TRUE(m.ok()) << where << ": " << m.error().to_string();
    for (std::int64_t row = 0; row < n; ++row) {
      int want = 1;
      for (const auto& t : p.terms) {
        const int v = reference(t, b, row);
        want = v == 0 ? 0 : (v == 2 && want == 1 ? 2 : want);
      }
      ASSERT_EQ((*m)[static_cast<std::size_t>(row)], want == 1 ? 1 : 0) << where << " row " << row;
    }
  }
}

}  // namespace
}  // namespace sluice::filter_test
