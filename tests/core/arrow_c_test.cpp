// Arrow C Data Interface: export/import round trips for every type, release semantics, and
// hand-made foreign arrays (32-bit offsets, offsets, malformed input).
#include "sluice/core/arrow_c.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sluice/core/builder.hpp"
#include "sluice/core/compare.hpp"

namespace sluice {
namespace {

// ------------------------------------------------------------------------------------------------
// Random data of any type, through the builders.

class Gen {
 public:
  Gen(std::uint64_t seed, double null_rate) : rng_(seed), null_rate_(null_rate) {}

  ArrayPtr make(const TypePtr& type, std::int64_t n) {
    auto b = make_builder(type);
    const Field f{"x", type, true};
    for (std::int64_t i = 0; i < n; ++i) append(*b, f);
    return b->finish();
  }

  void append(ArrayBuilder& b, const Field& f) {
    const DataType& t = *f.type;
    if (t.id == TypeId::kNull || (f.nullable && coin() < null_rate_)) {
      b.append_null();
      return;
    }
    switch (t.id) {
      case TypeId::kNull: break;
      case TypeId::kBool: static_cast<BooleanBuilder&>(b).append((rng_() & 1) != 0); break;
      case TypeId::kInt8: fw<std::int8_t>(b).append(static_cast<std::int8_t>(rng_())); break;
      case TypeId::kInt16: fw<std::int16_t>(b).append(static_cast<std::int16_t>(rng_())); break;
      case TypeId::kInt32: fw<std::int32_t>(b).append(static_cast<std::int32_t>(rng_())); break;
      case TypeId::kInt64: fw<std::int64_t>(b).append(static_cast<std::int64_t>(rng_())); break;
      case TypeId::kUInt8: fw<std::uint8_t>(b).append(static_cast<std::uint8_t>(rng_())); break;
      case TypeId::kUInt16:
      case TypeId::kFloat16: fw<std::uint16_t>(b).append(static_cast<std::uint16_t>(rng_())); break;
      case TypeId::kUInt32: fw<std::uint32_t>(b).append(static_cast<std::uint32_t>(rng_())); break;
      case TypeId::kUInt64: fw<std::uint64_t>(b).append(rng_()); break;
      case TypeId::kFloat32: fw<float>(b).append(static_cast<float>(coin() * 1e6 - 5e5)); break;
      case TypeId::kFloat64: fw<double>(b).append(coin() * 1e12 - 5e11); break;
      case TypeId::kDecimal128: {
        const auto hi = static_cast<__int128>(static_cast<std::int64_t>(rng_()));
        fw<__int128>(b).append(hi * (static_cast<__int128>(1) << 64) + static_cast<__int128>(rng_()));
        break;
      }
      case TypeId::kDate32: fw<std::int32_t>(b).append(static_cast<std::int32_t>(rng_() % 2000000) - 1000000); break;
      case TypeId::kTime: {
        const auto per_day = 86400 * units_per_second(t.unit);
        const auto v = static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(per_day));
        if (t.value_width() == 4) fw<std::int32_t>(b).append(static_cast<std::int32_t>(v));
        else fw<std::int64_t>(b).append(v);
        break;
      }
      case TypeId::kTimestamp:
      case TypeId::kDuration: fw<std::int64_t>(b).append(static_cast<std::int64_t>(rng_())); break;
      case TypeId::kString:
      case TypeId::kBinary: static_cast<BinaryBuilder&>(b).append(random_bytes(rng_() % 13, t.id == TypeId::kString)); break;
      case TypeId::kFixedSizeBinary:
        static_cast<FixedSizeBinaryBuilder&>(b).append(random_bytes(static_cast<std::size_t>(t.byte_width), false));
        break;
      case TypeId::kList: {
        auto& lb = static_cast<ListBuilder&>(b);
        const auto k = rng_() % 4;
        for (std::uint64_t i = 0; i < k; ++i) append(lb.child(), t.children[0]);
        lb.append_valid();
        break;
      }
      case TypeId::kStruct: {
        auto& sb = static_cast<StructBuilder&>(b);
        for (std::size_t c = 0; c < t.children.size(); ++c) append(sb.child(c), t.children[c]);
        sb.append_valid();
        break;
      }
      case TypeId::kMap: {
        auto& mb = static_cast<MapBuilder&>(b);
        const auto& entries = t.children[0].type->children;
        const auto k = rng_() % 4;
        for (std::uint64_t i = 0; i < k; ++i) {
          append(mb.keys(), entries[0]);
          append(mb.values(), entries[1]);
        }
        mb.append_valid();
        break;
      }
    }
  }

 private:
  template <class T>
  static FixedWidthBuilder<T>& fw(ArrayBuilder& b) {
    return static_cast<FixedWidthBuilder<T>&>(b);
  }
  double coin() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::string random_bytes(std::size_t n, bool text) {
    std::string s(n, '\0');
    for (auto& c : s) c = text ? static_cast<char>('a' + rng_() % 26) : static_cast<char>(rng_());
    return s;
  }

