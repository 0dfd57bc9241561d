// The Parquet writer: every type, every kind of nesting and nulls, every codec, page version,
// encoding and dictionary setting, checked by reading the file back with sluice's own reader and
// comparing values exactly (bit for bit for floats); and the footer's structures (statistics, page
// index, bloom filters, key-value metadata) checked by parsing them against values the test computes
// on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <chrono>
#include <stdexcept>
#include <mutex>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "parquet/bloom.hpp"
#include "parquet/metadata.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
#include "text/format.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/io/local.hpp"

namespace fs = std::filesystem;
using namespace sluice;
namespace pq = sluice::parquet;
namespace fmt = sluice::parquet::format;

namespace {

// ---------------------------------------------------------------------------------------------
// Building batches

SchemaPtr make_schema(std::vector<Field> fields, std::vector<std::pair<std::string, std::string>> metadata = {}) {
  auto s = std::make_shared<Schema>();
  s->fields = std::move(fields);
  s->metadata = std::move(metadata);
  return s;
}

Batch make_batch(const SchemaPtr& schema, std::vector<ArrayPtr> columns) {
  Batch b{schema, std::move(columns), 0};
  b.num_rows = b.columns.empty() ? 0 : b.columns[0]->length;
  return b;
}

template <class T>
ArrayPtr fixed(const TypePtr& type, const std::vector<std::optional<T>>& values) {
  FixedWidthBuilder<T> b(type);
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

ArrayPtr bools(const std::vector<std::optional<bool>>& values) {
  BooleanBuilder b;
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

ArrayPtr strings(const TypePtr& type, const std::vector<std::optional<std::string>>& values) {
  if (type->id == TypeId::kFixedSizeBinary) {
    FixedSizeBinaryBuilder b(type);
    for (const auto& v : values) v ? b.append(*v) : b.append_null();
    return b.finish();
  }
  BinaryBuilder b(type);
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

// A copy of `a` (offset 0) with this validity: rows where valid[i] is false become null, whatever
// their values and children hold (a null struct over non-null children, a null list over elements).
ArrayPtr with_validity(const ArrayPtr& a, const std::vector<bool>& valid) {
  auto out = std::make_shared<ArrayData>(*a);
  auto bits = Buffer::allocate(bit::bytes_for(a->offset + a->length));
  std::int64_t nulls = 0;
  for (std::int64_t i = 0; i < a->length; ++i) {
    if (valid.at(static_cast<std::size_t>(i))) bit::set(bits->mutable_data(), a->offset + i);
    else ++nulls;
  }
  out->buffers.at(0) = bits;
  out->null_count = nulls;
  return out;
}

__int128 pow10_128(int p) {
  __int128 v = 1;
  for (int i = 0; i < p; ++i) v *= 10;
  return v;
}

// Random values of any type, nulls where the field is nullable.
struct Gen {
  std::mt19937_64 rng;
  double null_p = 0.2;
  int max_list = 4;
  bool small_domain = false;  // draw from few distinct values (dictionary-friendly)

  explicit Gen(std::uint64_t seed) : rng(seed) {}
  std::uint64_t u64() { return rng(); }
  bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  }
  template <class T>
  T integer() {
    if (small_domain) return static_cast<T>(range(0, 9));
    if (coin(0.15)) return coin(0.5) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
    if (coin(0.3)) return static_cast<T>(range(-5, 5));
    return static_cast<T>(u64());
  }
  template <class F>
  F floating() {
    if (small_domain) return static_cast<F>(range(0, 9)) / 2;
    switch (range(0, 9)) {
      case 0: return std::numeric_limits<F>::quiet_NaN();
      case 1: return std::numeric_limits<F>::infinity();
      case 2: return -std::numeric_limits<F>::infinity();
      case 3: return F(-0.0);
      case 4: return F(0.0);
      case 5: return std::numeric_limits<F>::denorm_min();
      case 6: return std::numeric_limits<F>::lowest();
      default: return static_cast<F>(std::normal_distribution<double>(0, 1000)(rng));
    }
  }
  std::string text(std::size_t max_len) {
    static const char* const pieces[] = {"a", "b", "z", "~", " ", "é", "日本", "😀", "\x7f", "0", "A", "\n"};
    if (small_domain) return std::string("v") + std::to_string(range(0, 9));
    const auto n = static_cast<std::size_t>(range(0, static_cast<std::int64_t>(max_len)));
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += pieces[range(0, 11)];
    return s;
  }
  std::string bytes(std::size_t n) {
    if (small_domain) return std::string(n, static_cast<char>('a' + range(0, 2)));
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(range(0, 255));
    return s;
  }
  __int128 decimal(int precision) {
    const __int128 top = pow10_128(precision) - 1;
    if (coin(0.15)) return coin(0.5) ? top : -top;
    __int128 v = (static_cast<__int128>(u64()) << 64) | u64();
    if (v < 0) v = -(v + 1);
    v %= top + 1;
    return coin(0.5) ? -v : v;
  }

  void append(ArrayBuilder& b, const Field& f) {
    const DataType& t = *f.type;
    if (t.id == TypeId::kNull || (f.nullable && coin(null_p))) {
      b.append_null();
      return;
    }
    switch (t.id) {
      case TypeId::kNull: break;
      case TypeId::kBool: static_cast<BooleanBuilder&>(b).append(coin(0.5)); break;
      case TypeId::kInt8: static_cast<FixedWidthBuilder<std::int8_t>&>(b).append(integer<std::int8_t>()); break;
      case TypeId::kInt16: static_cast<FixedWidthBuilder<std::int16_t>&>(b).append(integer<std::int16_t>()); break;
      case TypeId::kInt32: static_cast<FixedWidthBuilder<std::int32_t>&>(b).append(integer<std::int32_t>()); break;
      case TypeId::kInt64: static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(integer<std::int64_t>()); break;
      case TypeId::kUInt8: static_cast<FixedWidthBuilder<std::uint8_t>&>(b).append(integer<std::uint8_t>()); break;
      case TypeId::kUInt16: static_cast<FixedWidthBuilder<std::uint16_t>&>(b).append(integer<std::uint16_t>()); break;
      case TypeId::kUInt32: static_cast<FixedWidthBuilder<std::uint32_t>&>(b).append(integer<std::uint32_t>()); break;
      case TypeId::kUInt64: static_cast<FixedWidthBuilder<std::uint64_t>&>(b).append(integer<std::uint64_t>()); break;
      case TypeId::kFloat16: {
        static const std::uint16_t special[] = {0x7C00, 0xFC00, 0x8000, 0x0000, 0x7E00, 0x3C00, 0xBC00, 0x0001, 0x7BFF};
        const std::uint16_t h = small_domain ? special[range(3, 6)]
                                : coin(0.4) ? special[range(0, 8)] : static_cast<std::uint16_t>(u64());
        static_cast<FixedWidthBuilder<std::uint16_t>&>(b).append(h);
        break;
      }
      case TypeId::kFloat32: static_cast<FixedWidthBuilder<float>&>(b).append(floating<float>()); break;
      case TypeId::kFloat64: static_cast<FixedWidthBuilder<double>&>(b).append(floating<double>()); break;
      case TypeId::kDecimal128:
        static_cast<FixedWidthBuilder<__int128>&>(b).append(small_domain ? range(-3, 3) : decimal(t.precision));
        break;
      case TypeId::kDate32:
        static_cast<FixedWidthBuilder<std::int32_t>&>(b).append(
            static_cast<std::int32_t>(small_domain ? range(0, 9) : range(-800000, 3000000)));
        break;
      case TypeId::kTime: {
        const std::int64_t day = 86400 * units_per_second(t.unit);
        const std::int64_t v = small_domain ? range(0, 9) : range(0, day - 1);
        if (t.value_width() == 4) static_cast<FixedWidthBuilder<std::int32_t>&>(b).append(static_cast<std::int32_t>(v));
        else static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(v);
        break;
      }
      case TypeId::kTimestamp: {
        // Seconds must survive the conversion to milliseconds.
        const std::int64_t v = t.unit == TimeUnit::kSecond ? range(-9'000'000'000'000'000 / 1000, 9'000'000'000'000'000 / 1000)
                                                           : integer<std::int64_t>();
        static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(small_domain ? range(0, 9) : v);
        break;
      }
      case TypeId::kDuration: static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(integer<std::int64_t>()); break;
      case TypeId::kString: static_cast<BinaryBuilder&>(b).append(text(12)); break;
      case TypeId::kBinary:
        static_cast<BinaryBuilder&>(b).append(bytes(static_cast<std::size_t>(range(0, small_domain ? 2 : 10))));
        break;
      case TypeId::kFixedSizeBinary:
        static_cast<FixedSizeBinaryBuilder&>(b).append(bytes(static_cast<std::size_t>(t.byte_width)));
        break;
      case TypeId::kList: {
        auto& lb = static_cast<ListBuilder&>(b);
        const auto n = range(0, max_list);
        for (std::int64_t k = 0; k < n; ++k) append(lb.child(), t.children[0]);
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
        const auto n = range(0, max_list);
        for (std::int64_t k = 0; k < n; ++k) {
          append(mb.keys(), entries[0]);
          append(mb.values(), entries[1]);
        }
        mb.append_valid();
        break;
      }
    }
  }

  ArrayPtr array(const Field& f, std::int64_t n) {
    auto b = make_builder(f.type);
    for (std::int64_t i = 0; i < n; ++i) append(*b, f);
    return b->finish();
  }
  Batch batch(const SchemaPtr& s, std::int64_t n) {
    std::vector<ArrayPtr> cols;
    for (const auto& f : s->fields) cols.push_back(array(f, n));
    Batch b{s, std::move(cols), n};
    return b;
  }
};

// ---------------------------------------------------------------------------------------------
// What reads back: the documented type changes

// list items are named "element" (the 3-level list's name), time[s] and timestamp[s] become
// milliseconds, any time zone reads as "UTC", durations as int64, map values are nullable.
TypePtr expected_type(const TypePtr& t) {
  switch (t->id) {
    case TypeId::kTime:
      return t->unit == TimeUnit::kSecond ? time_type(TimeUnit::kMilli) : t;
    case TypeId::kTimestamp:
      return timestamp(t->unit == TimeUnit::kSecond ? TimeUnit::kMilli : t->unit, t->timezone.empty() ? "" : "UTC");
    case TypeId::kDuration:
      return int64();
    case TypeId::kList: {
      const Field& item = t->children[0];
      return list(Field{"element", expected_type(item.type), item.nullable});
    }
    case TypeId::kStruct: {
      std::vector<Field> fields;
      for (const auto& c : t->children) fields.push_back(Field{c.name, expected_type(c.type), c.nullable});
      return struct_(std::move(fields));
    }
    case TypeId::kMap: {
      const auto& e = t->children[0].type->children;
      return map(expected_type(e[0].type), expected_type(e[1].type));
    }
    default:
      return t;
  }
}

std::vector<Field> expected_fields(const Schema& s) {
  std::vector<Field> out;
  for (const auto& f : s.fields) out.push_back(Field{f.name, expected_type(f.type), f.nullable || f.type->id == TypeId::kNull});
  return out;
}


// Row i of the written array `w` against row j of the array `r` read back (of the expected type).
// Empty when equal; floats compare bit for bit (NaN payloads and the sign of zero included).
std::string value_diff(const ArrayData& w, std::int64_t i, const ArrayData& r, std::int64_t j, const std::string& where) {
  const bool vw = w.is_valid(i), vr = r.is_valid(j);
  if (vw != vr) return where + ": " + (vw ? "written value read back as null" : "null read back as a value");
  if (!vw) return {};
  const DataType& t = *w.type;
  auto bad = [&](const std::string& what) { return where + ": " + what; };
  switch (t.id) {
    case TypeId::kNull: return {};
    case TypeId::kBool:
      return w.bool_value(i) == r.bool_value(j) ? "" : bad("bool differs");
    case TypeId::kTime:
      if (t.unit == TimeUnit::kSecond)
        return std::int64_t{w.value<std::int32_t>(i)} * 1000 == r.value<std::int32_t>(j) ? "" : bad("time[s] x1000 differs");
      break;
    case TypeId::kTimestamp:
      if (t.unit == TimeUnit::kSecond)
        return w.value<std::int64_t>(i) * 1000 == r.value<std::int64_t>(j) ? "" : bad("timestamp[s] x1000 differs");
      break;
    case TypeId::kString:
    case TypeId::kBinary:
      return w.string_at(i) == r.string_at(j)
                 ? ""
                 : bad("bytes differ: " + std::to_string(w.string_at(i).size()) + " vs " +
                       std::to_string(r.string_at(j).size()) + " bytes");
    case TypeId::kFixedSizeBinary:
      return w.fixed_binary_at(i) == r.fixed_binary_at(j) ? "" : bad("fixed bytes differ");
    case TypeId::kList:
    case TypeId::kMap: {
      const auto rw = t.id == TypeId::kList ? w.list_range(i) : w.map_range(i);
      const auto rr = t.id == TypeId::kList ? r.list_range(j) : r.map_range(j);
      if (rw.second - rw.first != rr.second - rr.first)
        return bad("lengths differ: " + std::to_string(rw.second - rw.first) + " vs " + std::to_string(rr.second - rr.first));
      for (std::int64_t k = 0; k < rw.second - rw.first; ++k) {
        if (t.id == TypeId::kList) {
          auto d = value_diff(*w.children[0], rw.first + k, *r.children[0], rr.first + k, where + "[" + std::to_string(k) + "]");
          if (!d.empty()) return d;
        } else {
          const ArrayData& we = *w.children[0];
          const ArrayData& re = *r.children[0];
          for (int c = 0; c < 2; ++c) {
            auto d = value_diff(*we.children[c], rw.first + k, *re.children[c], rr.first + k,
                                where + "{" + std::to_string(k) + (c ? "}.value" : "}.key"));
            if (!d.empty()) return d;
          }
        }
      }
      return {};
    }
    case TypeId::kStruct:
      for (std::size_t c = 0; c < t.children.size(); ++c) {
        auto d = value_diff(*w.children[c], i, *r.children[c], j, where + "." + t.children[c].name);
        if (!d.empty()) return d;
      }
      return {};
    default: break;
  }
  const int width = t.value_width();
  if (width != r.type->value_width()) return bad("value widths differ");
  return std::memcmp(w.buffers[1]->data() + (w.offset + i) * width, r.buffers[1]->data() + (r.offset + j) * width,
                     static_cast<std::size_t>(width)) == 0
             ? ""
             : bad("value differs (" + t.to_string() + ")");
}

// The written batches against the batches read back: the expected schema and every value.
::testing::AssertionResult same_table(const Schema& schema, const std::vector<Batch>& written,
                                      const std::vector<Batch>& read) {
  std::int64_t wn = 0, rn = 0;
  for (const auto& b : written) wn += b.num_rows;
  for (const auto& b : read) {
    rn += b.num_rows;
    if (auto st = b.validate(); !st.ok()) return ::testing::AssertionFailure() << "invalid batch: " << st.error().to_string();
    if (!(b.schema->fields == expected_fields(schema)))
      return ::testing::AssertionFailure() << "schema read back:\n"
                                           << b.schema->to_string() << "expected:\n"
                                           << make_schema(expected_fields(schema))->to_string();
  }
  if (wn != rn) return ::testing::AssertionFailure() << "rows: wrote " << wn << ", read " << rn;
  std::size_t wb = 0, rb = 0;
  std::int64_t wi = 0, ri = 0, row = 0;
  while (row < wn) {
    while (written[wb].num_rows == wi) ++wb, wi = 0;
    while (read[rb].num_rows == ri) ++rb, ri = 0;
    for (std::size_t c = 0; c < schema.fields.size(); ++c) {
      auto d = value_diff(*written[wb].columns[c], wi, *read[rb].columns[c], ri,
                          "row " + std::to_string(row) + " " + schema.fields[c].name);
      if (!d.empty()) return ::testing::AssertionFailure() << d;
    }
    ++wi, ++ri, ++row;
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------------------------
// Writing and reading files in memory

Result<std::string> write_file(const SchemaPtr& schema, const std::vector<Batch>& batches, const pq::WriteOptions& o) {
  io::MemorySink sink;
  SLUICE_TRY(pq::write_all(sink, schema, batches, o));
  SLUICE_TRY(sink.finish());
  return sink.data();
}

std::string must_write(const SchemaPtr& schema, const std::vector<Batch>& batches, const pq::WriteOptions& o = {}) {
  auto r = write_file(schema, batches, o);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : std::string();
}

Result<std::vector<Batch>> read_file(const std::string& file, pq::ReadOptions o = {}) {
  return pq::read_all(std::make_unique<io::MemorySource>(file, "test.parquet"), std::move(o));
}

// Writes, reads back and compares; the file goes to *file_out.
::testing::AssertionResult round_trips(const SchemaPtr& schema, const std::vector<Batch>& batches,
                                       const pq::WriteOptions& o = {}, std::string* file_out = nullptr,
                                       pq::ReadOptions ro = {}) {
  auto file = write_file(schema, batches, o);
  if (!file.ok()) return ::testing::AssertionFailure() << "write: " << file.error().to_string();
  if (file_out) *file_out = *file;
  auto read = read_file(*file, ro);
  if (!read.ok()) return ::testing::AssertionFailure() << "read: " << read.error().to_string();
  return same_table(*schema, batches, *read);
}

fmt::FileMetaData footer_of(const std::string& file) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(file.data());
  auto info = pq::locate_footer(file.size(), {p, file.size()});
  EXPECT_TRUE(info.ok()) << info.error().to_string();
  if (!info.ok()) return {};
  auto md = pq::parse_file_metadata({p + info->offset, info->length}, file.size());
  EXPECT_TRUE(md.ok()) << md.error().to_string();
  return md.ok() ? *md : fmt::FileMetaData();
}

std::string dotted(const fmt::ColumnChunk& c) {
  std::string s;
  for (const auto& p : c.meta_data.path_in_schema) s += (s.empty() ? "" : ".") + p;
  return s;
}

const fmt::ColumnChunk& chunk_of(const fmt::FileMetaData& md, std::size_t group, const std::string& path) {
  for (const auto& c : md.row_groups.at(group).columns)
    if (dotted(c) == path) return c;
  ADD_FAILURE() << "no column " << path;
  static const fmt::ColumnChunk none;
  return none;
}

std::span<const std::uint8_t> bytes_at(const std::string& file, std::int64_t offset, std::int64_t length) {
  EXPECT_GE(offset, 0);
  EXPECT_LE(offset + length, static_cast<std::int64_t>(file.size()));
  return {reinterpret_cast<const std::uint8_t*>(file.data()) + offset, static_cast<std::size_t>(length)};
}

fmt::ColumnIndex column_index_of(const std::string& file, const fmt::ColumnChunk& c) {
  EXPECT_TRUE(c.__isset.column_index_offset) << dotted(c);
  if (!c.__isset.column_index_offset) return {};
  auto ci = pq::parse_column_index(bytes_at(file, c.column_index_offset, c.column_index_length));
  EXPECT_TRUE(ci.ok()) << ci.error().to_string();
  return ci.ok() ? *ci : fmt::ColumnIndex();
}

fmt::OffsetIndex offset_index_of(const std::string& file, const fmt::ColumnChunk& c) {
  EXPECT_TRUE(c.__isset.offset_index_offset) << dotted(c);
  if (!c.__isset.offset_index_offset) return {};
  auto oi = pq::parse_offset_index(bytes_at(file, c.offset_index_offset, c.offset_index_length));
  EXPECT_TRUE(oi.ok()) << oi.error().to_string();
  return oi.ok() ? *oi : fmt::OffsetIndex();
}

fmt::PageHeader page_header_at(const std::string& file, std::int64_t offset, std::uint32_t* header_size) {
  auto h = pq::parse_page_header(bytes_at(file, offset, static_cast<std::int64_t>(file.size()) - offset),
                                 pq::ThriftLimits{}, header_size);
  EXPECT_TRUE(h.ok()) << h.error().to_string();
  return h.ok() ? *h : fmt::PageHeader();
}

bool has_encoding(const fmt::ColumnMetaData& md, fmt::Encoding::type e) {
  return std::find(md.encodings.begin(), md.encodings.end(), e) != md.encodings.end();
}

// Data pages of a chunk by encoding, from its encoding_stats.
std::map<fmt::Encoding::type, int> data_page_encodings(const fmt::ColumnMetaData& md) {
  std::map<fmt::Encoding::type, int> out;
  for (const auto& s : md.encoding_stats)
    if (s.page_type != fmt::PageType::DICTIONARY_PAGE) out[s.encoding] += s.count;
  return out;
}

// All the batches' rows as one batch per input (for slicing tests).
std::int64_t total_rows(const std::vector<Batch>& bs) {
  std::int64_t n = 0;
  for (const auto& b : bs) n += b.num_rows;
  return n;
}

// Per-column options for `path`, set by `set`.
template <class Set>
pq::ColumnWriteOptions col(std::string path, Set set) {
  pq::ColumnWriteOptions c;
  c.path = std::move(path);
  set(c);
  return c;
}

Field F(std::string name, TypePtr type, bool nullable = true) { return Field{std::move(name), std::move(type), nullable}; }

// Every non-nested type the writer knows.
std::vector<Field> every_flat_type(bool nullable = true) {
  return {
      F("b", boolean(), nullable),
      F("i8", int8(), nullable),
      F("i16", int16(), nullable),
      F("i32", int32(), nullable),
      F("i64", int64(), nullable),
      F("u8", uint8(), nullable),
      F("u16", uint16(), nullable),
      F("u32", uint32(), nullable),
      F("u64", uint64(), nullable),
      F("f16", float16(), nullable),
      F("f32", float32(), nullable),
      F("f64", float64(), nullable),
      F("d5", decimal128(5, 2), nullable),
      F("d15", decimal128(15, 3), nullable),
      F("d30", decimal128(30, 10), nullable),
      F("d38", decimal128(38, 0), nullable),
      F("date", date32(), nullable),
      F("t_s", time_type(TimeUnit::kSecond), nullable),
      F("t_ms", time_type(TimeUnit::kMilli), nullable),
      F("t_us", time_type(TimeUnit::kMicro), nullable),
      F("t_ns", time_type(TimeUnit::kNano), nullable),
      F("ts_s", timestamp(TimeUnit::kSecond), nullable),
      F("ts_ms", timestamp(TimeUnit::kMilli), nullable),
      F("ts_us", timestamp(TimeUnit::kMicro), nullable),
      F("ts_ns", timestamp(TimeUnit::kNano), nullable),
      F("tz_s", timestamp(TimeUnit::kSecond, "UTC"), nullable),
      F("tz_ms", timestamp(TimeUnit::kMilli, "Europe/Paris"), nullable),
      F("tz_us", timestamp(TimeUnit::kMicro, "+01:00"), nullable),
      F("tz_ns", timestamp(TimeUnit::kNano, "UTC"), nullable),
      F("dur", duration(TimeUnit::kNano), nullable),
      F("s", utf8(), nullable),
      F("bin", binary(), nullable),
      F("fsb", fixed_size_binary(3), nullable),
      F("uuid", fixed_size_binary(16), nullable),
  };
}

// A mix of nested shapes.
std::vector<Field> nested_fields() {
  return {
      F("id", int64(), false),
      F("l", list(int32())),
      F("ll", list(list(utf8()))),
      F("st", struct_({F("a", int32()), F("b", utf8(), false), F("c", list(float64()))})),
      F("m", map(utf8(), int64())),
      F("lsl", list(struct_({F("x", list(int16())), F("y", boolean())}))),
      F("smap", struct_({F("inner", map(int32(), list(struct_({F("p", utf8()), F("q", decimal128(20, 4))}))))})),
      F("req_list", list(Field{"item", int64(), false}), false),
  };
}

const pq::Compression kCodecs[] = {pq::Compression::kUncompressed, pq::Compression::kSnappy, pq::Compression::kGzip,
                                   pq::Compression::kZstd,         pq::Compression::kLz4Raw, pq::Compression::kBrotli};

}  // namespace

// =============================================================================================
// Types

namespace {

// Eight rows of edge values for every flat type (the last row null), in every_flat_type() order.
std::vector<ArrayPtr> edge_columns() {
  using I32 = std::optional<std::int32_t>;
  using I64 = std::optional<std::int64_t>;
  constexpr auto i64min = std::numeric_limits<std::int64_t>::min();
  constexpr auto i64max = std::numeric_limits<std::int64_t>::max();
  const auto nanf = std::numeric_limits<float>::quiet_NaN();
  const auto infd = std::numeric_limits<double>::infinity();
  const __int128 p5 = pow10_128(5) - 1, p15 = pow10_128(15) - 1, p30 = pow10_128(30) - 1, p38 = pow10_128(38) - 1;
  const __int128 two64 = static_cast<__int128>(1) << 64;
  std::vector<ArrayPtr> c;
  c.push_back(bools({true, false, true, false, true, true, false, std::nullopt}));
  c.push_back(fixed<std::int8_t>(int8(), {-128, 127, 0, -1, 1, 5, -5, std::nullopt}));
  c.push_back(fixed<std::int16_t>(int16(), {-32768, 32767, 0, -1, 1, 300, -300, std::nullopt}));
  c.push_back(fixed<std::int32_t>(int32(), {INT32_MIN, INT32_MAX, 0, -1, 1, 70000, -70000, std::nullopt}));
  c.push_back(fixed<std::int64_t>(int64(), {i64min, i64max, 0, -1, 1, 1LL << 40, -(1LL << 40), std::nullopt}));
  c.push_back(fixed<std::uint8_t>(uint8(), {0, 255, 128, 127, 1, 200, 2, std::nullopt}));
  c.push_back(fixed<std::uint16_t>(uint16(), {0, 65535, 32768, 32767, 1, 40000, 2, std::nullopt}));
  c.push_back(fixed<std::uint32_t>(uint32(), {0, 2147483648u, 4294967295u, 2147483647u, 1, 3000000000u, 2, std::nullopt}));
  c.push_back(fixed<std::uint64_t>(uint64(), {0, 1ULL << 63, ~0ULL, (1ULL << 63) - 1, 1, 18000000000000000000ULL, 2, std::nullopt}));
  c.push_back(fixed<std::uint16_t>(float16(), {0x7C00, 0xFC00, 0x8000, 0x0000, 0x7E00, 0x3C00, 0x0001, std::nullopt}));
  c.push_back(fixed<float>(float32(), {nanf, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                       -0.0f, 0.0f, std::numeric_limits<float>::denorm_min(),
                                       std::numeric_limits<float>::max(), std::nullopt}));
  c.push_back(fixed<double>(float64(), {-std::numeric_limits<double>::quiet_NaN(), infd, -infd, -0.0, 0.0,
                                        std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::lowest(),
                                        std::nullopt}));
  c.push_back(fixed<__int128>(decimal128(5, 2), {p5, -p5, 0, -1, 1, 12345, -12345, std::nullopt}));
  c.push_back(fixed<__int128>(decimal128(15, 3), {p15, -p15, 0, -1, 1, static_cast<__int128>(1) << 40, -7, std::nullopt}));
  c.push_back(fixed<__int128>(decimal128(30, 10), {p30, -p30, 0, -1, two64, -two64, two64 - 1, std::nullopt}));
  c.push_back(fixed<__int128>(decimal128(38, 0), {p38, -p38, 0, -1, two64, -two64, 1, std::nullopt}));
  c.push_back(fixed<std::int32_t>(date32(), {-719162, 0, 2932896, -1, 1, 19000, INT32_MIN, std::nullopt}));
  c.push_back(fixed<std::int32_t>(time_type(TimeUnit::kSecond), {0, 86399, 1, 43200, 7, 8, 9, std::nullopt}));
  c.push_back(fixed<std::int32_t>(time_type(TimeUnit::kMilli), {0, 86399999, 1, 43200000, 7, 8, 9, I32()}));
  c.push_back(fixed<std::int64_t>(time_type(TimeUnit::kMicro), {0, 86399999999LL, 1, 43200000000LL, 7, 8, 9, I64()}));
  c.push_back(fixed<std::int64_t>(time_type(TimeUnit::kNano), {0, 86399999999999LL, 1, 43200000000000LL, 7, 8, 9, I64()}));
  const std::vector<std::optional<std::int64_t>> secs = {-62135596800LL, 253402300799LL, 0, -1, 1,
                                                         i64max / 1000, i64min / 1000, std::nullopt};
  const std::vector<std::optional<std::int64_t>> wide = {i64min, i64max, 0, -1, 1, 1700000000123456789LL, -5, std::nullopt};
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kSecond), secs));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kMilli), wide));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kMicro), wide));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kNano), wide));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kSecond, "UTC"), secs));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kMilli, "Europe/Paris"), wide));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kMicro, "+01:00"), wide));
  c.push_back(fixed<std::int64_t>(timestamp(TimeUnit::kNano, "UTC"), wide));
  c.push_back(fixed<std::int64_t>(duration(TimeUnit::kNano), wide));
  c.push_back(strings(utf8(), {"", "héllo wörld", "日本語のテキスト", "😀🎉", std::string("a\0b", 3), std::string(100, 'x'),
                               "", std::nullopt}));
  c.push_back(strings(binary(), {"", std::string("\0\xff\x80", 3), "bin", std::string(1, '\0'), "\xff", "", "z", std::nullopt}));
  c.push_back(strings(fixed_size_binary(3), {"abc", std::string(3, '\0'), "\xff\xff\xff", "xyz", "a\0c", "\x80\x7f\x01",
                                             "abc", std::nullopt}));
  c.push_back(strings(fixed_size_binary(16), {std::string(16, 'u'), std::string(16, '\0'), std::string(16, '\xff'),
                                              "0123456789abcdef", "fedcba9876543210", std::string(16, 'u'),
                                              std::string(16, '\x01'), std::nullopt}));
  return c;
}

}  // namespace

