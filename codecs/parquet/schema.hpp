// The Parquet schema tree (flattened SchemaElements) as the reader uses it: every leaf with its
// levels and how its physical values become the buffer's type, and every output field as a tree of
// nodes that say how levels become validity bitmaps and list offsets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/metadata.hpp"
#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/types.hpp"

namespace sluice::parquet {

// How a leaf's physical values become the values of its output type.
enum class Conversion : std::uint8_t {
  kNone,             // same bytes (int32 → int32/date32/time32/uint32, int64 → int64/timestamp/..., float, double)
  kBool,             // BOOLEAN → bit-packed bool
  kInt32ToInt8,      // narrowing of an annotated INT32 (INT(8/16, signed or not))
  kInt32ToInt16,
  kByteArray,        // BYTE_ARRAY → string / binary
  kFixed,            // FIXED_LEN_BYTE_ARRAY → fixed_size_binary / float16 (2 bytes, same storage)
  kInt96,            // INT96 (nanoseconds of the day, Julian day) → timestamp
  kDecimalInt32,     // DECIMAL on INT32 / INT64 / FIXED_LEN_BYTE_ARRAY / BYTE_ARRAY → decimal128
  kDecimalInt64,
  kDecimalFixed,
  kDecimalByteArray,
  kNull,             // the UNKNOWN (always null) logical type
};

// A decimal's unscaled value from its big-endian two's complement bytes (FIXED_LEN_BYTE_ARRAY or
// BYTE_ARRAY, any width; none is 0). False when it does not fit 128 bits.
inline bool big_endian_int128(const std::uint8_t* p, std::size_t width, __int128* out) {
  if (width == 0) {
    *out = 0;
    return true;
  }
  const std::size_t extra = width > 16 ? width - 16 : 0;
  const std::uint8_t sign = (p[0] & 0x80) ? 0xFF : 0x00;
  for (std::size_t k = 0; k < extra; ++k)
    if (p[k] != sign) return false;  // bytes beyond 16 may only repeat the sign
  unsigned __int128 v = sign ? ~static_cast<unsigned __int128>(0) : 0;
  for (std::size_t k = extra; k < width; ++k) v = (v << 8) | p[k];
  *out = static_cast<__int128>(v);
  return true;
}

struct LeafInfo {
  int column = 0;                   // index of the chunk in every row group
  std::vector<std::string> path;    // names from the root's child to the leaf
  std::string dotted;               // path joined with '.'
  format::Type::type physical = format::Type::BOOLEAN;
  std::int32_t type_length = 0;     // FIXED_LEN_BYTE_ARRAY
  std::int16_t max_def = 0;
  std::int16_t max_rep = 0;
  TypePtr type;                     // the output type of its values
  Conversion conversion = Conversion::kNone;
  bool signed_order = true;         // statistics order (false: unsigned integers, strings, binary)
  const format::SchemaElement* element = nullptr;
};

// One node of an output field. A value of a node is present (not null) where the def level reaches
// `def`; a list's (or map's) element exists where it reaches `elem_def`, and a new element of the
// same list starts where the rep level equals `rep`.
struct FieldNode {
  enum class Kind : std::uint8_t { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  Field field;
  std::int16_t def = 0;
  std::int16_t elem_def = 0;        // list / map
  std::int16_t rep = 0;             // list / map
  int leaf = -1;                    // kLeaf: index into ParquetSchema::leaves
  std::vector<FieldNode> children;  // struct: fields; list: element; map: key, value
};

struct ParquetSchema {
  std::vector<LeafInfo> leaves;
  std::vector<FieldNode> fields;  // the root's children
  SchemaPtr arrow;                // the output schema of all fields (key-value metadata included)
};

// Builds the reader's view of a validated FileMetaData. Unsupported shapes (a DECIMAL wider than 38
// digits, an annotation on the wrong physical type...) read as their physical type where that is
// lossless, and are an error naming the column otherwise.
Result<ParquetSchema> build_schema(const format::FileMetaData& md, const ReadOptions& options);

// The fields of `schema` with only the leaves selected by `columns` (dotted paths; a path naming a
// group selects all under it; Parquet's own names and the output's names, like "m.key", both work).
// Empty `columns`: everything. An unknown path is kInvalidArgument naming it.
Result<std::vector<FieldNode>> project(const ParquetSchema& schema, const std::vector<std::string>& columns);

// The output schema of projected fields.
SchemaPtr schema_of(const std::vector<FieldNode>& fields, const ParquetSchema& full);

// The leaves under `fields`, in column order.
std::vector<int> leaves_of(const std::vector<FieldNode>& fields);

}  // namespace sluice::parquet
