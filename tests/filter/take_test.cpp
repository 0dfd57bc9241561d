// take(): every type, nested and sliced inputs, repeats, empty results and bad indices.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "util.hpp"

namespace sluice::filter_test {
namespace {

constexpr auto kNull = std::nullopt;

// take(a, idx) is valid, starts at offset 0, has exact null counts (no bitmap without nulls), and
// row k equals row idx[k] of the input.
ArrayPtr check_take(const ArrayPtr& a, const std::vector<std::int64_t>& idx) {
  auto r = take(*a, idx);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return nullptr;
  const ArrayPtr& out = *r;
  const Status v = out->validate();
  EXPECT_TRUE(v.ok()) << a->type->to_string() << ": " << (v.ok() ? "" : v.error().to_string());
  EXPECT_EQ(out->length, static_cast<std::int64_t>(idx.size()));
  EXPECT_EQ(out->offset, 0);
  EXPECT_TRUE(*out->type == *a->type);
  std::int64_t nulls = 0;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    nulls += out->is_null(static_cast<std::int64_t>(k));
    EXPECT_TRUE(detail::compare::row_equal(*out, static_cast<std::int64_t>(k), *a, idx[k], 0))
        << a->type->to_string() << " row " << k << " (input row " << idx[k] << ")";
  }
  EXPECT_EQ(out->null_count, nulls);
  if (out->type->id != TypeId::kNull && nulls == 0) {
    EXPECT_EQ(out->validity(), nullptr);
  }
  return out;
}

// Every index pattern worth trying on an array of n rows.
void check_patterns(const ArrayPtr& a) {
  SCOPED_TRACE(a->type->to_string());
  const std::int64_t n = a->length;
  std::vector<std::int64_t> all, reversed, evens, repeats;
  for (std::int64_t i = 0; i < n; ++i) all.push_back(i);
  for (std::int64_t i = n - 1; i >= 0; --i) reversed.push_back(i);
  for (std::int64_t i = 0; i < n; i += 2) evens.push_back(i);
  for (std::int64_t i = 0; i < n; ++i) repeats.insert(repeats.end(), {i, i, 0});
  check_take(a, all);
  check_take(a, reversed);
  check_take(a, evens);
  check_take(a, repeats);
  check_take(a, {});
  if (n >= 3) {
    check_take(a->slice(1, n - 2), {0, n - 3, 0});  // a slice: offset != 0
    check_take(a->slice(2, n - 2), {});
  }
}

TEST(Take, Primitives) {
  check_patterns(column<std::int8_t>(int8(), {1, kNull, -3, 4, 5}));
  check_patterns(column<std::int16_t>(int16(), {1, 2, kNull, 4}));
  check_patterns(column<std::int32_t>(int32(), {1, 2, 3, 4, 5, 6}));  // no nulls
  check_patterns(column<std::int64_t>(int64(), {kNull, kNull, 3, kNull}));
  check_patterns(column<std::uint8_t>(uint8(), {255, kNull, 0}));
  check_patterns(column<std::uint16_t>(uint16(), {1, 2, 3}));
  check_patterns(column<std::uint32_t>(uint32(), {1, kNull, 3}));
  check_patterns(column<std::uint64_t>(uint64(), {18446744073709551615ull, 0, kNull, 7}));
  check_patterns(column<std::uint16_t>(float16(), {std::uint16_t{0x3C00}, kNull, std::uint16_t{0x7E00}}));
  check_patterns(column<float>(float32(), {1.5f, kNull, -0.0f, 3.0f}));
  check_patterns(column<double>(float64(), {1.5, std::nan(""), kNull, 1e300}));
  check_patterns(column<__int128>(decimal128(38, 4), {static_cast<__int128>(1) << 100, kNull, -5, 0}));
  check_patterns(column<std::int32_t>(date32(), {19723, kNull, -1}));
  check_patterns(column<std::int32_t>(time_type(TimeUnit::kMilli), {0, 86399999, kNull}));
  check_patterns(column<std::int64_t>(time_type(TimeUnit::kNano), {0, kNull, 5}));
  check_patterns(column<std::int64_t>(timestamp(TimeUnit::kMicro, "UTC"), {1, kNull, 3, 4}));
  check_patterns(column<std::int64_t>(duration(TimeUnit::kSecond), {kNull, -1, 2}));
  check_patterns(bools({true, false, kNull, true, true, false, false, true, false, kNull, true}));
  check_patterns(bools({true, false, true}));
}

TEST(Take, VariableAndFixedBinary) {
  check_patterns(strings({"alpha", "", kNull, "gamma", "δέλτα", "e"}));
  check_patterns(strings({"", "", ""}));
  check_patterns(strings({kNull, kNull, kNull}));
  check_patterns(strings({std::string("\x00\x01", 2), "\xff", kNull}, binary()));
  FixedSizeBinaryBuilder fb(fixed_size_binary(3));
  fb.append("abc");
  fb.append_null();
  fb.append("xyz");
  fb.append(std::string("\0\0\1", 3));
  check_patterns(fb.finish());
  NullBuilder nb;
  for (int i = 0; i < 4; ++i) nb.append_null();
  check_patterns(nb.finish());
}

// list<struct<a: int32, b: string>> with null lists, empty lists, null structs and null fields.
ArrayPtr list_of_structs() {
  const TypePtr item = struct_({Field{"a", int32(), true}, Field{"b", utf8(), true}});
  ListBuilder lb(list(item));
  auto& sb = lb.child_as<StructBuilder>();
  auto& a = sb.child_as<FixedWidthBuilder<std::int32_t>>(0);
  auto& b = sb.child_as<BinaryBuilder>(1);
  auto elem = [&](std::optional<std::int32_t> av, const char* bv) {
    av ? a.append(*av) : a.append_null();
    bv ? b.append(bv) : b.append_null();
    sb.append_valid();
  };
  elem(1, "one");
  elem(2, nullptr);
  lb.append_valid();  // [ {1, one}, {2, null} ]
  lb.append_null();
  lb.append_valid();  // []
  sb.append_null();
  elem(kNull, "x");
  lb.append_valid();  // [ null, {null, x} ]
  elem(5, "five");
  lb.append_valid();
  return lb.finish();
}

ArrayPtr map_column() {
  MapBuilder mb(map(utf8(), list(int64())));
  auto& keys = mb.keys_as<BinaryBuilder>();
  auto& vals = mb.values_as<ListBuilder>();
  auto& items = vals.child_as<FixedWidthBuilder<std::int64_t>>();
  keys.append("a");
  items.append(1);
  items.append(2);
  vals.append_valid();
  keys.append("b");
  vals.append_null();
  mb.append_valid();  // {a: [1, 2], b: null}
  mb.append_null();
  mb.append_valid();  // {}
  keys.append("c");
  vals.append_valid();
  mb.append_valid();  // {c: []}
  return mb.finish();
}

ArrayPtr struct_with_nulls() {
  const TypePtr t = struct_({Field{"x", int64(), true}, Field{"tags", list(utf8()), true}, Field{"flag", boolean(), true}});
  StructBuilder sb(t);
  auto& x = sb.child_as<FixedWidthBuilder<std::int64_t>>(0);
  auto& tags = sb.child_as<ListBuilder>(1);
  auto& tag = tags.child_as<BinaryBuilder>();
  auto& flag = sb.child_as<BooleanBuilder>(2);
  x.append(1);
  tag.append("t1");
  tag.append("t2");
  tags.append_valid();
  flag.append(true);
  sb.append_valid();
  sb.append_null();
  x.append_null();
  tags.append_null();
  flag.append(false);
  sb.append_valid();
  x.append(3);
  tags.append_valid();
  flag.append_null();
  sb.append_valid();
  return sb.finish();
}

TEST(Take, Nested) {
  check_patterns(list_of_structs());
  check_patterns(map_column());
  check_patterns(struct_with_nulls());
  ListBuilder outer(list(list(int32())));
  auto& inner = outer.child_as<ListBuilder>();
  auto& ints = inner.child_as<FixedWidthBuilder<std::int32_t>>();
  ints.append(1);
  inner.append_valid();
  inner.append_null();
  outer.append_valid();
  outer.append_null();
  ints.append(2);
  ints.append(3);
  inner.append_valid();
  outer.append_valid();
  check_patterns(outer.finish());
}

TEST(Take, NullListWithElementsBecomesEmpty) {
  // A null list row may cover elements (Arrow allows it); taken, it covers none.
  auto child = column<std::int32_t>(int32(), {1, 2, 3});
  auto l = std::make_shared<ArrayData>();
  l->type = list(int32());
  l->length = 2;
  l->null_count = 1;
  BufferPtr bits = Buffer::allocate(1);
  bit::set(bits->mutable_data(), 1);
  BufferPtr offs = Buffer::allocate(3 * 8);
  offs->mutable_data_as<std::int64_t>()[1] = 2;
  offs->mutable_data_as<std::int64_t>()[2] = 3;
  l->buffers = {bits, offs};
  l->children = {child};
  ASSERT_TRUE(l->validate().ok());
  ArrayPtr out = check_take(l, {0, 1});
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->list_range(0), (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(out->children[0]->length, 1);
}

TEST(Take, SlicedNestedKeepsElementRanges) {
  // A sliced list keeps its child whole: offsets point into it past the slice start.
  ArrayPtr l = list_of_structs()->slice(2, 3);
  ASSERT_NE(l->list_range(0).first, 0);
  ArrayPtr out = check_take(l, {2, 0, 1});
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->children[0]->length, 3);
  // A sliced struct: its children are sliced with it.
  ArrayPtr s = struct_with_nulls()->slice(1, 2);
  check_take(s, {1, 0, 1});
  ArrayPtr m = map_column()->slice(1, 3);
  check_take(m, {2, 2, 1});
}

TEST(Take, Batches) {
  const Batch b = make_batch({{"x", column<std::int32_t>(int32(), {1, kNull, 3, 4})},
                              {"l", list_of_structs()->slice(1, 4)},
                              {"m", map_column()},
                              {"s", struct_with_nulls()->slice(0, 4)}});
  ASSERT_TRUE(b.validate().ok());
  for (const Batch& in : {b, b.slice(1, 3)}) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = in.num_rows - 1; i >= 0; --i) idx.push_back(i);
    auto r = take(in, idx);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_TRUE(r->validate().ok()) << r->validate().error().to_string();
    EXPECT_EQ(r->num_rows, in.num_rows);
    EXPECT_EQ(r->schema, in.schema);
    for (std::size_t c = 0; c < in.columns.size(); ++c)
      for (std::size_t k = 0; k < idx.size(); ++k)
        EXPECT_TRUE(detail::compare::row_equal(*r->columns[c], static_cast<std::int64_t>(k), *in.columns[c], idx[k], 0));
  }
  auto empty = take(b, std::vector<std::int64_t>{});
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->validate().ok());
  EXPECT_EQ(empty->num_rows, 0);
}

TEST(Take, BadIndices) {
  ArrayPtr a = column<std::int32_t>(int32(), {1, 2, 3});
  for (std::int64_t bad : {std::int64_t{-1}, std::int64_t{3}, std::int64_t{1} << 40}) {
    auto r = take(*a, std::vector<std::int64_t>{0, bad});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(std::to_string(bad)), std::string::npos) << r.error().message();
  }
  // Indices count against the slice, not the buffers under it.
  EXPECT_FALSE(take(*a->slice(1, 2), std::vector<std::int64_t>{2}).ok());
  const Batch b = make_batch({{"x", a}});
  EXPECT_FALSE(take(b, std::vector<std::int64_t>{5}).ok());
}

}  // namespace
}  // namespace sluice::filter_test
