// The Arrow C Data Interface: the two C structs of the Arrow specification (declared here from the
// spec, guarded so that they coexist with Arrow's own header) and zero-copy export and import of
// sluice arrays, fields, schemas and batches through them.
//
// Export: the ArrowArray buffers point at sluice Buffer memory; private_data holds the ArrayData
// (shared_ptr) until the consumer calls release. Sluice strings, binary and lists have 64-bit
// offsets and export as "U", "Z" and "+L".
// Import: sluice Buffers wrap the foreign memory; the ArrowArray is moved into a heap object whose
// release callback runs exactly once, when the last Buffer referring to it is gone. "u", "z" and
// "+l" (32-bit offsets) are accepted too, their offsets widened to 64 bits (a copy of the offsets
// only). Every import is checked against its type and with ArrayData::validate() before it is
// returned. Import functions take ownership of what they are given: the structs are released (now,
// or later through the imported buffers) whether the import succeeds or fails. Imported buffers are
// foreign memory: not padded past size() (capacity() == size()), possibly not 64-byte aligned.
// Not supported (kNotImplemented): dictionaries, date64, intervals, views, fixed-size lists, unions,
// run-end encoding, decimals other than 128-bit. Field-level metadata is ignored except the canonical
// extension types sluice has (ARROW:extension:name arrow.uuid on fixed_size_binary[16], arrow.json on
// string) and GeoArrow's geoarrow.wkb (geometry and geography, their CRS and edges in its JSON
// metadata), which export and import as such; any other extension type imports as its storage type
// (an INTERVAL exports as its fixed_size_binary[12], as Arrow C++ reads a Parquet INTERVAL).
// Schema-level metadata round-trips.
//
// Two places copy a little: a struct sliced at a non-zero offset exports a re-based copy of its
// validity bitmap (sluice slices struct children eagerly, Arrow applies the parent's offset to its
// children), and imported buffers that are not aligned for their element type are copied.
#pragma once

#include <stdint.h>  // NOLINT: the C structs use the global int64_t

#include <array>
#include <cctype>
#include <cstdio>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/json_text.hpp"
#include "sluice/core/types.hpp"

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

}  // extern "C"

namespace sluice {

// Describes `field` (name, type, nullability) as an ArrowSchema. On error *out is marked released.
Status export_type(const Field& field, ArrowSchema* out);
// A record batch schema: a struct ("+s") with one child per field; schema metadata goes on the top.
Status export_schema(const Schema& schema, ArrowSchema* out);
// Exports `array` without copying its values; the buffers stay alive until out->release is called.
Status export_array(const ArrayPtr& array, ArrowArray* out);
// A record batch: a struct array without validity whose children are the columns.
Status export_batch(const Batch& batch, ArrowArray* out);

// What an ArrowSchema says, read once to import any number of arrays of it (the batches of an
// ArrowArrayStream share one schema). Keeps what a TypePtr does not: 32-bit offsets ("u", "z", "+l").
struct ImportedType;

// Reads a schema; it is released before returning (also on error).
Result<ImportedType> import_type(ArrowSchema* schema);
// Reads a field description; the schema is released before returning (also on error).
Result<Field> import_field(ArrowSchema* schema);
// Reads a record batch schema (a struct); the schema is released before returning.
Result<SchemaPtr> import_schema(ArrowSchema* schema);
// Imports an array laid out as export_array lays out `type` (64-bit offsets for strings, binary and
// lists). Takes ownership of *array.
Result<ArrayPtr> import_array(ArrowArray* array, const TypePtr& type);
// Imports an array of a type read by import_type(). Takes ownership of *array.
Result<ArrayPtr> import_array(ArrowArray* array, const ImportedType& type);
// Imports an array described by `schema`. Takes ownership of both.
Result<ArrayPtr> import_array(ArrowArray* array, ArrowSchema* schema);
// Imports a record batch (a struct array without top-level nulls) of a struct type read by
// import_type(); the batches share type.schema. Takes ownership of *array.
Result<Batch> import_batch(ArrowArray* array, const ImportedType& type);
// Imports a record batch described by `schema`. Takes ownership of both.
Result<Batch> import_batch(ArrowArray* array, ArrowSchema* schema);

// The Arrow format string of a type ("i", "tsu:UTC", "+L", ...), or an error if it is malformed.
Result<std::string> arrow_format(const DataType& type);

namespace detail::cdata {

inline Error bad(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "Arrow C data: " + std::move(message));
}
inline Error unsupported(std::string message) {
  return Error(ErrorCode::kNotImplemented, "Arrow C data: " + std::move(message));
}
inline Error too_large(std::string message) {
  return Error(ErrorCode::kLimitExceeded, "Arrow C data: " + std::move(message));
}
inline Error out_of_memory() { return Error(ErrorCode::kLimitExceeded, "Arrow C data: out of memory"); }

// Nesting deeper than this is refused (a hostile schema must not exhaust the stack).
inline constexpr int kMaxDepth = 64;
// Lengths and offsets above this are refused, so that byte sizes computed from them cannot overflow.
inline constexpr std::int64_t kMaxLength = std::numeric_limits<std::int64_t>::max() / 64;

// Exported in place of absent non-validity buffers of empty arrays: some consumers mishandle null
// pointers there even though the spec allows them. Zeroed, so it also reads as offsets {0}.
alignas(64) inline constexpr std::uint8_t kZeros[64] = {};

inline int buffer_count(TypeId id) {
  switch (id) {
    case TypeId::kNull: return 0;
    case TypeId::kStruct: return 1;
    case TypeId::kString:
    case TypeId::kBinary: return 3;
    default: return 2;
  }
}

inline std::size_t child_count(const DataType& t) {
  switch (t.id) {
    case TypeId::kList:
    case TypeId::kMap: return 1;
    case TypeId::kStruct: return t.children.size();
    default: return 0;
  }
}

inline char unit_char(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond: return 's';
    case TimeUnit::kMilli: return 'm';
    case TimeUnit::kMicro: return 'u';
    case TimeUnit::kNano: return 'n';
  }
  return '?';
}