TEST(ParquetWriterTypes, EveryTypeWithEdgeValues) {
  const auto schema = make_schema(every_flat_type());
  const auto cols = edge_columns();
  ASSERT_EQ(cols.size(), schema->fields.size());
  const Batch b = make_batch(schema, cols);
  ASSERT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  for (int version : {1, 2}) {
    for (bool dict : {true, false}) {
      SCOPED_TRACE("page v" + std::to_string(version) + (dict ? " dictionary" : " plain"));
      pq::WriteOptions o;
      o.page_version = version;
      o.dictionary = dict;
      EXPECT_TRUE(round_trips(schema, {b}, o));
    }
  }
}

TEST(ParquetWriterTypes, ReadBackTypesAreTheDocumentedOnes) {
  const auto schema = make_schema(every_flat_type());
  const std::string file = must_write(schema, {make_batch(schema, edge_columns())});
  auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Schema& got = *(*r)->schema();
  auto type_of = [&](const std::string& name) { return got.fields.at(static_cast<std::size_t>(got.find(name))).type->to_string(); };
  // Changed, as documented.
  EXPECT_EQ(type_of("t_s"), "time[ms]");
  EXPECT_EQ(type_of("ts_s"), "timestamp[ms]");
  EXPECT_EQ(type_of("tz_s"), "timestamp[ms, tz=UTC]");
  EXPECT_EQ(type_of("tz_ms"), "timestamp[ms, tz=UTC]");
  EXPECT_EQ(type_of("tz_us"), "timestamp[us, tz=UTC]");
  EXPECT_EQ(type_of("tz_ns"), "timestamp[ns, tz=UTC]");
  EXPECT_EQ(type_of("dur"), "int64");
  // Unchanged.
  for (const char* same : {"b", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "d5", "d15",
                           "d30", "d38", "date", "t_ms", "t_us", "t_ns", "ts_ms", "ts_us", "ts_ns", "s", "bin", "fsb",
                           "uuid"})
    EXPECT_EQ(type_of(same), schema->fields.at(static_cast<std::size_t>(schema->find(same))).type->to_string()) << same;
  // Values: seconds read back as milliseconds.
  auto batches = read_file(file);
  ASSERT_TRUE(batches.ok());
  const ArrayData& ts = batches->at(0).column(static_cast<std::size_t>(schema->find("ts_s")));
  EXPECT_EQ(ts.value<std::int64_t>(1), 253402300799000LL);
  const ArrayData& t = batches->at(0).column(static_cast<std::size_t>(schema->find("t_s")));
  EXPECT_EQ(t.value<std::int32_t>(1), 86399000);
}

TEST(ParquetWriterTypes, EveryTypeRandomValues) {
  for (bool nullable : {true, false}) {
    const auto schema = make_schema(every_flat_type(nullable));
    Gen g(nullable ? 11 : 12);
    const Batch b = g.batch(schema, 3000);
    ASSERT_TRUE(b.validate().ok()) << b.validate().error().to_string();
    pq::WriteOptions o;
    o.page_rows = 700;
    EXPECT_TRUE(round_trips(schema, {b}, o)) << "nullable " << nullable;
    // Few distinct values: every column dictionary-encoded.
    g.small_domain = true;
    const Batch d = g.batch(schema, 2000);
    std::string file;
    EXPECT_TRUE(round_trips(schema, {d}, o, &file)) << "nullable " << nullable;
    const auto md = footer_of(file);
    for (const auto& c : md.row_groups.at(0).columns) {
      if (c.meta_data.type == fmt::Type::BOOLEAN) continue;
      EXPECT_TRUE(has_encoding(c.meta_data, fmt::Encoding::RLE_DICTIONARY)) << dotted(c);
    }
  }
}

TEST(ParquetWriterTypes, NullTypedColumns) {
  const auto schema = make_schema({F("n", null_type()), F("s", struct_({F("a", int32()), F("z", null_type())})),
                                   F("l", list(null_type()))});
  Gen g(3);
  const Batch b = g.batch(schema, 200);
  std::string file;
  EXPECT_TRUE(round_trips(schema, {b}, {}, &file));
  const auto md = footer_of(file);
  const auto& n = chunk_of(md, 0, "n").meta_data;
  EXPECT_EQ(n.statistics.null_count, 200);
  EXPECT_FALSE(n.statistics.__isset.min_value);
  // A null-typed column must be nullable.
  EXPECT_EQ(write_file(make_schema({F("n", null_type(), false)}), {}, {}).error().code(), ErrorCode::kInvalidArgument);
}

TEST(ParquetWriterTypes, SecondsThatOverflowMillisecondsAreAnError) {
  const auto schema = make_schema({F("ts", timestamp(TimeUnit::kSecond))});
  const Batch b = make_batch(schema, {fixed<std::int64_t>(timestamp(TimeUnit::kSecond), {1, std::numeric_limits<std::int64_t>::max()})});
  auto r = write_file(schema, {b}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("'ts'"), std::string::npos) << r.error().message();
}

TEST(ParquetWriterTypes, DecimalThatDoesNotFitItsStorageIsAnError) {
  const auto schema = make_schema({F("d", decimal128(5, 0))});
  const Batch b = make_batch(schema, {fixed<__int128>(decimal128(5, 0), {1, pow10_128(12)})});
  auto r = write_file(schema, {b}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("'d'"), std::string::npos) << r.error().message();
  // A precision beyond 38 has no Parquet form.
  auto bad = write_file(make_schema({F("d", decimal128(39, 0))}), {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ParquetWriterTypes, Annotations) {
  const auto schema = make_schema({F("j", utf8()), F("e", utf8()), F("u", fixed_size_binary(16)), F("bs", binary()),
                                   F("iv", fixed_size_binary(12))});
  Gen g(5);
  const Batch b = g.batch(schema, 100);
  pq::WriteOptions o;
  o.columns = {col("j", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kJson; }),
               col("e", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kEnum; }),
               col("u", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kUuid; }),
               col("bs", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kBson; }),
               col("iv", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kInterval; })};
  // They read back as what they annotate: the same values, the types with their extension.
  const std::vector<Extension> exts = {Extension::kJson, Extension::kEnum, Extension::kUuid, Extension::kBson,
                                       Extension::kInterval};
  std::vector<Field> ext_fields = schema->fields;
  Batch eb = b;
  for (std::size_t i = 0; i < exts.size(); ++i) {
    ext_fields[i].type = with_extension(ext_fields[i].type, exts[i]);
    ASSERT_NE(ext_fields[i].type, nullptr);
    auto relabelled = std::make_shared<ArrayData>(*b.columns[i]);
    relabelled->type = ext_fields[i].type;
    eb.columns[i] = relabelled;
  }
  const auto ext_schema = make_schema(ext_fields);
  eb.schema = ext_schema;
  EXPECT_EQ(ext_schema->to_string(), "j: json\ne: enum\nu: uuid\nbs: bson\niv: interval\n");
  auto file = write_file(schema, {b}, o);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  auto read = read_file(*file, {});
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_TRUE(same_table(*ext_schema, {eb}, *read));
  // A buffer whose types carry the extensions writes the annotations without being told, and the
  // file is the one the options wrote.
  std::string ext_file;
  EXPECT_TRUE(round_trips(ext_schema, {eb}, {}, &ext_file));
  EXPECT_EQ(ext_file, *file);
  const auto md = footer_of(ext_file);
  ASSERT_EQ(md.schema.size(), 6u);
  EXPECT_TRUE(md.schema[1].logicalType.__isset.JSON);
  EXPECT_TRUE(md.schema[2].logicalType.__isset.ENUM);
  EXPECT_TRUE(md.schema[3].logicalType.__isset.UUID);
  EXPECT_TRUE(md.schema[4].logicalType.__isset.BSON);
  EXPECT_EQ(md.schema[1].converted_type, fmt::ConvertedType::JSON);
  // INTERVAL is a converted type only, and its order is undefined: null counts, no min/max.
  EXPECT_EQ(md.schema[5].converted_type, fmt::ConvertedType::INTERVAL);
  EXPECT_FALSE(md.schema[5].__isset.logicalType);
  const auto& iv = chunk_of(md, 0, "iv").meta_data;
  EXPECT_TRUE(iv.statistics.__isset.null_count);
  EXPECT_FALSE(iv.statistics.__isset.min_value);
  EXPECT_FALSE(iv.statistics.__isset.max_value);
  EXPECT_FALSE(iv.statistics.__isset.min);
  // Annotations on the wrong types.
  for (auto [path, a] : std::vector<std::pair<std::string, pq::Annotation>>{
           {"bs", pq::Annotation::kJson}, {"u", pq::Annotation::kEnum}, {"j", pq::Annotation::kUuid}, {"j", pq::Annotation::kBson},
           {"u", pq::Annotation::kInterval}}) {
    pq::WriteOptions w;
    w.columns = {col(path, [a = a](pq::ColumnWriteOptions& c) { c.annotation = a; })};
    auto r = write_file(schema, {b}, w);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("'" + path + "'"), std::string::npos) << r.error().message();
  }
  // Geometries and geographies: their CRS and edges written and read back, WKB bytes unchanged, and
  // no min/max (their order is undefined).
  {
    const auto geo = make_schema({F("g", geometry_type("srid:5070")), F("p", geometry_type()),
                                  F("h", geography_type("OGC:CRS84", Edges::kVincenty)), F("s", geography_type())});
    EXPECT_EQ(geo->to_string(), "g: geometry(srid:5070)\np: geometry\nh: geography(OGC:CRS84, vincenty)\n"
                                "s: geography(spherical)\n");
    Gen gg(9);
    const Batch plain = gg.batch(make_schema({F("g", binary()), F("p", binary()), F("h", binary()), F("s", binary())}), 50);
    Batch gb = plain;
    gb.schema = geo;
    for (std::size_t i = 0; i < 4; ++i) {
      auto relabelled = std::make_shared<ArrayData>(*plain.columns[i]);
      relabelled->type = geo->fields[i].type;
      gb.columns[i] = relabelled;
    }
    std::string geo_file;
    EXPECT_TRUE(round_trips(geo, {gb}, {}, &geo_file));
    const auto gmd = footer_of(geo_file);
    ASSERT_EQ(gmd.schema.size(), 5u);
    ASSERT_TRUE(gmd.schema[1].logicalType.__isset.GEOMETRY);
    EXPECT_EQ(gmd.schema[1].logicalType.GEOMETRY.crs, "srid:5070");
    ASSERT_TRUE(gmd.schema[2].logicalType.__isset.GEOMETRY);
    EXPECT_FALSE(gmd.schema[2].logicalType.GEOMETRY.__isset.crs);
    ASSERT_TRUE(gmd.schema[3].logicalType.__isset.GEOGRAPHY);
    EXPECT_EQ(gmd.schema[3].logicalType.GEOGRAPHY.crs, "OGC:CRS84");
    EXPECT_EQ(gmd.schema[3].logicalType.GEOGRAPHY.algorithm, fmt::EdgeInterpolationAlgorithm::VINCENTY);
    EXPECT_FALSE(gmd.schema[4].logicalType.GEOGRAPHY.__isset.algorithm);
    for (const char* c : {"g", "p", "h", "s"}) {
      const auto& st = chunk_of(gmd, 0, c).meta_data.statistics;
      EXPECT_TRUE(st.__isset.null_count) << c;
      EXPECT_FALSE(st.__isset.min_value) << c;
      EXPECT_FALSE(st.__isset.max_value) << c;
    }
  }
  const auto narrow = make_schema({F("u", fixed_size_binary(3))});
  pq::WriteOptions w;
  w.columns = {col("u", [](pq::ColumnWriteOptions& c) { c.annotation = pq::Annotation::kUuid; })};
  EXPECT_FALSE(write_file(narrow, {}, w).ok());
}