  std::mt19937_64 rng_;
  double null_rate_;
};

// ------------------------------------------------------------------------------------------------
// Round-trip helpers.

Result<ArrayPtr> via_schema(const ArrayPtr& a, bool nullable = true) {
  ArrowSchema schema;
  ArrowArray array;
  SLUICE_TRY(export_type(Field{"col", a->type, nullable}, &schema));
  Status st = export_array(a, &array);
  if (!st.ok()) {
    schema.release(&schema);
    return std::move(st).error();
  }
  auto out = import_array(&array, &schema);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(schema.release, nullptr);
  return out;
}

Result<ArrayPtr> via_type(const ArrayPtr& a) {
  ArrowArray array;
  SLUICE_TRY(export_array(a, &array));
  return import_array(&array, a->type);
}

void expect_round_trip(const ArrayPtr& a) {
  ASSERT_TRUE(a->validate().ok()) << a->validate().error().to_string();
  for (int how = 0; how < 2; ++how) {
    auto back = how == 0 ? via_schema(a) : via_type(a);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(back.value()->validate().ok());
    EXPECT_EQ(first_difference(*a, *back.value()), "") << (how == 0 ? "via schema" : "via type");
    EXPECT_EQ(back.value()->null_count, a->null_count);
  }
}

struct TypeCase {
  std::string name;
  TypePtr type;
};

std::vector<TypeCase> all_types() {
  auto entries = [](TypePtr k, TypePtr v) { return map(std::move(k), std::move(v)); };
  return {
      {"null", null_type()},
      {"bool", boolean()},
      {"int8", int8()},
      {"int16", int16()},
      {"int32", int32()},
      {"int64", int64()},
      {"uint8", uint8()},
      {"uint16", uint16()},
      {"uint32", uint32()},
      {"uint64", uint64()},
      {"float16", float16()},
      {"float32", float32()},
      {"float64", float64()},
      {"decimal_38_10", decimal128(38, 10)},
      {"decimal_5_2", decimal128(5, 2)},
      {"date32", date32()},
      {"time_s", time_type(TimeUnit::kSecond)},
      {"time_ms", time_type(TimeUnit::kMilli)},
      {"time_us", time_type(TimeUnit::kMicro)},
      {"time_ns", time_type(TimeUnit::kNano)},
      {"timestamp_s", timestamp(TimeUnit::kSecond)},
      {"timestamp_ms", timestamp(TimeUnit::kMilli)},
      {"timestamp_us", timestamp(TimeUnit::kMicro)},
      {"timestamp_ns", timestamp(TimeUnit::kNano)},
      {"timestamp_us_utc", timestamp(TimeUnit::kMicro, "UTC")},
      {"timestamp_ns_new_york", timestamp(TimeUnit::kNano, "America/New_York")},
      {"timestamp_s_offset", timestamp(TimeUnit::kSecond, "+05:30")},
      {"duration_s", duration(TimeUnit::kSecond)},
      {"duration_ms", duration(TimeUnit::kMilli)},
      {"duration_us", duration(TimeUnit::kMicro)},
      {"duration_ns", duration(TimeUnit::kNano)},
      {"string", utf8()},
      {"binary", binary()},
      {"fixed_size_binary_7", fixed_size_binary(7)},
      {"fixed_size_binary_16", fixed_size_binary(16)},
      {"list_int32", list(int32())},
      {"list_null", list(null_type())},
      {"list_list_string", list(list(utf8()))},
      {"list_not_null_item", list(Field{"element", int64(), false})},
      {"struct_int64_string_list_double",
       struct_({{"a", int64(), true}, {"b", utf8(), true}, {"c", list(float64()), true}})},
      {"struct_not_null_children", struct_({{"a", int32(), false}, {"b", boolean(), false}})},
      {"struct_empty", struct_({})},
      {"map_string_int64", entries(utf8(), int64())},
      {"map_sorted_int32_string", map(int32(), utf8(), true)},
      {"map_string_list_string", entries(utf8(), list(utf8()))},
      {"struct_with_map", struct_({{"id", int32(), false}, {"tags", entries(utf8(), int64()), true}})},
      {"list_struct", list(struct_({{"x", float32(), true}, {"y", binary(), true}}))},
      {"struct_struct", struct_({{"inner", struct_({{"d", date32(), true}, {"s", utf8(), true}}), true},
                                 {"t", timestamp(TimeUnit::kMilli, "UTC"), true}})},
      {"map_in_list", list(entries(int64(), struct_({{"v", utf8(), true}})))},
  };
}

class RoundTrip : public ::testing::TestWithParam<TypeCase> {};

TEST_P(RoundTrip, NoNulls) {
  Gen gen(1, 0.0);
  expect_round_trip(gen.make(GetParam().type, 157));
}

TEST_P(RoundTrip, WithNulls) {
  Gen gen(2, 0.3);
  auto a = gen.make(GetParam().type, 157);
  if (GetParam().type->id != TypeId::kNull) {
    ASSERT_GT(a->null_count, 0);
  }
  expect_round_trip(a);
}

TEST_P(RoundTrip, AllNulls) {
  Gen gen(3, 1.0);
  auto a = gen.make(GetParam().type, 70);
  EXPECT_EQ(a->null_count, 70);
  expect_round_trip(a);
}

TEST_P(RoundTrip, Sliced) {
  Gen gen(4, 0.25);
  auto a = gen.make(GetParam().type, 200);
  for (auto [start, len] : {std::pair<int, int>{37, 101}, {64, 50}, {1, 0}, {199, 1}, {0, 200}}) {
    SCOPED_TRACE("slice(" + std::to_string(start) + ", " + std::to_string(len) + ")");
    expect_round_trip(a->slice(start, len));
  }
  // A slice of a slice.
  expect_round_trip(a->slice(13, 150)->slice(9, 77));
}

TEST_P(RoundTrip, Empty) {
  Gen gen(5, 0.25);
  expect_round_trip(gen.make(GetParam().type, 0));
  expect_round_trip(gen.make(GetParam().type, 20)->slice(20, 0));
}

TEST_P(RoundTrip, TypeAndField) {
  for (bool nullable : {true, false}) {
    Field f{"field name", GetParam().type, nullable};
    ArrowSchema schema;
    ASSERT_TRUE(export_type(f, &schema).ok());
    EXPECT_EQ((schema.flags & ARROW_FLAG_NULLABLE) != 0, nullable);
    EXPECT_STREQ(schema.name, "field name");
    auto back = import_field(&schema);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(schema.release, nullptr);
    EXPECT_EQ(back.value(), f) << back.value().type->to_string();
  }
}

TEST_P(RoundTrip, TwiceStaysZeroCopy) {
  Gen gen(6, 0.2);
  auto a = gen.make(GetParam().type, 33);
  auto once = via_type(a);
  ASSERT_TRUE(once.ok());
  auto twice = via_schema(once.value());
  ASSERT_TRUE(twice.ok()) << twice.error().to_string();
  EXPECT_TRUE(arrays_equal(*a, *twice.value()));
  const std::size_t last = a->buffers.size();
  for (std::size_t i = 1; i < last; ++i)
    EXPECT_EQ(a->buffers[i]->data(), twice.value()->buffers[i]->data()) << "buffer " << i;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, RoundTrip, ::testing::ValuesIn(all_types()),
                         [](const ::testing::TestParamInfo<TypeCase>& info) { return info.param.name; });

// ------------------------------------------------------------------------------------------------
// Format strings and schema shape.

TEST(ArrowCExport, FormatStrings) {
  const std::vector<std::pair<TypePtr, std::string>> cases = {
      {null_type(), "n"}, {boolean(), "b"}, {int8(), "c"}, {uint8(), "C"}, {int16(), "s"}, {uint16(), "S"},
      {int32(), "i"}, {uint32(), "I"}, {int64(), "l"}, {uint64(), "L"}, {float16(), "e"}, {float32(), "f"},
      {float64(), "g"}, {decimal128(19, 10), "d:19,10"}, {date32(), "tdD"},
      {time_type(TimeUnit::kSecond), "tts"}, {time_type(TimeUnit::kMilli), "ttm"},
      {time_type(TimeUnit::kMicro), "ttu"}, {time_type(TimeUnit::kNano), "ttn"},
      {timestamp(TimeUnit::kSecond), "tss:"}, {timestamp(TimeUnit::kMilli, "UTC"), "tsm:UTC"},
      {timestamp(TimeUnit::kMicro, "Europe/Paris"), "tsu:Europe/Paris"}, {timestamp(TimeUnit::kNano), "tsn:"},
      {duration(TimeUnit::kSecond), "tDs"}, {duration(TimeUnit::kMilli), "tDm"},
      {duration(TimeUnit::kMicro), "tDu"}, {duration(TimeUnit::kNano), "tDn"}, {utf8(), "U"}, {binary(), "Z"},
      {fixed_size_binary(42), "w:42"}, {list(int32()), "+L"}, {struct_({{"a", int8(), true}}), "+s"},
      {map(utf8(), float64()), "+m"},
  };
  for (const auto& [type, format] : cases) {
    ArrowSchema schema;
    ASSERT_TRUE(export_type(Field{"f", type, true}, &schema).ok());
    EXPECT_STREQ(schema.format, format.c_str()) << type->to_string();
    EXPECT_EQ(schema.metadata, nullptr);
    EXPECT_EQ(schema.dictionary, nullptr);
    schema.release(&schema);
    EXPECT_EQ(schema.release, nullptr);
  }
}

TEST(ArrowCExport, MapSchemaShape) {
  ArrowSchema schema;
  ASSERT_TRUE(export_type(Field{"m", map(utf8(), float64(), true), false}, &schema).ok());
  EXPECT_STREQ(schema.format, "+m");
  EXPECT_EQ(schema.flags, ARROW_FLAG_MAP_KEYS_SORTED);
  ASSERT_EQ(schema.n_children, 1);
  const ArrowSchema* entries = schema.children[0];
  EXPECT_STREQ(entries->format, "+s");
  EXPECT_STREQ(entries->name, "entries");
  EXPECT_EQ(entries->flags, 0);
  ASSERT_EQ(entries->n_children, 2);
  EXPECT_STREQ(entries->children[0]->name, "key");
  EXPECT_STREQ(entries->children[0]->format, "U");
  EXPECT_EQ(entries->children[0]->flags, 0);
  EXPECT_STREQ(entries->children[1]->name, "value");
  EXPECT_STREQ(entries->children[1]->format, "g");
  EXPECT_EQ(entries->children[1]->flags, ARROW_FLAG_NULLABLE);
  schema.release(&schema);
}

TEST(ArrowCExport, ArrayShapeAndZeroCopy) {
  Gen gen(7, 0.3);
  auto strings = gen.make(utf8(), 50);
  ArrowArray array;
  ASSERT_TRUE(export_array(strings, &array).ok());
  EXPECT_EQ(array.length, 50);
  EXPECT_EQ(array.null_count, strings->null_count);
  EXPECT_EQ(array.offset, 0);
  EXPECT_EQ(array.n_buffers, 3);
  EXPECT_EQ(array.n_children, 0);
  EXPECT_EQ(array.buffers[0], strings->buffers[0]->data());
  EXPECT_EQ(array.buffers[1], strings->buffers[1]->data());
  EXPECT_EQ(array.buffers[2], strings->buffers[2]->data());
  array.release(&array);
  EXPECT_EQ(array.release, nullptr);

  // Null arrays have no buffers; their null count is their length.
  ASSERT_TRUE(export_array(Gen(8, 0).make(null_type(), 9), &array).ok());
  EXPECT_EQ(array.n_buffers, 0);
  EXPECT_EQ(array.null_count, 9);
  array.release(&array);

  // No nulls: no validity bitmap.
  ASSERT_TRUE(export_array(Gen(9, 0).make(int32(), 9), &array).ok());
  EXPECT_EQ(array.buffers[0], nullptr);
  EXPECT_EQ(array.null_count, 0);
  array.release(&array);

  // A sliced primitive keeps its offset; a sliced struct is exported at offset 0 over sliced children.
  auto ints = Gen(10, 0.3).make(int32(), 40);
  ASSERT_TRUE(export_array(ints->slice(5, 10), &array).ok());
  EXPECT_EQ(array.offset, 5);
  EXPECT_EQ(array.length, 10);
  EXPECT_EQ(array.buffers[1], ints->buffers[1]->data());
  array.release(&array);

  auto st = Gen(11, 0.3).make(struct_({{"a", int32(), true}, {"b", utf8(), true}}), 40);
  auto sliced = st->slice(5, 10);
  ASSERT_TRUE(export_array(sliced, &array).ok());
  EXPECT_EQ(array.offset, 0);
  EXPECT_EQ(array.null_count, sliced->null_count);
  ASSERT_EQ(array.n_children, 2);
  EXPECT_EQ(array.children[0]->offset, 5);
  EXPECT_EQ(array.children[1]->offset, 5);
  for (std::int64_t i = 0; i < 10; ++i)
    EXPECT_EQ(bit::get(static_cast<const std::uint8_t*>(array.buffers[0]), i), sliced->is_valid(i));
  array.release(&array);
}

TEST(ArrowCExport, EmptyBuffersAreNotNullPointers) {
  // An ArrayData built by hand with absent buffers (length 0) still exports non-null pointers.
  auto a = std::make_shared<ArrayData>();
  a->type = utf8();
  a->buffers = {nullptr, nullptr, nullptr};
  ArrowArray array;
  ASSERT_TRUE(export_array(a, &array).ok());
  EXPECT_EQ(array.buffers[0], nullptr);
  EXPECT_NE(array.buffers[1], nullptr);
  EXPECT_NE(array.buffers[2], nullptr);
  auto back = import_array(&array, utf8());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back.value()->length, 0);
}

