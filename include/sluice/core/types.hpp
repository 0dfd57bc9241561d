// Logical types, fields and schemas of the columnar buffer. Physical layout follows Arrow's columnar
// format (strings, binary and lists use 64-bit offsets), see array.hpp.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

enum class TypeId : std::uint8_t {
  kNull,
  kBool,
  kInt8, kInt16, kInt32, kInt64,
  kUInt8, kUInt16, kUInt32, kUInt64,
  kFloat16, kFloat32, kFloat64,
  kDecimal128,
  kDate32,      // days since 1970-01-01
  kTime,        // since midnight; int32 storage for s/ms, int64 for us/ns (as Arrow)
  kTimestamp,   // int64 since the epoch; with a time zone it is an instant (UTC), without it local
  kDuration,    // int64
  kString,      // UTF-8, 64-bit offsets
  kBinary,      // 64-bit offsets
  kFixedSizeBinary,
  kList,        // 64-bit offsets, one child
  kStruct,
  kMap,         // 32-bit offsets (as Arrow), child "entries": struct<key not null, value>
};

enum class TimeUnit : std::uint8_t { kSecond, kMilli, kMicro, kNano };

// A meaning laid over a storage type, as Parquet's logical annotations and Arrow's canonical extension
// types have it, kept from reader to writer so that a UUID or JSON column stays one. Values and
// buffers are the storage type's; only printing and the annotations written depend on it.
enum class Extension : std::uint8_t {
  kNone,
  kUuid,  // on fixed_size_binary[16]: big-endian bytes, printed 8-4-4-4-12 (Parquet UUID, arrow.uuid)
  kJson,  // on string: JSON text (Parquet JSON, arrow.json)
  kEnum,  // on string: one of a small set of values (Parquet ENUM)
  kBson,  // on binary: a BSON document (Parquet BSON)
  // on fixed_size_binary[12]: months, days and milliseconds as little-endian uint32 (Parquet's
  // INTERVAL converted type), printed as DuckDB prints an INTERVAL ("1 year 2 months 3 days 04:05:06.5")
  kInterval,
  // on binary: WKB geometries (Parquet GEOMETRY, planar edges) or geographies (Parquet GEOGRAPHY, edges
  // interpolated by DataType::edges), in the coordinate reference system DataType::crs
  kGeometry,
  kGeography,
};

// How a geography's edges run between its vertices (Parquet's EdgeInterpolationAlgorithm, in its order).
enum class Edges : std::uint8_t { kSpherical, kVincenty, kThomas, kAndoyer, kKarney };

inline constexpr std::int64_t units_per_second(TimeUnit u) noexcept {
  switch (u) {
    case TimeUnit::kSecond: return 1;
    case TimeUnit::kMilli: return 1000;
    case TimeUnit::kMicro: return 1000000;
    case TimeUnit::kNano: return 1000000000;
  }
  return 1;
}

struct DataType;
using TypePtr = std::shared_ptr<const DataType>;

struct Field {
  std::string name;
  TypePtr type;
  bool nullable = true;

  bool operator==(const Field& o) const;
};

struct DataType {
  TypeId id = TypeId::kNull;
  TimeUnit unit = TimeUnit::kMicro;   // time, timestamp, duration
  std::string timezone;               // timestamp: empty = local (no zone)
  std::int32_t precision = 0;         // decimal
  std::int32_t scale = 0;             // decimal
  std::int32_t byte_width = 0;        // fixed_size_binary
  bool keys_sorted = false;           // map
  Extension extension = Extension::kNone;
  std::string crs;                    // geometry, geography: as the file gives it (empty: OGC:CRS84)
  Edges edges = Edges::kSpherical;    // geography
  std::vector<Field> children;        // list: 1, struct: n, map: 1 ("entries" struct)

  bool operator==(const DataType& o) const {
    return id == o.id && unit == o.unit && timezone == o.timezone && precision == o.precision &&
           scale == o.scale && byte_width == o.byte_width && keys_sorted == o.keys_sorted &&
           extension == o.extension && crs == o.crs && edges == o.edges && children == o.children;
  }