// GEOMETRY statistics against those the writer of parquet-testing's geospatial files computed: each
// of its row groups written on its own by sluice gives the same box and types (files by Arrow C++ and
// DataFusion). GEOGRAPHY gets none. A value that is not WKB leaves the chunk without them.
TEST(ParquetWriterTypes, GeospatialStatisticsAsTheCorpusHasThem) {
  const fs::path dir = fs::path(SLUICE_TESTDATA_DIR) / "parquet-testing" / "data" / "geospatial";
  if (!fs::exists(dir)) GTEST_SKIP() << "no parquet-testing corpus at " << dir;
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".parquet") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto md = footer_of(original);
    pq::ReadOptions ro;
    ro.batch_rows = std::int64_t{1} << 30;  // one batch per row group
    auto batches = read_file(original, ro);
    ASSERT_TRUE(batches.ok()) << batches.error().to_string();
    std::size_t b = 0;
    for (std::size_t g = 0; g < md.row_groups.size(); ++g) {
      if (md.row_groups[g].num_rows == 0) continue;
      ASSERT_LT(b, batches->size());
      const Batch& batch = (*batches)[b++];
      ASSERT_EQ(batch.num_rows, md.row_groups[g].num_rows);
      const auto mine = footer_of(must_write(batch.schema, {batch}));
      ASSERT_EQ(mine.row_groups.size(), 1u);
      for (std::size_t c = 0; c < md.row_groups[g].columns.size(); ++c) {
        const auto& want = md.row_groups[g].columns[c].meta_data;
        const auto& got = mine.row_groups[0].columns[c].meta_data;
        SCOPED_TRACE("row group " + std::to_string(g) + " column " + std::to_string(c));
        if (batch.schema->fields[c].type->extension == Extension::kGeography) {
          // Not written: a box of the vertices need not hold a spherical edge (arrow-rs writes one).
          EXPECT_FALSE(got.__isset.geospatial_statistics);
          continue;
        }
        ASSERT_EQ(got.__isset.geospatial_statistics, want.__isset.geospatial_statistics);
        if (!want.__isset.geospatial_statistics) continue;
        const auto& w = want.geospatial_statistics;
        const auto& h = got.geospatial_statistics;
        EXPECT_EQ(h.geospatial_types, w.geospatial_types);
        ASSERT_EQ(h.__isset.bbox, w.__isset.bbox);
        if (w.__isset.bbox) {
          EXPECT_EQ(h.bbox.xmin, w.bbox.xmin);
          EXPECT_EQ(h.bbox.xmax, w.bbox.xmax);
          EXPECT_EQ(h.bbox.ymin, w.bbox.ymin);
          EXPECT_EQ(h.bbox.ymax, w.bbox.ymax);
          EXPECT_EQ(h.bbox.__isset.zmin, w.bbox.__isset.zmin);
          EXPECT_EQ(h.bbox.zmin, w.bbox.zmin);
          EXPECT_EQ(h.bbox.zmax, w.bbox.zmax);
          EXPECT_EQ(h.bbox.__isset.mmin, w.bbox.__isset.mmin);
          EXPECT_EQ(h.bbox.mmin, w.bbox.mmin);
          EXPECT_EQ(h.bbox.mmax, w.bbox.mmax);
        }
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 30);

  BinaryBuilder bb(geometry_type());
  bb.append(std::string_view("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x3e\x40\x00\x00\x00\x00\x00\x00\x24\x40", 21));  // POINT (30 10)
  bb.append(std::string_view("not wkb"));
  const auto schema = make_schema({F("g", geometry_type())});
  const auto md = footer_of(must_write(schema, {make_batch(schema, {bb.finish()})}));
  EXPECT_FALSE(md.row_groups[0].columns[0].meta_data.__isset.geospatial_statistics);
}

// GeoParquet 1.x: a plain BYTE_ARRAY column that the "geo" metadata names with encoding WKB reads
// as a geometry (a geography where its edges are spherical), its PROJJSON CRS kept as compact text;
// metadata that is not such JSON leaves the column binary. The "geo" is not carried into the schema's
// metadata: the writer writes its own for the geometry columns it writes (types and bbox from the
// chunks' statistics, beside the logical type), and reading that file gives the same types again.
TEST(ParquetWriterAnnotations, GeoParquetMetadataIsReadAndWritten) {
  const std::string point("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x3e\x40\x00\x00\x00\x00\x00\x00\x24\x40", 21);  // POINT (30 10)
  const std::string linez("\x01\xea\x03\x00\x00\x02\x00\x00\x00"
                          "\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x08\x40"
                          "\x00\x00\x00\x00\x00\x00\x10\xc0\x00\x00\x00\x00\x00\x00\x14\x40\x00\x00\x00\x00\x00\x00\x18\x40", 57);  // LINESTRING Z (1 2 3, -4 5 6)
  auto bin = [&](std::vector<std::optional<std::string>> v) {
    BinaryBuilder b(binary());
    for (auto& x : v) x ? b.append(*x) : b.append_null();
    return b.finish();
  };
  const auto plain = make_schema({F("g", binary()), F("h", binary()), F("k", binary()), F("x", binary())});
  const Batch rows = make_batch(plain, {bin({point, std::nullopt}), bin({linez, point}), bin({point, point}), bin({point, point})});
  pq::WriteOptions o;
  o.metadata = {{"geo", R"({"version": "1.1.0", "primary_column": "g", "columns": {
      "g": {"encoding": "WKB", "geometry_types": ["Point"]},
      "h": {"encoding": "WKB", "crs": {"type": "GeographicCRS", "name": "WGS 84", "id": {"authority": "EPSG", "code": 4326}}},
      "k": {"encoding": "WKB", "edges": "spherical", "crs": null},
      "x": {"encoding": "point"}}})"}};
  auto r = read_file(must_write(plain, {rows}, o));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const SchemaPtr& s = r->at(0).schema;
  EXPECT_EQ(*s->fields[0].type, *geometry_type("OGC:CRS84"));  // GeoParquet's default, named (as DuckDB does)
  EXPECT_EQ(*s->fields[1].type, *geometry_type(R"({"type":"GeographicCRS","name":"WGS 84","id":{"authority":"EPSG","code":4326}})"));
  EXPECT_EQ(*s->fields[2].type, *geography_type());
  EXPECT_EQ(*s->fields[3].type, *binary());  // another encoding: not WKB
  for (const auto& [k, v] : s->metadata) EXPECT_NE(k, "geo");
  std::string text;
  ASSERT_TRUE(text::append_value(text, r->at(0).column(1), 0));
  EXPECT_EQ(text, "LINESTRING Z (1 2 3, -4 5 6)");

  // Written back: the logical types, and a "geo" of sluice's own.
  const std::string again = must_write(s, {r->at(0)});
  const auto md = footer_of(again);
  std::string geo;
  for (const auto& kv : md.key_value_metadata)
    if (kv.key == "geo") geo = kv.value;
  EXPECT_EQ(geo, R"({"version":"1.0.0","primary_column":"g","columns":{)"
                 R"("g":{"encoding":"WKB","geometry_types":["Point"],"bbox":[30.0,10.0,30.0,10.0]},)"
                 R"("h":{"encoding":"WKB","geometry_types":["Point","LineString Z"],"bbox":[-4.0,2.0,30.0,10.0],)"
                 R"("crs":{"type":"GeographicCRS","name":"WGS 84","id":{"authority":"EPSG","code":4326}}},)"
                 R"("k":{"encoding":"WKB","geometry_types":[],"edges":"spherical"}}})");
  auto back = read_file(again);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(*back->at(0).schema->fields[i].type, *s->fields[i].type) << i;

  // Not JSON, or no columns: binary.
  for (const char* bad : {"{", "[]", R"({"columns": 5})", R"({"columns": {"g": {"encoding": 7}}})"}) {
    o.metadata = {{"geo", bad}};
    auto b = read_file(must_write(plain, {rows}, o));
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_EQ(*b->at(0).schema->fields[0].type, *binary()) << bad;
  }
  // An infinite coordinate (WKT's "inf" reads as one) leaves the bbox out: JSON has no infinity.
  {
    BinaryBuilder gb(geometry_type());
    gb.append(std::string_view("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x7f\x00\x00\x00\x00\x00\x00\x24\x40", 21));  // POINT (inf 10)
    const auto gs = make_schema({F("g", geometry_type())});
    const auto inf_md = footer_of(must_write(gs, {make_batch(gs, {gb.finish()})}));
    std::string inf_geo;
    for (const auto& kv : inf_md.key_value_metadata)
      if (kv.key == "geo") inf_geo = kv.value;
    EXPECT_EQ(inf_geo, R"({"version":"1.0.0","primary_column":"g","columns":{"g":{"encoding":"WKB","geometry_types":["Point"]}}})");
  }
  // A "geo" given in the options is the caller's: written as it is.
  o.metadata = {{"geo", "{}"}};
  const auto given = footer_of(must_write(s, {r->at(0)}, o));
  int geos = 0;
  for (const auto& kv : given.key_value_metadata) {
    if (kv.key != "geo") continue;
    EXPECT_EQ(kv.value, "{}");
    ++geos;
  }
  EXPECT_EQ(geos, 1);
}

// =============================================================================================
// Nesting and nulls

TEST(ParquetWriterNested, NullListsEmptyListsAndNullElements) {
  const auto type = list(int32());
  ListBuilder lb(type);
  auto& child = lb.child_as<FixedWidthBuilder<std::int32_t>>();
  lb.append_null();                                   // null
  lb.append_valid();                                  // []
  child.append_null(), lb.append_valid();             // [null]
  child.append(1), child.append_null(), child.append(2), lb.append_valid();  // [1, null, 2]
  child.append(3), lb.append_valid();                 // [3]
  lb.append_valid();                                  // []
  lb.append_null();                                   // null
  const auto schema = make_schema({F("l", type)});
  const Batch b = make_batch(schema, {lb.finish()});
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    auto r = read_file(file);
    ASSERT_TRUE(r.ok());
    const ArrayData& l = r->at(0).column(0);
    EXPECT_TRUE(l.is_null(0));
    EXPECT_TRUE(l.is_valid(1));
    EXPECT_EQ(l.list_range(1).second - l.list_range(1).first, 0);
    EXPECT_EQ(l.list_range(2).second - l.list_range(2).first, 1);
    EXPECT_TRUE(l.children[0]->is_null(l.list_range(2).first));
    EXPECT_EQ(l.list_range(3).second - l.list_range(3).first, 3);
    EXPECT_TRUE(l.is_null(6));
    const auto c = chunk_of(footer_of(file), 0, "l.list.element");
    EXPECT_EQ(c.meta_data.num_values, 9);  // one level entry per null, empty list and element
    EXPECT_EQ(c.meta_data.statistics.null_count, 6);
  }
}

TEST(ParquetWriterNested, NullStructsOverNonNullChildren) {
  // The children hold values under the null rows; they must not leak out.
  const auto st = struct_({F("a", int32(), false), F("b", utf8()), F("c", list(int64()))});
  StructBuilder sb(st);
  for (int i = 0; i < 6; ++i) {
    sb.child_as<FixedWidthBuilder<std::int32_t>>(0).append(i);
    sb.child_as<BinaryBuilder>(1).append("v" + std::to_string(i));
    auto& lb = sb.child_as<ListBuilder>(2);
    for (int k = 0; k < i % 3; ++k) lb.child_as<FixedWidthBuilder<std::int64_t>>().append(k);
    lb.append_valid();
    sb.append_valid();
  }
  const auto arr = with_validity(sb.finish(), {true, false, true, false, false, true});
  // Inside a list too: list<struct> whose null elements have values below.
  const auto lt = list(st);
  ListBuilder outer(lt);
  auto list_arr = outer.finish();
  list_arr->children[0] = arr;
  auto offs = Buffer::allocate(3 * 8);
  offs->mutable_data_as<std::int64_t>()[0] = 0;
  offs->mutable_data_as<std::int64_t>()[1] = 4;
  offs->mutable_data_as<std::int64_t>()[2] = 6;
  list_arr->buffers[1] = offs;
  list_arr->length = 2;
  const auto schema = make_schema({F("s", st), F("ls", lt)});
  // Two rows: s = arr[0..2); ls = [arr[0..4), arr[4..6)].
  const Batch b = make_batch(schema, {arr->slice(0, 2), list_arr});
  ASSERT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    auto r = read_file(file);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->at(0).column(0).is_null(1));
    const ArrayData& elems = *r->at(0).column(1).children[0];
    EXPECT_EQ(elems.null_count, 3);
  }
}

TEST(ParquetWriterNested, MapsWithNullValues) {
  const auto type = map(utf8(), int64());
  MapBuilder mb(type);
  auto& k = mb.keys_as<BinaryBuilder>();
  auto& v = mb.values_as<FixedWidthBuilder<std::int64_t>>();
  k.append("a"), v.append(1), k.append("b"), v.append_null(), mb.append_valid();
  mb.append_null();
  mb.append_valid();
  k.append("c"), v.append_null(), mb.append_valid();
  k.append(""), v.append(-4), mb.append_valid();
  const auto schema = make_schema({F("m", type)});
  const Batch b = make_batch(schema, {mb.finish()});
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    const auto md = footer_of(file);
    EXPECT_EQ(chunk_of(md, 0, "m.key_value.key").meta_data.statistics.null_count, 2);   // the null and the empty map
    EXPECT_EQ(chunk_of(md, 0, "m.key_value.value").meta_data.statistics.null_count, 4);
    // 3-level map: m (MAP) > key_value (repeated) > key (required), value (optional).
    ASSERT_GE(md.schema.size(), 5u);
    EXPECT_EQ(md.schema[2].name, "key_value");
    EXPECT_EQ(md.schema[2].repetition_type, fmt::FieldRepetitionType::REPEATED);
    EXPECT_EQ(md.schema[3].repetition_type, fmt::FieldRepetitionType::REQUIRED);
    EXPECT_EQ(md.schema[4].repetition_type, fmt::FieldRepetitionType::OPTIONAL);
  }
}

TEST(ParquetWriterNested, ListsOfLists) {
  const auto type = list(list(int32()));
  ListBuilder lb(type);
  auto& inner = lb.child_as<ListBuilder>();
  auto& v = inner.child_as<FixedWidthBuilder<std::int32_t>>();
  // [[1,2],[],null,[null]]
  v.append(1), v.append(2), inner.append_valid(), inner.append_valid(), inner.append_null(), v.append_null(),
      inner.append_valid(), lb.append_valid();
  lb.append_null();                        // null
  lb.append_valid();                       // []
  inner.append_valid(), lb.append_valid();  // [[]]
  inner.append_null(), lb.append_valid();   // [null]
  v.append(7), inner.append_valid(), v.append(8), v.append(9), inner.append_valid(), lb.append_valid();  // [[7],[8,9]]
  const auto schema = make_schema({F("ll", type)});
  const Batch b = make_batch(schema, {lb.finish()});
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    EXPECT_TRUE(round_trips(schema, {b}, o));
  }
  // And three deep, random.
  const auto deep = make_schema({F("lll", list(list(list(utf8()))))});
  Gen g(21);
  EXPECT_TRUE(round_trips(deep, {g.batch(deep, 500)}));
}

TEST(ParquetWriterNested, DeepMixedNestingRandom) {
  // list<struct<list<...>>>, struct<map<int, list<struct<...>>>> and more, three levels deep and over,
  // under every page version, with and without the dictionary, pages and row groups small.
  const auto schema = make_schema(nested_fields());
  Gen g(33);
  std::vector<Batch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(g.batch(schema, 400 + 100 * i));
  for (int version : {1, 2}) {
    for (bool dict : {true, false}) {
      for (std::int64_t page_rows : {7, 20000}) {
        SCOPED_TRACE("v" + std::to_string(version) + " dict " + std::to_string(dict) + " page_rows " +
                     std::to_string(page_rows));
        pq::WriteOptions o;
        o.page_version = version;
        o.dictionary = dict;
        o.page_rows = page_rows;
        o.page_bytes = page_rows == 7 ? 512 : o.page_bytes;
        o.row_group_rows = 450;
        EXPECT_TRUE(round_trips(schema, batches, o));
      }
    }
  }
}

TEST(ParquetWriterNested, NonNullableFieldsAtEveryLevel) {
  // A map whose values are declared not nullable (the factory makes them nullable).
  auto m = std::make_shared<DataType>(*map(utf8(), int32()));
  auto entries = std::make_shared<DataType>(*m->children[0].type);
  entries->children[1].nullable = false;
  m->children[0].type = entries;
  const auto schema = make_schema({
      F("a", int32(), false),
      F("l", list(Field{"item", utf8(), false}), false),
      F("s", struct_({F("x", int64(), false), F("y", struct_({F("z", boolean(), false)}), false)}), false),
      F("ns", struct_({F("x", int64(), false)})),  // nullable struct, required child
      F("m", m, false),
      F("ls", list(Field{"item", struct_({F("q", list(Field{"item", int8(), false}), false)}), false})),
  });
  Gen g(44);
  const Batch b = g.batch(schema, 1000);
  ASSERT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  std::string file;
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    EXPECT_TRUE(round_trips(schema, {b}, o, &file));
  }
  const auto md = footer_of(file);
  // Required leaves have no definition levels to spare: max definition level 0 for `a`.
  EXPECT_EQ(md.schema[1].repetition_type, fmt::FieldRepetitionType::REQUIRED);
  EXPECT_EQ(chunk_of(md, 0, "a").meta_data.statistics.null_count, 0);
}

namespace {

// Writes `b` (after a first batch of 5 good rows) and expects kInvalidArgument naming `column` and
// `row`; then the writer takes nothing more.
void expect_null_rejected(const SchemaPtr& schema, const Batch& good, const Batch& bad, const std::string& column,
                          std::int64_t row) {
  io::MemorySink sink;
  auto w = pq::ParquetWriter::open(sink, schema);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  ASSERT_TRUE((*w)->write(good).ok());
  auto st = (*w)->write(bad);
  ASSERT_FALSE(st.ok()) << column;
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message().find("'" + column + "'"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("row " + std::to_string(row)), std::string::npos) << st.error().message();
  EXPECT_FALSE((*w)->write(good).ok());
  EXPECT_FALSE((*w)->finish().ok());
}

}  // namespace

TEST(ParquetWriterNested, NullInNonNullableFieldIsInvalidArgumentNamingTheColumn) {
  {
    const auto schema = make_schema({F("ok", int32()), F("x", int32(), false)});
    const Batch good = make_batch(schema, {fixed<std::int32_t>(int32(), {1, 2, 3, 4, 5}), fixed<std::int32_t>(int32(), {1, 2, 3, 4, 5})});
    const Batch bad = make_batch(schema, {fixed<std::int32_t>(int32(), {1, 2, 3}), fixed<std::int32_t>(int32(), {1, 2, std::nullopt})});
    expect_null_rejected(schema, good, bad, "x", 7);
  }
  {
    // A struct that is present with a null in its required child.
    const auto st = struct_({F("a", int32(), false)});
    const auto schema = make_schema({F("s", st)});
    auto child_ok = fixed<std::int32_t>(int32(), {1, 2, 3, 4, 5});
    auto child_bad = fixed<std::int32_t>(int32(), {1, std::nullopt});
    auto mk = [&](ArrayPtr child) {
      auto a = std::make_shared<ArrayData>();
      a->type = st;
      a->length = child->length;
      a->buffers = {nullptr};
      a->children = {std::move(child)};
      return a;
    };
    expect_null_rejected(schema, make_batch(schema, {mk(child_ok)}), make_batch(schema, {mk(child_bad)}), "s.a", 6);
  }
  {
    const auto type = list(Field{"item", int64(), false});
    const auto schema = make_schema({F("l", type)});
    auto mk = [&](bool with_null) {
      ListBuilder lb(type);
      auto& c = lb.child_as<FixedWidthBuilder<std::int64_t>>();
      for (int i = 0; i < 5; ++i) {
        c.append(i);
        if (with_null && i == 3) c.append_null();
        lb.append_valid();
      }
      return lb.finish();
    };
    expect_null_rejected(schema, make_batch(schema, {mk(false)}), make_batch(schema, {mk(true)}), "l.item", 8);
  }
  {
    auto m = std::make_shared<DataType>(*map(utf8(), int32()));
    auto entries = std::make_shared<DataType>(*m->children[0].type);
    entries->children[1].nullable = false;
    m->children[0].type = entries;
    const auto schema = make_schema({F("m", m)});
    auto mk = [&](bool with_null) {
      MapBuilder mb(m);
      for (int i = 0; i < 5; ++i) {
        mb.keys_as<BinaryBuilder>().append("k");
        if (with_null && i == 1) mb.values_as<FixedWidthBuilder<std::int32_t>>().append_null();
        else mb.values_as<FixedWidthBuilder<std::int32_t>>().append(i);
        mb.append_valid();
      }
      return mb.finish();
    };
    expect_null_rejected(schema, make_batch(schema, {mk(false)}), make_batch(schema, {mk(true)}), "m.value", 6);
  }
  {
    // A null under a null parent is no violation.
    const auto st = struct_({F("a", int32(), false)});
    const auto schema = make_schema({F("s", st)});
    StructBuilder sb(st);
    sb.child_as<FixedWidthBuilder<std::int32_t>>(0).append(1);
    sb.append_valid();
    sb.append_null();  // appends a null to the required child
    EXPECT_TRUE(round_trips(schema, {make_batch(schema, {sb.finish()})}));
  }
}

// =============================================================================================
// File structure