TEST(ArrowCExport, RejectsInconsistentArrays) {
  ArrowArray array;
  array.release = reinterpret_cast<void (*)(ArrowArray*)>(1);  // must be overwritten: marked released
  EXPECT_FALSE(export_array(nullptr, &array).ok());
  EXPECT_EQ(array.release, nullptr);

  auto a = std::make_shared<ArrayData>();
  a->type = int32();
  a->length = 3;
  a->buffers = {nullptr};  // missing values buffer slot
  EXPECT_EQ(export_array(a, &array).error().code(), ErrorCode::kInvalidArgument);
  a->buffers = {nullptr, nullptr};  // values buffer absent for a non-empty array
  EXPECT_FALSE(export_array(a, &array).ok());
  a->buffers = {nullptr, Buffer::allocate(12)};
  a->null_count = 1;  // nulls without a bitmap
  EXPECT_FALSE(export_array(a, &array).ok());

  // A bad child deep inside: the partially filled export is cleaned up (ASan checks for leaks).
  auto bad_child = std::make_shared<ArrayData>();
  bad_child->type = utf8();
  bad_child->length = 2;
  bad_child->buffers = {nullptr};
  auto good_child = Gen(12, 0).make(int64(), 2);
  auto parent = std::make_shared<ArrayData>();
  parent->type = struct_({{"a", int64(), true}, {"b", utf8(), true}});
  parent->length = 2;
  parent->buffers = {nullptr};
  parent->children = {good_child, bad_child};
  EXPECT_FALSE(export_array(parent, &array).ok());
  EXPECT_EQ(array.release, nullptr);

  ArrowSchema schema;
  EXPECT_FALSE(export_type(Field{"x", nullptr, true}, &schema).ok());
  EXPECT_EQ(schema.release, nullptr);
  auto bad_map = std::make_shared<DataType>();
  bad_map->id = TypeId::kMap;
  EXPECT_FALSE(export_type(Field{"m", bad_map, true}, &schema).ok());
  EXPECT_FALSE(export_type(Field{"d", decimal128(40, 2), true}, &schema).ok());
}

// ------------------------------------------------------------------------------------------------
// Batches.

Batch make_batch(std::int64_t rows, std::uint64_t seed) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {
      {"id", int64(), false},
      {"name", utf8(), true},
      {"scores", list(float64()), true},
      {"point", struct_({{"x", int64(), true}, {"label", utf8(), true}, {"w", list(float64()), true}}), true},
      {"attrs", map(utf8(), int64()), true},
      {"at", timestamp(TimeUnit::kMicro, "UTC"), true},
      {"flag", boolean(), true},
      {"nothing", null_type(), true},
  };
  schema->metadata = {{"origin", "arrow_c_test"}, {"empty", ""}};
  Batch batch{schema, {}, rows};
  Gen gen(seed, 0.2);
  for (const auto& f : schema->fields) {
    auto b = make_builder(f.type);
    for (std::int64_t i = 0; i < rows; ++i) gen.append(*b, f);
    batch.columns.push_back(b->finish());
  }
  return batch;
}

Result<Batch> batch_round_trip(const Batch& batch) {
  ArrowSchema schema;
  ArrowArray array;
  SLUICE_TRY(export_schema(*batch.schema, &schema));
  Status st = export_batch(batch, &array);
  if (!st.ok()) {
    schema.release(&schema);
    return std::move(st).error();
  }
  EXPECT_EQ(array.n_children, static_cast<std::int64_t>(batch.num_columns()));
  EXPECT_EQ(array.buffers[0], nullptr);
  EXPECT_STREQ(schema.format, "+s");
  return import_batch(&array, &schema);
}

TEST(ArrowCBatch, RoundTrip) {
  Batch batch = make_batch(300, 21);
  ASSERT_TRUE(batch.validate().ok()) << batch.validate().error().to_string();
  auto back = batch_round_trip(batch);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(first_difference(batch, back.value()), "");
  EXPECT_EQ(*back.value().schema, *batch.schema);  // metadata included
}

TEST(ArrowCBatch, SlicedAndEmpty) {
  Batch batch = make_batch(120, 22);
  for (auto [start, len] : {std::pair<int, int>{17, 60}, {0, 0}, {120, 0}, {119, 1}}) {
    Batch sliced = batch.slice(start, len);
    auto back = batch_round_trip(sliced);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(batches_equal(sliced, back.value())) << first_difference(sliced, back.value());
  }
}

