// libFuzzer target for the Parquet writer: a round trip. The input's bytes choose a small schema
// (flat types and lists, structs and maps nested up to three deep, nullable or not), the writer's
// options (codec, page version, dictionary and its size limit, tiny pages and row groups, encodings
// per column, statistics, bloom filters, checksums, threads) and batches of values with nulls,
// some of them slices at odd offsets. The batches are written with ParquetWriter and read back with
// ParquetReader; the process aborts when:
//   - writing fails (the values are always valid for their types: no null in a required field, no
//     decimal beyond its precision, no seconds that overflow as milliseconds);
//   - reading the file back fails, or a batch read does not validate;
//   - the schema read back is not the documented mapping of the one written (list items named
//     "element", time[s] and timestamp[s] as milliseconds, any time zone as UTC, durations as int64,
//     map values nullable);
//   - any value differs (floats bit for bit; seconds as milliseconds);
//   - with threads=2 (when the input asks for it) the file differs from the one threads=1 writes;
//   - a flat top-level integer or string column's chunk statistics disagree with its values (null
//     count; a value outside [min, max], truncated bounds included).
// Input layout: [option bytes (6)][schema bytes...][value bytes...]; whatever runs out reads as zeros.
// Seeds: fuzz/corpus/parquet_writer/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parquet/metadata.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/io/local.hpp"

namespace {

using namespace sluice;
namespace pq = sluice::parquet;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "parquet_writer_fuzz: %s\n", what);
  std::abort();
}

// The input as a stream of bytes that reads as zeros once exhausted.
struct Bytes {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  template <class T>
  T get() {
    T v{};
    std::uint8_t buf[sizeof(T)] = {};
    for (auto& b : buf) b = u8();
    std::memcpy(&v, buf, sizeof(T));
    return v;
  }
  bool empty() const { return n == 0; }
};

// ---- schema ----

TypePtr make_type(Bytes& in, int depth);

Field make_field(Bytes& in, const std::string& name, int depth) {
  const std::uint8_t b = in.u8();
  TypePtr t = make_type(in, depth);
  const bool nullable = (b & 1) == 0 || t->id == TypeId::kNull;  // a null-typed field must be nullable
  return Field{name, std::move(t), nullable};
}

TypePtr make_type(Bytes& in, int depth) {
  const std::uint8_t b = in.u8();
  const int kind = b % (depth >= 3 ? 22 : 26);
  const TimeUnit unit = static_cast<TimeUnit>((b >> 5) & 3);
  switch (kind) {
    case 0: return boolean();
    case 1: return int8();
    case 2: return int16();
    case 3: return int32();
    case 4: return int64();
    case 5: return uint8();
    case 6: return uint16();
    case 7: return uint32();
    case 8: return uint64();
    case 9: return float16();
    case 10: return float32();
    case 11: return float64();
    case 12: {
      const int p = 1 + in.u8() % 38;
      return decimal128(p, p == 0 ? 0 : in.u8() % (p + 1));
    }
    case 13: return date32();
    case 14: return time_type(unit);
    case 15: return timestamp(unit);
    case 16: return timestamp(unit, (b & 0x80) ? "UTC" : "Asia/Tokyo");
    case 17: return duration(unit);
    // The extensions (JSON, ENUM, BSON, GEOMETRY, GEOGRAPHY, UUID, INTERVAL annotations) on some of them: b's top bits.
    case 18: return (b & 0xC0) == 0xC0 ? json_type() : (b & 0xC0) == 0x80 ? with_extension(utf8(), Extension::kEnum) : utf8();
    case 19:
      if ((b & 0xC0) == 0xC0) return (b & 0x20) ? geography_type("", Edges::kKarney) : geometry_type("srid:4326");
      return (b & 0x80) ? with_extension(binary(), Extension::kBson) : binary();
    case 20: {
      const int width = 1 + in.u8() % 20;
      if (width == 16 && (b & 0x80)) return uuid_type();
      return width == 12 && (b & 0x80) ? interval_type() : fixed_size_binary(width);
    }
    case 21: return null_type();
    case 22:
    case 23: return list(make_field(in, "item", depth + 1));
    case 24: {
      std::vector<Field> fields;
      const int n = 1 + in.u8() % 3;
      for (int i = 0; i < n; ++i) fields.push_back(make_field(in, "f" + std::to_string(i), depth + 1));
      return struct_(std::move(fields));
    }
    default: {
      // Keys: a flat type that is never null; values: anything.
      TypePtr key;
      switch (in.u8() % 4) {
        case 0: key = int32(); break;
        case 1: key = int64(); break;
        case 2: key = utf8(); break;
        default: key = fixed_size_binary(4); break;
      }
      return map(key, make_type(in, depth + 1));
    }
  }
}