namespace {

// The max repetition level of every leaf, in column order, from the schema elements.
std::vector<int> leaf_max_rep(const std::vector<fmt::SchemaElement>& els) {
  std::vector<int> out;
  std::size_t pos = 1;
  std::function<void(int)> walk = [&](int rep) {
    const auto& e = els.at(pos++);
    const int r = rep + (e.repetition_type == fmt::FieldRepetitionType::REPEATED ? 1 : 0);
    if (e.__isset.num_children && e.num_children > 0) {
      for (int i = 0; i < e.num_children; ++i) walk(r);
    } else {
      out.push_back(r);
    }
  };
  for (int i = 0; i < els.at(0).num_children; ++i) walk(0);
  return out;
}

// Every chunk's pages walked from its first byte: headers parse, sizes add up to the chunk's, the
// dictionary page comes first, level entries add up to num_values, rows to the row group's; the
// offset index names exactly these data pages with the right first rows; the column index has an
// entry per page.
::testing::AssertionResult check_structure(const std::string& file) {
  const auto md = footer_of(file);
  const auto max_rep = leaf_max_rep(md.schema);
  std::int64_t file_rows = 0;
  for (std::size_t g = 0; g < md.row_groups.size(); ++g) {
    const auto& rg = md.row_groups[g];
    file_rows += rg.num_rows;
    if (rg.columns.size() != max_rep.size()) return ::testing::AssertionFailure() << "chunks per row group";
    for (std::size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& cc = rg.columns[c];
      const auto& m = cc.meta_data;
      const std::string where = "row group " + std::to_string(g) + " column " + dotted(cc);
      std::int64_t at = m.data_page_offset;
      if (m.__isset.dictionary_page_offset) {
        std::uint32_t hs = 0;
        const auto h = page_header_at(file, m.dictionary_page_offset, &hs);
        if (h.type != fmt::PageType::DICTIONARY_PAGE) return ::testing::AssertionFailure() << where << ": no dictionary page";
        if (m.dictionary_page_offset + hs + h.compressed_page_size != m.data_page_offset)
          return ::testing::AssertionFailure() << where << ": data pages do not follow the dictionary page";
        at = m.dictionary_page_offset;
      }
      if (cc.file_offset != at) return ::testing::AssertionFailure() << where << ": file_offset " << cc.file_offset;
      const std::int64_t end = at + m.total_compressed_size;
      std::int64_t levels = 0, rows = 0;
      struct Page {
        std::int64_t offset, size, first_row;
      };
      std::vector<Page> pages;
      bool rows_known = true;
      while (at < end) {
        std::uint32_t hs = 0;
        const auto h = page_header_at(file, at, &hs);
        const std::int64_t size = hs + h.compressed_page_size;
        if (h.type == fmt::PageType::DICTIONARY_PAGE) {
          if (at != m.dictionary_page_offset) return ::testing::AssertionFailure() << where << ": a stray dictionary page";
        } else if (h.type == fmt::PageType::DATA_PAGE) {
          pages.push_back({at, size, rows});
          levels += h.data_page_header.num_values;
          if (max_rep[c] == 0) rows += h.data_page_header.num_values;
          else rows_known = false;
        } else if (h.type == fmt::PageType::DATA_PAGE_V2) {
          const auto& d = h.data_page_header_v2;
          pages.push_back({at, size, rows});
          levels += d.num_values;
          rows += d.num_rows;
          if (d.num_nulls < 0 || d.num_nulls > d.num_values || d.num_rows > d.num_values ||
              d.definition_levels_byte_length + d.repetition_levels_byte_length > h.compressed_page_size)
            return ::testing::AssertionFailure() << where << ": v2 header counts";
        } else {
          return ::testing::AssertionFailure() << where << ": page type " << h.type;
        }
        at += size;
      }
      if (at != end) return ::testing::AssertionFailure() << where << ": pages overrun the chunk";
      if (levels != m.num_values)
        return ::testing::AssertionFailure() << where << ": " << levels << " level entries, num_values " << m.num_values;
      if (rows_known && rows != rg.num_rows)
        return ::testing::AssertionFailure() << where << ": " << rows << " rows in pages, " << rg.num_rows << " in the group";
      if (pages.empty() || pages.front().offset != m.data_page_offset)
        return ::testing::AssertionFailure() << where << ": data_page_offset";
      if (cc.__isset.offset_index_offset) {
        const auto oi = offset_index_of(file, cc);
        if (oi.page_locations.size() != pages.size())
          return ::testing::AssertionFailure() << where << ": " << oi.page_locations.size() << " page locations for "
                                               << pages.size() << " pages";
        for (std::size_t p = 0; p < pages.size(); ++p) {
          const auto& loc = oi.page_locations[p];
          if (loc.offset != pages[p].offset || loc.compressed_page_size != pages[p].size)
            return ::testing::AssertionFailure() << where << ": page location " << p;
          if (rows_known ? loc.first_row_index != pages[p].first_row
                         : (p == 0 ? loc.first_row_index != 0
                                   : loc.first_row_index <= oi.page_locations[p - 1].first_row_index ||
                                         loc.first_row_index >= rg.num_rows))
            return ::testing::AssertionFailure() << where << ": first_row_index of page " << p << " is "
                                                 << loc.first_row_index << ", expected " << pages[p].first_row;
        }
      }
      if (cc.__isset.column_index_offset) {
        const auto ci = column_index_of(file, cc);
        if (ci.null_pages.size() != pages.size() || ci.min_values.size() != pages.size() ||
            ci.null_counts.size() != pages.size())
          return ::testing::AssertionFailure() << where << ": column index entries";
      }
      if (m.__isset.bloom_filter_offset) {
        auto f = pq::BloomFilter::parse(bytes_at(file, m.bloom_filter_offset, m.bloom_filter_length));
        if (!f.ok()) return ::testing::AssertionFailure() << where << ": bloom filter: " << f.error().to_string();
      }
    }
  }
  if (file_rows != md.num_rows) return ::testing::AssertionFailure() << "file num_rows " << md.num_rows;
  return ::testing::AssertionSuccess();
}

// Flat and nested columns for the codec and page tests, plus an all-null column and one of only
// empty lists (pages with no values at all).
std::pair<SchemaPtr, Batch> mixed_table(std::uint64_t seed, std::int64_t rows) {
  auto fields = std::vector<Field>{F("i64", int64()), F("s", utf8()), F("f64", float64()), F("b", boolean()),
                                   F("d30", decimal128(30, 4)), F("l", list(int32())), F("m", map(utf8(), int64())),
                                   F("st", struct_({F("a", int16()), F("b", list(utf8()))}))};
  fields.push_back(F("few", utf8()));
  fields.push_back(F("nulls", int32()));
  fields.push_back(F("empties", list(utf8())));
  const auto schema = make_schema(fields);
  Gen g(seed);
  std::vector<ArrayPtr> cols;
  for (std::size_t i = 0; i + 3 < fields.size(); ++i) cols.push_back(g.array(fields[i], rows));
  Gen few(seed + 1);
  few.small_domain = true;
  cols.push_back(few.array(fields[fields.size() - 3], rows));
  cols.push_back(fixed<std::int32_t>(int32(), std::vector<std::optional<std::int32_t>>(static_cast<std::size_t>(rows))));
  ListBuilder lb(list(utf8()));
  for (std::int64_t i = 0; i < rows; ++i) lb.append_valid();
  cols.push_back(lb.finish());
  return {schema, make_batch(schema, cols)};
}

}  // namespace

TEST(ParquetWriterOptions, EveryCodecPageVersionAndDictionary) {
  const auto [schema, batch] = mixed_table(7, 1500);
  for (auto codec : kCodecs) {
    for (int version : {1, 2}) {
      for (bool dict : {false, true}) {
        SCOPED_TRACE("codec " + std::to_string(static_cast<int>(codec)) + " v" + std::to_string(version) +
                     (dict ? " dictionary" : ""));
        pq::WriteOptions o;
        o.compression = codec;
        o.page_version = version;
        o.dictionary = dict;
        o.page_rows = 400;
        std::string file;
        ASSERT_TRUE(round_trips(schema, {batch}, o, &file));
        EXPECT_TRUE(check_structure(file));
        const auto md = footer_of(file);
        for (const auto& c : md.row_groups.at(0).columns) {
          EXPECT_EQ(static_cast<int>(c.meta_data.codec), static_cast<int>(codec)) << dotted(c);
          for (const auto& s : c.meta_data.encoding_stats) {
            if (s.page_type != fmt::PageType::DICTIONARY_PAGE) {
              EXPECT_EQ(s.page_type, version == 1 ? fmt::PageType::DATA_PAGE : fmt::PageType::DATA_PAGE_V2);
            }
          }
          // A dictionary only where asked for, and (where the writer judges it worth its cost) at
          // least for the column of few distinct values.
          const bool none = !dict || c.meta_data.type == fmt::Type::BOOLEAN || dotted(c) == "nulls" ||
                            dotted(c) == "empties.list.element";
          if (none) {
            EXPECT_FALSE(c.meta_data.__isset.dictionary_page_offset) << dotted(c);
          }
          if (dict && dotted(c) == "few") {
            EXPECT_TRUE(c.meta_data.__isset.dictionary_page_offset);
          }
        }
      }
    }
  }
}

TEST(ParquetWriterOptions, PerColumnCodecsAndLevels) {
  const auto [schema, batch] = mixed_table(8, 800);
  pq::WriteOptions o;
  o.compression = pq::Compression::kUncompressed;
  o.columns = {col("i64", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kGzip; c.compression_level = 9; }),
               col("s", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kZstd; c.compression_level = 19; }),
               col("l", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kBrotli; c.compression_level = 1; }),
               col("st", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kLz4Raw; c.compression_level = 9; }),
               col("st.b", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kSnappy; }),  // a later entry wins
               col("m.key", [](pq::ColumnWriteOptions& c) { c.compression = pq::Compression::kZstd; c.compression_level = -5; })};
  std::string file;
  ASSERT_TRUE(round_trips(schema, {batch}, o, &file));
  const auto md = footer_of(file);
  auto codec = [&](const std::string& p) { return chunk_of(md, 0, p).meta_data.codec; };
  EXPECT_EQ(codec("i64"), fmt::CompressionCodec::GZIP);
  EXPECT_EQ(codec("s"), fmt::CompressionCodec::ZSTD);
  EXPECT_EQ(codec("l.list.element"), fmt::CompressionCodec::BROTLI);
  EXPECT_EQ(codec("st.a"), fmt::CompressionCodec::LZ4_RAW);
  EXPECT_EQ(codec("st.b.list.element"), fmt::CompressionCodec::SNAPPY);
  EXPECT_EQ(codec("m.key_value.key"), fmt::CompressionCodec::ZSTD);
  EXPECT_EQ(codec("m.key_value.value"), fmt::CompressionCodec::UNCOMPRESSED);
  EXPECT_EQ(codec("f64"), fmt::CompressionCodec::UNCOMPRESSED);
  // LZO (3) and the deprecated LZ4 (5) are refused, as is an unknown path.
  for (int bad : {3, 5}) {
    pq::WriteOptions w;
    w.compression = static_cast<pq::Compression>(bad);
    auto r = write_file(schema, {batch}, w);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  pq::WriteOptions w;
  w.columns = {col("nope", [](pq::ColumnWriteOptions& c) { c.dictionary = false; })};
  auto r = write_file(schema, {batch}, w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("nope"), std::string::npos);
}

TEST(ParquetWriterOptions, DictionaryFallsBackToPlainMidChunk) {
  const auto schema = make_schema({F("s", utf8()), F("i", int64()), F("f", fixed_size_binary(16)),
                                   F("d", decimal128(30, 2)), F("few", utf8()), F("ls", list(utf8()))});
  // Each row group starts with repeated values (a dictionary worth having), then distinct ones
  // overflow it.
  Gen g(9);
  std::vector<ArrayPtr> cols;
  for (std::size_t c = 0; c < schema->fields.size(); ++c) {
    auto builder = make_builder(schema->fields[c].type);
    for (std::int64_t i = 0; i < 4000; ++i) {
      g.small_domain = c == 4 || i % 2000 < 600;
      g.append(*builder, schema->fields[c]);
    }
    cols.push_back(builder->finish());
  }
  const Batch b = make_batch(schema, cols);
  for (int version : {1, 2}) {
    SCOPED_TRACE(version);
    pq::WriteOptions o;
    o.page_version = version;
    o.dictionary_page_bytes = 2000;
    o.page_rows = 300;
    o.row_group_rows = 2000;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    EXPECT_TRUE(check_structure(file));
    const auto md = footer_of(file);
    ASSERT_EQ(md.row_groups.size(), 2u);
    for (std::size_t rg = 0; rg < 2; ++rg) {
      for (const char* path : {"s", "i", "f", "d", "ls.list.element"}) {
        const auto& m = chunk_of(md, rg, path).meta_data;
        EXPECT_TRUE(has_encoding(m, fmt::Encoding::RLE_DICTIONARY)) << path;
        EXPECT_TRUE(has_encoding(m, fmt::Encoding::PLAIN)) << path;
        const auto pages = data_page_encodings(m);
        EXPECT_GT(pages.count(fmt::Encoding::RLE_DICTIONARY) ? pages.at(fmt::Encoding::RLE_DICTIONARY) : 0, 0) << path;
        EXPECT_GT(pages.count(fmt::Encoding::PLAIN) ? pages.at(fmt::Encoding::PLAIN) : 0, 0) << path;
        EXPECT_TRUE(m.__isset.dictionary_page_offset) << path;
        EXPECT_FALSE(m.statistics.__isset.distinct_count) << path;  // the dictionary does not hold them all
      }
      // Few distinct values stay in the dictionary, and it counts them.
      const auto& few_md = chunk_of(md, rg, "few").meta_data;
      const auto pages = data_page_encodings(few_md);
      EXPECT_EQ(pages.size(), 1u);
      EXPECT_EQ(pages.count(fmt::Encoding::RLE_DICTIONARY), 1u);
      std::set<std::string> distinct;
      const ArrayData& a = *cols[4];
      for (std::int64_t i = static_cast<std::int64_t>(rg) * 2000; i < static_cast<std::int64_t>(rg + 1) * 2000; ++i)
        if (a.is_valid(i)) distinct.insert(std::string(a.string_at(i)));
      ASSERT_TRUE(few_md.statistics.__isset.distinct_count);
      EXPECT_EQ(few_md.statistics.distinct_count, static_cast<std::int64_t>(distinct.size()));
    }
  }
}

TEST(ParquetWriterOptions, EveryEncodingOnTheTypesItAppliesTo) {
  using E = pq::ColumnEncoding;
  const std::vector<std::pair<E, std::vector<Field>>> valid = {
      {E::kPlain, every_flat_type()},
      {E::kDeltaBinaryPacked,
       {F("i8", int8()), F("i32", int32()), F("i64", int64()), F("u32", uint32()), F("u64", uint64()), F("date", date32()),
        F("t", time_type(TimeUnit::kSecond)), F("tn", time_type(TimeUnit::kNano)), F("ts", timestamp(TimeUnit::kMicro)),
        F("d5", decimal128(5, 1)), F("d15", decimal128(15, 1)), F("dur", duration(TimeUnit::kSecond)),
        F("l", list(int64()))}},
      {E::kDeltaLengthByteArray, {F("s", utf8()), F("bin", binary()), F("ls", list(utf8()))}},
      {E::kDeltaByteArray,
       {F("s", utf8()), F("bin", binary()), F("fsb", fixed_size_binary(5)), F("d30", decimal128(30, 3)),
        F("f16", float16()), F("m", map(utf8(), utf8()))}},
      {E::kByteStreamSplit,
       {F("f32", float32()), F("f64", float64()), F("i32", int32()), F("i64", int64()), F("u64", uint64()),
        F("fsb", fixed_size_binary(7)), F("f16", float16()), F("d38", decimal128(38, 5)), F("l", list(float64()))}},
  };
  const std::map<E, fmt::Encoding::type> expect = {{E::kPlain, fmt::Encoding::PLAIN},
                                                   {E::kDeltaBinaryPacked, fmt::Encoding::DELTA_BINARY_PACKED},
                                                   {E::kDeltaLengthByteArray, fmt::Encoding::DELTA_LENGTH_BYTE_ARRAY},
                                                   {E::kDeltaByteArray, fmt::Encoding::DELTA_BYTE_ARRAY},
                                                   {E::kByteStreamSplit, fmt::Encoding::BYTE_STREAM_SPLIT}};
  std::uint64_t seed = 100;
  for (const auto& [enc, fields] : valid) {
    const auto schema = make_schema(fields);
    for (bool sorted_small : {false, true}) {
      Gen g(seed++);
      g.small_domain = sorted_small;
      const Batch b = g.batch(schema, 1200);
      for (int version : {1, 2}) {
        SCOPED_TRACE("encoding " + std::to_string(static_cast<int>(enc)) + " v" + std::to_string(version));
        pq::WriteOptions o;
        o.page_version = version;
        o.page_rows = 250;
        o.dictionary = true;  // the explicit encoding wins over the dictionary
        o.encoding = enc;
        std::string file;
        ASSERT_TRUE(round_trips(schema, {b}, o, &file));
        EXPECT_TRUE(check_structure(file));
        const auto md = footer_of(file);
        for (const auto& c : md.row_groups.at(0).columns) {
          const auto pages = data_page_encodings(c.meta_data);
          const auto want = c.meta_data.type == fmt::Type::BOOLEAN ? fmt::Encoding::PLAIN : expect.at(enc);
          ASSERT_EQ(pages.size(), 1u) << dotted(c);
          EXPECT_EQ(pages.begin()->first, want) << dotted(c);
          EXPECT_FALSE(c.meta_data.__isset.dictionary_page_offset) << dotted(c);
          EXPECT_FALSE(has_encoding(c.meta_data, fmt::Encoding::RLE_DICTIONARY)) << dotted(c);
        }
      }
    }
  }
  // Per column, next to other encodings.
  const auto schema = make_schema({F("a", int64()), F("b", utf8()), F("c", float64())});
  Gen g(1);
  pq::WriteOptions o;
  o.columns = {col("a", [](pq::ColumnWriteOptions& c) { c.encoding = E::kDeltaBinaryPacked; }),
               col("b", [](pq::ColumnWriteOptions& c) { c.encoding = E::kDeltaByteArray; })};
  std::string file;
  ASSERT_TRUE(round_trips(schema, {g.batch(schema, 500)}, o, &file));
  const auto md = footer_of(file);
  EXPECT_EQ(data_page_encodings(chunk_of(md, 0, "a").meta_data).begin()->first, fmt::Encoding::DELTA_BINARY_PACKED);
  EXPECT_EQ(data_page_encodings(chunk_of(md, 0, "b").meta_data).begin()->first, fmt::Encoding::DELTA_BYTE_ARRAY);
  EXPECT_TRUE(has_encoding(chunk_of(md, 0, "c").meta_data, fmt::Encoding::RLE_DICTIONARY));
}

TEST(ParquetWriterOptions, EncodingsThatDoNotApplyAreInvalidArgument) {
  using E = pq::ColumnEncoding;
  const std::vector<std::pair<E, Field>> invalid = {
      {E::kDeltaBinaryPacked, F("x", float32())},        {E::kDeltaBinaryPacked, F("x", float64())},
      {E::kDeltaBinaryPacked, F("x", utf8())},           {E::kDeltaBinaryPacked, F("x", boolean())},
      {E::kDeltaBinaryPacked, F("x", fixed_size_binary(4))}, {E::kDeltaBinaryPacked, F("x", decimal128(30, 1))},
      {E::kDeltaLengthByteArray, F("x", int32())},       {E::kDeltaLengthByteArray, F("x", fixed_size_binary(4))},
      {E::kDeltaLengthByteArray, F("x", float64())},     {E::kDeltaByteArray, F("x", int64())},
      {E::kDeltaByteArray, F("x", boolean())},           {E::kDeltaByteArray, F("x", float32())},
      {E::kByteStreamSplit, F("x", utf8())},             {E::kByteStreamSplit, F("x", binary())},
      {E::kByteStreamSplit, F("x", boolean())},          {E::kDeltaBinaryPacked, F("x", list(float64()))},
  };
  for (const auto& [enc, field] : invalid) {
    pq::WriteOptions o;
    o.columns = {col("x", [e = enc](pq::ColumnWriteOptions& c) { c.encoding = e; })};
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, make_schema({field}), o);
    ASSERT_FALSE(w.ok()) << field.type->to_string() << " " << static_cast<int>(enc);
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(w.error().message().find("'x"), std::string::npos) << w.error().message();
  }
  // File-wide, the first column it does not suit is named.
  pq::WriteOptions o;
  o.encoding = E::kDeltaBinaryPacked;
  io::MemorySink sink;
  auto w = pq::ParquetWriter::open(sink, make_schema({F("a", int32()), F("s", utf8())}), o);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message().find("'s'"), std::string::npos) << w.error().message();
}