TEST(ArrowCBatch, NoColumns) {
  Batch batch{std::make_shared<Schema>(), {}, 5};
  auto back = batch_round_trip(batch);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back.value().num_rows, 5);
  EXPECT_EQ(back.value().num_columns(), 0u);
}

TEST(ArrowCBatch, SchemaRoundTrip) {
  Batch batch = make_batch(1, 23);
  ArrowSchema schema;
  ASSERT_TRUE(export_schema(*batch.schema, &schema).ok());
  ASSERT_NE(schema.metadata, nullptr);
  auto back = import_schema(&schema);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(*back.value(), *batch.schema);
  EXPECT_EQ(schema.release, nullptr);
}

TEST(ArrowCBatch, OneSchemaManyBatches) {
  // A stream: the schema is read once, then every batch is imported with it.
  Batch batch = make_batch(90, 26);
  ArrowSchema schema;
  ASSERT_TRUE(export_schema(*batch.schema, &schema).ok());
  auto type = import_type(&schema);
  ASSERT_TRUE(type.ok()) << type.error().to_string();
  EXPECT_EQ(schema.release, nullptr);
  ASSERT_NE(type.value().schema, nullptr);
  EXPECT_EQ(*type.value().schema, *batch.schema);
  for (int part = 0; part < 3; ++part) {
    Batch slice = batch.slice(part * 30, 30);
    ArrowArray array;
    ASSERT_TRUE(export_batch(slice, &array).ok());
    auto back = import_batch(&array, type.value());
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back.value().schema, type.value().schema);  // shared, not rebuilt per batch
    EXPECT_EQ(first_difference(slice, back.value()), "");
  }
  // A single column of the same stream, through the same type's field.
  ArrowSchema col_schema;
  ASSERT_TRUE(export_type(batch.schema->fields[1], &col_schema).ok());
  auto col_type = import_type(&col_schema);
  ASSERT_TRUE(col_type.ok());
  EXPECT_EQ(col_type.value().schema, nullptr);  // not a struct
  for (int i = 0; i < 2; ++i) {
    ArrowArray array;
    ASSERT_TRUE(export_array(batch.columns[1], &array).ok());
    auto back = import_array(&array, col_type.value());
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(arrays_equal(*batch.columns[1], *back.value()));
  }
  // A non-struct type cannot import a batch; the array is still consumed.
  ArrowArray array;
  ASSERT_TRUE(export_array(batch.columns[1], &array).ok());
  EXPECT_FALSE(import_batch(&array, col_type.value()).ok());
  EXPECT_EQ(array.release, nullptr);
}

TEST(ArrowCBatch, RejectsMismatchesAndTopLevelNulls) {
  Batch batch = make_batch(10, 24);
  ArrowArray array;
  Batch short_column = batch;
  short_column.columns[1] = short_column.columns[1]->slice(0, 5);
  EXPECT_FALSE(export_batch(short_column, &array).ok());
  Batch no_schema = batch;
  no_schema.schema = nullptr;
  EXPECT_FALSE(export_batch(no_schema, &array).ok());

  // A struct column with nulls exported as if it were a batch.
  auto type = struct_({{"a", int32(), true}});
  auto st = Gen(25, 0.5).make(type, 20);
  ASSERT_GT(st->null_count, 0);
  ArrowSchema schema;
  ASSERT_TRUE(export_schema(Schema{type->children, {}}, &schema).ok());
  ASSERT_TRUE(export_array(st, &array).ok());
  auto back = import_batch(&array, &schema);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(schema.release, nullptr);

  // A non-struct schema is not a record batch schema.
  ASSERT_TRUE(export_type(Field{"x", int32(), true}, &schema).ok());
  EXPECT_FALSE(import_schema(&schema).ok());
  EXPECT_EQ(schema.release, nullptr);
}

// ------------------------------------------------------------------------------------------------
// Release semantics.

// A Buffer over memory whose keeper counts how often it is freed.
struct Counted {
  int frees = 0;
  BufferPtr wrap(std::vector<std::int64_t> values) {
    auto* v = new std::vector<std::int64_t>(std::move(values));
    std::shared_ptr<const void> keeper(v, [this](const void* p) {
      ++frees;
      delete static_cast<const std::vector<std::int64_t>*>(p);
    });
    return Buffer::wrap(v->data(), static_cast<std::int64_t>(v->size() * 8), keeper);
  }
};

ArrayPtr int64_array(BufferPtr values, std::int64_t length) {
  auto a = std::make_shared<ArrayData>();
  a->type = int64();
  a->length = length;
  a->buffers = {nullptr, std::move(values)};
  return a;
}

TEST(ArrowCRelease, ExportKeepsDataAliveUntilRelease) {
  Counted counted;
  ArrowArray array;
  {
    auto a = int64_array(counted.wrap({1, 2, 3}), 3);
    ASSERT_TRUE(export_array(a, &array).ok());
  }
  EXPECT_EQ(counted.frees, 0);  // the export holds the data
  EXPECT_EQ(static_cast<const std::int64_t*>(array.buffers[1])[2], 3);
  array.release(&array);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(counted.frees, 1);
}

TEST(ArrowCRelease, ImportReleasesOnceWhenLastBufferGoes) {
  Counted counted;
  ArrowArray array;
  ASSERT_TRUE(export_array(int64_array(counted.wrap({10, 20, 30, 40}), 4), &array).ok());
  auto imported = import_array(&array, int64());
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(array.release, nullptr);  // moved into the import
  ArrayPtr slice = imported.value()->slice(1, 2);
  BufferPtr values = imported.value()->buffers[1];
  imported.value().reset();
  EXPECT_EQ(counted.frees, 0);
  EXPECT_EQ(slice->value<std::int64_t>(1), 30);
  slice.reset();
  EXPECT_EQ(counted.frees, 0);
  EXPECT_EQ(values->data_as<std::int64_t>()[3], 40);
  values.reset();
  EXPECT_EQ(counted.frees, 1);
}

TEST(ArrowCRelease, ExportedStructsReleasedInEitherOrder) {
  Counted counted;
  // Exported schema released before the array is imported or destroyed.
  ArrowSchema schema;
  ArrowArray array;
  ASSERT_TRUE(export_type(Field{"v", int64(), true}, &schema).ok());
  ASSERT_TRUE(export_array(int64_array(counted.wrap({5, 6, 7}), 3), &array).ok());
  auto field = import_field(&schema);  // releases the schema now
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(schema.release, nullptr);
  auto imported = import_array(&array, field.value().type);
  ASSERT_TRUE(imported.ok());

  // Re-export the imported array; destroy the imported side first, then release the re-export.
  ArrowArray again;
  ASSERT_TRUE(export_array(imported.value(), &again).ok());
  imported.value().reset();
  EXPECT_EQ(counted.frees, 0);
  EXPECT_EQ(static_cast<const std::int64_t*>(again.buffers[1])[1], 6);
  again.release(&again);
  EXPECT_EQ(counted.frees, 1);

  // And the other order: release the re-export first, then destroy the imported side.
  Counted counted2;
  ASSERT_TRUE(export_array(int64_array(counted2.wrap({8}), 1), &array).ok());
  auto imported2 = import_array(&array, int64());
  ASSERT_TRUE(imported2.ok());
  ASSERT_TRUE(export_array(imported2.value(), &again).ok());
  again.release(&again);
  EXPECT_EQ(counted2.frees, 0);
  EXPECT_EQ(imported2.value()->value<std::int64_t>(0), 8);
  imported2.value().reset();
  EXPECT_EQ(counted2.frees, 1);
}