// ---- values ----

__int128 pow10(int p) {
  __int128 v = 1;
  for (int i = 0; i < p; ++i) v *= 10;
  return v;
}

void append(ArrayBuilder& b, const Field& f, Bytes& in, int depth) {
  const DataType& t = *f.type;
  const std::uint8_t tag = in.u8();
  if (t.id == TypeId::kNull || (f.nullable && tag % 5 == 0)) {
    b.append_null();
    return;
  }
  const bool small = tag & 0x80;  // small values: repeats, dictionary-friendly
  switch (t.id) {
    case TypeId::kNull: break;
    case TypeId::kBool: static_cast<BooleanBuilder&>(b).append(tag & 2); break;
    case TypeId::kInt8: static_cast<FixedWidthBuilder<std::int8_t>&>(b).append(in.get<std::int8_t>()); break;
    case TypeId::kInt16: static_cast<FixedWidthBuilder<std::int16_t>&>(b).append(in.get<std::int16_t>()); break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      static_cast<FixedWidthBuilder<std::int32_t>&>(b).append(small ? in.u8() % 4 : in.get<std::int32_t>());
      break;
    case TypeId::kInt64:
    case TypeId::kDuration:
      static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(small ? in.u8() % 4 : in.get<std::int64_t>());
      break;
    case TypeId::kUInt8: static_cast<FixedWidthBuilder<std::uint8_t>&>(b).append(in.u8()); break;
    case TypeId::kUInt16: static_cast<FixedWidthBuilder<std::uint16_t>&>(b).append(in.get<std::uint16_t>()); break;
    case TypeId::kUInt32:
      static_cast<FixedWidthBuilder<std::uint32_t>&>(b).append(small ? in.u8() % 4 : in.get<std::uint32_t>());
      break;
    case TypeId::kUInt64:
      static_cast<FixedWidthBuilder<std::uint64_t>&>(b).append(small ? in.u8() % 4 : in.get<std::uint64_t>());
      break;
    case TypeId::kFloat16: static_cast<FixedWidthBuilder<std::uint16_t>&>(b).append(in.get<std::uint16_t>()); break;
    case TypeId::kFloat32: {
      float v = small ? static_cast<float>(in.u8() % 3) - 1.0f : in.get<float>();
      if (small && (tag & 4)) v = -0.0f;
      static_cast<FixedWidthBuilder<float>&>(b).append(v);
      break;
    }
    case TypeId::kFloat64: {
      double v = small ? static_cast<double>(in.u8() % 3) - 1.0 : in.get<double>();
      if (small && (tag & 4)) v = -0.0;
      static_cast<FixedWidthBuilder<double>&>(b).append(v);
      break;
    }
    case TypeId::kDecimal128: {
      const __int128 top = pow10(t.precision) - 1;
      __int128 v = static_cast<__int128>(in.get<std::uint64_t>()) << 64 | in.get<std::uint64_t>();
      if (v < 0) v = -(v + 1);
      v %= top + 1;
      if (tag & 4) v = -v;
      if (tag & 8) v = (tag & 16) ? top : -top;
      static_cast<FixedWidthBuilder<__int128>&>(b).append(small ? (tag & 3) : v);
      break;
    }
    case TypeId::kTime: {
      const std::int64_t day = 86400 * units_per_second(t.unit);
      const std::int64_t v = static_cast<std::int64_t>(in.get<std::uint64_t>() % static_cast<std::uint64_t>(day));
      if (t.value_width() == 4) static_cast<FixedWidthBuilder<std::int32_t>&>(b).append(static_cast<std::int32_t>(v));
      else static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(v);
      break;
    }
    case TypeId::kTimestamp: {
      std::int64_t v = small ? in.u8() % 4 : in.get<std::int64_t>();
      if (t.unit == TimeUnit::kSecond) v /= 1000;  // must not overflow as milliseconds
      static_cast<FixedWidthBuilder<std::int64_t>&>(b).append(v);
      break;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      const std::size_t n = small ? 1 : in.u8() % 24;
      std::string s;
      for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(small ? 'a' + in.u8() % 3 : in.u8());
      static_cast<BinaryBuilder&>(b).append(s);
      break;
    }
    case TypeId::kFixedSizeBinary: {
      std::string s(static_cast<std::size_t>(t.byte_width), '\0');
      for (auto& c : s) c = static_cast<char>(small ? in.u8() % 2 : in.u8());
      static_cast<FixedSizeBinaryBuilder&>(b).append(s);
      break;
    }
    case TypeId::kList: {
      auto& lb = static_cast<ListBuilder&>(b);
      const int n = in.empty() ? 0 : (tag >> 2) % (depth > 1 ? 3 : 6);
      for (int i = 0; i < n; ++i) append(lb.child(), t.children[0], in, depth + 1);
      lb.append_valid();
      break;
    }
    case TypeId::kStruct: {
      auto& sb = static_cast<StructBuilder&>(b);
      for (std::size_t c = 0; c < t.children.size(); ++c) append(sb.child(c), t.children[c], in, depth + 1);
      sb.append_valid();
      break;
    }
    case TypeId::kMap: {
      auto& mb = static_cast<MapBuilder&>(b);
      const auto& entries = t.children[0].type->children;
      const int n = in.empty() ? 0 : (tag >> 2) % 4;
      for (int i = 0; i < n; ++i) {
        append(mb.keys(), entries[0], in, depth + 1);
        append(mb.values(), entries[1], in, depth + 1);
      }
      mb.append_valid();
      break;
    }
  }
}

