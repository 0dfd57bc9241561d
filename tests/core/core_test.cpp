// Core layer: errors and Result, buffers, builders, slicing and validation, calendar arithmetic,
// type names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/array.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/core/compare.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/temporal.hpp"
#include "sluice/core/types.hpp"

namespace sluice {
namespace {

// ------------------------------------------------------------------------------------------------
// Error

TEST(Error, ToStringMessageOnly) {
  EXPECT_EQ(Error(ErrorCode::kParseError, "bad quote").to_string(), "bad quote");
}

TEST(Error, ToStringWithPathLineColumn) {
  ErrorContext ctx;
  ctx.path = "data/x.csv";
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", ctx).to_string(), "data/x.csv: m");
  ctx.line = 12;
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", ctx).to_string(), "data/x.csv:12: m");
  ctx.column = 3;
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", ctx).to_string(), "data/x.csv:12:3: m");
}

TEST(Error, ToStringWithoutPath) {
  ErrorContext ctx;
  ctx.line = 7;
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", ctx).to_string(), "line 7: m");
  ctx.column = 2;
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", ctx).to_string(), "line 7, column 2: m");
  ErrorContext col_only;
  col_only.column = 5;  // a column without a line is not printed in front
  EXPECT_EQ(Error(ErrorCode::kParseError, "m", col_only).to_string(), "m");
}

TEST(Error, ToStringExtras) {
  ErrorContext ctx;
  ctx.column_name = "price";
  EXPECT_EQ(Error(ErrorCode::kTypeError, "not a number", ctx).to_string(), "not a number (column 'price')");
  ctx.row = 0;
  ctx.byte_offset = 1234;
  EXPECT_EQ(Error(ErrorCode::kTypeError, "not a number", ctx).to_string(),
            "not a number (column 'price', row 0, byte offset 1234)");
  ErrorContext full;
  full.path = "f.csv";
  full.line = 3;
  full.column = 9;
  full.row = 1;
  EXPECT_EQ(Error(ErrorCode::kTypeError, "x", full).to_string(), "f.csv:3:9: x (row 1)");
  ErrorContext offset_only;
  offset_only.byte_offset = 0;
  EXPECT_EQ(Error(ErrorCode::kIoError, "short read", offset_only).to_string(), "short read (byte offset 0)");
}

TEST(Error, WithPathKeepsTheMoreSpecific) {
  Error e(ErrorCode::kIoError, "gone");
  e.with_path("a.csv");
  EXPECT_EQ(e.context().path, "a.csv");
  e.with_path("b.csv");
  EXPECT_EQ(e.context().path, "a.csv");
  Error moved = Error(ErrorCode::kIoError, "gone").with_path("c.csv");
  EXPECT_EQ(moved.to_string(), "c.csv: gone");
  EXPECT_EQ(moved.code(), ErrorCode::kIoError);
  EXPECT_EQ(moved.message(), "gone");
}

TEST(Error, CodeNames) {
  std::set<std::string> names;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kCancelled); ++c) {
    const auto name = to_string(static_cast<ErrorCode>(c));
    EXPECT_FALSE(name.empty());
    names.insert(std::string(name));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(ErrorCode::kCancelled) + 1);
  EXPECT_EQ(to_string(ErrorCode::kNotFound), "not found");
}

// ------------------------------------------------------------------------------------------------
// Result, SLUICE_TRY, SLUICE_ASSIGN_OR_RETURN

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Error(ErrorCode::kParseError, std::string("not a digit: ") + c);
  return c - '0';
}

Status check_positive(int v) {
  if (v <= 0) return Error(ErrorCode::kInvalidArgument, "not positive");
  return ok_status();
}

int g_steps = 0;

Result<int> sum_digits(const std::string& s) {
  int sum = 0;
  for (char c : s) {
    SLUICE_ASSIGN_OR_RETURN(int d, parse_digit(c));
    ++g_steps;
    sum += d;
  }
  SLUICE_TRY(check_positive(sum));
  return sum;
}

Status check_all(const std::vector<int>& vs) {
  for (int v : vs) SLUICE_TRY(check_positive(v));
  SLUICE_TRY(parse_digit('4'));  // a Result forwards too
  return ok_status();
}

TEST(Result, ValueAndError) {
  Result<int> ok = 5;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(*ok, 5);
  EXPECT_EQ(ok.value(), 5);
  Result<int> bad = Error(ErrorCode::kNotFound, "nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(std::move(bad).value_or(9), 9);
  EXPECT_EQ(Result<int>(3).value_or(9), 3);
}

TEST(Result, MoveOnlyAndArrow) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->size(), 3u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "abc");
  Result<std::string> s = std::string("xyz");
  EXPECT_EQ(s->size(), 3u);
  const Result<std::string>& cs = s;
  EXPECT_EQ(cs->front(), 'x');
}

TEST(Result, Status) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(ok_status().ok());
  Status bad = Error(ErrorCode::kCancelled, "stop");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "stop");
  Error e = std::move(bad).error();
  EXPECT_EQ(e.code(), ErrorCode::kCancelled);
}

TEST(Result, TryAndAssignOrReturn) {
  g_steps = 0;
  auto r = sum_digits("123");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 6);
  EXPECT_EQ(g_steps, 3);

  g_steps = 0;
  auto bad = sum_digits("12x4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kParseError);
  EXPECT_EQ(bad.error().message(), "not a digit: x");
  EXPECT_EQ(g_steps, 2);  // returned at the first error

  auto zero = sum_digits("000");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code(), ErrorCode::kInvalidArgument);

  EXPECT_TRUE(check_all({1, 2, 3}).ok());
  EXPECT_EQ(check_all({1, -2, 3}).error().message(), "not positive");
}