  bool is_integer() const { return id >= TypeId::kInt8 && id <= TypeId::kUInt64; }
  bool is_signed_integer() const { return id >= TypeId::kInt8 && id <= TypeId::kInt64; }
  bool is_floating() const { return id >= TypeId::kFloat16 && id <= TypeId::kFloat64; }
  bool is_numeric() const { return is_integer() || is_floating() || id == TypeId::kDecimal128; }
  bool is_binary_like() const { return id == TypeId::kString || id == TypeId::kBinary; }
  bool is_nested() const { return id == TypeId::kList || id == TypeId::kStruct || id == TypeId::kMap; }

  // Byte width of one value in the values buffer (0 for bit-packed bool and variable-width types).
  int value_width() const {
    switch (id) {
      case TypeId::kInt8: case TypeId::kUInt8: return 1;
      case TypeId::kInt16: case TypeId::kUInt16: case TypeId::kFloat16: return 2;
      case TypeId::kInt32: case TypeId::kUInt32: case TypeId::kFloat32: case TypeId::kDate32: return 4;
      case TypeId::kInt64: case TypeId::kUInt64: case TypeId::kFloat64: case TypeId::kTimestamp:
      case TypeId::kDuration: return 8;
      case TypeId::kTime: return (unit == TimeUnit::kSecond || unit == TimeUnit::kMilli) ? 4 : 8;
      case TypeId::kDecimal128: return 16;
      case TypeId::kFixedSizeBinary: return byte_width;
      default: return 0;
    }
  }

  // Human-readable, DuckDB-like where one exists: "int64", "timestamp[us, tz=UTC]", "list<int32>".
  std::string to_string() const;
};

inline bool Field::operator==(const Field& o) const {
  return name == o.name && nullable == o.nullable &&
         (type == o.type || (type && o.type && *type == *o.type));
}

// Factories. Simple types are shared singletons.
namespace detail {
inline TypePtr make_simple(TypeId id) {
  auto t = std::make_shared<DataType>();
  t->id = id;
  return t;
}
}  // namespace detail

#define SLUICE_SIMPLE_TYPE(fn, id_)                        \
  inline TypePtr fn() {                                    \
    static const TypePtr t = detail::make_simple(TypeId::id_); \
    return t;                                              \
  }
SLUICE_SIMPLE_TYPE(null_type, kNull)
SLUICE_SIMPLE_TYPE(boolean, kBool)
SLUICE_SIMPLE_TYPE(int8, kInt8)
SLUICE_SIMPLE_TYPE(int16, kInt16)
SLUICE_SIMPLE_TYPE(int32, kInt32)
SLUICE_SIMPLE_TYPE(int64, kInt64)
SLUICE_SIMPLE_TYPE(uint8, kUInt8)
SLUICE_SIMPLE_TYPE(uint16, kUInt16)
SLUICE_SIMPLE_TYPE(uint32, kUInt32)
SLUICE_SIMPLE_TYPE(uint64, kUInt64)
SLUICE_SIMPLE_TYPE(float16, kFloat16)
SLUICE_SIMPLE_TYPE(float32, kFloat32)
SLUICE_SIMPLE_TYPE(float64, kFloat64)
SLUICE_SIMPLE_TYPE(date32, kDate32)
SLUICE_SIMPLE_TYPE(utf8, kString)
SLUICE_SIMPLE_TYPE(binary, kBinary)
#undef SLUICE_SIMPLE_TYPE