TEST(ParquetWriterOptions, EmptyTableKeepsItsSchema) {
  auto fields = every_flat_type();
  for (auto& f : nested_fields()) fields.push_back(F("n_" + f.name, f.type, f.nullable));
  const auto schema = make_schema(fields, {{"k", "v"}});
  for (bool empty_batch : {false, true}) {
    std::vector<Batch> batches;
    if (empty_batch) batches.push_back(Gen(1).batch(schema, 0));
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, schema);
    ASSERT_TRUE(w.ok()) << w.error().to_string();
    for (const auto& b : batches) ASSERT_TRUE((*w)->write(b).ok());
    ASSERT_TRUE((*w)->finish().ok());
    EXPECT_EQ((*w)->rows_written(), 0);
    EXPECT_EQ((*w)->row_groups_written(), 0);
    ASSERT_TRUE(sink.finish().ok());
    const std::string file = sink.data();
    auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ((*r)->num_rows(), 0);
    EXPECT_EQ((*r)->num_row_groups(), 0);
    EXPECT_EQ((*r)->schema()->fields, expected_fields(*schema));
    EXPECT_EQ((*r)->schema()->metadata, schema->metadata);
    auto next = (*r)->next();
    ASSERT_TRUE(next.ok()) << next.error().to_string();
    EXPECT_FALSE(next->has_value());
    const auto md = footer_of(file);
    EXPECT_EQ(md.num_rows, 0);
    EXPECT_TRUE(md.row_groups.empty());
  }
}

TEST(ParquetWriterOptions, AHugeString) {
  const std::size_t n = 20u << 20;
  std::string huge(n, '\0');
  for (std::size_t i = 0; i < n; ++i) huge[i] = static_cast<char>('a' + (i * 7919 % 26));
  const auto schema = make_schema({F("id", int32()), F("s", utf8())});
  const Batch b = make_batch(schema, {fixed<std::int32_t>(int32(), {1, 2, 3, 4}),
                                      strings(utf8(), {"small", huge, std::nullopt, "zzz"})});
  for (bool dict : {true, false}) {
    pq::WriteOptions o;
    o.dictionary = dict;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    EXPECT_TRUE(check_structure(file));
    const auto st = chunk_of(footer_of(file), 0, "s").meta_data.statistics;
    EXPECT_EQ(st.min_value, huge.substr(0, 64));  // the huge value starts with 'a': the minimum, truncated
    EXPECT_FALSE(st.is_min_value_exact);
    EXPECT_EQ(st.max_value, "zzz");
    EXPECT_TRUE(st.is_max_value_exact);
    EXPECT_EQ(st.null_count, 1);
  }
  // The huge value as the maximum: truncated and marked inexact.
  const Batch m = make_batch(schema, {fixed<std::int32_t>(int32(), {1}), strings(utf8(), {"z" + huge})});
  std::string file;
  ASSERT_TRUE(round_trips(schema, {m}, {}, &file));
  const auto st = chunk_of(footer_of(file), 0, "s").meta_data.statistics;
  EXPECT_LE(st.max_value.size(), 64u);
  EXPECT_FALSE(st.is_max_value_exact);
  EXPECT_GT(st.max_value, "z" + huge);
}

TEST(ParquetWriterOptions, ARowGroupPerRow) {
  const auto schema = make_schema(nested_fields());
  Gen g(12);
  const std::vector<Batch> batches = {g.batch(schema, 20), g.batch(schema, 17)};
  pq::WriteOptions o;
  o.row_group_rows = 1;
  io::MemorySink sink;
  auto w = pq::ParquetWriter::open(sink, schema, o);
  ASSERT_TRUE(w.ok());
  for (const auto& b : batches) ASSERT_TRUE((*w)->write(b).ok());
  ASSERT_TRUE((*w)->finish().ok());
  EXPECT_EQ((*w)->row_groups_written(), 37);
  EXPECT_EQ((*w)->rows_written(), 37);
  ASSERT_TRUE(sink.finish().ok());
  const std::string file = sink.data();
  auto read = read_file(file);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_TRUE(same_table(*schema, batches, *read));
  const auto md = footer_of(file);
  ASSERT_EQ(md.row_groups.size(), 37u);
  for (std::size_t i = 0; i < md.row_groups.size(); ++i) {
    EXPECT_EQ(md.row_groups[i].num_rows, 1);
    EXPECT_EQ(md.row_groups[i].ordinal, static_cast<std::int16_t>(i));
  }
  EXPECT_TRUE(check_structure(file));
  // Row groups cut by bytes: every write makes one when the limit is tiny.
  pq::WriteOptions tiny;
  tiny.row_group_bytes = 1;
  std::string f2;
  EXPECT_TRUE(round_trips(schema, batches, tiny, &f2));
  EXPECT_EQ(footer_of(f2).row_groups.size(), 2u);
}

TEST(ParquetWriterOptions, SmallPagesMakeManyPages) {
  const auto schema = make_schema({F("i", int64()), F("s", utf8()), F("l", list(int32())), F("b", boolean())});
  Gen g(13);
  const Batch b = g.batch(schema, 5000);
  for (int version : {1, 2}) {
    for (bool dict : {false, true}) {
      SCOPED_TRACE("v" + std::to_string(version) + (dict ? " dictionary" : ""));
      pq::WriteOptions o;
      o.page_version = version;
      o.dictionary = dict;
      o.page_bytes = 1024;
      std::string file;
      ASSERT_TRUE(round_trips(schema, {b}, o, &file));
      EXPECT_TRUE(check_structure(file));
      const auto md = footer_of(file);
      for (const char* path : {"i", "s", "l.list.element"}) {
        const auto oi = offset_index_of(file, chunk_of(md, 0, path));
        // 5000 values of 8 bytes or more (as dictionary indexes of up to 13 bits, fewer): many pages
        // of about 1 KiB.
        EXPECT_GE(oi.page_locations.size(), dict ? 4u : 20u) << path;
        for (const auto& loc : oi.page_locations) EXPECT_LT(loc.compressed_page_size, 16 * 1024) << path;
      }
    }
  }
  // page_rows too, for nested columns as well (pages of whole rows).
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    o.page_rows = 10;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, o, &file));
    EXPECT_TRUE(check_structure(file));
    const auto md = footer_of(file);
    for (const char* path : {"i", "s", "b", "l.list.element"}) {
      const auto oi = offset_index_of(file, chunk_of(md, 0, path));
      ASSERT_EQ(oi.page_locations.size(), 500u) << path;
      for (std::size_t p = 0; p < oi.page_locations.size(); ++p)
        EXPECT_EQ(oi.page_locations[p].first_row_index, static_cast<std::int64_t>(10 * p)) << path;
    }
  }
  // Wide fixed-size values: pages near page_bytes, not thousands of values each.
  const auto wide = make_schema({F("w", fixed_size_binary(1000)), F("lw", list(fixed_size_binary(1000)))});
  Gen gw(31);
  gw.max_list = 2;
  const Batch wb = gw.batch(wide, 400);
  pq::WriteOptions o;
  o.compression = pq::Compression::kUncompressed;
  o.dictionary = false;
  o.page_bytes = 64 * 1024;
  std::string file;
  ASSERT_TRUE(round_trips(wide, {wb}, o, &file));
  EXPECT_TRUE(check_structure(file));
  const auto md = footer_of(file);
  for (const char* path : {"w", "lw.list.element"}) {
    const auto oi = offset_index_of(file, chunk_of(md, 0, path));
    EXPECT_GE(oi.page_locations.size(), 4u) << path;
    for (const auto& loc : oi.page_locations) EXPECT_LT(loc.compressed_page_size, 80 * 1024) << path;
  }
}

TEST(ParquetWriterOptions, SlicedBatchesAsInput) {
  auto fields = every_flat_type();
  for (auto& f : nested_fields()) fields.push_back(F("n_" + f.name, f.type, f.nullable));
  const auto schema = make_schema(fields);
  Gen g(14);
  const Batch whole = g.batch(schema, 700);
  // Slices at odd offsets (validity bits mid-byte, list offsets not starting at 0), and a slice of a slice.
  const Batch inner = whole.slice(101, 500);
  std::vector<Batch> parts = {whole.slice(0, 3), whole.slice(3, 98), inner.slice(0, 1), inner.slice(1, 250),
                              inner.slice(251, 249), whole.slice(601, 99)};
  ASSERT_EQ(total_rows(parts), 700);
  for (const auto& p : parts) ASSERT_TRUE(p.validate().ok()) << p.validate().error().to_string();
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    o.page_rows = 64;
    o.row_group_rows = 333;
    std::string file;
    ASSERT_TRUE(round_trips(schema, parts, o, &file));  // compared with the slices themselves
    auto read = read_file(file);
    ASSERT_TRUE(read.ok());
    EXPECT_TRUE(same_table(*schema, {whole}, *read));  // and with the batch they came from
    EXPECT_TRUE(check_structure(file));
  }
}

TEST(ParquetWriterOptions, ThreadsDoNotChangeTheFile) {
  auto fields = every_flat_type();
  for (auto& f : nested_fields()) fields.push_back(F("n_" + f.name, f.type, f.nullable));
  const auto schema = make_schema(fields);
  Gen g(15);
  const std::vector<Batch> batches = {g.batch(schema, 900), g.batch(schema, 1300)};
  pq::WriteOptions o;
  o.bloom_filter = true;
  o.row_group_rows = 1000;
  o.page_rows = 200;
  o.dictionary_page_bytes = 4000;
  std::string one;
  ASSERT_TRUE(round_trips(schema, batches, o, &one));
  for (int threads : {2, 3}) {
    o.threads = threads;
    std::string many;
    ASSERT_TRUE(round_trips(schema, batches, o, &many));
    EXPECT_TRUE(one == many) << "threads " << threads << ": files differ (" << one.size() << " vs " << many.size()
                             << " bytes)";
  }
}

TEST(ParquetWriterOptions, PageChecksums) {
  const auto [schema, batch] = mixed_table(16, 1000);
  for (int version : {1, 2}) {
    SCOPED_TRACE(version);
    pq::WriteOptions o;
    o.page_version = version;
    o.page_checksums = true;
    o.compression = pq::Compression::kUncompressed;
    o.page_rows = 300;
    pq::ReadOptions ro;
    ro.verify_checksums = true;
    std::string file;
    ASSERT_TRUE(round_trips(schema, {batch}, o, &file, ro));
    // Every page carries a CRC; a flipped byte in a data page's values is caught.
    const auto md = footer_of(file);
    std::int64_t victim = -1, victim_size = 0;
    for (const auto& c : md.row_groups.at(0).columns) {
      std::int64_t at = c.file_offset;
      while (at < c.file_offset + c.meta_data.total_compressed_size) {
        std::uint32_t hs = 0;
        const auto h = page_header_at(file, at, &hs);
        EXPECT_TRUE(h.__isset.crc) << dotted(c);
        if (dotted(c) == "i64" && h.type != fmt::PageType::DICTIONARY_PAGE && victim < 0) {
          victim = at + hs;
          victim_size = h.compressed_page_size;
        }
        at += hs + h.compressed_page_size;
      }
    }
    ASSERT_GT(victim, 0);
    std::string broken = file;
    broken[static_cast<std::size_t>(victim + victim_size - 1)] ^= 0x55;
    auto bad = read_file(broken, ro);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().to_string().find("checksum"), std::string::npos) << bad.error().to_string();
    // Without checksums, none is written.
    o.page_checksums = false;
    const std::string plain = must_write(schema, {batch}, o);
    std::uint32_t hs = 0;
    EXPECT_FALSE(page_header_at(plain, footer_of(plain).row_groups.at(0).columns.at(0).file_offset, &hs).__isset.crc);
  }
}

TEST(ParquetReadAhead, SnappyPagesDecompressedTogetherReadAsWritten) {
  // The reader decompresses the SNAPPY pages a batch starts, of all its columns, together
  // (snappy_decompress_many): pages of every kind and size, dictionary pages first, v1 and v2, at
  // batch sizes that start pages mid-batch, on one thread and on two (one row group: its batches'
  // pages are shared out among the threads, then its fields read on them).
  const auto [schema, batch] = mixed_table(21, 30000);
  for (int version : {1, 2}) {
    pq::WriteOptions o;
    o.page_version = version;
    o.compression = pq::Compression::kSnappy;
    o.page_bytes = 32 << 10;
    std::string file;
    for (int threads : {1, 2}) {
      for (std::int64_t rows : {777, 65536}) {
        SCOPED_TRACE(std::to_string(version) + " " + std::to_string(threads) + " " + std::to_string(rows));
        pq::ReadOptions ro;
        ro.threads = threads;
        ro.batch_rows = rows;
        ASSERT_TRUE(round_trips(schema, {batch}, o, &file, ro));
      }
    }
    if (version == 2) continue;
    // A broken page among the ones decompressed together: the error is decompress()'s, naming the
    // codec, the column and the page's offset.
    const auto md = footer_of(file);
    const auto& c = chunk_of(md, 0, "s");
    std::int64_t at = c.file_offset, victim = -1, victim_size = 0;
    int data_pages = 0;
    while (at < c.file_offset + c.meta_data.total_compressed_size && victim < 0) {
      std::uint32_t hs = 0;
      const auto h = page_header_at(file, at, &hs);
      if (h.type == fmt::PageType::DATA_PAGE && ++data_pages == 2) {
        victim = at + hs;
        victim_size = h.compressed_page_size;
      }
      at += hs + h.compressed_page_size;
    }
    ASSERT_GT(victim, 0);
    ASSERT_GE(victim_size, 4096);  // large enough to be decompressed with the others
    std::string broken = file;
    // After the length preamble, tags of 32-bit offsets far behind the start.
    for (std::int64_t i = victim + 4; i < victim + victim_size; ++i) broken[static_cast<std::size_t>(i)] = '\xFF';
    for (int threads : {1, 2}) {
      pq::ReadOptions ro;
      ro.threads = threads;
      auto bad = read_file(broken, ro);
      ASSERT_FALSE(bad.ok());
      const std::string e = bad.error().to_string();
      EXPECT_NE(e.find("SNAPPY page: SNAPPY: corrupt compressed data"), std::string::npos) << e;
      EXPECT_NE(e.find("'s'"), std::string::npos) << e;
      EXPECT_NE(e.find(std::to_string(victim)), std::string::npos) << e;
    }
  }
}

namespace {

// Row groups of 1000 rows, snappy, pages of 8 KiB: many row groups and several pages each.
pq::WriteOptions thousand_row_groups() {
  pq::WriteOptions o;
  o.row_group_rows = 1000;
  o.compression = pq::Compression::kSnappy;
  o.page_bytes = 8 << 10;
  return o;
}

// Reading on `threads` threads in batches of at most `batch_rows` rows.
pq::ReadOptions threaded(int threads, std::int64_t batch_rows) {
  pq::ReadOptions ro;
  ro.threads = threads;
  ro.batch_rows = batch_rows;
  return ro;
}

}  // namespace

TEST(ParquetReaderThreads, ManyRowGroupsReadTheSameOnAnyThreads) {
  // Row groups small enough to be decoded whole on the workers while the caller's thread decodes its
  // own a batch at a time (see ParquetReader::Impl::next_on_threads): every row in order, whatever the
  // threads, the batch size and the row groups held ahead.
  const auto [schema, batch] = mixed_table(33, 12000);
  const auto file = must_write(schema, {batch}, thousand_row_groups());
  ASSERT_EQ(footer_of(file).row_groups.size(), 12u);
  for (int threads : {2, 3, 4}) {
    for (std::int64_t rows : {1000, 333}) {
      for (int ahead : {0, 1}) {
        if (ahead == 1 && (threads != 2 || rows != 333)) continue;
        SCOPED_TRACE(std::to_string(threads) + " threads, " + std::to_string(rows) + " rows, ahead " + std::to_string(ahead));
        pq::ReadOptions ro = threaded(threads, rows);
        ro.row_groups_ahead = ahead;
        auto read = read_file(file, ro);
        ASSERT_TRUE(read.ok()) << read.error().to_string();
        ASSERT_TRUE(same_table(*schema, {batch}, *read));
        for (const auto& b : *read) EXPECT_LE(b.num_rows, std::min<std::int64_t>(rows, 1000));
      }
    }
  }
}

namespace {

// mixed_table(34, 24000) in row groups of 1000 rows, the first page of column "s" in row group 13
// broken: the body's first bytes (the Snappy length preamble) claim far more than the page holds.
std::string file_broken_in_row_group_13(const SchemaPtr& schema, const Batch& batch) {
  auto file = must_write(schema, {batch}, thousand_row_groups());
  const auto md = footer_of(file);
  EXPECT_EQ(md.row_groups.size(), 24u);
  const auto& c = chunk_of(md, 13, "s");
  std::uint32_t hs = 0;
  const std::int64_t at = c.meta_data.__isset.dictionary_page_offset ? c.meta_data.dictionary_page_offset
                                                                       : c.meta_data.data_page_offset;
  const auto h = page_header_at(file, at, &hs);
  EXPECT_GE(h.compressed_page_size, 16);
  for (int i = 0; i < 5; ++i) file[static_cast<std::size_t>(at + hs + i)] = '\xFF';
  return file;
}

}  // namespace

TEST(ParquetReaderThreads, AnErrorInALaterRowGroupComesAfterTheRowsBeforeIt) {
  // A broken page in row group 13 of 24: on any threads the reader hands out every row of the 13 row
  // groups before it (in order), then fails with the error one thread gives, and the error is the
  // same whichever thread (the caller's or a worker) met it.
  const auto [schema, batch] = mixed_table(34, 24000);
  const auto file = file_broken_in_row_group_13(schema, batch);
  std::string first_error;
  for (int threads : {1, 2, 3, 4}) {
    for (std::int64_t rows : {1000, 400}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, " + std::to_string(rows) + " rows");
      pq::ReadOptions ro = threaded(threads, rows);
      auto reader = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "test.parquet"), ro);
      ASSERT_TRUE(reader.ok()) << reader.error().to_string();
      std::vector<Batch> got;
      std::optional<Error> error;
      while (true) {
        auto b = (*reader)->next();
        if (!b.ok()) {
          error = std::move(b).error();
          break;
        }
        if (!*b) break;
        got.push_back(std::move(**b));
      }
      ASSERT_TRUE(error) << "the broken page was read";
      std::int64_t n = 0;
      for (const auto& b : got) n += b.num_rows;
      // Rows 0..12999 (the row groups before); none of the broken one (its first page is the bad one).
      EXPECT_EQ(n, 13000);
      const Batch before = batch.slice(0, n);
      EXPECT_TRUE(same_table(*schema, {before}, got));
      const std::string e = error->to_string();
      EXPECT_NE(e.find("SNAPPY"), std::string::npos) << e;
      if (first_error.empty()) first_error = e;
      EXPECT_EQ(e, first_error);
    }
  }
}

TEST(ParquetReaderThreads, AReaderLeftHalfReadStopsItsThreads) {
  // The caller stops after a batch (or none) and drops the reader while workers are decoding ahead.
  const auto [schema, batch] = mixed_table(35, 24000);
  pq::WriteOptions o;
  o.row_group_rows = 1000;
  const auto file = must_write(schema, {batch}, o);
  for (int threads : {2, 4}) {
    for (int batches : {0, 1, 5}) {
      pq::ReadOptions ro;
      ro.threads = threads;
      auto reader = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "test.parquet"), ro);
      ASSERT_TRUE(reader.ok()) << reader.error().to_string();
      for (int i = 0; i < batches; ++i) {
        auto b = (*reader)->next();
        ASSERT_TRUE(b.ok() && *b);
        EXPECT_EQ((**b).num_rows, 1000);
      }
    }
  }
}

// ---- scan_unordered: row groups on the threads at once, each a batch at a time -------------------

namespace {

struct Placed {
  pq::ParquetReader::BatchPlace place;
  Batch batch;
};

// Every batch of scan_unordered() with its place, sorted by its first row, and what it returned.
struct Scanned {
  Status status;
  std::vector<Placed> got;
};
Scanned scan_all(const std::string& file, const pq::ReadOptions& ro, std::function<Status(const Placed&)> check = nullptr) {
  Scanned out;
  auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "test.parquet"), ro);
  if (!r.ok()) {
    out.status = std::move(r).error();
    return out;
  }
  std::mutex mu;
  out.status = (*r)->scan_unordered([&](Batch&& b, const pq::ParquetReader::BatchPlace& place) -> Status {
    Placed p{place, std::move(b)};
    if (check) SLUICE_TRY(check(p));
    std::lock_guard<std::mutex> lock(mu);
    out.got.push_back(std::move(p));
    return ok_status();
  });
  auto after = (*r)->next();  // the reader is at its end afterwards
  EXPECT_TRUE(after.ok() && !*after) << "next() after scan_unordered() gave a batch or an error";
  std::sort(out.got.begin(), out.got.end(),
            [](const Placed& a, const Placed& b) { return a.place.first_row < b.place.first_row; });
  return out;
}

std::vector<Batch> batches_of(const std::vector<Placed>& placed) {
  std::vector<Batch> out;
  for (const auto& p : placed) out.push_back(p.batch);
  return out;
}

}  // namespace