// ---- what reads back ----

TypePtr expected_type(const TypePtr& t) {
  switch (t->id) {
    case TypeId::kTime: return t->unit == TimeUnit::kSecond ? time_type(TimeUnit::kMilli) : t;
    case TypeId::kTimestamp:
      return timestamp(t->unit == TimeUnit::kSecond ? TimeUnit::kMilli : t->unit, t->timezone.empty() ? "" : "UTC");
    case TypeId::kDuration: return int64();
    case TypeId::kList: {
      const Field& item = t->children[0];
      return list(Field{"element", expected_type(item.type), item.nullable || item.type->id == TypeId::kNull});
    }
    case TypeId::kStruct: {
      std::vector<Field> fields;
      for (const auto& c : t->children)
        fields.push_back(Field{c.name, expected_type(c.type), c.nullable || c.type->id == TypeId::kNull});
      return struct_(std::move(fields));
    }
    case TypeId::kMap: {
      const auto& e = t->children[0].type->children;
      return map(expected_type(e[0].type), expected_type(e[1].type));
    }
    default: return t;
  }
}

// Row i of the written array against row j of the one read back.
bool same(const ArrayData& w, std::int64_t i, const ArrayData& r, std::int64_t j) {
  if (w.is_valid(i) != r.is_valid(j)) return false;
  if (!w.is_valid(i)) return true;
  const DataType& t = *w.type;
  switch (t.id) {
    case TypeId::kNull: return true;
    case TypeId::kBool: return w.bool_value(i) == r.bool_value(j);
    case TypeId::kString:
    case TypeId::kBinary: return w.string_at(i) == r.string_at(j);
    case TypeId::kFixedSizeBinary: return w.fixed_binary_at(i) == r.fixed_binary_at(j);
    case TypeId::kTime:
      if (t.unit == TimeUnit::kSecond) return std::int64_t{w.value<std::int32_t>(i)} * 1000 == r.value<std::int32_t>(j);
      break;
    case TypeId::kTimestamp:
      if (t.unit == TimeUnit::kSecond) return w.value<std::int64_t>(i) * 1000 == r.value<std::int64_t>(j);
      break;
    case TypeId::kList:
    case TypeId::kMap: {
      const auto a = t.id == TypeId::kList ? w.list_range(i) : w.map_range(i);
      const auto b = t.id == TypeId::kList ? r.list_range(j) : r.map_range(j);
      if (a.second - a.first != b.second - b.first) return false;
      for (std::int64_t k = 0; k < a.second - a.first; ++k) {
        if (t.id == TypeId::kList) {
          if (!same(*w.children[0], a.first + k, *r.children[0], b.first + k)) return false;
        } else {
          for (int c = 0; c < 2; ++c)
            if (!same(*w.children[0]->children[c], a.first + k, *r.children[0]->children[c], b.first + k)) return false;
        }
      }
      return true;
    }
    case TypeId::kStruct:
      for (std::size_t c = 0; c < t.children.size(); ++c)
        if (!same(*w.children[c], i, *r.children[c], j)) return false;
      return true;
    default: break;
  }
  const int width = t.value_width();
  if (width != r.type->value_width()) return false;
  return std::memcmp(w.buffers[1]->data() + (w.offset + i) * width, r.buffers[1]->data() + (r.offset + j) * width,
                     static_cast<std::size_t>(width)) == 0;
}