inline TypePtr decimal128(std::int32_t precision, std::int32_t scale) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kDecimal128;
  t->precision = precision;
  t->scale = scale;
  return t;
}
inline TypePtr time_type(TimeUnit unit) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kTime;
  t->unit = unit;
  return t;
}
inline TypePtr timestamp(TimeUnit unit, std::string timezone = {}) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kTimestamp;
  t->unit = unit;
  t->timezone = std::move(timezone);
  return t;
}
inline TypePtr duration(TimeUnit unit) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kDuration;
  t->unit = unit;
  return t;
}
inline TypePtr fixed_size_binary(std::int32_t width) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kFixedSizeBinary;
  t->byte_width = width;
  return t;
}
// Whether values of an extension have an order of their own: an INTERVAL's is undefined (months
// against days) and so is a geometry's. Such columns get no min/max statistics and take no range
// comparison in a filter.
inline bool extension_has_order(Extension e) {
  return e != Extension::kInterval && e != Extension::kGeometry && e != Extension::kGeography;
}
// Whether an extension's values have a text of their own, which printing and a cast to string give
// (a UUID's 8-4-4-4-12, an INTERVAL as DuckDB prints it, a geometry's WKT) instead of their storage's.
inline bool extension_has_text(Extension e) {
  return e == Extension::kUuid || e == Extension::kInterval || e == Extension::kGeometry || e == Extension::kGeography;
}
// `storage` with an extension over it (kNone: the storage type as it is, without one); nullptr where
// the extension does not apply to that storage (UUID on anything but fixed_size_binary[16], JSON or
// ENUM on anything but string, BSON on anything but binary, INTERVAL on anything but
// fixed_size_binary[12]).
inline TypePtr with_extension(const TypePtr& storage, Extension e) {
  if (!storage) return nullptr;
  if (storage->extension == e) return storage;
  const DataType& s = *storage;
  switch (e) {
    case Extension::kNone: break;
    case Extension::kUuid:
      if (s.id != TypeId::kFixedSizeBinary || s.byte_width != 16) return nullptr;
      break;
    case Extension::kJson: case Extension::kEnum:
      if (s.id != TypeId::kString) return nullptr;
      break;
    case Extension::kBson: case Extension::kGeometry: case Extension::kGeography:
      if (s.id != TypeId::kBinary) return nullptr;
      break;
    case Extension::kInterval:
      if (s.id != TypeId::kFixedSizeBinary || s.byte_width != 12) return nullptr;
      break;
  }
  auto t = std::make_shared<DataType>(s);
  t->extension = e;
  if (e != Extension::kGeometry && e != Extension::kGeography) t->crs.clear();
  if (e != Extension::kGeography) t->edges = Edges::kSpherical;
  return t;
}
// WKB geometries with planar edges, in `crs` (empty: OGC:CRS84, longitude/latitude).
inline TypePtr geometry_type(std::string crs = {}) {
  auto t = std::make_shared<DataType>(*with_extension(binary(), Extension::kGeometry));
  t->crs = std::move(crs);
  return t;
}
// WKB geographies: edges interpolated on the spheroid by `edges`, in `crs` (empty: OGC:CRS84).
inline TypePtr geography_type(std::string crs = {}, Edges edges = Edges::kSpherical) {
  auto t = std::make_shared<DataType>(*with_extension(binary(), Extension::kGeography));
  t->crs = std::move(crs);
  t->edges = edges;
  return t;
}
inline std::string_view edges_name(Edges e) {
  switch (e) {
    case Edges::kSpherical: return "spherical";
    case Edges::kVincenty: return "vincenty";
    case Edges::kThomas: return "thomas";
    case Edges::kAndoyer: return "andoyer";
    case Edges::kKarney: return "karney";
  }
  return "?";
}
// The edges named as edges_name() names them; nullopt for another name.
inline std::optional<Edges> edges_from_name(std::string_view name) {
  for (const Edges e : {Edges::kSpherical, Edges::kVincenty, Edges::kThomas, Edges::kAndoyer, Edges::kKarney})
    if (name == edges_name(e)) return e;
  return std::nullopt;
}
// The CRS a geometry without one has in Parquet (and GeoParquet), as GeoParquet readers and DuckDB
// name it.
inline constexpr std::string_view kDefaultCrs = "OGC:CRS84";
inline TypePtr uuid_type() {
  static const TypePtr t = with_extension(fixed_size_binary(16), Extension::kUuid);
  return t;
}
inline TypePtr json_type() {
  static const TypePtr t = with_extension(utf8(), Extension::kJson);
  return t;
}
inline TypePtr interval_type() {
  static const TypePtr t = with_extension(fixed_size_binary(12), Extension::kInterval);
  return t;
}

inline TypePtr list(Field item) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kList;
  t->children.push_back(std::move(item));
  return t;
}
inline TypePtr list(TypePtr item_type) { return list(Field{"item", std::move(item_type), true}); }
inline TypePtr struct_(std::vector<Field> fields) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kStruct;
  t->children = std::move(fields);
  return t;
}
inline TypePtr map(TypePtr key, TypePtr value, bool keys_sorted = false) {
  auto t = std::make_shared<DataType>();
  t->id = TypeId::kMap;
  t->keys_sorted = keys_sorted;
  t->children.push_back(
      Field{"entries", struct_({Field{"key", std::move(key), false}, Field{"value", std::move(value), true}}), false});
  return t;
}

inline std::string_view unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond: return "s";
    case TimeUnit::kMilli: return "ms";
    case TimeUnit::kMicro: return "us";
    case TimeUnit::kNano: return "ns";
  }
  return "?";
}