TEST(ParquetScanUnordered, EveryRowOnceWithItsPlaceOnAnyThreads) {
  // 12 row groups of 1000 rows: put back in order by their places, the batches are the table, each
  // row once; every batch says its row group and first row; with 2+ threads the caller's thread
  // (0) waits in its first batch until another thread has handed one out, so the row groups are
  // seen to be read at once (not one thread after another).
  const auto [schema, batch] = mixed_table(36, 12000);
  const auto file = must_write(schema, {batch}, thousand_row_groups());
  for (int threads : {1, 2, 3, 4}) {
    for (std::int64_t rows : {1000, 333}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, " + std::to_string(rows) + " rows");
      pq::ReadOptions ro = threaded(threads, rows);
      std::mutex mu;
      std::condition_variable cv;
      bool other_thread = false;
      std::set<int> threads_seen;
      auto got = scan_all(file, ro, [&](const Placed& p) -> Status {
        std::unique_lock<std::mutex> lock(mu);
        threads_seen.insert(p.place.thread);
        if (p.place.thread != 0) {
          other_thread = true;
          cv.notify_all();
        } else if (threads > 1) {
          cv.wait_for(lock, std::chrono::seconds(20), [&] { return other_thread; });
        }
        return ok_status();
      });
      ASSERT_TRUE(got.status.ok()) << got.status.error().to_string();
      ASSERT_TRUE(same_table(*schema, {batch}, batches_of(got.got)));
      std::int64_t next_row = 0;
      for (const auto& p : got.got) {
        EXPECT_EQ(p.place.first_row, next_row);
        EXPECT_EQ(p.place.row_group, next_row / 1000);
        EXPECT_LE(p.batch.num_rows, std::min<std::int64_t>(rows, 1000 - next_row % 1000));
        next_row += p.batch.num_rows;
      }
      EXPECT_EQ(next_row, 12000);
      EXPECT_LT(*threads_seen.rbegin(), threads);
      if (threads > 1) {
        EXPECT_TRUE(other_thread);
      } else {
        // One thread: in file order on the caller's (checked above after sorting; here unsorted).
        EXPECT_EQ(threads_seen, std::set<int>{0});
      }
    }
  }
}

TEST(ParquetScanUnordered, TheFirstFailingRowGroupsErrorAfterEveryRowBeforeIt) {
  // The broken page of row group 13 of 24 (as above): on any threads, every row of the 13 row groups
  // before it is handed out, then the error one thread reading in order gives.
  const auto [schema, batch] = mixed_table(34, 24000);
  const auto file = file_broken_in_row_group_13(schema, batch);
  pq::ReadOptions one;
  auto in_order = read_file(file, one);
  ASSERT_FALSE(in_order.ok());
  const std::string want = in_order.error().to_string();
  for (int threads : {1, 2, 3, 4}) {
    for (std::int64_t rows : {1000, 400}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, " + std::to_string(rows) + " rows");
      pq::ReadOptions ro = threaded(threads, rows);
      const auto scanned = scan_all(file, ro);
      ASSERT_FALSE(scanned.status.ok());
      EXPECT_EQ(scanned.status.error().to_string(), want);
      // Rows of later row groups may have been handed out too; those before are all there.
      std::vector<Placed> before;
      for (const auto& p : scanned.got)
        if (p.place.row_group < 13) before.push_back(p);
      EXPECT_TRUE(same_table(*schema, {batch.slice(0, 13000)}, batches_of(before)));
      for (const auto& p : scanned.got) EXPECT_NE(p.place.row_group, 13);
    }
  }
}

TEST(ParquetScanUnordered, TheConsumersFirstErrorOrExceptionIsTheOneReturned) {
  const auto [schema, batch] = mixed_table(37, 8000);
  pq::WriteOptions o;
  o.row_group_rows = 1000;
  const auto file = must_write(schema, {batch}, o);
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    pq::ReadOptions ro = threaded(threads, 500);
    // Errors from the second batch of row groups 3 and 5: row group 3's is the one returned.
    auto got = scan_all(file, ro, [](const Placed& p) -> Status {
      if ((p.place.row_group == 3 || p.place.row_group == 5) && p.place.first_row % 1000 == 500)
        return Error(ErrorCode::kInvalidArgument, "stop at " + std::to_string(p.place.first_row));
      return ok_status();
    });
    ASSERT_FALSE(got.status.ok());
    EXPECT_EQ(got.status.error().message(), "stop at 3500");
    // An exception thrown by the consumer on any thread reaches the caller.
    auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "t.parquet"), ro);
    ASSERT_TRUE(r.ok());
    EXPECT_THROW((void)(*r)->scan_unordered([](Batch&&, const pq::ParquetReader::BatchPlace& p) -> Status {
      if (p.row_group == 6) throw std::runtime_error("consumer threw");
      return ok_status();
    }),
                 std::runtime_error);
  }
}

TEST(ParquetScanUnordered, OnlyBeforeNextAndWithThePageIndexesRowsLeftOut) {
  const auto [schema, batch] = mixed_table(38, 3000);
  pq::WriteOptions o;
  o.row_group_rows = 1000;
  const auto file = must_write(schema, {batch}, o);
  pq::ReadOptions ro;
  ro.threads = 2;
  auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "t.parquet"), ro);
  ASSERT_TRUE(r.ok());
  auto first = (*r)->next();
  ASSERT_TRUE(first.ok() && *first);
  Status s = (*r)->scan_unordered([](Batch&&, const pq::ParquetReader::BatchPlace&) { return ok_status(); });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("after next()"), std::string::npos) << s.error().to_string();

  // Sorted ids in pages of 100 rows: a filter leaves whole row groups out and, through the page
  // index, pages at the edges of others; a batch's first row is still the file's row it is.
  const auto id_schema = make_schema({F("id", int64())});
  std::vector<std::optional<std::int64_t>> ids;
  for (std::int64_t i = 0; i < 6000; ++i) ids.push_back(i);
  pq::WriteOptions po;
  po.row_group_rows = 1000;
  po.page_rows = 100;
  const auto id_file = must_write(id_schema, {make_batch(id_schema, {fixed<std::int64_t>(int64(), ids)})}, po);
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    pq::ReadOptions fo;
    fo.threads = threads;
    fo.batch_rows = 64;
    fo.filter = std::make_shared<const Predicate>(Predicate::parse("id >= 1950 and id < 4120").value());
    auto got = scan_all(id_file, fo);
    ASSERT_TRUE(got.status.ok()) << got.status.error().to_string();
    std::int64_t n = 0;
    for (const auto& p : got.got) {
      ASSERT_GT(p.batch.num_rows, 0);
      const auto* v = p.batch.columns[0]->values<std::int64_t>();
      EXPECT_EQ(v[0], p.place.first_row);
      EXPECT_EQ(p.place.row_group, v[0] / 1000);
      for (std::int64_t i = 0; i < p.batch.num_rows; ++i) EXPECT_EQ(v[i], v[0] + i);
      n += p.batch.num_rows;
    }
    // Pages 1900-1999 .. 4100-4199: the rows of the pages the filter may match, and no others.
    ASSERT_FALSE(got.got.empty());
    EXPECT_EQ(got.got.front().place.first_row, 1900);
    EXPECT_EQ(n, 4200 - 1900);
  }
}

// =============================================================================================
// Statistics and the page index, against values computed here

namespace {

double half_value(std::uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 0x1F, frac = h & 0x3FF;
  double v;
  if (exp == 0) v = std::ldexp(frac, -24);
  else if (exp == 31) v = frac ? std::nan("") : INFINITY;
  else v = std::ldexp(1024 + frac, exp - 25);
  return sign ? -v : v;
}

int decimal_width(int precision) {  // the smallest two's complement byte count holding 10^p - 1
  const __int128 top = pow10_128(precision) - 1;
  for (int n = 1; n < 16; ++n)
    if (top < (static_cast<__int128>(1) << (8 * n - 1))) return n;
  return 16;
}

template <class T>
std::string le_bytes(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

// Row i of a flat column as its Parquet physical value (PLAIN bytes, no length prefix).
std::string physical(const ArrayData& a, std::int64_t i) {
  const DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kBool: return std::string(1, a.bool_value(i) ? '\1' : '\0');
    case TypeId::kInt8: return le_bytes<std::int32_t>(a.value<std::int8_t>(i));
    case TypeId::kInt16: return le_bytes<std::int32_t>(a.value<std::int16_t>(i));
    case TypeId::kUInt8: return le_bytes<std::int32_t>(a.value<std::uint8_t>(i));
    case TypeId::kUInt16: return le_bytes<std::int32_t>(a.value<std::uint16_t>(i));
    case TypeId::kTime:
      if (t.unit == TimeUnit::kSecond) return le_bytes<std::int32_t>(a.value<std::int32_t>(i) * 1000);
      break;
    case TypeId::kTimestamp:
      if (t.unit == TimeUnit::kSecond) return le_bytes<std::int64_t>(a.value<std::int64_t>(i) * 1000);
      break;
    case TypeId::kDecimal128: {
      const __int128 v = a.value<__int128>(i);
      if (t.precision <= 9) return le_bytes(static_cast<std::int32_t>(v));
      if (t.precision <= 18) return le_bytes(static_cast<std::int64_t>(v));
      const int w = decimal_width(t.precision);
      std::string s(static_cast<std::size_t>(w), '\0');
      for (int k = 0; k < w; ++k) s[static_cast<std::size_t>(w - 1 - k)] = static_cast<char>(static_cast<unsigned __int128>(v) >> (8 * k));
      return s;
    }
    case TypeId::kString:
    case TypeId::kBinary: return std::string(a.string_at(i));
    case TypeId::kFixedSizeBinary: return std::string(a.fixed_binary_at(i));
    default: break;
  }
  const int w = t.value_width();
  return std::string(reinterpret_cast<const char*>(a.buffers[1]->data() + (a.offset + i) * w), static_cast<std::size_t>(w));
}

enum class Order { kSigned, kUnsigned, kFloat, kHalf, kBigEndianSigned, kBytes };

Order order_of(const DataType& t) {
  switch (t.id) {
    case TypeId::kUInt32: case TypeId::kUInt64: return Order::kUnsigned;
    case TypeId::kFloat32: case TypeId::kFloat64: return Order::kFloat;
    case TypeId::kFloat16: return Order::kHalf;
    case TypeId::kDecimal128: return t.precision > 18 ? Order::kBigEndianSigned : Order::kSigned;
    case TypeId::kString: case TypeId::kBinary: case TypeId::kFixedSizeBinary: return Order::kBytes;
    default: return Order::kSigned;
  }
}

// The value of PLAIN bytes as a number in the column's order (kBytes: unused).
long double numeric(Order o, const std::string& b) {
  switch (o) {
    case Order::kSigned:
      if (b.size() == 1) return b[0];
      if (b.size() == 4) { std::int32_t v; std::memcpy(&v, b.data(), 4); return v; }
      { std::int64_t v; std::memcpy(&v, b.data(), 8); return static_cast<long double>(v); }
    case Order::kUnsigned:
      if (b.size() == 4) { std::uint32_t v; std::memcpy(&v, b.data(), 4); return v; }
      { std::uint64_t v; std::memcpy(&v, b.data(), 8); return static_cast<long double>(v); }
    case Order::kFloat:
      if (b.size() == 4) { float v; std::memcpy(&v, b.data(), 4); return v; }
      { double v; std::memcpy(&v, b.data(), 8); return v; }
    case Order::kHalf: { std::uint16_t h; std::memcpy(&h, b.data(), 2); return half_value(h); }
    case Order::kBigEndianSigned: {
      __int128 v = static_cast<signed char>(b[0]);
      for (std::size_t k = 1; k < b.size(); ++k) v = v * 256 + static_cast<unsigned char>(b[k]);
      return static_cast<long double>(v);
    }
    case Order::kBytes: break;
  }
  return 0;
}

bool less(Order o, const std::string& a, const std::string& b) {
  if (o == Order::kBytes) return a < b;  // std::string compares bytes as unsigned char
  if (o == Order::kBigEndianSigned || (o == Order::kSigned && a.size() == 8) || (o == Order::kUnsigned && a.size() == 8)) {
    // Exact for 64- and 128-bit integers (long double's 64-bit mantissa is not enough for 128).
    if (o == Order::kUnsigned) { std::uint64_t x, y; std::memcpy(&x, a.data(), 8); std::memcpy(&y, b.data(), 8); return x < y; }
    if (o == Order::kSigned) { std::int64_t x, y; std::memcpy(&x, a.data(), 8); std::memcpy(&y, b.data(), 8); return x < y; }
    auto big = [](const std::string& s) {
      __int128 v = static_cast<signed char>(s[0]);
      for (std::size_t k = 1; k < s.size(); ++k) v = v * 256 + static_cast<unsigned char>(s[k]);
      return v;
    };
    return big(a) < big(b);
  }
  return numeric(o, a) < numeric(o, b);
}

struct Expect {
  bool has = false;
  std::string min, max;
  std::int64_t nulls = 0, values = 0;
};

// Statistics of rows [from, to) of a flat column, as the spec asks for them: NaN left out, a zero
// minimum written as -0 and a zero maximum as +0.
Expect expect_stats(const ArrayData& a, std::int64_t from, std::int64_t to) {
  Expect e;
  const Order o = order_of(*a.type);
  for (std::int64_t i = from; i < to; ++i) {
    if (a.is_null(i)) {
      ++e.nulls;
      continue;
    }
    ++e.values;
    const std::string v = physical(a, i);
    if ((o == Order::kFloat || o == Order::kHalf) && std::isnan(numeric(o, v))) continue;
    if (!e.has) {
      e.min = e.max = v;
      e.has = true;
      continue;
    }
    if (less(o, v, e.min)) e.min = v;
    if (less(o, e.max, v)) e.max = v;
  }
  if (e.has && (o == Order::kFloat || o == Order::kHalf)) {
    if (numeric(o, e.min) == 0) {
      if (o == Order::kHalf) e.min = le_bytes<std::uint16_t>(0x8000);
      else e.min = e.min.size() == 4 ? le_bytes(-0.0f) : le_bytes(-0.0);
    }
    if (numeric(o, e.max) == 0) {
      if (o == Order::kHalf) e.max = le_bytes<std::uint16_t>(0);
      else e.max = e.max.size() == 4 ? le_bytes(0.0f) : le_bytes(0.0);
    }
  }
  return e;
}

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += d[c >> 4], out += d[c & 15];
  return out;
}

bool deprecated_fields_expected(const DataType& t) {
  const Order o = order_of(t);
  return o == Order::kSigned || o == Order::kFloat;
}

// Chunk statistics and column index of every flat column of a file written from `b` (one batch),
// checked against expect_stats over each row group's and each page's rows.
void check_flat_statistics(const std::string& file, const Batch& b) {
  const auto md = footer_of(file);
  std::int64_t first = 0;
  for (std::size_t g = 0; g < md.row_groups.size(); ++g) {
    const auto& rg = md.row_groups[g];
    for (std::size_t c = 0; c < b.num_columns(); ++c) {
      const ArrayData& a = b.column(c);
      if (a.type->is_nested() || a.type->id == TypeId::kNull) continue;
      const std::string name = b.schema->fields[c].name;
      SCOPED_TRACE("row group " + std::to_string(g) + " column " + name + " " + a.type->to_string());
      const auto& cc = chunk_of(md, g, name);
      const auto& st = cc.meta_data.statistics;
      const Expect e = expect_stats(a, first, first + rg.num_rows);
      ASSERT_TRUE(cc.meta_data.__isset.statistics);
      EXPECT_EQ(st.null_count, e.nulls);
      ASSERT_EQ(st.__isset.min_value, e.has);
      ASSERT_EQ(st.__isset.max_value, e.has);
      if (e.has) {
        EXPECT_EQ(hex(st.min_value), hex(e.min));
        EXPECT_EQ(hex(st.max_value), hex(e.max));
        EXPECT_TRUE(st.is_min_value_exact);
        EXPECT_TRUE(st.is_max_value_exact);
        const bool deprecated = deprecated_fields_expected(*a.type);
        EXPECT_EQ(st.__isset.min, deprecated);
        EXPECT_EQ(st.__isset.max, deprecated);
        if (deprecated) {
          EXPECT_EQ(st.min, st.min_value);
          EXPECT_EQ(st.max, st.max_value);
        }
      }
      // The page index, page by page.
      const auto oi = offset_index_of(file, cc);
      const auto ci = column_index_of(file, cc);
      ASSERT_EQ(ci.null_pages.size(), oi.page_locations.size());
      bool asc = true, desc = true;
      std::optional<Expect> prev;
      for (std::size_t p = 0; p < oi.page_locations.size(); ++p) {
        const std::int64_t from = first + oi.page_locations[p].first_row_index;
        const std::int64_t to = first + (p + 1 < oi.page_locations.size() ? oi.page_locations[p + 1].first_row_index : rg.num_rows);
        const Expect pe = expect_stats(a, from, to);
        EXPECT_EQ(ci.null_pages[p], pe.values == 0) << "page " << p;
        EXPECT_EQ(ci.null_counts.at(p), pe.nulls) << "page " << p;
        if (pe.values == 0) {
          EXPECT_TRUE(ci.min_values[p].empty());
          EXPECT_TRUE(ci.max_values[p].empty());
          continue;
        }
        ASSERT_TRUE(pe.has) << "a page of NaN only has no column index at all";
        EXPECT_EQ(hex(ci.min_values[p]), hex(pe.min)) << "page " << p;
        EXPECT_EQ(hex(ci.max_values[p]), hex(pe.max)) << "page " << p;
        const Order o = order_of(*a.type);
        if (prev) {
          if (less(o, pe.min, prev->min) || less(o, pe.max, prev->max)) asc = false;
          if (less(o, prev->min, pe.min) || less(o, prev->max, pe.max)) desc = false;
        }
        prev = pe;
      }
      EXPECT_EQ(ci.boundary_order, asc ? fmt::BoundaryOrder::ASCENDING
                                       : desc ? fmt::BoundaryOrder::DESCENDING : fmt::BoundaryOrder::UNORDERED);
    }
    first += rg.num_rows;
  }
}

}  // namespace

TEST(ParquetWriterStatistics, ChunkAndPageStatisticsOfEveryType) {
  auto fields = every_flat_type();
  fields.push_back(F("some_null_pages", int64()));
  const auto schema = make_schema(fields);
  Gen g(17);
  g.null_p = 0.1;
  std::vector<ArrayPtr> cols;
  for (std::size_t i = 0; i + 1 < fields.size(); ++i) cols.push_back(g.array(fields[i], 3000));
  std::vector<std::optional<std::int64_t>> sparse(3000);
  for (std::size_t i = 0; i < sparse.size(); ++i)
    if ((i / 100) % 3 == 1) sparse[i] = static_cast<std::int64_t>(i % 7) - 3;  // every third page has values
  cols.push_back(fixed<std::int64_t>(int64(), sparse));
  const Batch b = make_batch(schema, cols);
  for (int version : {1, 2}) {
    for (bool dict : {true, false}) {
      SCOPED_TRACE("v" + std::to_string(version) + (dict ? " dictionary" : ""));
      pq::WriteOptions o;
      o.page_version = version;
      o.dictionary = dict;
      o.page_rows = 100;
      o.row_group_rows = 1000;
      std::string file;
      ASSERT_TRUE(round_trips(schema, {b}, o, &file));
      check_flat_statistics(file, b);
    }
  }
}

TEST(ParquetWriterStatistics, FewDistinctValuesAndDistinctCount) {
  const auto schema = make_schema(every_flat_type());
  Gen g(18);
  g.small_domain = true;
  const Batch b = g.batch(schema, 1000);
  pq::WriteOptions o;
  o.page_rows = 128;
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  check_flat_statistics(file, b);
  const auto md = footer_of(file);
  for (std::size_t c = 0; c < b.num_columns(); ++c) {
    const ArrayData& a = b.column(c);
    const auto& m = chunk_of(md, 0, schema->fields[c].name).meta_data;
    if (a.type->id == TypeId::kBool) {
      EXPECT_FALSE(m.statistics.__isset.distinct_count);
      continue;
    }
    std::set<std::string> distinct;
    for (std::int64_t i = 0; i < a.length; ++i)
      if (a.is_valid(i)) distinct.insert(physical(a, i));
    ASSERT_TRUE(m.statistics.__isset.distinct_count) << schema->fields[c].name;
    EXPECT_EQ(m.statistics.distinct_count, static_cast<std::int64_t>(distinct.size())) << schema->fields[c].name;
  }
  // Without the dictionary nobody counts.
  o.dictionary = false;
  const auto plain = footer_of(must_write(schema, {b}, o));
  for (const auto& c : plain.row_groups.at(0).columns) EXPECT_FALSE(c.meta_data.statistics.__isset.distinct_count);
}