// The encodings that apply to a flat type (besides the default), as the writer documents them.
std::vector<pq::ColumnEncoding> encodings_for(const DataType& t) {
  using E = pq::ColumnEncoding;
  std::vector<E> out = {E::kPlain};
  const bool int32_like = t.id == TypeId::kInt8 || t.id == TypeId::kInt16 || t.id == TypeId::kInt32 ||
                          t.id == TypeId::kUInt8 || t.id == TypeId::kUInt16 || t.id == TypeId::kUInt32 ||
                          t.id == TypeId::kDate32 || t.id == TypeId::kTime ||
                          (t.id == TypeId::kDecimal128 && t.precision <= 18);
  const bool int64_like = t.id == TypeId::kInt64 || t.id == TypeId::kUInt64 || t.id == TypeId::kTimestamp ||
                          t.id == TypeId::kDuration;
  const bool flba = t.id == TypeId::kFixedSizeBinary || t.id == TypeId::kFloat16 ||
                    (t.id == TypeId::kDecimal128 && t.precision > 18);
  if (int32_like || int64_like) out.push_back(E::kDeltaBinaryPacked);
  if (t.is_binary_like()) out.push_back(E::kDeltaLengthByteArray);
  if (t.is_binary_like() || flba) out.push_back(E::kDeltaByteArray);
  if (int32_like || int64_like || flba || t.id == TypeId::kFloat32 || t.id == TypeId::kFloat64)
    out.push_back(E::kByteStreamSplit);
  return out;
}

// Per-leaf encoding options (by buffer path) for every flat leaf under `f`.
void choose_encodings(const Field& f, const std::string& path, Bytes& in, std::vector<pq::ColumnWriteOptions>& out) {
  const DataType& t = *f.type;
  if (t.id == TypeId::kList) return choose_encodings(t.children[0], path + "." + t.children[0].name, in, out);
  if (t.id == TypeId::kStruct) {
    for (const auto& c : t.children) choose_encodings(c, path + "." + c.name, in, out);
    return;
  }
  if (t.id == TypeId::kMap) {
    const auto& e = t.children[0].type->children;
    choose_encodings(e[0], path + ".key", in, out);
    choose_encodings(e[1], path + ".value", in, out);
    return;
  }
  if (t.id == TypeId::kNull || t.id == TypeId::kBool) return;
  const std::uint8_t b = in.u8();
  if (b % 3 != 0) return;  // mostly the default
  const auto options = encodings_for(t);
  pq::ColumnWriteOptions c;
  c.path = path;
  c.encoding = options[(b / 3) % options.size()];
  if (b & 0x80) c.bloom_filter = true;
  out.push_back(std::move(c));
}