TEST(ArrowCRelease, MovedChildOutlivesParent) {
  Counted c0, c1;
  Batch batch{std::make_shared<Schema>(Schema{{{"a", int64(), true}, {"b", int64(), true}}, {}}),
              {int64_array(c0.wrap({1, 2}), 2), int64_array(c1.wrap({3, 4}), 2)},
              2};
  ArrowArray parent;
  ASSERT_TRUE(export_batch(batch, &parent).ok());
  batch.columns.clear();
  // Move child 1 out, as the spec allows, then release the parent right away.
  ArrowArray child = *parent.children[1];
  parent.children[1]->release = nullptr;
  parent.release(&parent);
  EXPECT_EQ(c0.frees, 1);
  EXPECT_EQ(c1.frees, 0);
  auto imported = import_array(&child, int64());
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported.value()->value<std::int64_t>(1), 4);
  imported.value().reset();
  EXPECT_EQ(c1.frees, 1);
}

// ------------------------------------------------------------------------------------------------
// Hand-made foreign arrays: what another producer could give us.

// Counts release calls; children are released by their parent, as the spec says.
void counting_release(ArrowArray* a) {
  for (std::int64_t i = 0; a->children != nullptr && i < a->n_children; ++i)
    if (a->children[i] != nullptr && a->children[i]->release != nullptr) a->children[i]->release(a->children[i]);
  ++*static_cast<int*>(a->private_data);
  a->release = nullptr;
}

struct Foreign {
  int releases = 0;
  ArrowArray array{};
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;

  Foreign(std::int64_t length, std::int64_t null_count, std::int64_t offset, std::vector<const void*> bufs,
          std::vector<Foreign*> kids = {})
      : buffers(std::move(bufs)) {
    for (Foreign* k : kids) children.push_back(&k->array);
    array.length = length;
    array.null_count = null_count;
    array.offset = offset;
    array.n_buffers = static_cast<std::int64_t>(buffers.size());
    array.buffers = buffers.empty() ? nullptr : buffers.data();
    array.n_children = static_cast<std::int64_t>(children.size());
    array.children = children.empty() ? nullptr : children.data();
    array.release = &counting_release;
    array.private_data = &releases;
  }
};

void counting_schema_release(ArrowSchema* s) {
  // Tolerates the broken shapes the malformed-input tests give it.
  for (std::int64_t i = 0; s->children != nullptr && i < s->n_children; ++i)
    if (s->children[i] != nullptr && s->children[i]->release != nullptr) s->children[i]->release(s->children[i]);
  ++*static_cast<int*>(s->private_data);
  s->release = nullptr;
}

struct ForeignSchema {
  int releases = 0;
  std::string format, name;
  std::vector<std::unique_ptr<ForeignSchema>> kids;
  std::vector<ArrowSchema*> ptrs;
  ArrowSchema schema{};

  ForeignSchema(std::string f, std::string n, std::int64_t flags = ARROW_FLAG_NULLABLE,
                std::vector<std::unique_ptr<ForeignSchema>> children = {})
      : format(std::move(f)), name(std::move(n)), kids(std::move(children)) {
    for (auto& k : kids) ptrs.push_back(&k->schema);
    schema.format = format.c_str();
    schema.name = name.c_str();
    schema.flags = flags;
    schema.n_children = static_cast<std::int64_t>(ptrs.size());
    schema.children = ptrs.empty() ? nullptr : ptrs.data();
    schema.release = &counting_schema_release;
    schema.private_data = &releases;
  }
};

std::unique_ptr<ForeignSchema> fschema(std::string f, std::string n = "", std::int64_t flags = ARROW_FLAG_NULLABLE,
                                       std::vector<std::unique_ptr<ForeignSchema>> children = {}) {
  return std::make_unique<ForeignSchema>(std::move(f), std::move(n), flags, std::move(children));
}

std::vector<std::unique_ptr<ForeignSchema>> kids(std::unique_ptr<ForeignSchema> a,
                                                 std::unique_ptr<ForeignSchema> b = nullptr) {
  std::vector<std::unique_ptr<ForeignSchema>> v;
  v.push_back(std::move(a));
  if (b) v.push_back(std::move(b));
  return v;
}

TEST(ArrowCForeign, Utf8With32BitOffsets) {
  // ["ab", null, "", "cde", "f"]
  alignas(8) static const std::int32_t offsets[] = {0, 2, 2, 2, 5, 6};
  static const char data[] = "abcdef";
  alignas(8) static const std::uint8_t validity[] = {0b11101};
  for (const char* format : {"u", "z"}) {
    SCOPED_TRACE(format);
    Foreign f(5, 1, 0, {validity, offsets, data});
    auto s = fschema(format, "s");
    {
      auto a = import_array(&f.array, &s->schema);
      ASSERT_TRUE(a.ok()) << a.error().to_string();
      EXPECT_EQ(s->releases, 1);
      EXPECT_EQ(f.releases, 0);
      const ArrayData& x = *a.value();
      EXPECT_EQ(x.type->id, format[0] == 'u' ? TypeId::kString : TypeId::kBinary);
      ASSERT_EQ(x.length, 5);
      EXPECT_EQ(x.null_count, 1);
      EXPECT_EQ(x.string_at(0), "ab");
      EXPECT_TRUE(x.is_null(1));
      EXPECT_EQ(x.string_at(2), "");
      EXPECT_EQ(x.string_at(3), "cde");
      EXPECT_EQ(x.string_at(4), "f");
      EXPECT_EQ(x.buffers[2]->data(), reinterpret_cast<const std::uint8_t*>(data));  // characters not copied
    }
    EXPECT_EQ(f.releases, 1);
  }
  // With an offset: rows 2..4.
  Foreign f(3, -1, 2, {validity, offsets, data});
  auto s = fschema("u");
  auto a = import_array(&f.array, &s->schema);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a.value()->null_count, 0);
  EXPECT_EQ(a.value()->string_at(0), "");
  EXPECT_EQ(a.value()->string_at(1), "cde");
  EXPECT_EQ(a.value()->string_at(2), "f");
}

TEST(ArrowCForeign, ReusedTypeKeeps32BitOffsets) {
  // The layout read once from a "u" schema applies to every array imported with it.
  alignas(8) static const std::int32_t offsets[] = {0, 1, 3};
  static const char data[] = "abc";
  auto s = fschema("u", "s");
  auto type = import_type(&s->schema);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(s->releases, 1);
  for (int i = 0; i < 3; ++i) {
    Foreign f(2, 0, 0, {nullptr, offsets, data});
    auto r = import_array(&f.array, type.value());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r.value()->string_at(1), "bc");
    r.value().reset();
    EXPECT_EQ(f.releases, 1);
  }
}

TEST(ArrowCForeign, ListWith32BitOffsets) {
  // [[1, 2], [], null, [3], [4, 5, 6]] then imported from offset 1: [[], null, [3], [4, 5, 6]]
  alignas(8) static const std::int32_t values[] = {1, 2, 3, 4, 5, 6};
  alignas(8) static const std::int32_t offsets[] = {0, 2, 2, 2, 3, 6};
  alignas(8) static const std::uint8_t validity[] = {0b11011};
  Foreign child(6, 0, 0, {nullptr, values});
  Foreign list_array(4, -1, 1, {validity, offsets}, {&child});
  auto s = fschema("+l", "xs", ARROW_FLAG_NULLABLE, kids(fschema("i", "item")));
  auto a = import_array(&list_array.array, &s->schema);
  ASSERT_TRUE(a.ok()) << a.error().to_string();

  ListBuilder b(list(int32()));
  auto& items = b.child_as<FixedWidthBuilder<std::int32_t>>();
  b.append_valid();
  b.append_null();
  items.append(3);
  b.append_valid();
  for (int v : {4, 5, 6}) items.append(v);
  b.append_valid();
  auto expected = b.finish();
  EXPECT_EQ(first_difference(*expected, *a.value()), "");
  a.value().reset();
  EXPECT_EQ(list_array.releases, 1);
  EXPECT_EQ(child.releases, 1);
}