inline std::string DataType::to_string() const {
  switch (extension) {
    case Extension::kNone: break;
    case Extension::kUuid: return "uuid";
    case Extension::kJson: return "json";
    case Extension::kEnum: return "enum";
    case Extension::kBson: return "bson";
    case Extension::kInterval: return "interval";
    case Extension::kGeometry: return crs.empty() ? "geometry" : "geometry(" + crs + ")";
    case Extension::kGeography: {
      std::string s = "geography(";
      if (!crs.empty()) s += crs + ", ";
      s += edges_name(edges);
      return s + ")";
    }
  }
  switch (id) {
    case TypeId::kNull: return "null";
    case TypeId::kBool: return "bool";
    case TypeId::kInt8: return "int8";
    case TypeId::kInt16: return "int16";
    case TypeId::kInt32: return "int32";
    case TypeId::kInt64: return "int64";
    case TypeId::kUInt8: return "uint8";
    case TypeId::kUInt16: return "uint16";
    case TypeId::kUInt32: return "uint32";
    case TypeId::kUInt64: return "uint64";
    case TypeId::kFloat16: return "float16";
    case TypeId::kFloat32: return "float32";
    case TypeId::kFloat64: return "float64";
    case TypeId::kDecimal128:
      return "decimal128(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
    case TypeId::kDate32: return "date32";
    case TypeId::kTime: return "time[" + std::string(unit_name(unit)) + "]";
    case TypeId::kTimestamp:
      return "timestamp[" + std::string(unit_name(unit)) + (timezone.empty() ? "" : ", tz=" + timezone) + "]";
    case TypeId::kDuration: return "duration[" + std::string(unit_name(unit)) + "]";
    case TypeId::kString: return "string";
    case TypeId::kBinary: return "binary";
    case TypeId::kFixedSizeBinary: return "fixed_size_binary[" + std::to_string(byte_width) + "]";
    case TypeId::kList: return "list<" + children.at(0).type->to_string() + ">";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (i) s += ", ";
        s += children[i].name + ": " + children[i].type->to_string();
      }
      return s + ">";
    }
    case TypeId::kMap: {
      const auto& e = children.at(0).type->children;
      return "map<" + e.at(0).type->to_string() + ", " + e.at(1).type->to_string() + ">";
    }
  }
  return "?";
}

// Parses the names to_string() prints for non-nested types (of the extensions: "uuid" and "json"),
// plus common aliases used on the command line: "int"/"integer"/"bigint", "double"/"float",
// "varchar"/"text", "bool"/"boolean", "date", "timestamp", "timestamptz". Returns nullptr if unknown.
TypePtr parse_type_name(std::string_view name);

struct Schema {
  std::vector<Field> fields;
  std::vector<std::pair<std::string, std::string>> metadata;

  std::size_t num_fields() const { return fields.size(); }
  const Field& field(std::size_t i) const { return fields.at(i); }
  // Index of the first field with this name, or -1.
  int find(std::string_view name) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) return static_cast<int>(i);
    return -1;
  }
  bool operator==(const Schema& o) const { return fields == o.fields && metadata == o.metadata; }
  std::string to_string() const {
    std::string s;
    for (const auto& f : fields) s += f.name + ": " + f.type->to_string() + (f.nullable ? "" : " not null") + "\n";
    return s;
  }
};
using SchemaPtr = std::shared_ptr<const Schema>;