// A map's single child must be a non-empty "entries" struct of exactly (key, value).
inline bool map_shape_ok(const DataType& t) {
  return t.children.size() == 1 && t.children[0].type && t.children[0].type->id == TypeId::kStruct &&
         t.children[0].type->children.size() == 2;
}

// ---------------------------------------------------------------------------------------------
// Export

struct SchemaExport {
  std::string format;
  std::string name;
  std::string metadata;
  std::vector<ArrowSchema> children;  // sized once; zeroed, so unfilled ones read as released
  std::vector<ArrowSchema*> child_ptrs;

  SchemaExport() = default;
  SchemaExport(const SchemaExport&) = delete;
  SchemaExport& operator=(const SchemaExport&) = delete;
  ~SchemaExport() {
    for (auto& c : children)
      if (c.release != nullptr) c.release(&c);  // children not moved away by the consumer
  }
};

inline void release_exported_schema(ArrowSchema* schema) {
  if (schema == nullptr || schema->release == nullptr) return;
  delete static_cast<SchemaExport*>(schema->private_data);
  schema->private_data = nullptr;
  schema->release = nullptr;
}

inline void put_i32(std::string& out, std::int32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // native endianness, as the spec says
  out.append(b, 4);
}

inline Result<std::string> encode_metadata(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  if (kv.empty()) return out;
  constexpr std::size_t kMax = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  if (kv.size() > kMax) return too_large("too many metadata entries");
  put_i32(out, static_cast<std::int32_t>(kv.size()));
  for (const auto& [k, v] : kv) {
    if (k.size() > kMax || v.size() > kMax) return too_large("metadata entry longer than 2 GiB");
    put_i32(out, static_cast<std::int32_t>(k.size()));
    out += k;
    put_i32(out, static_cast<std::int32_t>(v.size()));
    out += v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GeoArrow: a geometry or geography travels as geoarrow.wkb over its binary storage, with JSON
// metadata (GeoArrow 0.2): "crs" and "crs_type" from the Parquet CRS, a geography's "edges".

// Just enough JSON for that metadata: strings (escapes decoded), and any other value skipped over
// (its text kept, for a PROJJSON object). Nothing is allocated by a size the input gives.
class JsonScan {
 public:
  explicit JsonScan(std::string_view s) : s_(s) {}
  bool at_end() {
    ws();
    return p_ == s_.size();
  }
  bool eat(char c) {
    ws();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    ws();
    return p_ < s_.size() && s_[p_] == c;
  }
  // A string value into *out (replacing what it held).
  bool string(std::string* out) {
    out->clear();
    if (!eat('"')) return false;
    while (p_ < s_.size()) {
      const char c = s_[p_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (p_ == s_.size()) return false;
      switch (s_[p_++]) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            std::uint32_t lo = 0;
            if (p_ + 2 > s_.size() || s_[p_] != '\\' || s_[p_ + 1] != 'u') return false;
            p_ += 2;
            if (!hex4(&lo) || lo < 0xDC00 || lo >= 0xE000) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return false;
          }
          utf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  // Any value, its text in *raw; nesting 64 deep at most.
  bool value(std::string_view* raw, int depth = 0) {
    ws();
    const std::size_t begin = p_;
    if (depth > 64 || p_ == s_.size()) return false;
    const char c = s_[p_];
    bool ok = true;
    if (c == '"') {
      std::string ignored;
      ok = string(&ignored);
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++p_;
      if (!eat(close)) {
        do {
          std::string_view ignored;
          if (c == '{') {
            std::string key;
            ok = string(&key) && eat(':');
          }
          ok = ok && value(&ignored, depth + 1);
        } while (ok && eat(','));
        ok = ok && eat(close);
      }
    } else {
      while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '-' ||
                                s_[p_] == '+' || s_[p_] == '.'))
        ++p_;
      ok = p_ > begin;
    }
    *raw = s_.substr(begin, p_ - begin);
    return ok;
  }

 private:
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r')) ++p_;
  }
  bool hex4(std::uint32_t* v) {
    if (p_ + 4 > s_.size()) return false;
    const auto r = std::from_chars(s_.data() + p_, s_.data() + p_ + 4, *v, 16);
    if (r.ptr != s_.data() + p_ + 4) return false;
    p_ += 4;
    return true;
  }
  static void utf8(std::uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::string_view s_;
  std::size_t p_ = 0;
};

// "AUTHORITY:CODE" ("EPSG:4326", "OGC:CRS84"), the form GeoArrow's crs_type authority_code names.
inline bool authority_code(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != colon && !std::isalnum(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// The GeoArrow metadata of a geometry / geography ("" where it has no key to say). Parquet's CRS
// forms map to GeoArrow's: "EPSG:4326"-like codes (OGC:CRS84 among them) as authority_code, "srid:N"
// as srid, inline PROJJSON as a JSON object, anything else (a "projjson:key" reference to file
// metadata) as a plain string; a column without a CRS exports without one (as DuckDB reads a
// GEOMETRY column without one: no CRS, not OGC:CRS84 named).
inline std::string geoarrow_metadata(const DataType& t) {
  std::string out;
  const std::string_view crs = t.crs;
  std::string_view raw;
  JsonScan scan(crs);
  if (!crs.empty()) {
    out += "\"crs\":";
    if (crs.size() > 5 && crs.substr(0, 5) == "srid:") {
      json_quote(crs.substr(5), &out);
      out += ",\"crs_type\":\"srid\"";
    } else if (crs.front() == '{' && scan.value(&raw) && raw.size() == crs.size()) {
      out += raw;
      out += ",\"crs_type\":\"projjson\"";
    } else {
      json_quote(crs, &out);
      if (authority_code(crs) && crs.substr(0, 9) != "projjson:") out += ",\"crs_type\":\"authority_code\"";
    }
  }
  if (t.extension == Extension::kGeography) {
    if (!out.empty()) out += ',';
    out += "\"edges\":";
    json_quote(edges_name(t.edges), &out);
  }
  return out.empty() ? out : "{" + out + "}";
}

// A geometry or geography type from geoarrow.wkb metadata (empty: no CRS known, planar); nullptr
// where the metadata is not a JSON object of that form or names edges sluice does not know.
inline TypePtr type_from_geoarrow(std::string_view metadata) {
  std::string crs;
  std::string crs_type;
  std::string edges = "planar";
  JsonScan scan(metadata);
  if (!scan.at_end()) {
    if (!scan.eat('{')) return nullptr;
    if (!scan.eat('}')) {
      do {
        std::string key;
        if (!scan.string(&key) || !scan.eat(':')) return nullptr;
        std::string_view raw;
        if (key == "crs") {
          if (scan.peek('"')) {
            if (!scan.string(&crs)) return nullptr;
          } else {
            if (!scan.value(&raw)) return nullptr;
            if (raw != "null") crs = std::string(raw);  // a PROJJSON object, kept as its text
          }
        } else if (key == "crs_type" && scan.peek('"')) {
          if (!scan.string(&crs_type)) return nullptr;
        } else if (key == "edges" && scan.peek('"')) {
          if (!scan.string(&edges)) return nullptr;
        } else if (!scan.value(&raw)) {
          return nullptr;
        }
      } while (scan.eat(','));
      if (!scan.eat('}') || !scan.at_end()) return nullptr;
    }
  }
  if (crs_type == "srid" && !crs.empty()) crs = "srid:" + crs;
  if (edges == "planar") return geometry_type(std::move(crs));
  if (const auto e = edges_from_name(edges)) return geography_type(std::move(crs), *e);
  return nullptr;
}

inline Status fill_schema(const Field& field, ArrowSchema* out, const std::string* metadata, int depth) {
  if (depth > kMaxDepth) return too_large("type nested deeper than " + std::to_string(kMaxDepth));
  if (!field.type) return bad("field '" + field.name + "' has no type");
  const DataType& t = *field.type;
  auto priv = std::make_unique<SchemaExport>();
  SLUICE_ASSIGN_OR_RETURN(priv->format, arrow_format(t));
  priv->name = field.name;
  std::int64_t flags = field.nullable ? ARROW_FLAG_NULLABLE : 0;
  if (t.id == TypeId::kMap && t.keys_sorted) flags |= ARROW_FLAG_MAP_KEYS_SORTED;
  const std::size_t n = t.children.size();
  priv->children.resize(n);
  priv->child_ptrs.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    priv->child_ptrs[i] = &priv->children[i];
    SLUICE_TRY(fill_schema(t.children[i], &priv->children[i], nullptr, depth + 1));
  }
  if (metadata != nullptr) {
    priv->metadata = *metadata;
  } else if (const char* ext = t.extension == Extension::kUuid ? "arrow.uuid"
                               : t.extension == Extension::kJson ? "arrow.json"
                                                                 : nullptr) {
    SLUICE_ASSIGN_OR_RETURN(priv->metadata,
                            encode_metadata({{"ARROW:extension:name", ext}, {"ARROW:extension:metadata", ""}}));
  } else if (t.extension == Extension::kGeometry || t.extension == Extension::kGeography) {
    // (Without metadata keys, no ARROW:extension:metadata: GeoArrow asks so.)
    const std::string geo = geoarrow_metadata(t);
    if (geo.empty()) {
      SLUICE_ASSIGN_OR_RETURN(priv->metadata, encode_metadata({{"ARROW:extension:name", "geoarrow.wkb"}}));
    } else {
      SLUICE_ASSIGN_OR_RETURN(priv->metadata, encode_metadata({{"ARROW:extension:name", "geoarrow.wkb"},
                                                               {"ARROW:extension:metadata", geo}}));
    }
  }
  out->format = priv->format.c_str();
  out->name = priv->name.c_str();
  out->metadata = priv->metadata.empty() ? nullptr : priv->metadata.data();
  out->flags = flags;
  out->n_children = static_cast<std::int64_t>(n);
  out->children = n > 0 ? priv->child_ptrs.data() : nullptr;
  out->dictionary = nullptr;
  out->release = &release_exported_schema;
  out->private_data = priv.release();
  return ok_status();
}

struct ArrayExport {
  ArrayPtr array;              // keeps every buffer (and the children's) alive
  BufferPtr rebased_validity;  // struct sliced at a non-zero offset, see the header comment
  std::array<const void*, 3> buffers{};
  std::vector<ArrowArray> children;  // sized once; zeroed, so unfilled ones read as released
  std::vector<ArrowArray*> child_ptrs;

  ArrayExport() = default;
  ArrayExport(const ArrayExport&) = delete;
  ArrayExport& operator=(const ArrayExport&) = delete;
  ~ArrayExport() {
    for (auto& c : children)
      if (c.release != nullptr) c.release(&c);  // children not moved away by the consumer
  }
};

inline void release_exported_array(ArrowArray* array) {
  if (array == nullptr || array->release == nullptr) return;
  delete static_cast<ArrayExport*>(array->private_data);
  array->private_data = nullptr;
  array->release = nullptr;
}

inline Status fill_array(const ArrayPtr& a, ArrowArray* out, int depth) {
  if (depth > kMaxDepth) return too_large("array nested deeper than " + std::to_string(kMaxDepth));
  if (!a || !a->type) return bad("cannot export a null array or an array without a type");
  const DataType& t = *a->type;
  if (a->length < 0 || a->offset < 0 || a->null_count < 0 || a->null_count > a->length ||
      a->length > kMaxLength || a->offset > kMaxLength - a->length)
    return bad("cannot export an array with bad length, offset or null count");
  SLUICE_ASSIGN_OR_RETURN(std::string format, arrow_format(t));
  auto priv = std::make_unique<ArrayExport>();
  priv->array = a;
  const int nbuf = buffer_count(t.id);
  const std::int64_t end = a->offset + a->length;
  // Sluice struct children are already sliced: the exported struct starts at offset 0.
  const std::int64_t out_offset = t.id == TypeId::kStruct ? 0 : a->offset;
  std::int64_t null_count = a->null_count;

  if (t.id == TypeId::kNull) {
    null_count = a->length;
  } else {
    if (a->buffers.size() != static_cast<std::size_t>(nbuf))
      return bad("array of type '" + format + "' has " + std::to_string(a->buffers.size()) + " buffers, expected " +
                 std::to_string(nbuf));
    const BufferPtr& v = a->buffers[0];
    if (v && v->data() != nullptr) {
      if (t.id == TypeId::kStruct && a->offset != 0) {
        auto rebased = Buffer::allocate(bit::bytes_for(a->length));
        for (std::int64_t i = 0; i < a->length; ++i)
          if (bit::get(v->data(), a->offset + i)) bit::set(rebased->mutable_data(), i);
        priv->buffers[0] = rebased->data();
        priv->rebased_validity = std::move(rebased);
      } else {
        priv->buffers[0] = v->data();
      }
    } else if (a->null_count != 0) {
      return bad("array of type '" + format + "' has nulls but no validity bitmap");
    }
    for (int i = 1; i < nbuf; ++i) {
      const BufferPtr& b = a->buffers[static_cast<std::size_t>(i)];
      if (b && b->data() != nullptr) {
        priv->buffers[static_cast<std::size_t>(i)] = b->data();
        continue;
      }
      // Absent buffers are fine where they would hold no bytes: offsets of an empty array (read as
      // {0}), the characters of strings that are all empty.
      bool empty = end == 0;
      if (i == 2) {
        const auto* offs = static_cast<const std::int64_t*>(priv->buffers[1]);
        empty = offs[end] == 0;
      } else if (t.id == TypeId::kFixedSizeBinary && t.byte_width == 0) {
        empty = true;
      }
      if (!empty) return bad("array of type '" + format + "' lacks buffer " + std::to_string(i));
      priv->buffers[static_cast<std::size_t>(i)] = kZeros;
    }
  }

  const std::size_t nc = child_count(t);
  if (t.children.size() != nc || a->children.size() != nc)
    return bad("array of type '" + format + "' has " + std::to_string(a->children.size()) + " children, expected " +
               std::to_string(nc));
  priv->children.resize(nc);
  priv->child_ptrs.resize(nc);
  for (std::size_t i = 0; i < nc; ++i) {
    priv->child_ptrs[i] = &priv->children[i];
    SLUICE_TRY(fill_array(a->children[i], &priv->children[i], depth + 1));
  }

  out->length = a->length;
  out->null_count = null_count;
  out->offset = out_offset;
  out->n_buffers = nbuf;
  out->buffers = priv->buffers.data();
  out->n_children = static_cast<std::int64_t>(nc);
  out->children = nc > 0 ? priv->child_ptrs.data() : nullptr;
  out->dictionary = nullptr;
  out->release = &release_exported_array;
  out->private_data = priv.release();
  return ok_status();
}

// Runs an export; on failure (an error or out of memory) *out is marked released.
template <class Out, class Fill>
Status guarded_export(Out* out, Fill&& fill) {
  if (out == nullptr) return bad("null output struct");
  try {
    Status st = fill();
    if (!st.ok()) out->release = nullptr;
    return st;
  } catch (const std::bad_alloc&) {
    out->release = nullptr;
    return out_of_memory();
  }
}

// ---------------------------------------------------------------------------------------------
// Import: schemas

// Physical details the TypePtr does not carry: 32-bit offsets of "u", "z" and "+l".
struct Layout {
  bool offsets32 = false;
  std::vector<Layout> children;
};

// Releases a consumed ArrowSchema when leaving scope.
struct SchemaGuard {
  ArrowSchema* schema;
  explicit SchemaGuard(ArrowSchema* s) : schema(s) {}
  SchemaGuard(const SchemaGuard&) = delete;
  SchemaGuard& operator=(const SchemaGuard&) = delete;
  ~SchemaGuard() {
    if (schema != nullptr && schema->release != nullptr) schema->release(schema);
  }
};

// A whole decimal number, optionally negative, that fits in int32.
inline bool parse_i32(std::string_view s, std::int32_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end;
}

inline bool parse_unit(char c, TimeUnit* u) {
  switch (c) {
    case 's': *u = TimeUnit::kSecond; return true;
    case 'm': *u = TimeUnit::kMilli; return true;
    case 'u': *u = TimeUnit::kMicro; return true;
    case 'n': *u = TimeUnit::kNano; return true;
    default: return false;
  }
}

inline Result<std::vector<std::pair<std::string, std::string>>> parse_metadata(const char* m) {
  std::vector<std::pair<std::string, std::string>> out;
  if (m == nullptr) return out;
  auto get_i32 = [&m]() {
    std::int32_t v;
    std::memcpy(&v, m, 4);
    m += 4;
    return v;
  };
  const std::int32_t n = get_i32();
  if (n < 0) return bad("negative metadata entry count");
  for (std::int32_t i = 0; i < n; ++i) {
    std::pair<std::string, std::string> kv;
    for (std::string* s : {&kv.first, &kv.second}) {
      const std::int32_t len = get_i32();
      if (len < 0) return bad("negative metadata string length");
      s->assign(m, static_cast<std::size_t>(len));
      m += len;
    }
    out.push_back(std::move(kv));
  }
  return out;
}

// The type of a format string that takes no children; nullptr with *error set otherwise.
inline TypePtr primitive_from_format(std::string_view f, bool* offsets32, Status* error) {
  *offsets32 = false;
  if (f.size() == 1) {
    switch (f[0]) {
      case 'n': return null_type();
      case 'b': return boolean();
      case 'c': return int8();
      case 'C': return uint8();
      case 's': return int16();
      case 'S': return uint16();
      case 'i': return int32();
      case 'I': return uint32();
      case 'l': return int64();
      case 'L': return uint64();
      case 'e': return float16();
      case 'f': return float32();
      case 'g': return float64();
      case 'u': *offsets32 = true; return utf8();
      case 'z': *offsets32 = true; return binary();
      case 'U': return utf8();
      case 'Z': return binary();
      default: break;
    }
  } else if (f.substr(0, 2) == "d:") {
    // "d:P,S" or "d:P,S,bits": two or three comma-separated integers, nothing else.
    std::string_view rest = f.substr(2);
    std::int32_t parts[3] = {0, 0, 128};
    int count = 0;
    bool ok = true;
    for (;;) {
      const std::size_t comma = rest.find(',');
      if (count == 3 || !parse_i32(rest.substr(0, comma), &parts[count])) {
        ok = false;
        break;
      }
      ++count;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (!ok || count < 2) {
      *error = bad("malformed decimal format '" + std::string(f) + "'");
      return nullptr;
    }
    if (parts[2] != 128) {
      *error = unsupported("decimal of bit width " + std::to_string(parts[2]) + " (only decimal128 is supported)");
      return nullptr;
    }
    if (parts[0] < 1 || parts[0] > 38) {
      *error = bad("decimal128 precision " + std::to_string(parts[0]) + " outside 1..38");
      return nullptr;
    }
    return decimal128(parts[0], parts[1]);
  } else if (f.substr(0, 2) == "w:") {
    std::int32_t w = 0;
    if (!parse_i32(f.substr(2), &w) || w < 0) {
      *error = bad("malformed fixed-size binary format '" + std::string(f) + "'");
      return nullptr;
    }
    return fixed_size_binary(w);
  } else if (f == "tdD") {
    return date32();
  } else if (f == "tdm") {
    *error = unsupported("date64 ('tdm') is not supported; cast to date32");
    return nullptr;
  } else if (f.size() == 3 && f.substr(0, 2) == "tt") {
    TimeUnit u;
    if (parse_unit(f[2], &u)) return time_type(u);
  } else if (f.size() >= 4 && f.substr(0, 2) == "ts" && f[3] == ':') {
    TimeUnit u;
    if (parse_unit(f[2], &u)) return timestamp(u, std::string(f.substr(4)));
  } else if (f.size() == 3 && f.substr(0, 2) == "tD") {
    TimeUnit u;
    if (parse_unit(f[2], &u)) return duration(u);
  } else if (f == "tiM" || f == "tiD" || f == "tin" || f == "vu" || f == "vz") {
    *error = unsupported("Arrow type '" + std::string(f) + "' is not supported");
    return nullptr;
  }
  *error = bad("unknown format '" + std::string(f) + "'");
  return nullptr;
}

inline Result<Field> parse_field(const ArrowSchema* s, Layout* layout, int depth) {
  if (depth > kMaxDepth) return too_large("schema nested deeper than " + std::to_string(kMaxDepth));
  if (s == nullptr) return bad("null schema");
  if (s->release == nullptr) return bad("schema is released");
  if (s->format == nullptr) return bad("schema without a format string");
  if (s->dictionary != nullptr) return unsupported("dictionary-encoded fields are not supported");
  if (s->n_children < 0 || (s->n_children > 0 && s->children == nullptr))
    return bad("schema with bad children (n_children " + std::to_string(s->n_children) + ")");
  const std::string_view f(s->format);
  Field field;
  field.name = s->name != nullptr ? s->name : "";
  field.nullable = (s->flags & ARROW_FLAG_NULLABLE) != 0;
  const std::string where = " (field '" + field.name + "')";

  if (f.empty() || f[0] != '+') {
    Status error;
    field.type = primitive_from_format(f, &layout->offsets32, &error);
    if (!field.type) {
      Error e = std::move(error).error();
      return Error(e.code(), e.message() + where);
    }
    if (s->n_children != 0) return bad("format '" + std::string(f) + "' takes no children" + where);
    if (s->metadata != nullptr) {
      // The canonical extensions sluice knows; other field metadata (or malformed) is ignored.
      auto md = parse_metadata(s->metadata);
      if (md.ok()) {
        std::string_view ext_metadata;
        for (const auto& [k, v] : *md)
          if (k == "ARROW:extension:metadata") ext_metadata = v;
        for (const auto& [k, v] : *md) {
          if (k != "ARROW:extension:name") continue;
          if (v == "geoarrow.wkb" && field.type->id == TypeId::kBinary) {
            if (TypePtr g = type_from_geoarrow(ext_metadata)) field.type = std::move(g);
            continue;
          }
          const Extension e = v == "arrow.uuid" ? Extension::kUuid : v == "arrow.json" ? Extension::kJson : Extension::kNone;
          if (TypePtr x = with_extension(field.type, e)) field.type = std::move(x);
        }
      }
    }
    return field;
  }

  auto t = std::make_shared<DataType>();
  if (f == "+l" || f == "+L") {
    t->id = TypeId::kList;
    layout->offsets32 = f == "+l";
    if (s->n_children != 1) return bad("list must have exactly one child" + where);
  } else if (f == "+s") {
    t->id = TypeId::kStruct;
  } else if (f == "+m") {
    t->id = TypeId::kMap;
    t->keys_sorted = (s->flags & ARROW_FLAG_MAP_KEYS_SORTED) != 0;
    if (s->n_children != 1) return bad("map must have exactly one child" + where);
  } else if (f.substr(0, 3) == "+w:" || f.substr(0, 4) == "+ud:" || f.substr(0, 4) == "+us:" || f == "+r" ||
             f == "+vl" || f == "+vL") {
    return unsupported("Arrow type '" + std::string(f) + "' is not supported" + where);
  } else {
    return bad("unknown format '" + std::string(f) + "'" + where);
  }
  const auto n = static_cast<std::size_t>(s->n_children);
  layout->children.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    SLUICE_ASSIGN_OR_RETURN(Field child, parse_field(s->children[i], &layout->children[i], depth + 1));
    t->children.push_back(std::move(child));
  }
  if (t->id == TypeId::kMap && !map_shape_ok(*t))
    return bad("map child must be a struct of (key, value)" + where);
  field.type = std::move(t);
  return field;
}

// ---------------------------------------------------------------------------------------------
// Import: arrays

// The consumer's copy of a moved ArrowArray; destroying it releases the producer's data once.
struct ImportedArray {
  ArrowArray array{};
  ImportedArray() = default;
  ImportedArray(const ImportedArray&) = delete;
  ImportedArray& operator=(const ImportedArray&) = delete;
  ~ImportedArray() {
    if (array.release != nullptr) array.release(&array);
  }
};

// Moves *array into a heap object, as the spec's "moving an array" describes.
inline Result<std::shared_ptr<ImportedArray>> take_array(ArrowArray* array) {
  if (array == nullptr) return bad("null array");
  if (array->release == nullptr) return bad("array is released");
  auto holder = std::make_shared<ImportedArray>();
  holder->array = *array;
  array->release = nullptr;
  return holder;
}

inline bool mul_fits(std::int64_t a, std::int64_t b, std::int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

class Importer {
 public:
  explicit Importer(std::shared_ptr<const void> keeper) : keeper_(std::move(keeper)) {}

  Result<ArrayPtr> node(const ArrowArray* a, const TypePtr& type, const Layout* layout, int depth) {
    if (depth > kMaxDepth) return too_large("array nested deeper than " + std::to_string(kMaxDepth));
    if (a == nullptr) return bad("null child array");
    if (a->release == nullptr) return bad("array is released");
    if (!type) return bad("no type given for the array");
    const DataType& t = *type;
    const std::string what = " in array of type " + format_or_id(t);
    if (a->length < 0 || a->offset < 0 || a->null_count < -1)
      return bad("negative length, offset or null count" + what);
    if (a->length > kMaxLength || a->offset > kMaxLength - a->length)
      return too_large("length " + std::to_string(a->length) + " + offset " + std::to_string(a->offset) + what);
    if (a->dictionary != nullptr) return unsupported("dictionary-encoded arrays are not supported");
    const int nbuf = buffer_count(t.id);
    if (a->n_buffers != nbuf)
      return bad(std::to_string(a->n_buffers) + " buffers, expected " + std::to_string(nbuf) + what);
    if (nbuf > 0 && a->buffers == nullptr) return bad("null buffers array" + what);
    const std::size_t nc = child_count(t);
    if (t.children.size() != nc || (t.id == TypeId::kMap && !map_shape_ok(t)))
      return bad("malformed type" + what);
    if (a->n_children != static_cast<std::int64_t>(nc))
      return bad(std::to_string(a->n_children) + " children, expected " + std::to_string(nc) + what);
    if (nc > 0 && a->children == nullptr) return bad("null children array" + what);
    if (layout != nullptr && layout->children.size() != nc) return bad("schema does not match the type" + what);

    auto out = std::make_shared<ArrayData>();
    out->type = type;
    out->length = a->length;
    out->offset = a->offset;
    std::int64_t end = a->offset + a->length;
    if (a->length == 0 && t.id != TypeId::kStruct) {
      // No rows: read nothing past the buffers' starts and never size a zero-filled stand-in for an
      // absent buffer by a (possibly huge) offset. Struct children are sliced with the offset below.
      out->offset = 0;
      end = 0;
    }
    if (t.id == TypeId::kNull) {
      out->null_count = a->length;
      return out;
    }

    // Validity: kept only when there are nulls (sluice's "absent when no nulls").
    BufferPtr validity;
    if (a->buffers[0] != nullptr && a->length > 0) {
      BufferPtr v = wrap(a->buffers[0], bit::bytes_for(end), 1);
      const std::int64_t nulls = count_nulls(v->data(), a->offset, a->length);
      if (a->null_count >= 0 && a->null_count != nulls)
        return bad("null_count " + std::to_string(a->null_count) + " but the validity bitmap has " +
                   std::to_string(nulls) + " nulls" + what);
      out->null_count = nulls;
      if (nulls > 0) validity = std::move(v);
    } else {
      if (a->null_count > 0) return bad("nulls without a validity bitmap" + what);
      out->null_count = 0;
    }
    out->buffers.push_back(std::move(validity));

    const bool narrow = layout != nullptr && layout->offsets32;
    auto child_layout = [&](std::size_t i) { return layout != nullptr ? &layout->children[i] : nullptr; };
    switch (t.id) {
      case TypeId::kBool: {
        SLUICE_ASSIGN_OR_RETURN(BufferPtr values, required(a, 1, bit::bytes_for(end), 1, what));
        out->buffers.push_back(std::move(values));
        break;
      }
      case TypeId::kString:
      case TypeId::kBinary: {
        SLUICE_ASSIGN_OR_RETURN(BufferPtr offsets, offsets64(a, end, narrow, what));
        const std::int64_t data_size = offsets->data_as<std::int64_t>()[end];
        if (data_size < 0) return bad("negative offset" + what);
        SLUICE_ASSIGN_OR_RETURN(BufferPtr data, required(a, 2, data_size, 1, what));
        out->buffers.push_back(std::move(offsets));
        out->buffers.push_back(std::move(data));
        break;
      }
      case TypeId::kList: {
        SLUICE_ASSIGN_OR_RETURN(BufferPtr offsets, offsets64(a, end, narrow, what));
        out->buffers.push_back(std::move(offsets));
        SLUICE_ASSIGN_OR_RETURN(ArrayPtr child, node(a->children[0], t.children[0].type, child_layout(0), depth + 1));
        out->children.push_back(std::move(child));
        break;
      }
      case TypeId::kMap: {
        BufferPtr offsets;
        if (a->buffers[1] == nullptr && a->length == 0) {
          offsets = Buffer::allocate((end + 1) * 4);
        } else {
          SLUICE_ASSIGN_OR_RETURN(offsets, required(a, 1, (end + 1) * 4, 4, what));
        }
        out->buffers.push_back(std::move(offsets));
        SLUICE_ASSIGN_OR_RETURN(ArrayPtr child, node(a->children[0], t.children[0].type, child_layout(0), depth + 1));
        out->children.push_back(std::move(child));
        break;
      }
      case TypeId::kStruct: {
        for (std::size_t i = 0; i < nc; ++i) {
          SLUICE_ASSIGN_OR_RETURN(ArrayPtr child, node(a->children[i], t.children[i].type, child_layout(i), depth + 1));
          // Arrow applies the struct's offset to its children; sluice slices them instead.
          if (child->length < end)
            return bad("child " + std::to_string(i) + " shorter than the struct's offset + length" + what);
          if (a->offset != 0) child = child->slice(a->offset, a->length);
          out->children.push_back(std::move(child));
        }
        break;
      }
      default: {
        const int w = t.value_width();
        std::int64_t bytes = 0;
        if (w < 0 || !mul_fits(end, w, &bytes)) return too_large("values buffer too large" + what);
        const std::size_t align = t.id == TypeId::kFixedSizeBinary ? 1 : static_cast<std::size_t>(w);
        SLUICE_ASSIGN_OR_RETURN(BufferPtr values, required(a, 1, bytes, align, what));
        out->buffers.push_back(std::move(values));
        break;
      }
    }
    return out;
  }

 private:
  static std::string format_or_id(const DataType& t) {
    auto f = arrow_format(t);
    return f.ok() ? "'" + f.value() + "'" : "#" + std::to_string(static_cast<int>(t.id));
  }

  // Foreign memory as a Buffer: wrapped if aligned for its elements, else copied into aligned memory.
  BufferPtr wrap(const void* p, std::int64_t size, std::size_t align) {
    if (reinterpret_cast<std::uintptr_t>(p) % align == 0) return Buffer::wrap(p, size, keeper_);
    auto b = Buffer::allocate(size, false);
    if (size > 0) std::memcpy(b->mutable_data(), p, static_cast<std::size_t>(size));
    return b;
  }

  Result<BufferPtr> required(const ArrowArray* a, int i, std::int64_t size, std::size_t align, const std::string& what) {
    const void* p = a->buffers[i];
    if (p != nullptr) return wrap(p, size, align);
    if (size == 0) return Buffer::allocate(0);
    return bad("buffer " + std::to_string(i) + " is null" + what);
  }

  // Entries [0, end] of buffer 1 as int64 offsets, widened from int32 when `narrow`.
  Result<BufferPtr> offsets64(const ArrowArray* a, std::int64_t end, bool narrow, const std::string& what) {
    const void* p = a->buffers[1];
    if (p == nullptr) {
      if (a->length == 0) return Buffer::allocate((end + 1) * 8);  // all zero
      return bad("offsets buffer is null" + what);
    }
    if (!narrow) return wrap(p, (end + 1) * 8, 8);
    auto b = Buffer::allocate((end + 1) * 8, false);
    const auto* src = static_cast<const std::uint8_t*>(p);
    auto* dst = b->mutable_data_as<std::int64_t>();
    for (std::int64_t k = 0; k <= end; ++k) {
      std::int32_t v;
      std::memcpy(&v, src + k * 4, 4);
      dst[k] = v;
    }
    return b;
  }

  std::shared_ptr<const void> keeper_;
};

inline Result<ArrayPtr> import_taken(const std::shared_ptr<ImportedArray>& holder, const TypePtr& type,
                                     const Layout* layout) {
  Importer importer(holder);
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr out, importer.node(&holder->array, type, layout, 0));
  SLUICE_TRY(out->validate());
  return out;
}

}  // namespace detail::cdata

// ---------------------------------------------------------------------------------------------
// Public functions

inline Result<std::string> arrow_format(const DataType& t) {
  using detail::cdata::bad;
  switch (t.id) {
    case TypeId::kNull: return std::string("n");
    case TypeId::kBool: return std::string("b");
    case TypeId::kInt8: return std::string("c");
    case TypeId::kInt16: return std::string("s");
    case TypeId::kInt32: return std::string("i");
    case TypeId::kInt64: return std::string("l");
    case TypeId::kUInt8: return std::string("C");
    case TypeId::kUInt16: return std::string("S");
    case TypeId::kUInt32: return std::string("I");
    case TypeId::kUInt64: return std::string("L");
    case TypeId::kFloat16: return std::string("e");
    case TypeId::kFloat32: return std::string("f");
    case TypeId::kFloat64: return std::string("g");
    case TypeId::kDecimal128:
      if (t.precision < 1 || t.precision > 38) return bad("decimal128 precision outside 1..38");
      return "d:" + std::to_string(t.precision) + "," + std::to_string(t.scale);
    case TypeId::kDate32: return std::string("tdD");
    case TypeId::kTime: return std::string("tt") + detail::cdata::unit_char(t.unit);
    case TypeId::kTimestamp: return std::string("ts") + detail::cdata::unit_char(t.unit) + ":" + t.timezone;
    case TypeId::kDuration: return std::string("tD") + detail::cdata::unit_char(t.unit);
    case TypeId::kString: return std::string("U");
    case TypeId::kBinary: return std::string("Z");
    case TypeId::kFixedSizeBinary:
      if (t.byte_width < 0) return bad("negative fixed-size binary width");
      return "w:" + std::to_string(t.byte_width);
    case TypeId::kList:
      if (t.children.size() != 1 || !t.children[0].type) return bad("list type without exactly one child");
      return std::string("+L");
    case TypeId::kStruct: return std::string("+s");
    case TypeId::kMap:
      if (!detail::cdata::map_shape_ok(t)) return bad("map type whose child is not a (key, value) struct");
      return std::string("+m");
  }
  return bad("unknown type id " + std::to_string(static_cast<int>(t.id)));
}

inline Status export_type(const Field& field, ArrowSchema* out) {
  return detail::cdata::guarded_export(out, [&] { return detail::cdata::fill_schema(field, out, nullptr, 0); });
}

inline Status export_schema(const Schema& schema, ArrowSchema* out) {
  return detail::cdata::guarded_export(out, [&]() -> Status {
    SLUICE_ASSIGN_OR_RETURN(std::string metadata, detail::cdata::encode_metadata(schema.metadata));
    return detail::cdata::fill_schema(Field{"", struct_(schema.fields), false}, out, &metadata, 0);
  });
}

inline Status export_array(const ArrayPtr& array, ArrowArray* out) {
  return detail::cdata::guarded_export(out, [&] { return detail::cdata::fill_array(array, out, 0); });
}

inline Status export_batch(const Batch& batch, ArrowArray* out) {
  return detail::cdata::guarded_export(out, [&]() -> Status {
    if (!batch.schema || batch.schema->num_fields() != batch.columns.size())
      return detail::cdata::bad("batch columns do not match its schema");
    for (std::size_t i = 0; i < batch.columns.size(); ++i)
      if (!batch.columns[i] || batch.columns[i]->length != batch.num_rows)
        return detail::cdata::bad("column " + std::to_string(i) + " length differs from the batch's rows");
    auto top = std::make_shared<ArrayData>();
    top->type = struct_(batch.schema->fields);
    top->length = batch.num_rows;
    top->buffers.push_back(nullptr);
    top->children = batch.columns;
    return detail::cdata::fill_array(top, out, 0);
  });
}

struct ImportedType {
  Field field;
  SchemaPtr schema;  // when field.type is a struct: its fields and the schema-level metadata
  detail::cdata::Layout layout;
};

inline Result<ImportedType> import_type(ArrowSchema* schema) {
  if (schema == nullptr) return detail::cdata::bad("null schema");
  detail::cdata::SchemaGuard guard(schema);
  try {
    ImportedType out;
    SLUICE_ASSIGN_OR_RETURN(out.field, detail::cdata::parse_field(schema, &out.layout, 0));
    if (out.field.type->id == TypeId::kStruct) {
      SLUICE_ASSIGN_OR_RETURN(auto metadata, detail::cdata::parse_metadata(schema->metadata));
      out.schema = std::make_shared<Schema>(Schema{out.field.type->children, std::move(metadata)});
    }
    return out;
  } catch (const std::bad_alloc&) {
    return detail::cdata::out_of_memory();
  }
}

inline Result<Field> import_field(ArrowSchema* schema) {
  SLUICE_ASSIGN_OR_RETURN(ImportedType type, import_type(schema));
  return std::move(type.field);
}

inline Result<SchemaPtr> import_schema(ArrowSchema* schema) {
  SLUICE_ASSIGN_OR_RETURN(ImportedType type, import_type(schema));
  if (!type.schema) return detail::cdata::bad("a record batch schema must be a struct ('+s')");
  return type.schema;
}

namespace detail::cdata {
// Imports with a layout (null: sluice's own); *array is consumed, also on error or out of memory.
inline Result<ArrayPtr> import_consumed(ArrowArray* array, const TypePtr& type, const Layout* layout) {
  try {
    SLUICE_ASSIGN_OR_RETURN(auto holder, take_array(array));
    return import_taken(holder, type, layout);
  } catch (const std::bad_alloc&) {
    if (array != nullptr && array->release != nullptr) array->release(array);
    return out_of_memory();
  }
}
inline void release_array(ArrowArray* array) {
  if (array != nullptr && array->release != nullptr) array->release(array);
}
}  // namespace detail::cdata

inline Result<ArrayPtr> import_array(ArrowArray* array, const TypePtr& type) {
  return detail::cdata::import_consumed(array, type, nullptr);
}

inline Result<ArrayPtr> import_array(ArrowArray* array, const ImportedType& type) {
  return detail::cdata::import_consumed(array, type.field.type, &type.layout);
}

inline Result<ArrayPtr> import_array(ArrowArray* array, ArrowSchema* schema) {
  auto type = import_type(schema);
  if (!type.ok()) {
    detail::cdata::release_array(array);
    return std::move(type).error();
  }
  return import_array(array, type.value());
}

inline Result<Batch> import_batch(ArrowArray* array, const ImportedType& type) {
  if (!type.schema) {
    detail::cdata::release_array(array);
    return detail::cdata::bad("a record batch schema must be a struct ('+s')");
  }
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr st, detail::cdata::import_consumed(array, type.field.type, &type.layout));
  if (st->null_count != 0) return detail::cdata::bad("a record batch cannot have top-level nulls");
  try {
    Batch batch{type.schema, {}, st->length};
    // Already validated as a struct of these fields: only children longer than it need cutting.
    for (auto& c : st->children) batch.columns.push_back(c->length == st->length ? c : c->slice(0, st->length));
    return batch;
  } catch (const std::bad_alloc&) {
    return detail::cdata::out_of_memory();
  }
}

inline Result<Batch> import_batch(ArrowArray* array, ArrowSchema* schema) {
  auto type = import_type(schema);
  if (!type.ok()) {
    detail::cdata::release_array(array);
    return std::move(type).error();
  }
  return import_batch(array, type.value());
}

}  // namespace sluice