// ------------------------------------------------------------------------------------------------
// Buffer and bits

TEST(Buffer, AlignedAndPadded) {
  for (std::int64_t size : {0, 1, 63, 64, 65, 1000, 4096, 100001}) {
    auto b = Buffer::allocate(size);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b->data()) % kBufferAlignment, 0u) << size;
    EXPECT_EQ(b->size(), size);
    EXPECT_GE(b->capacity(), std::max<std::int64_t>(size, 64));
    EXPECT_EQ(b->capacity() % 64, 0);
    EXPECT_TRUE(b->owned());
    for (std::int64_t i = 0; i < b->capacity(); ++i) ASSERT_EQ(b->data()[i], 0) << "byte " << i;
  }
  EXPECT_EQ(round_up_64(0), 0);
  EXPECT_EQ(round_up_64(1), 64);
  EXPECT_EQ(round_up_64(64), 64);
  EXPECT_EQ(round_up_64(65), 128);
}

TEST(Buffer, GrowKeepsContentsAndPadding) {
  auto b = Buffer::allocate(10);
  std::memcpy(b->mutable_data(), "0123456789", 10);
  b->resize(300);
  EXPECT_EQ(std::memcmp(b->data(), "0123456789", 10), 0);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b->data()) % 64, 0u);
  EXPECT_GE(b->capacity(), 300);
  EXPECT_EQ(b->capacity() % 64, 0);
  for (std::int64_t i = 10; i < b->capacity(); ++i) ASSERT_EQ(b->data()[i], 0);
  // Without zeroing the new bytes, the last 64 bytes of capacity are still zero (SIMD tails).
  auto nz = Buffer::allocate(0);
  nz->resize(1000, false);
  for (std::int64_t i = nz->capacity() - 64; i < nz->capacity(); ++i) ASSERT_EQ(nz->data()[i], 0);
  b->resize(5);
  EXPECT_EQ(b->size(), 5);
  EXPECT_GE(b->capacity(), 300);  // shrinking keeps the memory
}

TEST(Buffer, WrapBorrowsAndKeepsAlive) {
  int freed = 0;
  auto* storage = new std::vector<int>{1, 2, 3};
  {
    std::shared_ptr<const void> keeper(storage, [&freed](const void* p) {
      ++freed;
      delete static_cast<const std::vector<int>*>(p);
    });
    auto b = Buffer::wrap(storage->data(), 12, std::move(keeper));
    EXPECT_FALSE(b->owned());
    EXPECT_EQ(b->data(), reinterpret_cast<const std::uint8_t*>(storage->data()));
    EXPECT_EQ(b->size(), 12);
    EXPECT_EQ(b->data_as<int>()[2], 3);
    EXPECT_EQ(freed, 0);
  }
  EXPECT_EQ(freed, 1);
  static const char text[] = "static";
  auto s = Buffer::wrap(text, 6, nullptr);
  EXPECT_EQ(s->data()[0], 's');
}

TEST(Bits, GetSetClear) {
  std::uint8_t bits[3] = {};
  bit::set(bits, 0);
  bit::set(bits, 9);
  bit::set_to(bits, 23, true);
  EXPECT_EQ(bits[0], 0x01);
  EXPECT_EQ(bits[1], 0x02);
  EXPECT_EQ(bits[2], 0x80);
  EXPECT_TRUE(bit::get(bits, 9));
  EXPECT_FALSE(bit::get(bits, 8));
  bit::clear(bits, 9);
  bit::set_to(bits, 23, false);
  EXPECT_EQ(bits[1], 0);
  EXPECT_EQ(bits[2], 0);
  EXPECT_EQ(bit::bytes_for(0), 0);
  EXPECT_EQ(bit::bytes_for(1), 1);
  EXPECT_EQ(bit::bytes_for(8), 1);
  EXPECT_EQ(bit::bytes_for(9), 2);
  EXPECT_EQ(count_nulls(bits, 0, 24), 23);
  EXPECT_EQ(count_nulls(nullptr, 0, 24), 0);
}

// ------------------------------------------------------------------------------------------------
// Builders

TEST(ValidityBuilder, MaterialisesOnFirstNull) {
  ValidityBuilder v;
  for (int i = 0; i < 20; ++i) v.append(true);
  EXPECT_EQ(v.null_count(), 0);
  v.append_valid(5);
  EXPECT_EQ(v.length(), 25);
  BufferPtr none = v.finish();
  EXPECT_EQ(none, nullptr);  // no nulls: no bitmap at all
  EXPECT_EQ(v.length(), 0);

  for (int i = 0; i < 13; ++i) v.append(true);
  v.append(false);
  v.append_valid(30);
  v.append(false);
  EXPECT_EQ(v.null_count(), 2);
  EXPECT_EQ(v.length(), 45);
  BufferPtr bits = v.finish();
  ASSERT_NE(bits, nullptr);
  EXPECT_EQ(bits->size(), bit::bytes_for(45));
  for (int i = 0; i < 45; ++i) EXPECT_EQ(bit::get(bits->data(), i), i != 13 && i != 44) << i;
}