inline TypePtr parse_type_name(std::string_view n) {
  std::string s(n);
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (s == "bool" || s == "boolean") return boolean();
  if (s == "int8" || s == "tinyint") return int8();
  if (s == "int16" || s == "smallint") return int16();
  if (s == "int32" || s == "int" || s == "integer") return int32();
  if (s == "int64" || s == "bigint" || s == "long") return int64();
  if (s == "uint8" || s == "utinyint") return uint8();
  if (s == "uint16" || s == "usmallint") return uint16();
  if (s == "uint32" || s == "uinteger") return uint32();
  if (s == "uint64" || s == "ubigint") return uint64();
  if (s == "float32" || s == "float" || s == "real") return float32();
  if (s == "float64" || s == "double") return float64();
  if (s == "string" || s == "utf8" || s == "varchar" || s == "text") return utf8();
  if (s == "binary" || s == "blob") return binary();
  if (s == "date" || s == "date32") return date32();
  if (s == "timestamp" || s == "timestamp[us]" || s == "datetime") return timestamp(TimeUnit::kMicro);
  if (s == "timestamp[ms]") return timestamp(TimeUnit::kMilli);
  if (s == "timestamp[s]") return timestamp(TimeUnit::kSecond);
  if (s == "timestamp[ns]") return timestamp(TimeUnit::kNano);
  if (s == "timestamptz" || s == "timestamp[us, tz=utc]" || s == "timestamp with time zone")
    return timestamp(TimeUnit::kMicro, "UTC");
  if (s == "time" || s == "time[us]") return time_type(TimeUnit::kMicro);
  if (s == "null") return null_type();
  if (s == "float16" || s == "halffloat") return float16();
  if (s == "uuid") return uuid_type();
  if (s == "interval") return interval_type();
  if (s == "json") return json_type();
  if (s == "enum") return with_extension(utf8(), Extension::kEnum);
  // Geometries as to_string() prints them: geometry, geometry(CRS), geography(edges),
  // geography(CRS, edges), and geography / geography(CRS) with spherical edges.
  if (s == "geometry") return geometry_type();
  if (s == "geography") return geography_type();
  if (s.size() > 10 && s.compare(0, 9, "geometry(") == 0 && s.back() == ')')
    return geometry_type(std::string(n.substr(9, n.size() - 10)));
  if (s.size() > 11 && s.compare(0, 10, "geography(") == 0 && s.back() == ')') {
    std::string_view in = n.substr(10, n.size() - 11);
    const std::size_t comma = in.rfind(',');
    std::string_view last = comma == std::string_view::npos ? in : in.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    if (const auto e = edges_from_name(last))
      return geography_type(comma == std::string_view::npos ? std::string() : std::string(in.substr(0, comma)), *e);
    return geography_type(std::string(in));
  }
  // The bracketed names to_string() prints: time[u], duration[u], timestamp[u, tz=Zone] (the zone
  // keeps the case it was given), fixed_size_binary[N].
  auto inside = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (s.size() < prefix.size() + 2 || s.compare(0, prefix.size(), prefix) != 0 || s[prefix.size()] != '[' ||
        s.back() != ']')
      return std::nullopt;
    return n.substr(prefix.size() + 1, n.size() - prefix.size() - 2);
  };
  auto unit_of = [](std::string_view u) -> std::optional<TimeUnit> {
    if (u == "s") return TimeUnit::kSecond;
    if (u == "ms") return TimeUnit::kMilli;
    if (u == "us") return TimeUnit::kMicro;
    if (u == "ns") return TimeUnit::kNano;
    return std::nullopt;
  };
  if (auto in = inside("time")) {
    auto u = unit_of(*in);
    return u ? time_type(*u) : nullptr;
  }
  if (auto in = inside("duration")) {
    auto u = unit_of(*in);
    return u ? duration(*u) : nullptr;
  }
  if (auto in = inside("timestamp")) {
    const std::size_t comma = in->find(',');
    std::string unit(in->substr(0, comma));
    for (auto& c : unit) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    auto u = unit_of(unit);
    if (!u) return nullptr;
    if (comma == std::string_view::npos) return timestamp(*u);
    std::string_view rest = in->substr(comma + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.size() < 4 || (rest.substr(0, 3) != "tz=" && rest.substr(0, 3) != "TZ=")) return nullptr;
    return timestamp(*u, std::string(rest.substr(3)));
  }
  if (auto in = inside("fixed_size_binary")) {
    if (in->empty() || in->size() > 10) return nullptr;
    std::int64_t w = 0;
    for (char c : *in) {
      if (c < '0' || c > '9') return nullptr;
      w = w * 10 + (c - '0');
    }
    return w <= INT32_MAX ? fixed_size_binary(static_cast<std::int32_t>(w)) : nullptr;
  }
  if (s.rfind("decimal", 0) == 0) {
    // decimal(p,s) / decimal128(p, s)
    auto open = s.find('('), comma = s.find(',');
    if (open == std::string::npos || comma == std::string::npos) return nullptr;
    int p = std::atoi(s.c_str() + open + 1), sc = std::atoi(s.c_str() + comma + 1);
    if (p < 1 || p > 38 || sc < 0 || sc > p) return nullptr;
    return decimal128(p, sc);
  }
  return nullptr;
}

}  // namespace sluice