TEST(ParquetWriterStatistics, SignedAndUnsignedIntegers) {
  const auto schema = make_schema({F("i32", int32()), F("u32", uint32()), F("i64", int64()), F("u64", uint64()),
                                   F("u8", uint8()), F("i8", int8())});
  const Batch b = make_batch(schema, {fixed<std::int32_t>(int32(), {-5, 3, std::nullopt, INT32_MIN}),
                                      fixed<std::uint32_t>(uint32(), {1, 2147483653u, 7, std::nullopt}),
                                      fixed<std::int64_t>(int64(), {-1, 1, 0, 5}),
                                      fixed<std::uint64_t>(uint64(), {1, (1ULL << 63) + 5, 2, ~0ULL - 1}),
                                      fixed<std::uint8_t>(uint8(), {255, 0, 128, 1}),
                                      fixed<std::int8_t>(int8(), {-128, 0, 127, -1})});
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, {}, &file));
  const auto md = footer_of(file);
  auto st = [&](const char* p) { return chunk_of(md, 0, p).meta_data.statistics; };
  EXPECT_EQ(st("i32").min_value, le_bytes<std::int32_t>(INT32_MIN));
  EXPECT_EQ(st("i32").max_value, le_bytes<std::int32_t>(3));
  EXPECT_EQ(st("u32").min_value, le_bytes<std::uint32_t>(1));
  EXPECT_EQ(st("u32").max_value, le_bytes<std::uint32_t>(2147483653u));
  EXPECT_FALSE(st("u32").__isset.min);  // the deprecated fields are signed: none for unsigned columns
  EXPECT_EQ(st("i64").min_value, le_bytes<std::int64_t>(-1));
  EXPECT_EQ(st("u64").min_value, le_bytes<std::uint64_t>(1));
  EXPECT_EQ(st("u64").max_value, le_bytes<std::uint64_t>(~0ULL - 1));
  EXPECT_FALSE(st("u64").__isset.max);
  EXPECT_EQ(st("u8").min_value, le_bytes<std::int32_t>(0));
  EXPECT_EQ(st("u8").max_value, le_bytes<std::int32_t>(255));
  EXPECT_EQ(st("i8").min_value, le_bytes<std::int32_t>(-128));
  check_flat_statistics(file, b);
}

TEST(ParquetWriterStatistics, FloatsLeaveOutNaNAndSignTheirZeros) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const float nanf = std::numeric_limits<float>::quiet_NaN();
  struct Case {
    std::vector<std::optional<double>> values;
    std::optional<std::pair<double, double>> minmax;  // none: no min/max
  };
  const std::vector<Case> cases = {
      {{-0.0, 0.0}, {{-0.0, 0.0}}},
      {{0.0, 0.0}, {{-0.0, 0.0}}},
      {{-0.0}, {{-0.0, 0.0}}},
      {{-0.0, 1.0}, {{-0.0, 1.0}}},
      {{-1.0, 0.0, std::nullopt}, {{-1.0, 0.0}}},
      {{-1.0, -0.0}, {{-1.0, 0.0}}},
      {{nan, 1.0, -2.0, nan}, {{-2.0, 1.0}}},
      {{nan, std::nullopt, nan}, std::nullopt},
      {{-INFINITY, INFINITY, nan}, {{-INFINITY, INFINITY}}},
  };
  auto bits_of = [](double d) { return le_bytes(d); };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE("case " + std::to_string(k));
    const auto& cs = cases[k];
    std::vector<std::optional<float>> fv;
    std::vector<std::optional<std::uint16_t>> hv;
    for (const auto& v : cs.values) {
      fv.push_back(v ? std::optional<float>(std::isnan(*v) ? nanf : static_cast<float>(*v)) : std::nullopt);
      if (!v) hv.push_back(std::nullopt);
      else if (std::isnan(*v)) hv.push_back(0x7E00);
      else if (std::isinf(*v)) hv.push_back(*v > 0 ? 0x7C00 : 0xFC00);
      else if (*v == 0) hv.push_back(std::signbit(*v) ? 0x8000 : 0x0000);
      else hv.push_back(static_cast<std::uint16_t>((*v < 0 ? 0x8000 : 0) | (std::fabs(*v) == 1.0 ? 0x3C00 : 0x4000)));
    }
    const auto schema = make_schema({F("d", float64()), F("f", float32()), F("h", float16())});
    const Batch b = make_batch(schema, {fixed<double>(float64(), cs.values), fixed<float>(float32(), fv),
                                        fixed<std::uint16_t>(float16(), hv)});
    std::string file;
    ASSERT_TRUE(round_trips(schema, {b}, {}, &file));
    const auto md = footer_of(file);
    const auto& d = chunk_of(md, 0, "d");
    const auto& f = chunk_of(md, 0, "f");
    const auto& h = chunk_of(md, 0, "h");
    ASSERT_EQ(d.meta_data.statistics.__isset.min_value, cs.minmax.has_value());
    ASSERT_EQ(f.meta_data.statistics.__isset.min_value, cs.minmax.has_value());
    ASSERT_EQ(h.meta_data.statistics.__isset.min_value, cs.minmax.has_value());
    if (cs.minmax) {
      EXPECT_EQ(hex(d.meta_data.statistics.min_value), hex(bits_of(cs.minmax->first)));
      EXPECT_EQ(hex(d.meta_data.statistics.max_value), hex(bits_of(cs.minmax->second)));
      EXPECT_EQ(hex(f.meta_data.statistics.min_value), hex(le_bytes(static_cast<float>(cs.minmax->first))));
      EXPECT_EQ(hex(f.meta_data.statistics.max_value), hex(le_bytes(static_cast<float>(cs.minmax->second))));
      const double hmin = half_value(static_cast<std::uint16_t>(static_cast<unsigned char>(h.meta_data.statistics.min_value[0]) |
                                                                 static_cast<unsigned char>(h.meta_data.statistics.min_value[1]) << 8));
      EXPECT_EQ(hmin, cs.minmax->first);
      EXPECT_EQ(std::signbit(hmin), std::signbit(cs.minmax->first));
      check_flat_statistics(file, b);
    } else {
      // A chunk of NaN only: a null count, no bounds, and no column index (its page has no bounds).
      EXPECT_EQ(d.meta_data.statistics.null_count, 1);
      EXPECT_FALSE(d.__isset.column_index_offset);
      EXPECT_TRUE(d.__isset.offset_index_offset);
    }
  }
}

TEST(ParquetWriterStatistics, Decimals) {
  const __int128 p30 = pow10_128(30) - 1, p38 = pow10_128(38) - 1;
  const auto schema = make_schema({F("d5", decimal128(5, 2)), F("d15", decimal128(15, 0)), F("d30", decimal128(30, 3)),
                                   F("d38", decimal128(38, 38))});
  const Batch b = make_batch(schema, {fixed<__int128>(decimal128(5, 2), {-99999, 5, 99999, std::nullopt}),
                                      fixed<__int128>(decimal128(15, 0), {pow10_128(15) - 1, -1, 0, 1}),
                                      fixed<__int128>(decimal128(30, 3), {5, -p30, pow10_128(20), -1}),
                                      fixed<__int128>(decimal128(38, 38), {p38, -p38, 0, std::nullopt})});
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, {}, &file));
  const auto md = footer_of(file);
  EXPECT_EQ(chunk_of(md, 0, "d5").meta_data.statistics.min_value, le_bytes<std::int32_t>(-99999));
  EXPECT_EQ(chunk_of(md, 0, "d15").meta_data.statistics.max_value, le_bytes<std::int64_t>(999999999999999LL));
  const auto& d30 = chunk_of(md, 0, "d30").meta_data.statistics;
  ASSERT_EQ(d30.min_value.size(), 13u);
  EXPECT_EQ(static_cast<unsigned char>(d30.min_value[0]) & 0x80, 0x80);  // negative, big-endian
  EXPECT_EQ(hex(d30.min_value), hex(physical(b.column(2), 1)));
  EXPECT_EQ(hex(d30.max_value), hex(physical(b.column(2), 2)));
  const auto& d38 = chunk_of(md, 0, "d38").meta_data.statistics;
  ASSERT_EQ(d38.max_value.size(), 16u);
  EXPECT_EQ(hex(d38.max_value), hex(physical(b.column(3), 0)));
  EXPECT_EQ(hex(d38.min_value), hex(physical(b.column(3), 1)));
  check_flat_statistics(file, b);
}

namespace {

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST(ParquetWriterStatistics, LongStringsAreTruncated) {
  Gen g(19);
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 600; ++i) {
    std::string s = g.text(30);
    // (each draw in a statement of its own: the order of evaluation of arguments differs between
    // compilers, and the data must not; at least one ASCII letter, so every maximum is truncatable)
    const auto len = static_cast<std::size_t>(g.range(1, 20));
    const auto letter = static_cast<char>('a' + g.range(0, 25));
    s = std::string(len, letter) + s;
    values.push_back(g.coin(0.1) ? std::nullopt : std::optional<std::string>(s));
  }
  const auto schema = make_schema({F("s", utf8())});
  const Batch b = make_batch(schema, {strings(utf8(), values)});
  pq::WriteOptions o;
  o.max_statistics_bytes = 10;
  o.page_rows = 50;
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  const auto md = footer_of(file);
  const auto& cc = chunk_of(md, 0, "s");
  const Expect e = expect_stats(b.column(0), 0, 600);
  const auto& st = cc.meta_data.statistics;
  // A bound is exact when the value fits; else the minimum is a prefix (at a character boundary) and
  // the maximum a short string above every value.
  auto check_bounds = [&](const std::string& min, const std::string& max, bool min_exact, bool max_exact,
                          const Expect& want) {
    EXPECT_LE(min.size(), 10u);
    EXPECT_LE(max.size(), 10u);
    EXPECT_TRUE(valid_utf8(min)) << hex(min);
    EXPECT_TRUE(valid_utf8(max)) << hex(max);
    EXPECT_EQ(min_exact, want.min.size() <= 10);
    EXPECT_EQ(max_exact, want.max.size() <= 10);
    if (want.min.size() <= 10) EXPECT_EQ(min, want.min);
    else EXPECT_EQ(want.min.compare(0, min.size(), min), 0) << "not a prefix: " << hex(min);
    if (want.max.size() <= 10) EXPECT_EQ(max, want.max);
    else EXPECT_GT(max, want.max);
    EXPECT_LE(min, want.min);
  };
  ASSERT_TRUE(st.__isset.max_value) << "the maxima here start with ASCII letters: truncatable";
  check_bounds(st.min_value, st.max_value, st.is_min_value_exact, st.is_max_value_exact, e);
  const auto oi = offset_index_of(file, cc);
  const auto ci = column_index_of(file, cc);
  ASSERT_EQ(ci.min_values.size(), oi.page_locations.size());
  for (std::size_t p = 0; p < oi.page_locations.size(); ++p) {
    const std::int64_t from = oi.page_locations[p].first_row_index;
    const std::int64_t to = p + 1 < oi.page_locations.size() ? oi.page_locations[p + 1].first_row_index : 600;
    const Expect pe = expect_stats(b.column(0), from, to);
    if (pe.values == 0) continue;
    SCOPED_TRACE("page " + std::to_string(p));
    check_bounds(ci.min_values[p], ci.max_values[p], pe.min.size() <= 10, pe.max.size() <= 10, pe);
  }
  // A maximum of bytes that cannot be raised within the limit (all >= 0x7F) is left out.
  const auto bin = make_schema({F("b", binary())});
  const Batch high = make_batch(bin, {strings(binary(), {std::string(20, '\xff'), std::string(30, '\x80'), "a"})});
  std::string f2;
  ASSERT_TRUE(round_trips(bin, {high}, o, &f2));
  const auto hs = chunk_of(footer_of(f2), 0, "b").meta_data.statistics;
  EXPECT_FALSE(hs.__isset.max_value);
  EXPECT_EQ(hs.null_count, 0);
  // An exact fit is not truncated.
  const Batch fit = make_batch(bin, {strings(binary(), {std::string(10, 'q'), std::string(10, 'a')})});
  ASSERT_TRUE(round_trips(bin, {fit}, o, &f2));
  const auto fs = chunk_of(footer_of(f2), 0, "b").meta_data.statistics;
  EXPECT_EQ(fs.max_value, std::string(10, 'q'));
  EXPECT_TRUE(fs.is_max_value_exact);
}

TEST(ParquetWriterStatistics, BoundaryOrder) {
  const auto schema = make_schema({F("asc", int64()), F("desc", int64()), F("rand", int64()), F("same", int64()),
                                   F("sasc", utf8()), F("fdesc", float64())});
  std::vector<std::optional<std::int64_t>> asc, desc, rnd, same;
  std::vector<std::optional<std::string>> sasc;
  std::vector<std::optional<double>> fdesc;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    asc.push_back(i % 17 == 0 ? std::nullopt : std::optional<std::int64_t>(i / 3));
    desc.push_back(-i);
    rnd.push_back(static_cast<std::int64_t>(rng() % 1000));
    same.push_back(4);
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%05d", i);
    sasc.push_back(std::string(buf));
    fdesc.push_back(1000.5 - i);
  }
  const Batch b = make_batch(schema, {fixed<std::int64_t>(int64(), asc), fixed<std::int64_t>(int64(), desc),
                                      fixed<std::int64_t>(int64(), rnd), fixed<std::int64_t>(int64(), same),
                                      strings(utf8(), sasc), fixed<double>(float64(), fdesc)});
  pq::WriteOptions o;
  o.page_rows = 100;
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  check_flat_statistics(file, b);
  const auto md = footer_of(file);
  auto order = [&](const char* p) { return column_index_of(file, chunk_of(md, 0, p)).boundary_order; };
  EXPECT_EQ(order("asc"), fmt::BoundaryOrder::ASCENDING);
  EXPECT_EQ(order("desc"), fmt::BoundaryOrder::DESCENDING);
  EXPECT_EQ(order("rand"), fmt::BoundaryOrder::UNORDERED);
  EXPECT_EQ(order("same"), fmt::BoundaryOrder::ASCENDING);
  EXPECT_EQ(order("sasc"), fmt::BoundaryOrder::ASCENDING);
  EXPECT_EQ(order("fdesc"), fmt::BoundaryOrder::DESCENDING);
}

TEST(ParquetWriterStatistics, NestedColumnStatistics) {
  const auto schema = make_schema({F("l", list(int32())), F("st", struct_({F("x", utf8())}))});
  Gen g(20);
  const Batch b = g.batch(schema, 800);
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, {}, &file));
  const auto md = footer_of(file);
  // list<int32>: over the elements; nulls are the level entries without a value (null lists, empty
  // lists, null elements).
  const ArrayData& l = b.column(0);
  std::int64_t nulls = 0;
  std::optional<std::int32_t> mn, mx;
  for (std::int64_t i = 0; i < l.length; ++i) {
    if (l.is_null(i)) { ++nulls; continue; }
    auto [s, e] = l.list_range(i);
    if (s == e) ++nulls;
    for (auto k = s; k < e; ++k) {
      if (l.children[0]->is_null(k)) { ++nulls; continue; }
      const auto v = l.children[0]->value<std::int32_t>(k);
      mn = mn ? std::min(*mn, v) : v;
      mx = mx ? std::max(*mx, v) : v;
    }
  }
  const auto& ls = chunk_of(md, 0, "l.list.element").meta_data.statistics;
  EXPECT_EQ(ls.null_count, nulls);
  EXPECT_EQ(ls.min_value, le_bytes(*mn));
  EXPECT_EQ(ls.max_value, le_bytes(*mx));
  // struct<x>: null when the struct or x is.
  const ArrayData& st = b.column(1);
  std::int64_t snulls = 0;
  for (std::int64_t i = 0; i < st.length; ++i) snulls += st.is_null(i) || st.children[0]->is_null(i);
  EXPECT_EQ(chunk_of(md, 0, "st.x").meta_data.statistics.null_count, snulls);
}

TEST(ParquetWriterStatistics, StatisticsAndPageIndexCanBeTurnedOff) {
  const auto schema = make_schema({F("a", int64()), F("b", utf8())});
  Gen g(21);
  const Batch b = g.batch(schema, 300);
  pq::WriteOptions o;
  o.columns = {col("a", [](pq::ColumnWriteOptions& c) { c.statistics = false; })};
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  auto md = footer_of(file);
  EXPECT_FALSE(chunk_of(md, 0, "a").meta_data.__isset.statistics);
  EXPECT_FALSE(chunk_of(md, 0, "a").__isset.column_index_offset);
  EXPECT_TRUE(chunk_of(md, 0, "a").__isset.offset_index_offset);
  EXPECT_TRUE(chunk_of(md, 0, "b").meta_data.statistics.__isset.min_value);
  EXPECT_TRUE(chunk_of(md, 0, "b").__isset.column_index_offset);
  EXPECT_TRUE(check_structure(file));
  o = {};
  o.page_index = false;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  md = footer_of(file);
  for (const auto& c : md.row_groups.at(0).columns) {
    EXPECT_FALSE(c.__isset.column_index_offset);
    EXPECT_FALSE(c.__isset.offset_index_offset);
    EXPECT_TRUE(c.meta_data.statistics.__isset.min_value);
  }
}

// =============================================================================================
// Bloom filters

TEST(ParquetWriterBloom, XxHashIsXxHash64) {
  // Reference digests of XXH64 with seed 0 (short inputs and the four-lane path).
  EXPECT_EQ(pq::xxhash64("", 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(pq::xxhash64("a", 1), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(pq::xxhash64("abc", 3), 0x44BC2CF5AD770999ULL);
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(pq::xxhash64(fox.data(), fox.size()), 0x0B242D361FDA71BCULL);
}

TEST(ParquetWriterBloom, FiltersForTheRequestedColumnsHoldEveryValue) {
  const auto schema = make_schema({F("i32", int32()), F("i64", int64()), F("s", utf8()), F("fsb", fixed_size_binary(5)),
                                   F("f64", float64()), F("d30", decimal128(30, 0)), F("i8", int8()),
                                   F("u64", uint64()), F("l", list(utf8())), F("none", int64())});
  Gen g(22);
  std::vector<Batch> batches = {g.batch(schema, 3000), g.batch(schema, 2000)};
  pq::WriteOptions o;
  o.row_group_rows = 2500;
  o.dictionary_page_bytes = 8000;  // some chunks fall back: the filter holds values of both kinds of page
  for (const char* p : {"i32", "i64", "s", "fsb", "f64", "d30", "i8", "u64", "l"})
    o.columns.push_back(col(p, [](pq::ColumnWriteOptions& c) { c.bloom_filter = true; }));
  std::string file;
  ASSERT_TRUE(round_trips(schema, batches, o, &file));
  EXPECT_TRUE(check_structure(file));
  const auto md = footer_of(file);
  ASSERT_EQ(md.row_groups.size(), 2u);
  // The values of each row group, as the PLAIN bytes the spec hashes.
  std::vector<std::map<std::string, std::set<std::string>>> values(2);
  std::int64_t row = 0;
  for (const auto& b : batches) {
    for (std::int64_t i = 0; i < b.num_rows; ++i, ++row) {
      auto& v = values[row < 2500 ? 0 : 1];
      for (std::size_t c = 0; c < b.num_columns(); ++c) {
        const ArrayData& a = b.column(c);
        if (a.type->id == TypeId::kList) {
          if (a.is_null(i)) continue;
          auto [s, e] = a.list_range(i);
          for (auto k = s; k < e; ++k)
            if (a.children[0]->is_valid(k)) v["l"].insert(physical(*a.children[0], k));
        } else if (a.is_valid(i)) {
          v[schema->fields[c].name].insert(physical(a, i));
        }
      }
    }
  }
  std::mt19937_64 rng(99);
  for (std::size_t rg = 0; rg < 2; ++rg) {
    for (const auto& c : md.row_groups[rg].columns) {
      const std::string path = dotted(c);
      const std::string name = path.substr(0, path.find('.'));
      SCOPED_TRACE(path);
      if (name == "none") {
        EXPECT_FALSE(c.meta_data.__isset.bloom_filter_offset);
        continue;
      }
      ASSERT_TRUE(c.meta_data.__isset.bloom_filter_offset);
      ASSERT_TRUE(c.meta_data.__isset.bloom_filter_length);
      auto f = pq::BloomFilter::parse(bytes_at(file, c.meta_data.bloom_filter_offset, c.meta_data.bloom_filter_length));
      ASSERT_TRUE(f.ok()) << f.error().to_string();
      const auto& present = values[rg][name];
      ASSERT_FALSE(present.empty());
      for (const auto& v : present) ASSERT_TRUE(f->might_contain(pq::xxhash64(v.data(), v.size()))) << hex(v);
      // Absent values: about 1% false positives is the target; allow 5%.
      int false_positives = 0, tried = 0;
      const std::size_t width = present.begin()->size();
      while (tried < 2000) {
        std::string v(name == "s" || name == "l" ? 8 + rng() % 8 : width, '\0');
        for (auto& ch : v) ch = static_cast<char>(rng());
        if (present.count(v)) continue;
        ++tried;
        false_positives += f->might_contain(pq::xxhash64(v.data(), v.size()));
      }
      EXPECT_LT(false_positives, 100) << "of " << tried;
    }
  }
  // File-wide, and sized for a stricter false positive rate: larger.
  o.columns.clear();
  o.bloom_filter = true;
  const auto loose = footer_of(must_write(schema, batches, o));
  o.bloom_filter_fpp = 0.0001;
  const auto strict = footer_of(must_write(schema, batches, o));
  for (std::size_t c = 0; c < loose.row_groups[0].columns.size(); ++c) {
    const auto& a = loose.row_groups[0].columns[c].meta_data;
    const auto& b = strict.row_groups[0].columns[c].meta_data;
    EXPECT_TRUE(a.__isset.bloom_filter_offset);
    EXPECT_GT(b.bloom_filter_length, a.bloom_filter_length);
  }
  // An out-of-range probability is refused.
  for (double bad : {0.0, 1.0, -0.5, std::nan("")}) {
    pq::WriteOptions w;
    w.bloom_filter_fpp = bad;
    io::MemorySink sink;
    EXPECT_FALSE(pq::ParquetWriter::open(sink, schema, w).ok()) << bad;
  }
}

// =============================================================================================
// Footer metadata

TEST(ParquetWriterFooter, KeyValueMetadataAndCreatedBy) {
  const auto schema = make_schema({F("a", int32()), F("l", list(utf8()))}, {{"owner", "me"}, {"ARROW:schema", "xyz"}});
  pq::WriteOptions o;
  o.metadata = {{"extra", "1"}, {"empty", ""}};
  Gen g(23);
  std::string file;
  ASSERT_TRUE(round_trips(schema, {g.batch(schema, 10)}, o, &file));
  const auto md = footer_of(file);
  ASSERT_EQ(md.key_value_metadata.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"owner", "me"}, {"ARROW:schema", "xyz"}, {"extra", "1"}, {"empty", ""}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(md.key_value_metadata[i].key, want[i].first);
    EXPECT_EQ(md.key_value_metadata[i].value, want[i].second);
  }
  ASSERT_EQ(md.created_by.rfind("sluice version ", 0), 0u) << md.created_by;
  const std::string version = md.created_by.substr(15);
  EXPECT_FALSE(version.empty());
  EXPECT_NE(version, "unknown");
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(version[0]))) << version;
  EXPECT_EQ(md.column_orders.size(), 2u);
  for (const auto& co : md.column_orders) EXPECT_TRUE(co.__isset.TYPE_ORDER);
  // Read back without ARROW:schema (as Arrow reads it): it describes the columns of the file it is in,
  // and would be stale in a file written from these rows with other columns or types.
  auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file));
  ASSERT_TRUE(r.ok());
  const std::vector<std::pair<std::string, std::string>> read_back = {{"owner", "me"}, {"extra", "1"}, {"empty", ""}};
  EXPECT_EQ((*r)->schema()->metadata, read_back);
  // Nothing to say: no key-value list at all.
  const auto plain = footer_of(must_write(make_schema({F("a", int32())}), {}));
  EXPECT_TRUE(plain.key_value_metadata.empty());
}