TEST(ArrowCForeign, StructOffsetAppliesToChildren) {
  // Children of length 5; the struct is rows 2..3 of them (offset 2), child "b" has its own offset 1.
  alignas(8) static const std::int64_t a_values[] = {10, 11, 12, 13, 14};
  alignas(8) static const std::int16_t b_values[] = {0, 20, 21, 22, 23, 24};
  alignas(8) static const std::uint8_t validity[] = {0b10111};  // struct row 3 is null
  Foreign ca(5, 0, 0, {nullptr, a_values});
  Foreign cb(5, 0, 1, {nullptr, b_values});
  Foreign st(2, 1, 2, {validity, nullptr, }, {&ca, &cb});
  st.array.n_buffers = 1;
  auto s = fschema("+s", "", 0, kids(fschema("l", "a"), fschema("s", "b")));
  auto r = import_array(&st.array, &s->schema);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const ArrayData& x = *r.value();
  ASSERT_EQ(x.length, 2);
  EXPECT_TRUE(x.is_valid(0));
  EXPECT_TRUE(x.is_null(1));
  EXPECT_EQ(x.children[0]->value<std::int64_t>(0), 12);
  EXPECT_EQ(x.children[1]->value<std::int16_t>(0), 22);
  EXPECT_EQ(x.children[1]->value<std::int16_t>(1), 23);
  // And it exports back to something Arrow reads the same way.
  auto again = via_schema(r.value(), false);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(arrays_equal(x, *again.value()));
}

TEST(ArrowCForeign, MapAndNullCounts) {
  // map<utf8 (32-bit offsets), int32>: [{"a": 1, "b": null}, {}]
  alignas(8) static const std::int32_t key_offsets[] = {0, 1, 2};
  static const char key_data[] = "ab";
  alignas(8) static const std::int32_t vals[] = {1, 0};
  alignas(8) static const std::uint8_t val_validity[] = {0b01};
  alignas(8) static const std::int32_t map_offsets[] = {0, 2, 2};
  Foreign keys(2, 0, 0, {nullptr, key_offsets, key_data});
  Foreign values(2, -1, 0, {val_validity, vals});
  Foreign entries(2, 0, 0, {nullptr}, {&keys, &values});
  Foreign m(2, 0, 0, {nullptr, map_offsets}, {&entries});
  auto s = fschema("+m", "m", ARROW_FLAG_NULLABLE | ARROW_FLAG_MAP_KEYS_SORTED,
                   kids(fschema("+s", "entries", 0, kids(fschema("u", "key", 0), fschema("i", "value")))));
  auto r = import_array(&m.array, &s->schema);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r.value()->type, *map(utf8(), int32(), true));
  const ArrayData& e = *r.value()->children[0];
  EXPECT_EQ(e.children[0]->string_at(1), "b");
  EXPECT_EQ(e.children[1]->null_count, 1);
  EXPECT_EQ(r.value()->map_range(0), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(r.value()->map_range(1), (std::pair<std::int64_t, std::int64_t>{2, 2}));
}

TEST(ArrowCForeign, UnalignedBuffersAreCopied) {
  alignas(8) static std::uint8_t raw[1 + 3 * 8] = {};
  for (std::int64_t i = 0; i < 3; ++i) {
    const std::int64_t v = 100 + i;
    std::memcpy(raw + 1 + i * 8, &v, 8);
  }
  Foreign f(3, 0, 0, {nullptr, raw + 1});
  auto r = import_array(&f.array, int64());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.value()->buffers[1]->data()) % 8, 0u);
  EXPECT_EQ(r.value()->value<std::int64_t>(2), 102);
}

// ------------------------------------------------------------------------------------------------
// Malformed input: an error, never a crash, and what we were given is released exactly once.

void expect_schema_error(std::unique_ptr<ForeignSchema> s, ErrorCode code) {
  SCOPED_TRACE(s->format);
  auto r = import_field(&s->schema);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), code) << r.error().to_string();
  EXPECT_EQ(s->releases, 1);
}

TEST(ArrowCMalformed, Formats) {
  using E = ErrorCode;
  for (const char* f : {"xyz", "", "d:10", "d:x,2", "d:10,2,", "d:10,2,128,1", "d:0,0", "d:39,2", "w:", "w:-1",
                        "w:12a", "tss", "tsx:", "ttx", "tDx", "tq", "+", "+q", "++s"})
    expect_schema_error(fschema(f), E::kInvalidArgument);
  for (const char* f : {"tdm", "d:10,2,256", "d:10,2,64", "tiM", "tin", "vu", "vz", "+w:4", "+ud:0,1", "+us:0", "+r",
                        "+vl", "+vL"})
    expect_schema_error(fschema(f), E::kNotImplemented);
  // Children that do not fit the format.
  expect_schema_error(fschema("+l"), E::kInvalidArgument);
  expect_schema_error(fschema("i", "", 2, kids(fschema("i"))), E::kInvalidArgument);
  expect_schema_error(fschema("+m", "", 2, kids(fschema("i"))), E::kInvalidArgument);
  expect_schema_error(fschema("+m", "", 2, kids(fschema("+s", "", 0, kids(fschema("i"))))), E::kInvalidArgument);
  expect_schema_error(fschema("+s", "", 2, kids(fschema("+l", "x", 2, kids(fschema("bogus"))))), E::kInvalidArgument);
  // Dictionaries are not supported.
  auto dict = fschema("i");
  auto values = fschema("u");
  dict->schema.dictionary = &values->schema;
  expect_schema_error(std::move(dict), E::kNotImplemented);
}

TEST(ArrowCMalformed, SchemaStructure) {
  auto s = fschema("+s", "", 0, kids(fschema("i")));
  s->schema.children = nullptr;
  expect_schema_error(std::move(s), ErrorCode::kInvalidArgument);
  s = fschema("+s", "", 0, kids(fschema("i")));
  s->ptrs[0] = nullptr;
  s->schema.n_children = 1;
  auto r = import_field(&s->schema);
  EXPECT_FALSE(r.ok());
  s->kids[0]->schema.release(&s->kids[0]->schema);  // not reachable from the parent any more
  s = fschema("i");
  s->schema.format = nullptr;
  expect_schema_error(std::move(s), ErrorCode::kInvalidArgument);
  s = fschema("+s");
  s->schema.n_children = -3;
  expect_schema_error(std::move(s), ErrorCode::kInvalidArgument);
  // Released or null schemas.
  s = fschema("i");
  s->schema.release = nullptr;
  EXPECT_FALSE(import_field(&s->schema).ok());
  EXPECT_FALSE(import_field(nullptr).ok());
  EXPECT_FALSE(import_schema(nullptr).ok());
  // Deep nesting is refused, not recursed into without end.
  std::unique_ptr<ForeignSchema> deep = fschema("i", "item");
  for (int i = 0; i < 100; ++i) deep = fschema("+l", "item", 2, kids(std::move(deep)));
  expect_schema_error(std::move(deep), ErrorCode::kLimitExceeded);
}

// Imports a hand-made array of `format` and expects an error, the array and schema released once.
void expect_array_error(Foreign& f, std::unique_ptr<ForeignSchema> s, const std::string& why) {
  SCOPED_TRACE(why);
  auto r = import_array(&f.array, &s->schema);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string(), "");
  EXPECT_EQ(f.releases, 1);
  EXPECT_EQ(s->releases, 1);
}