// The chunk statistics of every flat top-level integer or string column against its values.
void check_statistics(const std::string& file, const SchemaPtr& schema, const std::vector<Batch>& batches) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(file.data());
  auto info = pq::locate_footer(file.size(), {p, file.size()});
  if (!info.ok()) fail("no footer");
  auto md = pq::parse_file_metadata({p + info->offset, info->length}, file.size());
  if (!md.ok()) fail("the footer does not parse");
  // Rows of the file as (batch, row) pairs.
  std::vector<std::pair<std::size_t, std::int64_t>> rows;
  for (std::size_t b = 0; b < batches.size(); ++b)
    for (std::int64_t i = 0; i < batches[b].num_rows; ++i) rows.emplace_back(b, i);
  std::size_t leaf = 0, first = 0;
  std::vector<std::size_t> leaf_of(schema->fields.size(), SIZE_MAX);
  // Leaves of flat top-level fields are the only leaf of their field; count leaves per field.
  std::function<std::size_t(const DataType&)> leaves = [&](const DataType& t) -> std::size_t {
    if (t.id == TypeId::kList) return leaves(*t.children[0].type);
    if (t.id == TypeId::kMap) return leaves(*t.children[0].type->children[0].type) + leaves(*t.children[0].type->children[1].type);
    if (t.id == TypeId::kStruct) {
      std::size_t n = 0;
      for (const auto& c : t.children) n += leaves(*c.type);
      return n;
    }
    return 1;
  };
  for (std::size_t f = 0; f < schema->fields.size(); ++f) {
    if (!schema->fields[f].type->is_nested()) leaf_of[f] = leaf;
    leaf += leaves(*schema->fields[f].type);
  }
  for (const auto& rg : md->row_groups) {
    for (std::size_t f = 0; f < schema->fields.size(); ++f) {
      const TypeId id = schema->fields[f].type->id;
      const bool is_signed = id == TypeId::kInt32 || id == TypeId::kInt64;
      const bool is_unsigned = id == TypeId::kUInt32 || id == TypeId::kUInt64;
      if (leaf_of[f] == SIZE_MAX || !(is_signed || is_unsigned || schema->fields[f].type->is_binary_like())) continue;
      const auto& m = rg.columns.at(leaf_of[f]).meta_data;
      if (!m.__isset.statistics) continue;
      const auto& st = m.statistics;
      std::int64_t nulls = 0;
      for (std::int64_t r = 0; r < rg.num_rows; ++r) {
        const auto [b, i] = rows.at(first + static_cast<std::size_t>(r));
        const ArrayData& a = *batches[b].columns[f];
        if (a.is_null(i)) {
          ++nulls;
          continue;
        }
        if (!st.__isset.min_value || !st.__isset.max_value) continue;
        bool below = false, above = false;
        if (a.type->is_binary_like()) {
          const std::string_view v = a.string_at(i);
          below = v < std::string_view(st.min_value);
          above = v > std::string_view(st.max_value);
        } else {
          const int w = a.type->value_width();
          if (st.min_value.size() != static_cast<std::size_t>(w) || st.max_value.size() != static_cast<std::size_t>(w))
            fail("statistics of the wrong width");
          auto load = [&](const void* src) {
            std::int64_t s = 0;
            std::uint64_t u = 0;
            if (w == 4) {
              std::int32_t x;
              std::memcpy(&x, src, 4);
              s = x;
              u = static_cast<std::uint32_t>(x);
            } else {
              std::memcpy(&s, src, 8);
              std::memcpy(&u, src, 8);
            }
            return std::pair<std::int64_t, std::uint64_t>(s, u);
          };
          const auto v = load(a.buffers[1]->data() + (a.offset + i) * w);
          const auto lo = load(st.min_value.data()), hi = load(st.max_value.data());
          below = is_signed ? v.first < lo.first : v.second < lo.second;
          above = is_signed ? v.first > hi.first : v.second > hi.second;
        }
        if (below || above) fail("a value outside its chunk's [min, max]");
      }
      if (st.__isset.null_count && st.null_count != nulls) fail("a chunk's null count is wrong");
    }
    first += static_cast<std::size_t>(rg.num_rows);
  }
}