TEST(Builders, FixedWidth) {
  FixedWidthBuilder<std::int32_t> b(int32());
  for (int i = 0; i < 100; ++i) b.append(i * 3);
  auto a = b.finish();
  EXPECT_EQ(a->length, 100);
  EXPECT_EQ(a->null_count, 0);
  EXPECT_EQ(a->buffers.size(), 2u);
  EXPECT_EQ(a->buffers[0], nullptr);
  EXPECT_EQ(a->buffers[1]->size(), 400);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a->buffers[1]->data()) % 64, 0u);
  EXPECT_EQ(a->value<std::int32_t>(99), 297);
  EXPECT_TRUE(a->validate().ok());

  // The builder starts afresh after finish(), and a late null materialises the bitmap.
  b.append(7);
  b.append(8);
  b.append_null();
  b.append(9);
  auto c = b.finish();
  EXPECT_EQ(c->length, 4);
  EXPECT_EQ(c->null_count, 1);
  ASSERT_NE(c->buffers[0], nullptr);
  EXPECT_TRUE(c->is_valid(0));
  EXPECT_TRUE(c->is_null(2));
  EXPECT_EQ(c->value<std::int32_t>(2), 0);  // nulls are zeroed
  EXPECT_EQ(c->value<std::int32_t>(3), 9);
  EXPECT_TRUE(c->validate().ok());

  FixedWidthBuilder<double> d(float64());
  d.append(1.5);
  d.append_null();
  auto dd = d.finish();
  EXPECT_EQ(dd->value<double>(0), 1.5);
  EXPECT_TRUE(dd->is_null(1));

  FixedWidthBuilder<__int128> dec(decimal128(30, 4));
  const __int128 big = static_cast<__int128>(1) << 100;
  dec.append(-big);
  auto de = dec.finish();
  EXPECT_TRUE(de->value<__int128>(0) == -big);
  EXPECT_TRUE(de->validate().ok());
}

TEST(Builders, Boolean) {
  BooleanBuilder b;
  for (int i = 0; i < 70; ++i) {
    if (i % 7 == 0) b.append_null();
    else b.append(i % 2 == 0);
  }
  auto a = b.finish();
  EXPECT_EQ(a->length, 70);
  EXPECT_EQ(a->null_count, 10);
  EXPECT_EQ(a->buffers[1]->size(), 9);
  for (int i = 0; i < 70; ++i) {
    if (i % 7 == 0) {
      EXPECT_TRUE(a->is_null(i));
    } else {
      EXPECT_EQ(a->bool_value(i), i % 2 == 0) << i;
    }
  }
  EXPECT_TRUE(a->validate().ok());
}

TEST(Builders, StringAndBinary) {
  BinaryBuilder b;
  b.append("hello");
  b.append("");
  b.append_null();
  b.append(std::string(300, 'x'));
  b.append("end");
  auto a = b.finish();
  EXPECT_EQ(*a->type, *utf8());
  ASSERT_EQ(a->length, 5);
  EXPECT_EQ(a->null_count, 1);
  EXPECT_EQ(a->string_at(0), "hello");
  EXPECT_EQ(a->string_at(1), "");
  EXPECT_TRUE(a->is_null(2));
  EXPECT_EQ(a->string_at(2), "");  // a null takes no bytes
  EXPECT_EQ(a->string_at(3), std::string(300, 'x'));
  EXPECT_EQ(a->string_at(4), "end");
  EXPECT_EQ(a->buffers[1]->size(), 6 * 8);
  EXPECT_EQ(a->buffers[2]->size(), 308);
  EXPECT_TRUE(a->validate().ok());

  BinaryBuilder bin(binary());
  bin.append(std::string("\0\1\2", 3));
  auto ab = bin.finish();
  EXPECT_EQ(*ab->type, *binary());
  EXPECT_EQ(ab->string_at(0), std::string("\0\1\2", 3));
  // Reuse after finish.
  bin.append("z");
  EXPECT_EQ(bin.finish()->string_at(0), "z");
}

TEST(Builders, FixedSizeBinary) {
  FixedSizeBinaryBuilder b(fixed_size_binary(4));
  b.append("abcd");
  b.append_null();
  b.append("wxyz");
  auto a = b.finish();
  EXPECT_EQ(a->length, 3);
  EXPECT_EQ(a->fixed_binary_at(0), "abcd");
  EXPECT_TRUE(a->is_null(1));
  EXPECT_EQ(a->fixed_binary_at(1), std::string(4, '\0'));
  EXPECT_EQ(a->fixed_binary_at(2), "wxyz");
  EXPECT_TRUE(a->validate().ok());
}

TEST(Builders, Null) {
  NullBuilder b;
  for (int i = 0; i < 5; ++i) b.append_null();
  EXPECT_EQ(b.size(), 5);
  auto a = b.finish();
  EXPECT_EQ(a->length, 5);
  EXPECT_EQ(a->null_count, 5);
  EXPECT_TRUE(a->buffers.empty());
  EXPECT_TRUE(a->is_null(3));
  EXPECT_TRUE(a->validate().ok());
}