TEST(ArrowCMalformed, Arrays) {
  alignas(8) static const std::int32_t ints[] = {1, 2, 3, 4};
  alignas(8) static const std::int64_t offsets_bad[] = {0, 5, 2};
  alignas(8) static const std::int32_t offsets32_bad[] = {0, 3, -1};
  alignas(8) static const std::int64_t list_offsets_long[] = {0, 2, 9};
  alignas(8) static const std::uint8_t validity[] = {0b0101};
  static const char text[] = "hello";
  {
    Foreign f(4, 0, 0, {nullptr});  // int32 needs two buffers
    expect_array_error(f, fschema("i"), "wrong n_buffers");
  }
  {
    Foreign f(4, 0, 0, {nullptr, ints, ints});
    expect_array_error(f, fschema("i"), "too many buffers");
  }
  {
    Foreign f(4, 0, 0, {nullptr, ints});
    f.array.buffers = nullptr;
    expect_array_error(f, fschema("i"), "null buffers array");
  }
  {
    Foreign f(4, 0, 0, {nullptr, nullptr});
    expect_array_error(f, fschema("i"), "null values buffer");
  }
  {
    Foreign f(2, 0, 0, {nullptr, offsets_bad, text});
    expect_array_error(f, fschema("U"), "string offsets out of order");
  }
  {
    Foreign f(2, 0, 0, {nullptr, offsets32_bad, text});
    expect_array_error(f, fschema("u"), "negative 32-bit offset");
  }
  {
    Foreign child(4, 0, 0, {nullptr, ints});
    Foreign f(2, 0, 0, {nullptr, list_offsets_long}, {&child});
    expect_array_error(f, fschema("+L", "", 2, kids(fschema("i", "item"))), "list offsets beyond the child");
    EXPECT_EQ(child.releases, 1);
  }
  {
    Foreign f(2, 0, 0, {nullptr, list_offsets_long});
    expect_array_error(f, fschema("+L", "", 2, kids(fschema("i", "item"))), "list without its child array");
  }
  {
    Foreign child(4, 0, 0, {nullptr, ints});
    Foreign f(4, 0, 0, {nullptr}, {&child});
    expect_array_error(f, fschema("+s", "", 0, kids(fschema("i", "a"), fschema("i", "b"))), "struct child count");
  }
  {
    Foreign child(3, 0, 0, {nullptr, ints});
    Foreign f(2, 0, 2, {nullptr}, {&child});
    expect_array_error(f, fschema("+s", "", 0, kids(fschema("i", "a"))), "struct child shorter than offset+length");
  }
  {
    Foreign child(4, 0, 0, {nullptr, ints});
    Foreign f(4, 0, 0, {nullptr}, {&child});
    f.children[0] = nullptr;
    expect_array_error(f, fschema("+s", "", 0, kids(fschema("i", "a"))), "null child pointer");
  }
  {
    Foreign child(4, 0, 0, {nullptr, ints});
    child.array.release = nullptr;
    Foreign f(4, 0, 0, {nullptr}, {&child});
    expect_array_error(f, fschema("+s", "", 0, kids(fschema("i", "a"))), "released child");
  }
  {
    Foreign f(-1, 0, 0, {nullptr, ints});
    expect_array_error(f, fschema("i"), "negative length");
  }
  {
    Foreign f(2, 0, -1, {nullptr, ints});
    expect_array_error(f, fschema("i"), "negative offset");
  }
  {
    Foreign f(std::numeric_limits<std::int64_t>::max(), 0, 0, {nullptr, ints});
    expect_array_error(f, fschema("i"), "absurd length");
  }
  {
    Foreign f(4, 2, 0, {nullptr, ints});
    expect_array_error(f, fschema("i"), "nulls without a bitmap");
  }
  {
    Foreign f(4, 3, 0, {validity, ints});
    expect_array_error(f, fschema("i"), "null_count disagrees with the bitmap");
  }
  {
    Foreign f(4, -2, 0, {validity, ints});
    expect_array_error(f, fschema("i"), "null_count below -1");
  }
  {
    Foreign values(4, 0, 0, {nullptr, ints});
    Foreign f(4, 0, 0, {nullptr, ints});
    f.array.dictionary = &values.array;
    expect_array_error(f, fschema("i"), "dictionary array");
  }
  {
    Foreign f(4, 0, 0, {nullptr, ints});
    expect_array_error(f, fschema("xyz"), "unknown format releases the array too");
  }
  {
    Foreign f(0, 0, 0, {nullptr, ints});
    expect_array_error(f, fschema("n"), "null type has no buffers");
  }
  // Released or null arrays.
  {
    Foreign f(4, 0, 0, {nullptr, ints});
    f.array.release = nullptr;
    auto s = fschema("i");
    EXPECT_FALSE(import_array(&f.array, &s->schema).ok());
    EXPECT_EQ(s->releases, 1);
    EXPECT_FALSE(import_array(nullptr, int32()).ok());
    EXPECT_FALSE(import_array(&f.array, int32()).ok());
  }
  // The TypePtr overload checks the same way.
  {
    Foreign f(4, 0, 0, {nullptr});
    EXPECT_FALSE(import_array(&f.array, int32()).ok());
    EXPECT_EQ(f.releases, 1);
  }
  {
    Foreign f(4, 0, 0, {nullptr, ints});
    EXPECT_FALSE(import_array(&f.array, nullptr).ok());
    EXPECT_EQ(f.releases, 1);
  }
  // import_batch consumes both on failure too.
  {
    Foreign f(4, 0, 0, {nullptr, ints});
    auto s = fschema("i");
    EXPECT_FALSE(import_batch(&f.array, &s->schema).ok());
    EXPECT_EQ(f.releases, 1);
    EXPECT_EQ(s->releases, 1);
  }
}

TEST(ArrowCMalformed, EmptyArraysMayHaveNullBuffers) {
  // The spec allows null pointers for buffers of size 0.
  Foreign s(0, 0, 0, {nullptr, nullptr, nullptr});
  auto r = import_array(&s.array, utf8());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r.value()->length, 0);
  Foreign child(0, 0, 0, {nullptr, nullptr});
  Foreign l(0, 0, 0, {nullptr, nullptr}, {&child});
  auto fs = fschema("+l", "", 2, kids(fschema("i", "item")));
  auto rl = import_array(&l.array, &fs->schema);
  ASSERT_TRUE(rl.ok()) << rl.error().to_string();
  EXPECT_TRUE(rl.value()->validate().ok());
  Foreign i(0, 0, 0, {nullptr, nullptr});
  EXPECT_TRUE(import_array(&i.array, int64()).ok());
  // A huge offset on an empty array allocates nothing in proportion to it.
  Foreign far(0, 0, std::int64_t{1} << 50, {nullptr, nullptr, nullptr});
  auto rf = import_array(&far.array, utf8());
  ASSERT_TRUE(rf.ok()) << rf.error().to_string();
  EXPECT_EQ(rf.value()->length, 0);
  EXPECT_LE(rf.value()->buffers[1]->capacity(), 64);
}

TEST(ArrowCExtension, UuidAndJsonTravelAsCanonicalExtensionTypes) {
  auto schema = std::make_shared<Schema>();
  schema->fields = {Field{"u", uuid_type(), true}, Field{"j", json_type(), false},
                    Field{"l", list(uuid_type()), true},
                    Field{"e", with_extension(utf8(), Extension::kEnum), true}};
  ArrowSchema out;
  ASSERT_TRUE(export_schema(*schema, &out).ok());
  ASSERT_EQ(out.n_children, 4);
  auto field_metadata = [](const ArrowSchema* s) {
    return s->metadata ? detail::cdata::parse_metadata(s->metadata).value()
                       : std::vector<std::pair<std::string, std::string>>{};
  };
  using KV = std::vector<std::pair<std::string, std::string>>;
  EXPECT_STREQ(out.children[0]->format, "w:16");
  EXPECT_EQ(field_metadata(out.children[0]), (KV{{"ARROW:extension:name", "arrow.uuid"}, {"ARROW:extension:metadata", ""}}));
  EXPECT_STREQ(out.children[1]->format, "U");
  EXPECT_EQ(field_metadata(out.children[1]), (KV{{"ARROW:extension:name", "arrow.json"}, {"ARROW:extension:metadata", ""}}));
  EXPECT_EQ(field_metadata(out.children[2]->children[0]).at(0).second, "arrow.uuid");
  EXPECT_EQ(out.children[3]->metadata, nullptr);  // no canonical Arrow extension: the storage type
  auto back = import_schema(&out);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_EQ((*back)->fields.size(), 4u);
  EXPECT_EQ(*(*back)->fields[0].type, *uuid_type());
  EXPECT_EQ(*(*back)->fields[1].type, *json_type());
  EXPECT_EQ(*(*back)->fields[2].type, *list(uuid_type()));
  EXPECT_EQ(*(*back)->fields[3].type, *utf8());
}