std::string write(const SchemaPtr& schema, const std::vector<Batch>& batches, const pq::WriteOptions& o) {
  io::MemorySink sink;
  auto st = pq::write_all(sink, schema, batches, o);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
    fail("writing valid batches failed");
  }
  if (!sink.finish().ok()) fail("sink");
  return sink.data();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 6) return 0;
  Bytes in{data, size};
  // Options.
  const std::uint8_t o0 = in.u8(), o1 = in.u8(), o2 = in.u8(), o3 = in.u8(), o4 = in.u8(), o5 = in.u8();
  static const pq::Compression codecs[] = {pq::Compression::kUncompressed, pq::Compression::kSnappy,
                                           pq::Compression::kGzip, pq::Compression::kZstd,
                                           pq::Compression::kLz4Raw, pq::Compression::kBrotli};
  pq::WriteOptions o;
  o.compression = codecs[o0 % 6];
  o.compression_level = (o0 & 0x40) ? 1 : pq::kDefaultLevel;
  o.page_version = (o0 & 0x80) ? 2 : 1;
  o.dictionary = (o1 & 1) == 0;
  o.dictionary_page_bytes = (o1 & 2) ? (o1 >> 2) * 4 : o.dictionary_page_bytes;
  o.page_rows = (o2 & 1) ? 1 + (o2 >> 1) % 16 : o.page_rows;
  o.page_bytes = (o2 & 0x80) ? 1 + o3 : o.page_bytes;
  o.row_group_rows = (o3 & 1) ? 1 + (o3 >> 1) % 20 : 0;
  o.row_group_bytes = (o3 & 0x80) ? 1 + o4 * 64 : o.row_group_bytes;
  o.statistics = (o4 & 1) == 0;
  o.page_index = (o4 & 2) == 0;
  o.max_statistics_bytes = (o4 & 4) ? 1 + (o4 >> 3) % 8 : o.max_statistics_bytes;
  o.bloom_filter = (o5 & 1) != 0;
  o.page_checksums = (o5 & 2) != 0;
  const bool check_threads = (o5 & 4) != 0;
  const bool slice = (o5 & 8) != 0;

  // Schema.
  auto schema = std::make_shared<Schema>();
  const int ncols = 1 + in.u8() % 4;
  for (int i = 0; i < ncols; ++i) schema->fields.push_back(make_field(in, "c" + std::to_string(i), 1));
  for (const auto& f : schema->fields) choose_encodings(f, f.name, in, o.columns);

  // Batches (a slice of a larger batch when asked: odd offsets in bitmaps and offsets).
  std::vector<Batch> batches;
  const int nbatches = 1 + in.u8() % 3;
  for (int b = 0; b < nbatches; ++b) {
    const std::int64_t rows = in.u8() % 40;
    const std::int64_t skip = slice ? in.u8() % 5 : 0;
    std::vector<ArrayPtr> cols;
    for (const auto& f : schema->fields) {
      auto builder = make_builder(f.type);
      for (std::int64_t r = 0; r < rows + skip; ++r) append(*builder, f, in, 1);
      cols.push_back(builder->finish());
    }
    Batch batch{schema, std::move(cols), rows + skip};
    if (skip) batch = batch.slice(skip, rows);
    if (!batch.validate().ok()) fail("the fuzzer built an invalid batch");
    batches.push_back(std::move(batch));
  }

  const std::string file = write(schema, batches, o);
  if (check_threads) {
    pq::WriteOptions o2 = o;
    o2.threads = 2;
    if (write(schema, batches, o2) != file) fail("threads=2 wrote another file");
  }

  check_statistics(file, schema, batches);

  pq::ReadOptions ro;
  ro.verify_checksums = o.page_checksums;
  ro.batch_rows = 1 + o5 % 50;
  auto read = pq::read_all(std::make_unique<io::MemorySource>(file, "fuzz.parquet"), ro);
  if (!read.ok()) {
    std::fprintf(stderr, "%s\n", read.error().to_string().c_str());
    fail("the file written does not read back");
  }

  std::vector<Field> want;
  for (const auto& f : schema->fields)
    want.push_back(Field{f.name, expected_type(f.type), f.nullable || f.type->id == TypeId::kNull});
  std::int64_t written = 0, got = 0;
  for (const auto& b : batches) written += b.num_rows;
  for (const auto& b : *read) {
    if (!b.validate().ok()) fail("a batch read back does not validate");
    if (!(b.schema->fields == want)) fail("the schema read back is not the expected one");
    got += b.num_rows;
  }
  if (written != got) fail("row counts differ");
  std::size_t wb = 0, rb = 0;
  std::int64_t wi = 0, ri = 0;
  for (std::int64_t row = 0; row < written; ++row, ++wi, ++ri) {
    while (batches[wb].num_rows == wi) ++wb, wi = 0;
    while ((*read)[rb].num_rows == ri) ++rb, ri = 0;
    for (std::size_t c = 0; c < schema->fields.size(); ++c)
      if (!same(*batches[wb].columns[c], wi, *(*read)[rb].columns[c], ri)) {
        std::fprintf(stderr, "row %lld column %s (%s)\n", static_cast<long long>(row), schema->fields[c].name.c_str(),
                     schema->fields[c].type->to_string().c_str());
        fail("a value read back differs from the one written");
      }
  }
  return 0;
}