TEST(Builders, List) {
  ListBuilder b(list(int64()));
  auto& items = b.child_as<FixedWidthBuilder<std::int64_t>>();
  items.append(1);
  items.append(2);
  b.append_valid();  // [1, 2]
  b.append_valid();  // []
  b.append_null();   // null
  items.append(3);
  items.append_null();
  b.append_valid();  // [3, null]
  auto a = b.finish();
  ASSERT_EQ(a->length, 4);
  EXPECT_EQ(a->null_count, 1);
  EXPECT_EQ(a->list_range(0), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(a->list_range(1), (std::pair<std::int64_t, std::int64_t>{2, 2}));
  EXPECT_TRUE(a->is_null(2));
  EXPECT_EQ(a->list_range(3), (std::pair<std::int64_t, std::int64_t>{2, 4}));
  ASSERT_EQ(a->children.size(), 1u);
  EXPECT_EQ(a->children[0]->length, 4);
  EXPECT_TRUE(a->children[0]->is_null(3));
  EXPECT_TRUE(a->validate().ok());

  ListBuilder nested(list(list(utf8())));
  auto& inner = static_cast<ListBuilder&>(nested.child());
  inner.child_as<BinaryBuilder>().append("a");
  inner.append_valid();
  inner.append_null();
  nested.append_valid();  // [["a"], null]
  auto n = nested.finish();
  EXPECT_EQ(n->list_range(0), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(n->children[0]->children[0]->string_at(0), "a");
  EXPECT_TRUE(n->validate().ok());
}

TEST(Builders, ListOfNull) {
  // The list reads its child's length() for offsets; a NullBuilder must report it too.
  ListBuilder b(list(null_type()));
  b.child().append_null();
  b.child().append_null();
  b.append_valid();
  b.child().append_null();
  b.append_valid();
  auto a = b.finish();
  EXPECT_EQ(a->list_range(0), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(a->list_range(1), (std::pair<std::int64_t, std::int64_t>{2, 3}));
  EXPECT_EQ(a->children[0]->length, 3);
  EXPECT_TRUE(a->children[0]->buffers.empty());
  EXPECT_TRUE(a->validate().ok());
  // And it starts afresh after finish().
  NullBuilder n;
  n.append_null();
  n.finish();
  EXPECT_EQ(n.length(), 0);
  n.append_null();
  EXPECT_EQ(n.length(), 1);
}

TEST(Builders, Struct) {
  StructBuilder b(struct_({{"a", int32(), true}, {"b", utf8(), true}}));
  EXPECT_EQ(b.num_children(), 2u);
  b.child_as<FixedWidthBuilder<std::int32_t>>(0).append(1);
  b.child_as<BinaryBuilder>(1).append("x");
  b.append_valid();
  b.append_null();  // appends nulls to the children too
  b.child_as<FixedWidthBuilder<std::int32_t>>(0).append_null();
  b.child_as<BinaryBuilder>(1).append("z");
  b.append_valid();
  auto a = b.finish();
  ASSERT_EQ(a->length, 3);
  EXPECT_EQ(a->null_count, 1);
  EXPECT_EQ(a->buffers.size(), 1u);
  ASSERT_EQ(a->children.size(), 2u);
  EXPECT_EQ(a->children[0]->length, 3);
  EXPECT_TRUE(a->children[0]->is_null(1));
  EXPECT_TRUE(a->children[1]->is_null(1));
  EXPECT_TRUE(a->children[0]->is_null(2));
  EXPECT_EQ(a->children[1]->string_at(2), "z");
  EXPECT_TRUE(a->validate().ok());
}

TEST(Builders, Map) {
  MapBuilder b(map(utf8(), int64()));
  b.keys_as<BinaryBuilder>().append("a");
  b.values_as<FixedWidthBuilder<std::int64_t>>().append(1);
  b.keys_as<BinaryBuilder>().append("b");
  b.values_as<FixedWidthBuilder<std::int64_t>>().append_null();
  b.append_valid();  // {a: 1, b: null}
  b.append_null();   // null
  b.append_valid();  // {}
  auto a = b.finish();
  ASSERT_EQ(a->length, 3);
  EXPECT_EQ(a->null_count, 1);
  EXPECT_EQ(a->buffers[1]->size(), 4 * 4);  // int32 offsets
  EXPECT_EQ(a->map_range(0), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(a->map_range(2), (std::pair<std::int64_t, std::int64_t>{2, 2}));
  const ArrayData& entries = *a->children[0];
  EXPECT_EQ(entries.length, 2);
  EXPECT_EQ(entries.null_count, 0);
  EXPECT_EQ(entries.children[0]->string_at(1), "b");
  EXPECT_TRUE(entries.children[1]->is_null(1));
  EXPECT_TRUE(a->validate().ok());
}

TEST(Builders, MakeBuilderForEveryType) {
  const std::vector<TypePtr> types = {
      null_type(), boolean(), int8(), int16(), int32(), int64(), uint8(), uint16(), uint32(), uint64(),
      float16(), float32(), float64(), decimal128(10, 2), date32(), time_type(TimeUnit::kSecond),
      time_type(TimeUnit::kNano), timestamp(TimeUnit::kMilli, "UTC"), duration(TimeUnit::kMicro), utf8(), binary(),
      fixed_size_binary(3), list(int8()), struct_({{"a", int8(), true}}), map(int32(), utf8())};
  for (const auto& t : types) {
    auto b = make_builder(t);
    ASSERT_NE(b, nullptr) << t->to_string();
    EXPECT_EQ(*b->type(), *t);
    b->append_null();
    b->append_null();
    EXPECT_EQ(b->length(), 2) << t->to_string();
    auto a = b->finish();
    EXPECT_EQ(a->length, 2) << t->to_string();
    EXPECT_EQ(a->null_count, 2) << t->to_string();
    EXPECT_TRUE(a->validate().ok()) << t->to_string() << ": " << a->validate().error().to_string();
    const int w = t->value_width();
    if (w > 0) {
      EXPECT_EQ(a->buffers[1]->size(), 2 * w) << t->to_string();
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Slicing and validation

ArrayPtr ints_with_nulls(int n) {
  FixedWidthBuilder<std::int32_t> b(int32());
  for (int i = 0; i < n; ++i) {
    if (i % 3 == 0) b.append_null();
    else b.append(i);
  }
  return b.finish();
}

TEST(Slice, FixedWidth) {
  auto a = ints_with_nulls(30);
  auto s = a->slice(4, 10);  // rows 4..13, nulls at 6, 9, 12
  EXPECT_EQ(s->offset, 4);
  EXPECT_EQ(s->length, 10);
  EXPECT_EQ(s->null_count, 3);
  EXPECT_EQ(s->value<std::int32_t>(0), 4);
  EXPECT_TRUE(s->is_null(2));
  EXPECT_EQ(s->buffers[1], a->buffers[1]);  // shares memory
  EXPECT_TRUE(s->validate().ok());
  auto ss = s->slice(3, 4);  // rows 7..10
  EXPECT_EQ(ss->offset, 7);
  EXPECT_EQ(ss->value<std::int32_t>(0), 7);
  EXPECT_EQ(ss->null_count, 1);
  EXPECT_TRUE(arrays_equal(*ss, *a->slice(7, 4)));
  EXPECT_TRUE(ss->validate().ok());
}

TEST(Slice, StringsStructsNulls) {
  BinaryBuilder b;
  for (const char* s : {"a", "bb", "ccc", "dddd"}) b.append(s);
  auto s = b.finish()->slice(1, 2);
  EXPECT_EQ(s->string_at(0), "bb");
  EXPECT_EQ(s->string_at(1), "ccc");
  EXPECT_TRUE(s->validate().ok());

  StructBuilder sb(struct_({{"v", int32(), true}}));
  for (int i = 0; i < 6; ++i) {
    if (i == 4) {
      sb.append_null();
      continue;
    }
    sb.child_as<FixedWidthBuilder<std::int32_t>>(0).append(i);
    sb.append_valid();
  }
  auto st = sb.finish()->slice(2, 3);
  EXPECT_EQ(st->null_count, 1);
  EXPECT_EQ(st->children[0]->offset, 2);  // children are sliced with the struct
  EXPECT_EQ(st->children[0]->value<std::int32_t>(0), 2);
  EXPECT_TRUE(st->is_null(2));
  EXPECT_TRUE(st->validate().ok());

  NullBuilder nb;
  for (int i = 0; i < 9; ++i) nb.append_null();
  auto ns = nb.finish()->slice(2, 5);
  EXPECT_EQ(ns->null_count, 5);
  EXPECT_TRUE(ns->validate().ok());
}

ArrayPtr strings(std::vector<std::int64_t> offsets, std::string data) {
  auto a = std::make_shared<ArrayData>();
  a->type = utf8();
  a->length = static_cast<std::int64_t>(offsets.size()) - 1;
  auto ob = Buffer::allocate(static_cast<std::int64_t>(offsets.size() * 8));
  std::memcpy(ob->mutable_data(), offsets.data(), offsets.size() * 8);
  auto db = Buffer::allocate(static_cast<std::int64_t>(data.size()));
  std::memcpy(db->mutable_data(), data.data(), data.size());
  a->buffers = {nullptr, ob, db};
  return a;
}

TEST(Validate, CatchesBadOffsets) {
  EXPECT_TRUE(strings({0, 1, 3}, "abc")->validate().ok());
  EXPECT_FALSE(strings({0, 3, 1}, "abc")->validate().ok());  // not monotonic
  EXPECT_FALSE(strings({0, 1, 4}, "abc")->validate().ok());  // beyond the data
  EXPECT_FALSE(strings({-1, 1, 2}, "abc")->validate().ok());  // negative
  auto a = strings({0, 1, 3}, "abc");
  a->length = 3;  // offsets buffer too small for the length
  EXPECT_FALSE(a->validate().ok());
  // Only the range of the slice is checked.
  auto sliced = strings({5, 0, 1, 3}, "abc")->slice(1, 2);
  EXPECT_TRUE(sliced->validate().ok());

  ListBuilder lb(list(int32()));
  lb.child_as<FixedWidthBuilder<std::int32_t>>().append(1);
  lb.append_valid();
  auto l = lb.finish();
  EXPECT_TRUE(l->validate().ok());
  l->buffers[1]->mutable_data_as<std::int64_t>()[1] = 2;  // beyond the child's length
  EXPECT_FALSE(l->validate().ok());
  l->children.clear();
  EXPECT_FALSE(l->validate().ok());

  MapBuilder mb(map(int32(), int32()));
  mb.append_valid();
  auto m = mb.finish();
  EXPECT_TRUE(m->validate().ok());
  m->buffers[1]->mutable_data_as<std::int32_t>()[1] = -1;
  EXPECT_FALSE(m->validate().ok());
}

TEST(Validate, CatchesBadCountsAndSizes) {
  auto a = ints_with_nulls(10);
  EXPECT_TRUE(a->validate().ok());
  a->null_count = 3;  // the bitmap says 4
  EXPECT_FALSE(a->validate().ok());
  a->null_count = 4;
  a->buffers[0] = nullptr;  // nulls without a bitmap
  EXPECT_FALSE(a->validate().ok());

  auto b = ints_with_nulls(10);
  b->length = 20;  // values buffer too small
  EXPECT_FALSE(b->validate().ok());
  b->length = -1;
  EXPECT_FALSE(b->validate().ok());
  b->length = 10;
  b->type = nullptr;
  EXPECT_FALSE(b->validate().ok());

  auto n = std::make_shared<ArrayData>();
  n->type = null_type();
  n->length = 3;
  n->null_count = 0;  // a null array is all nulls
  EXPECT_FALSE(n->validate().ok());

  StructBuilder sb(struct_({{"a", int32(), true}, {"b", int32(), true}}));
  sb.append_null();
  auto st = sb.finish();
  EXPECT_TRUE(st->validate().ok());
  st->children.pop_back();
  EXPECT_FALSE(st->validate().ok());
  auto st2 = StructBuilder(struct_({{"a", int32(), true}})).finish();
  st2->length = 1;  // child shorter than the struct
  EXPECT_FALSE(st2->validate().ok());

  auto bools = BooleanBuilder().finish();
  bools->length = 9;
  EXPECT_FALSE(bools->validate().ok());
}

TEST(BatchTest, ValidateAndSlice) {
  auto schema = std::make_shared<Schema>(Schema{{{"a", int32(), true}, {"b", utf8(), true}}, {}});
  BinaryBuilder sb;
  for (int i = 0; i < 10; ++i) sb.append(std::to_string(i));
  Batch batch{schema, {ints_with_nulls(10), sb.finish()}, 10};
  EXPECT_TRUE(batch.validate().ok());
  EXPECT_EQ(batch.num_columns(), 2u);
  Batch s = batch.slice(3, 4);
  EXPECT_EQ(s.num_rows, 4);
  EXPECT_EQ(s.column(1).string_at(0), "3");
  EXPECT_TRUE(s.validate().ok());
  EXPECT_TRUE(batches_equal(s, batch.slice(3, 4)));
  EXPECT_FALSE(batches_equal(s, batch.slice(2, 4)));

  Batch wrong_rows = batch;
  wrong_rows.num_rows = 9;
  EXPECT_FALSE(wrong_rows.validate().ok());
  Batch wrong_type = batch;
  wrong_type.columns[0] = sb.finish();
  EXPECT_FALSE(wrong_type.validate().ok());
  Batch missing = batch;
  missing.columns.pop_back();
  EXPECT_FALSE(missing.validate().ok());
}

TEST(Compare, FindsDifferences) {
  auto a = ints_with_nulls(10);
  auto b = ints_with_nulls(10);
  EXPECT_TRUE(arrays_equal(*a, *b));
  b->buffers[1]->mutable_data_as<std::int32_t>()[0] = 99;  // under a null: still equal
  EXPECT_TRUE(arrays_equal(*a, *b));
  b->buffers[1]->mutable_data_as<std::int32_t>()[1] = 99;
  EXPECT_EQ(first_difference(*a, *b), "row 1 differs");
  EXPECT_NE(first_difference(*a, *a->slice(0, 9)), "");
  EXPECT_NE(first_difference(*a, *strings({0, 1}, "x")), "");

  FixedWidthBuilder<double> f1(float64()), f2(float64());
  f1.append(std::nan(""));
  f2.append(std::nan(""));
  EXPECT_TRUE(arrays_equal(*f1.finish(), *f2.finish()));  // NaN equals NaN here

  // Same values, different physical layout (offset, absent vs present bitmap).
  FixedWidthBuilder<std::int32_t> p(int32());
  p.append_null();
  for (int i = 1; i <= 3; ++i) p.append(i);
  FixedWidthBuilder<std::int32_t> q(int32());
  for (int i = 1; i <= 3; ++i) q.append(i);
  EXPECT_TRUE(arrays_equal(*p.finish()->slice(1, 3), *q.finish()));
}

// ------------------------------------------------------------------------------------------------
// Types

TEST(Types, ToStringAndWidths) {
  EXPECT_EQ(list(list(utf8()))->to_string(), "list<list<string>>");
  EXPECT_EQ(struct_({{"a", int64(), true}, {"b", utf8(), true}})->to_string(), "struct<a: int64, b: string>");
  EXPECT_EQ(map(utf8(), int64())->to_string(), "map<string, int64>");
  EXPECT_EQ(timestamp(TimeUnit::kMicro, "UTC")->to_string(), "timestamp[us, tz=UTC]");
  EXPECT_EQ(decimal128(10, 2)->to_string(), "decimal128(10, 2)");
  EXPECT_EQ(time_type(TimeUnit::kMilli)->value_width(), 4);
  EXPECT_EQ(time_type(TimeUnit::kMicro)->value_width(), 8);
  EXPECT_EQ(decimal128(10, 2)->value_width(), 16);
  EXPECT_EQ(fixed_size_binary(5)->value_width(), 5);
  EXPECT_EQ(boolean()->value_width(), 0);
  EXPECT_EQ(utf8()->value_width(), 0);
  EXPECT_TRUE(int8()->is_signed_integer());
  EXPECT_FALSE(uint8()->is_signed_integer());
  EXPECT_TRUE(float16()->is_floating());
  EXPECT_TRUE(decimal128(3, 1)->is_numeric());
  EXPECT_TRUE(map(int8(), int8())->is_nested());
  EXPECT_TRUE(binary()->is_binary_like());
  EXPECT_EQ(units_per_second(TimeUnit::kNano), 1000000000);
}

TEST(Types, EqualityAndSchema) {
  EXPECT_EQ(*list(int32()), *list(int32()));
  EXPECT_FALSE(*list(int32()) == *list(int64()));
  EXPECT_FALSE(*timestamp(TimeUnit::kMicro) == *timestamp(TimeUnit::kMicro, "UTC"));
  EXPECT_FALSE(*map(int8(), int8()) == *map(int8(), int8(), true));
  EXPECT_FALSE((Field{"a", int8(), true} == Field{"a", int8(), false}));
  Schema s{{{"x", int32(), true}, {"y", utf8(), false}, {"x", int64(), true}}, {}};
  EXPECT_EQ(s.find("x"), 0);
  EXPECT_EQ(s.find("y"), 1);
  EXPECT_EQ(s.find("z"), -1);
  EXPECT_EQ(s.to_string(), "x: int32\ny: string not null\nx: int64\n");
}

TEST(Types, ParseTypeNameAliases) {
  const std::vector<std::pair<std::string, TypePtr>> cases = {
      {"bool", boolean()}, {"BOOLEAN", boolean()}, {"int", int32()}, {"Integer", int32()}, {"bigint", int64()},
      {"long", int64()}, {"tinyint", int8()}, {"smallint", int16()}, {"utinyint", uint8()},
      {"ubigint", uint64()}, {"double", float64()}, {"float", float32()}, {"real", float32()},
      {"varchar", utf8()}, {"TEXT", utf8()}, {"blob", binary()}, {"date", date32()},
      {"timestamp", timestamp(TimeUnit::kMicro)}, {"datetime", timestamp(TimeUnit::kMicro)},
      {"timestamptz", timestamp(TimeUnit::kMicro, "UTC")},
      {"timestamp with time zone", timestamp(TimeUnit::kMicro, "UTC")}, {"time", time_type(TimeUnit::kMicro)},
      {"decimal(10,2)", decimal128(10, 2)}, {"DECIMAL(38, 0)", decimal128(38, 0)},
      {"halffloat", float16()}, {"ENUM", with_extension(utf8(), Extension::kEnum)},
      {"Geometry", geometry_type()}, {"geography(EPSG:4326)", geography_type("EPSG:4326")},
  };
  for (const auto& [name, type] : cases) {
    auto t = parse_type_name(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(*t, *type) << name;
  }
  for (const char* bad : {"", "int128", "list<int32>", "decimal", "decimal(0,0)", "decimal(39,1)", "decimal(5,6)",
                          "time[xs]", "duration[]", "timestamp[us, zone=UTC]", "fixed_size_binary[x]",
                          "fixed_size_binary[99999999999]"})
    EXPECT_EQ(parse_type_name(bad), nullptr) << bad;
}

TEST(Types, ParseTypeNameReadsEveryNonNestedToString) {
  const std::vector<TypePtr> types = {
      null_type(), boolean(), int8(), int16(), int32(), int64(), uint8(), uint16(), uint32(), uint64(), float16(),
      float32(), float64(), decimal128(10, 2), decimal128(38, 38), date32(), time_type(TimeUnit::kSecond),
      time_type(TimeUnit::kMilli), time_type(TimeUnit::kMicro), time_type(TimeUnit::kNano),
      timestamp(TimeUnit::kSecond), timestamp(TimeUnit::kMilli), timestamp(TimeUnit::kMicro),
      timestamp(TimeUnit::kNano), timestamp(TimeUnit::kMicro, "UTC"), timestamp(TimeUnit::kNano, "UTC"),
      timestamp(TimeUnit::kMilli, "America/New_York"), duration(TimeUnit::kSecond), duration(TimeUnit::kNano),
      utf8(), binary(), fixed_size_binary(1), fixed_size_binary(16), uuid_type(), json_type(),
      with_extension(utf8(), Extension::kEnum), geometry_type(), geometry_type("EPSG:4326"),
      geometry_type("srid:900913"), geography_type(), geography_type("OGC:CRS84", Edges::kKarney),
      geography_type({}, Edges::kVincenty)};
  for (const auto& t : types) {
    auto back = parse_type_name(t->to_string());
    ASSERT_NE(back, nullptr) << t->to_string();
    EXPECT_EQ(*back, *t) << t->to_string();
  }
}

// ------------------------------------------------------------------------------------------------
// Calendar

TEST(Temporal, KnownDates) {
  using temporal::days_from_civil;
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2000, 2, 29), 11016);
  EXPECT_EQ(days_from_civil(2024, 2, 29), 19782);
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);  // 1900 is not leap
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // 2000 is
  EXPECT_EQ(days_from_civil(0, 1, 1), -719528);
  EXPECT_EQ(days_from_civil(1, 1, 1) - days_from_civil(0, 1, 1), 366);  // year 0 is leap
  EXPECT_EQ(days_from_civil(-1, 1, 1) - days_from_civil(-1, 12, 31), -364);
  static_assert(temporal::days_from_civil(1970, 1, 2) == 1);
  static_assert(temporal::civil_from_days(-1).year == 1969);
}

TEST(Temporal, LeapYears) {
  EXPECT_TRUE(temporal::is_leap(2000));
  EXPECT_TRUE(temporal::is_leap(2024));
  EXPECT_TRUE(temporal::is_leap(0));
  EXPECT_TRUE(temporal::is_leap(-4));
  EXPECT_TRUE(temporal::is_leap(-400));
  EXPECT_FALSE(temporal::is_leap(1900));
  EXPECT_FALSE(temporal::is_leap(2023));
  EXPECT_FALSE(temporal::is_leap(-100));
  EXPECT_EQ(temporal::days_in_month(2024, 2), 29u);
  EXPECT_EQ(temporal::days_in_month(2023, 2), 28u);
  EXPECT_EQ(temporal::days_in_month(2023, 12), 31u);
  EXPECT_EQ(temporal::days_in_month(2023, 4), 30u);
}

TEST(Temporal, CivilRoundTripEveryDay) {
  // Every day from year -2000 to 3000: consecutive, and back to the same date.
  std::int64_t expected = temporal::days_from_civil(-2000, 1, 1);
  for (std::int64_t y = -2000; y <= 3000; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 1; d <= temporal::days_in_month(y, m); ++d) {
        const std::int64_t days = temporal::days_from_civil(y, m, d);
        ASSERT_EQ(days, expected) << y << "-" << m << "-" << d;
        const auto c = temporal::civil_from_days(days);
        ASSERT_EQ(c.year, y);
        ASSERT_EQ(c.month, m);
        ASSERT_EQ(c.day, d);
        ++expected;
      }
    }
  }
}

TEST(Temporal, CivilRoundTripWideRange) {
  // The whole int32 day range (date32) in coarse steps, plus its ends.
  for (std::int64_t days = INT32_MIN; days <= INT32_MAX; days += 65537) {
    const auto c = temporal::civil_from_days(days);
    ASSERT_GE(c.month, 1u);
    ASSERT_LE(c.month, 12u);
    ASSERT_GE(c.day, 1u);
    ASSERT_LE(c.day, temporal::days_in_month(c.year, c.month));
    ASSERT_EQ(temporal::days_from_civil(c.year, c.month, c.day), days);
  }
  for (std::int64_t days : {static_cast<std::int64_t>(INT32_MIN), static_cast<std::int64_t>(INT32_MAX)}) {
    const auto c = temporal::civil_from_days(days);
    EXPECT_EQ(temporal::days_from_civil(c.year, c.month, c.day), days);
  }
}

TEST(Temporal, FastCivilAgreesForYearsZeroTo9999) {
  // format_date's 32-bit path against the general one, every day it covers, and the days around it.
  for (std::int32_t days = -719468; days <= 2932896; ++days) {
    const auto fast = temporal::civil_from_days_0_9999(days);
    const auto slow = temporal::civil_from_days(days);
    ASSERT_EQ(fast.year, slow.year) << days;
    ASSERT_EQ(fast.month, slow.month) << days;
    ASSERT_EQ(fast.day, slow.day) << days;
  }
  char buf[32];
  EXPECT_EQ(std::string(buf, temporal::format_date(buf, -719468)), "0000-03-01");
  EXPECT_EQ(std::string(buf, temporal::format_date(buf, -719469)), "0000-02-29");
  EXPECT_EQ(std::string(buf, temporal::format_date(buf, 2932896)), "9999-12-31");
  EXPECT_EQ(std::string(buf, temporal::format_date(buf, 2932897)), "10000-01-01");
  EXPECT_EQ(std::string(buf, temporal::format_date(buf, -719529)), "-0001-12-31");
}

std::string fmt_date(std::int32_t days) {
  char buf[32];
  return std::string(buf, temporal::format_date(buf, days));
}

std::string fmt_ts(std::int64_t v, TimeUnit unit, bool utc = false) {
  char buf[64];
  return std::string(buf, temporal::format_timestamp(buf, v, unit, utc));
}

TEST(Temporal, FormatDate) {
  EXPECT_EQ(fmt_date(0), "1970-01-01");
  EXPECT_EQ(fmt_date(-1), "1969-12-31");
  EXPECT_EQ(fmt_date(11016), "2000-02-29");
  EXPECT_EQ(fmt_date(static_cast<std::int32_t>(temporal::days_from_civil(1, 1, 1))), "0001-01-01");
  EXPECT_EQ(fmt_date(static_cast<std::int32_t>(temporal::days_from_civil(0, 12, 31))), "0000-12-31");
  EXPECT_EQ(fmt_date(static_cast<std::int32_t>(temporal::days_from_civil(-1, 3, 4))), "-0001-03-04");
  EXPECT_EQ(fmt_date(static_cast<std::int32_t>(temporal::days_from_civil(10000, 1, 1))), "10000-01-01");
  EXPECT_EQ(fmt_date(static_cast<std::int32_t>(temporal::days_from_civil(-12345, 6, 7))), "-12345-06-07");
  EXPECT_EQ(fmt_date(INT32_MAX), "5881580-07-11");
  EXPECT_EQ(fmt_date(INT32_MIN), "-5877641-06-23");
}

TEST(Temporal, FormatTimestamp) {
  EXPECT_EQ(fmt_ts(0, TimeUnit::kMicro), "1970-01-01 00:00:00");
  EXPECT_EQ(fmt_ts(0, TimeUnit::kMicro, true), "1970-01-01 00:00:00+00");
  EXPECT_EQ(fmt_ts(1500, TimeUnit::kMilli), "1970-01-01 00:00:01.5");
  EXPECT_EQ(fmt_ts(1234567, TimeUnit::kMicro), "1970-01-01 00:00:01.234567");
  EXPECT_EQ(fmt_ts(-1, TimeUnit::kMicro), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(fmt_ts(-86400, TimeUnit::kSecond), "1969-12-31 00:00:00");
  EXPECT_EQ(fmt_ts(951782400, TimeUnit::kSecond), "2000-02-29 00:00:00");
  EXPECT_EQ(fmt_ts(1700000000123456789, TimeUnit::kNano, true), "2023-11-14 22:13:20.123456789+00");
  EXPECT_EQ(fmt_ts(1700000000100000000, TimeUnit::kNano), "2023-11-14 22:13:20.1");
  EXPECT_EQ(fmt_ts(INT64_MIN / 1000 * 1000, TimeUnit::kNano), "1677-09-21 00:12:43.145225");
  EXPECT_EQ(fmt_ts(INT64_MIN, TimeUnit::kNano), "1677-09-21 00:12:43.145224192");
  EXPECT_EQ(fmt_ts(INT64_MAX, TimeUnit::kNano), "2262-04-11 23:47:16.854775807");
  char buf[32];
  EXPECT_EQ(std::string(buf, temporal::format_time_of_day(buf, 3723004, TimeUnit::kMilli)), "01:02:03.004");
  EXPECT_EQ(std::string(buf, temporal::format_time_of_day(buf, 86399, TimeUnit::kSecond)), "23:59:59");
}

}  // namespace
}  // namespace sluice