TEST(ArrowCExtension, ExtensionOnTheWrongStorageImportsAsTheStorage) {
  // arrow.uuid over a 4-byte binary is not a UUID sluice knows: the storage type, no error.
  const std::string md = detail::cdata::encode_metadata({{"ARROW:extension:name", "arrow.uuid"}}).value();
  ArrowSchema s{};
  s.format = "w:4";
  s.name = "x";
  s.metadata = md.data();
  s.flags = ARROW_FLAG_NULLABLE;
  s.release = [](ArrowSchema* p) { p->release = nullptr; };
  auto f = import_field(&s);
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  EXPECT_EQ(*f->type, *fixed_size_binary(4));
}

// Geometries and geographies travel as GeoArrow's geoarrow.wkb: Parquet's CRS forms become GeoArrow's
// crs / crs_type (codes, OGC:CRS84 among them, as authority_code, srid:N as srid, inline PROJJSON as
// an object, a projjson:key reference as a plain string; none, none), a geography's edges its
// "edges"; and they come back as they were.
TEST(ArrowCExtension, GeometriesTravelAsGeoArrowWkb) {
  const std::string projjson = R"({"type": "GeographicCRS", "name": "WGS 84 \"x\"", "id": {"authority": "EPSG", "code": 4326}})";
  auto schema = std::make_shared<Schema>();
  schema->fields = {Field{"g", geometry_type(), true},
                    Field{"g3857", geometry_type("EPSG:3857"), true},
                    Field{"gsrid", geometry_type("srid:4326"), true},
                    Field{"gjson", geometry_type(projjson), true},
                    Field{"gkey", geography_type("projjson:crs_key", Edges::kKarney), true},
                    Field{"geo", geography_type(), true},
                    Field{"g84", geometry_type("OGC:CRS84"), true}};
  ArrowSchema out;
  ASSERT_TRUE(export_schema(*schema, &out).ok());
  ASSERT_EQ(out.n_children, 7);
  using KV = std::vector<std::pair<std::string, std::string>>;
  auto md = [&](int i) { return detail::cdata::parse_metadata(out.children[i]->metadata).value(); };
  const std::vector<std::string> want = {
      "",  // no keys: no ARROW:extension:metadata
      R"({"crs":"EPSG:3857","crs_type":"authority_code"})",
      R"({"crs":"4326","crs_type":"srid"})",
      "{\"crs\":" + projjson + ",\"crs_type\":\"projjson\"}",
      R"({"crs":"projjson:crs_key","edges":"karney"})",
      R"({"edges":"spherical"})",
      R"({"crs":"OGC:CRS84","crs_type":"authority_code"})"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_STREQ(out.children[i]->format, "Z");
    const auto& w = want[static_cast<std::size_t>(i)];
    KV expected{{"ARROW:extension:name", "geoarrow.wkb"}};
    if (!w.empty()) expected.emplace_back("ARROW:extension:metadata", w);
    EXPECT_EQ(md(i), expected) << i;
  }
  auto back = import_schema(&out);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_EQ((*back)->fields.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i)
    EXPECT_EQ((*back)->fields[i].type->to_string(), schema->fields[i].type->to_string()) << i;

  // Values: the WKB bytes, as they are.
  BinaryBuilder b(geography_type("EPSG:4326", Edges::kVincenty));
  b.append(std::string_view("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40", 21));
  b.append_null();
  const ArrayPtr a = b.finish();
  ArrowArray arr;
  ArrowSchema sch;
  ASSERT_TRUE(export_array(a, &arr).ok());
  ASSERT_TRUE(export_type(Field{"g", a->type, true}, &sch).ok());
  auto imported = import_array(&arr, &sch);
  ASSERT_TRUE(imported.ok()) << imported.error().to_string();
  EXPECT_EQ((*imported)->type->to_string(), a->type->to_string());
  EXPECT_EQ((*imported)->string_at(0), a->string_at(0));
  EXPECT_TRUE((*imported)->is_null(1));
}

// geoarrow.wkb from other producers: a PROJJSON object (any spacing, escapes) is kept as its text,
// no metadata is a geometry without a CRS, edges make a geography. Metadata that is not such JSON,
// edges sluice does not know, or the name on storage that is not binary: the storage type, no error.
TEST(ArrowCExtension, GeoArrowMetadataFromOtherProducers) {
  auto import_with = [](const char* format, std::optional<std::string> metadata) {
    std::vector<std::pair<std::string, std::string>> kv{{"ARROW:extension:name", "geoarrow.wkb"}};
    if (metadata) kv.emplace_back("ARROW:extension:metadata", *metadata);
    const std::string md = detail::cdata::encode_metadata(kv).value();
    ArrowSchema s{};
    s.format = format;
    s.name = "x";
    s.metadata = md.data();
    s.flags = ARROW_FLAG_NULLABLE;
    s.release = [](ArrowSchema* p) { p->release = nullptr; };
    auto f = import_field(&s);
    EXPECT_TRUE(f.ok()) << f.error().to_string();
    return f.ok() ? f->type : nullptr;
  };
  EXPECT_EQ(*import_with("z", std::nullopt), *geometry_type());
  EXPECT_EQ(*import_with("Z", ""), *geometry_type());
  EXPECT_EQ(*import_with("z", " { } "), *geometry_type());
  EXPECT_EQ(*import_with("z", R"({ "crs" : { "name" : "caf\u00e9", "axis": [1, 2.5e3, true, null] } , "crs_type": "projjson" })"),
            *geometry_type(R"({ "name" : "caf\u00e9", "axis": [1, 2.5e3, true, null] })"));
  EXPECT_EQ(*import_with("z", R"({"crs": "EPSG:32631", "edges": "planar"})"), *geometry_type("EPSG:32631"));
  EXPECT_EQ(*import_with("z", R"({"crs": "caf\u00e9 \ud83d\ude00", "crs_type": "wkt2:2019"})"),
            *geometry_type("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_EQ(*import_with("z", R"({"crs": "OGC:CRS84", "edges": "spherical", "other": {"k": [1]}})"),
            *geography_type("OGC:CRS84"));
  EXPECT_EQ(*import_with("z", R"({"crs": "900913", "crs_type": "srid", "edges": "andoyer"})"),
            *geography_type("srid:900913", Edges::kAndoyer));
  for (const char* bad : {R"({"crs": )", R"({"edges": "geodesic"})", R"({"crs": "x"} extra)", "[1]",
                          R"({"crs": "\ude00"})", R"({"crs": "a\u12"})", "{\"crs\": \"a\x01\"}"})
    EXPECT_EQ(*import_with("z", std::string(bad)), *binary()) << bad;
  EXPECT_EQ(*import_with("u", std::string("{}")), *utf8());  // geoarrow.wkb is binary
  std::string deep(200, '[');
  EXPECT_EQ(*import_with("z", "{\"other\": " + deep + "}"), *binary());
}

}  // namespace
}  // namespace sluice