TEST(ParquetWriterFooter, SchemaElements) {
  const auto schema = make_schema({F("l", list(Field{"item", int32(), false})), F("ts", timestamp(TimeUnit::kMicro, "UTC")),
                                   F("t", time_type(TimeUnit::kNano)), F("u16", uint16()), F("d", decimal128(20, 2))});
  const auto md = footer_of(must_write(schema, {}));
  // root, l (LIST) > list (repeated) > element (required), ts, t, u16, d
  ASSERT_EQ(md.schema.size(), 8u);
  EXPECT_EQ(md.schema[0].num_children, 5);
  EXPECT_TRUE(md.schema[1].logicalType.__isset.LIST);
  EXPECT_EQ(md.schema[1].converted_type, fmt::ConvertedType::LIST);
  EXPECT_EQ(md.schema[2].name, "list");
  EXPECT_EQ(md.schema[2].repetition_type, fmt::FieldRepetitionType::REPEATED);
  EXPECT_EQ(md.schema[3].name, "element");
  EXPECT_EQ(md.schema[3].repetition_type, fmt::FieldRepetitionType::REQUIRED);
  EXPECT_TRUE(md.schema[4].logicalType.TIMESTAMP.isAdjustedToUTC);
  EXPECT_TRUE(md.schema[4].logicalType.TIMESTAMP.unit.__isset.MICROS);
  EXPECT_EQ(md.schema[4].converted_type, fmt::ConvertedType::TIMESTAMP_MICROS);
  EXPECT_TRUE(md.schema[5].logicalType.TIME.unit.__isset.NANOS);
  EXPECT_FALSE(md.schema[5].__isset.converted_type);
  EXPECT_EQ(md.schema[6].logicalType.INTEGER.bitWidth, 16);
  EXPECT_FALSE(md.schema[6].logicalType.INTEGER.isSigned);
  EXPECT_EQ(md.schema[7].type, fmt::Type::FIXED_LEN_BYTE_ARRAY);
  EXPECT_EQ(md.schema[7].type_length, decimal_width(20));
  EXPECT_EQ(md.schema[7].precision, 20);
  EXPECT_EQ(md.schema[7].scale, 2);
}

// =============================================================================================
// Failures

TEST(ParquetWriterFailures, AFailedWriteLeavesNothingBehind) {
  const fs::path dir = fs::temp_directory_path() / ("sluice_pq_writer_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "out.parquet").string();
  const auto schema = make_schema({F("id", int64(), false), F("s", utf8())});
  const Batch good = make_batch(schema, {fixed<std::int64_t>(int64(), {1, 2, 3}), strings(utf8(), {"a", "b", "c"})});
  const Batch bad = make_batch(schema, {fixed<std::int64_t>(int64(), {4, std::nullopt}), strings(utf8(), {"d", "e"})});
  {
    auto sink = io::open_local_sink(path);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    auto w = pq::ParquetWriter::open(**sink, schema);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write(good).ok());
    auto st = (*w)->write(bad);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(st.error().message().find("'id'"), std::string::npos) << st.error().message();
    EXPECT_NE(st.error().message().find("row 4"), std::string::npos) << st.error().message();
    // The writer is done for: later writes and finish fail too, with the same error.
    auto again = (*w)->write(good);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message(), st.error().message());
    EXPECT_FALSE((*w)->finish().ok());
    (*sink)->abort();
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir)) << "a temporary file was left behind";
  {
    // Destroyed without finishing: nothing either.
    auto sink = io::open_local_sink(path);
    ASSERT_TRUE(sink.ok());
    auto w = pq::ParquetWriter::open(**sink, schema);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write(good).ok());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir));
  {
    // And the successful case: visible after the sink's finish(), readable.
    auto sink = io::open_local_sink(path);
    ASSERT_TRUE(sink.ok());
    auto w = pq::ParquetWriter::open(**sink, schema);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write(good).ok());
    ASSERT_TRUE((*w)->finish().ok());
    EXPECT_FALSE((*w)->finish().ok()) << "finish twice";
    EXPECT_FALSE((*w)->write(good).ok()) << "write after finish";
    EXPECT_FALSE(fs::exists(path));
    ASSERT_TRUE((*sink)->finish().ok());
    EXPECT_TRUE(fs::exists(path));
    auto src = io::open_local_source(path);
    ASSERT_TRUE(src.ok());
    auto read = pq::read_all(std::move(*src));
    ASSERT_TRUE(read.ok()) << read.error().to_string();
    EXPECT_TRUE(same_table(*schema, {good}, *read));
  }
  fs::remove_all(dir);
}

TEST(ParquetWriterFailures, BatchesThatDoNotMatchTheSchema) {
  const auto schema = make_schema({F("a", int32()), F("l", list(int32()))});
  Gen g(24);
  const Batch ok = g.batch(schema, 5);
  // Wrong column count.
  {
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, schema);
    ASSERT_TRUE(w.ok());
    Batch b = ok;
    b.columns.pop_back();
    auto st = (*w)->write(b);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE((*w)->write(ok).ok());
  }
  // Wrong type (a list whose item has another name is another type).
  for (auto t : {int64(), list(Field{"x", int32(), true})}) {
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, schema);
    ASSERT_TRUE(w.ok());
    Batch b = ok;
    b.columns[t->id == TypeId::kList ? 1 : 0] = g.array(F("z", t), 5);
    auto st = (*w)->write(b);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  }
  // Wrong length.
  {
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, schema);
    ASSERT_TRUE(w.ok());
    Batch b = ok;
    b.num_rows = 6;
    EXPECT_FALSE((*w)->write(b).ok());
  }
}

TEST(ParquetWriterFailures, BadOptionsAndSchemas) {
  const auto schema = make_schema({F("a", int32())});
  auto open_with = [&](pq::WriteOptions o, SchemaPtr s = nullptr) {
    io::MemorySink sink;
    auto w = pq::ParquetWriter::open(sink, s ? s : schema, std::move(o));
    return w.ok() ? ok_status() : Status(w.error());
  };
  pq::WriteOptions o;
  o.page_version = 3;
  EXPECT_EQ(open_with(o).error().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.page_bytes = 0;
  EXPECT_EQ(open_with(o).error().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.page_rows = 0;
  EXPECT_EQ(open_with(o).error().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.row_group_rows = -1;
  EXPECT_EQ(open_with(o).error().code(), ErrorCode::kInvalidArgument);
  o = {};
  o.row_group_bytes = 0;
  EXPECT_EQ(open_with(o).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(open_with({}, make_schema({F("s", struct_({}))})).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(open_with({}, make_schema({F("f", fixed_size_binary(0))})).error().code(), ErrorCode::kInvalidArgument);
  io::MemorySink sink;
  EXPECT_FALSE(pq::ParquetWriter::open(sink, nullptr).ok());
  // A column option may name a group: everything under it.
  o = {};
  o.columns = {col("s", [](pq::ColumnWriteOptions& c) { c.dictionary = false; })};
  EXPECT_TRUE(open_with(o, make_schema({F("s", struct_({F("x", int32())}))})).ok());
  o.columns = {col("s.x", [](pq::ColumnWriteOptions& c) { c.dictionary = false; })};
  EXPECT_TRUE(open_with(o, make_schema({F("s", struct_({F("x", int32())}))})).ok());
  o.columns = {col("s.y", [](pq::ColumnWriteOptions& c) { c.dictionary = false; })};
  EXPECT_FALSE(open_with(o, make_schema({F("s", struct_({F("x", int32())}))})).ok());
}

// =============================================================================================
// Larger inputs and unusual layouts

TEST(ParquetWriterOptions, BatchesLargerThanOneEncodingStep) {
  // More rows than the writer encodes per step (65536), row groups cut inside a batch, and a
  // dictionary that grows past 2^16 entries (index bit widths growing from page to page).
  const std::int64_t n = 150000;
  const auto schema = make_schema({F("id", int64(), false), F("k", int64()), F("l", list(int32()))});
  std::vector<std::optional<std::int64_t>> id, k;
  for (std::int64_t i = 0; i < n; ++i) {
    id.push_back(i);
    k.push_back(i % 97 == 0 ? std::nullopt : std::optional<std::int64_t>(i < 20000 ? i % 100 : (i * 7919) % 70001));
  }
  Gen g(40);
  g.max_list = 2;
  const Batch b = make_batch(schema, {fixed<std::int64_t>(int64(), id), fixed<std::int64_t>(int64(), k),
                                      g.array(schema->fields[2], n)});
  pq::WriteOptions o;
  o.row_group_rows = 100000;
  o.dictionary_page_bytes = 8 << 20;
  std::string file;
  ASSERT_TRUE(round_trips(schema, {b}, o, &file));
  EXPECT_TRUE(check_structure(file));
  const auto md = footer_of(file);
  ASSERT_EQ(md.row_groups.size(), 2u);
  EXPECT_EQ(md.row_groups[0].num_rows, 100000);
  EXPECT_EQ(md.row_groups[1].num_rows, 50000);
  const auto& km = chunk_of(md, 0, "k").meta_data;
  EXPECT_EQ(data_page_encodings(km).size(), 1u);
  EXPECT_EQ(data_page_encodings(km).begin()->first, fmt::Encoding::RLE_DICTIONARY);
  ASSERT_TRUE(km.statistics.__isset.distinct_count);
  EXPECT_GT(km.statistics.distinct_count, 65536);
}

TEST(ParquetWriterNested, ChildArraysWithTheirOwnOffsets) {
  // Arrays from elsewhere (an Arrow import) may have list and map children that are slices
  // themselves: offsets are relative to the child's own start.
  Gen g(41);
  const auto item = F("item", utf8());
  const ArrayPtr values = g.array(item, 50);
  const ArrayPtr child = values->slice(7, 30);
  auto list_arr = std::make_shared<ArrayData>();
  list_arr->type = list(item);
  list_arr->length = 6;
  auto offs = Buffer::allocate(7 * 8);
  const std::int64_t o[] = {2, 5, 5, 12, 20, 29, 30};
  std::memcpy(offs->mutable_data(), o, sizeof o);
  list_arr->buffers = {nullptr, offs};
  list_arr->children = {child};
  // And a map whose entries are a slice.
  const auto mt = map(int32(), utf8());
  const ArrayPtr entries_all = g.array(F("entries", mt->children[0].type, false), 40);
  auto map_arr = std::make_shared<ArrayData>();
  map_arr->type = mt;
  map_arr->length = 6;
  auto moffs = Buffer::allocate(7 * 4);
  const std::int32_t mo[] = {0, 3, 3, 9, 10, 20, 25};
  std::memcpy(moffs->mutable_data(), mo, sizeof mo);
  map_arr->buffers = {nullptr, moffs};
  map_arr->children = {entries_all->slice(11, 25)};
  const auto schema = make_schema({F("l", list_arr->type), F("m", mt)});
  const Batch b = make_batch(schema, {with_validity(list_arr, {true, true, false, true, true, true}), map_arr});
  ASSERT_TRUE(b.validate().ok()) << b.validate().error().to_string();
  for (int version : {1, 2}) {
    pq::WriteOptions w;
    w.page_version = version;
    EXPECT_TRUE(round_trips(schema, {b}, w));
    EXPECT_TRUE(round_trips(schema, {b.slice(1, 4)}, w));
  }
}

TEST(ParquetWriterFailures, AnErrorWhileColumnsAreEncodedInParallel) {
  const auto schema = make_schema({F("a", int64()), F("b", utf8()), F("c", int32(), false), F("d", list(int64()))});
  Gen g(42);
  Batch good = g.batch(schema, 100);
  Batch bad = g.batch(schema, 100);
  std::vector<bool> v(100, true);
  v[57] = false;
  bad.columns[2] = with_validity(bad.columns[2], v);
  pq::WriteOptions o;
  o.threads = 3;
  io::MemorySink sink;
  auto w = pq::ParquetWriter::open(sink, schema, o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->write(good).ok());
  auto st = (*w)->write(bad);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message().find("'c'"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("row 157"), std::string::npos) << st.error().message();
  EXPECT_FALSE((*w)->write(good).ok());
  EXPECT_FALSE((*w)->finish().ok());
}

TEST(ParquetWriterOptions, MemoryDoesNotGrowWithTheRows) {
  // Memory is about a row group plus a page per column "whatever the rows": what is held at once
  // stops growing once the first row groups are out.
  const auto schema = make_schema({F("i", int64()), F("s", utf8()), F("l", list(int32()))});
  Gen g(43);
  pq::WriteOptions o;
  o.row_group_bytes = 256 << 10;
  o.page_bytes = 32 << 10;
  io::MemorySink sink;
  auto w = pq::ParquetWriter::open(sink, schema, o);
  ASSERT_TRUE(w.ok());
  std::int64_t rows = 0, early_peak = 0;
  for (int i = 0; i < 80; ++i) {
    const Batch b = g.batch(schema, 4000);
    ASSERT_TRUE((*w)->write(b).ok());
    rows += b.num_rows;
    EXPECT_EQ((*w)->rows_written(), rows);
    EXPECT_LE((*w)->buffered_bytes(), (*w)->peak_buffered_bytes());
    if (i == 19) early_peak = (*w)->peak_buffered_bytes();
  }
  ASSERT_TRUE((*w)->finish().ok());
  EXPECT_GT((*w)->row_groups_written(), 10);
  const std::int64_t peak = (*w)->peak_buffered_bytes();
  EXPECT_LE(peak, early_peak * 3 / 2) << "held " << early_peak << " bytes after 20 batches, " << peak << " after 80";
  EXPECT_LT(peak, 16 << 20) << peak << " bytes held at most for " << sink.bytes_written() << " written";
}

// --where with OR, NOT, BETWEEN and LIKE prunes row groups by statistics and bloom filters and pages
// by the page index, and never drops a row the filter would keep. Three row groups of 1,000 rows with
// pages of 100: id 0..2999; d = id but a NaN at row 5; s 'alpha-N' / 'beta-N' / 'gamma-N' by group;
// n null in the whole third group.
TEST(ParquetWriterPruning, ConditionTreesPruneRowGroupsAndPages) {
  const auto schema = make_schema({F("id", int64()), F("d", float64()), F("s", utf8()), F("n", int32())});
  std::vector<std::optional<std::int64_t>> id;
  std::vector<std::optional<double>> d;
  std::vector<std::optional<std::string>> s;
  std::vector<std::optional<std::int32_t>> n;
  const char* names[] = {"alpha-", "beta-", "gamma-"};
  for (std::int64_t i = 0; i < 3000; ++i) {
    id.push_back(i);
    d.push_back(i == 5 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(i));
    s.push_back(names[i / 1000] + std::to_string(i));
    n.push_back(i >= 2000 ? std::nullopt : std::optional<std::int32_t>(static_cast<std::int32_t>(i % 7)));
  }
  const Batch batch = make_batch(schema, {fixed<std::int64_t>(int64(), id), fixed<double>(float64(), d),
                                          strings(utf8(), s), fixed<std::int32_t>(int32(), n)});
  pq::WriteOptions o;
  o.row_group_rows = 1000;
  o.page_rows = 100;
  o.bloom_filter = true;
  const std::string file = must_write(schema, {batch}, o);
  ASSERT_EQ(footer_of(file).row_groups.size(), 3u);

  struct Case {
    const char* where;
    int skipped;        // row groups left unread
    std::int64_t read;  // rows read (-1: not checked)
  };
  const Case cases[] = {
      {"id < 100 or id >= 2900", 1, 200},
      {"not id < 1000", 1, -1},
      {"not (id < 1000 or id >= 2000)", 2, 1000},
      {"id between 1200 and 1299", 2, 100},
      {"id not between 0 and 1999", 2, 1000},
      {"s like 'beta%'", 2, 1000},
      {"s like 'gamma-2500'", 2, -1},
      {"s like 'gamma-25%' or s like 'alpha-1%'", 1, -1},
      {"s like '%a-5'", 0, 3000},
      {"s ilike 'BETA%'", 0, 3000},
      {"s not like 'beta%'", 0, 3000},  // NOT LIKE proves nothing here
      {"n is null or id < 10", 1, -1},
      {"not n is null", 1, 2000},
      {"n is not null and not n is not null", 3, 0},
      {"d < 100 or d > 2500", 1, -1},
      {"not d < 1000", 0, -1},  // the NaN of row 5 fails d < 1000: the first group stays
      {"not d >= 0", 0, -1},
      {"s = 'alpha-5x' or s = 'beta-5x'", 3, 0},  // within min/max of two groups, absent from their blooms
      {"s in ('alpha-5x', 'beta-1500')", 2, -1},
      {"id = 5 or not s = 'x'", 0, 3000},
      {"(id < 10 or id > 2990) and (s like 'alpha%' or n is null)", 1, -1},
      {"5 > id or 2995 <= id", 1, 200},
  };
  auto all = read_file(file);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.where);
    auto pred = Predicate::parse(c.where);
    ASSERT_TRUE(pred.ok()) << pred.error().to_string();
    auto kept = [&](const std::vector<Batch>& bs) {
      std::vector<std::int64_t> ids;
      for (const auto& b : bs) {
        auto m = pred->matches(b);
        EXPECT_TRUE(m.ok()) << m.error().to_string();
        if (!m.ok()) continue;
        for (std::int64_t i = 0; i < b.num_rows; ++i)
          if ((*m)[static_cast<std::size_t>(i)]) ids.push_back(b.columns[0]->values<std::int64_t>()[i]);
      }
      return ids;
    };
    const auto want = kept(*all);
    for (int threads : {1, 2}) {
      pq::ReadOptions ro;
      ro.filter = std::make_shared<const Predicate>(*pred);
      ro.threads = threads;
      ro.batch_rows = 64;
      auto r = pq::ParquetReader::open(std::make_unique<io::MemorySource>(file, "t.parquet"), ro);
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      std::vector<Batch> got;
      std::int64_t read = 0;
      while (true) {
        auto b = (*r)->next();
        ASSERT_TRUE(b.ok()) << b.error().to_string();
        if (!*b) break;
        read += (*b)->num_rows;
        got.push_back(std::move(**b));
      }
      EXPECT_EQ(kept(got), want);
      EXPECT_EQ((*r)->row_groups_skipped(), c.skipped);
      if (c.read >= 0) {
        EXPECT_EQ(read, c.read);
      }
    }
  }
}
