// The writer's view of a schema: the buffer's fields as Parquet SchemaElements (3-level lists and
// maps), every leaf with its levels, physical type, value conversion, statistics order and the
// column options that apply to it, and every field as a tree of nodes the level shredder walks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/compression.hpp"
#include "parquet/metadata.hpp"
#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/types.hpp"

namespace sluice::parquet {

// How a buffer value becomes its physical value.
enum class WriteConversion : std::uint8_t {
  kSame,          // same bytes (int32/int64/float/double and what is stored as them, fixed-size binary)
  kBool,          // bitmap → BOOLEAN
  kInt8,          // int8 / int16 / uint8 / uint16 → INT32 (sign- or zero-extended)
  kInt16,
  kUInt8,
  kUInt16,
  kSecondsToMillis32,  // time[s] → TIME(MILLIS)
  kSecondsToMillis64,  // timestamp[s] → TIMESTAMP(MILLIS)
  kDecimal32,     // decimal128 → INT32 / INT64 / big-endian FIXED_LEN_BYTE_ARRAY
  kDecimal64,
  kDecimalFixed,
  kByteArray,     // string / binary → BYTE_ARRAY
  kNull,          // the null type: no values at all
};

// Order of min/max statistics.
enum class StatsOrder : std::uint8_t { kNone, kBool, kSigned32, kSigned64, kUnsigned32, kUnsigned64, kFloat, kDouble,
                                       kFloat16, kBytes, kSignedBytes /* big-endian two's complement decimals */ };

struct WriteLeaf {
  std::vector<std::string> path;  // Parquet names, root's child first
  std::string dotted;             // path joined with '.'
  std::string buffer_dotted;      // the buffer's names ("l.item", "m.key")
  format::Type::type physical = format::Type::INT32;
  std::int32_t type_length = 0;
  std::int16_t max_def = 0;
  std::int16_t max_rep = 0;
  TypePtr type;                   // the buffer type of the values
  WriteConversion conversion = WriteConversion::kSame;
  StatsOrder order = StatsOrder::kNone;

  // The options that apply to this leaf.
  Codec codec = Codec::SNAPPY;
  int level = kDefaultCompressionLevel;
  bool dictionary = true;
  format::Encoding::type encoding = format::Encoding::PLAIN;  // when not dictionary-encoded
  bool statistics = true;
  bool bloom_filter = false;
};

// One node of a field. A value is present where the def level reaches `def`; a list's (map's)
// element exists where it reaches `elem_def`; its elements after the first have rep level `rep`.
struct WriteNode {
  enum class Kind : std::uint8_t { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  bool nullable = true;
  std::int16_t def = 0;
  std::int16_t elem_def = 0;
  std::int16_t rep = 0;
  int leaf = -1;                      // kLeaf: index into WriteSchema::leaves
  std::vector<WriteNode> children;    // struct: fields; list: element; map: key, value
};

struct WriteSchema {
  std::vector<format::SchemaElement> elements;  // flattened, root first
  std::vector<WriteLeaf> leaves;
  std::vector<WriteNode> fields;                // one per top-level column
};

// Maps a buffer schema to Parquet, applying the options (per-column entries matched by Parquet or
// buffer path, a group's path applying to all under it). Errors name the column: a type with no
// Parquet form, an encoding or annotation that does not suit the type, an unknown column path.
Result<WriteSchema> build_write_schema(const Schema& schema, const WriteOptions& options);

}  // namespace sluice::parquet
