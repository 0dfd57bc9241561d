#include "parquet/write_schema.hpp"

#include <cmath>
#include <utility>

namespace sluice::parquet {
namespace {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::LogicalType;
using format::SchemaElement;
using format::Type;

Error column_error(const std::string& column, const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, "Parquet writer: column '" + column + "': " + message);
}

format::TimeUnit time_unit(TimeUnit u) {
  format::TimeUnit out;
  switch (u) {
    case TimeUnit::kSecond:
    case TimeUnit::kMilli: out.__set_MILLIS(format::MilliSeconds()); break;
    case TimeUnit::kMicro: out.__set_MICROS(format::MicroSeconds()); break;
    case TimeUnit::kNano: out.__set_NANOS(format::NanoSeconds()); break;
  }
  return out;
}

// Bytes of the smallest two's complement integer that holds every decimal of this precision.
std::int32_t decimal_bytes(std::int32_t precision) {
  return static_cast<std::int32_t>(std::ceil((precision * std::log2(10.0) + 1) / 8));
}

struct Builder {
  const WriteOptions& options;
  WriteSchema out;

  // The options entries matching a leaf, applied in order.
  Status resolve_options(WriteLeaf& leaf, Annotation* annotation) const {
    leaf.codec = static_cast<Codec>(options.compression);
    leaf.level = options.compression_level;
    leaf.dictionary = options.dictionary;
    leaf.statistics = options.statistics;
    leaf.bloom_filter = options.bloom_filter;
    ColumnEncoding encoding = options.encoding;
    *annotation = Annotation::kDefault;
    for (const auto& c : options.columns) {
      if (!matches(c.path, leaf.dotted) && !matches(c.path, leaf.buffer_dotted)) continue;
      if (c.compression) leaf.codec = static_cast<Codec>(*c.compression);
      if (c.compression_level) leaf.level = *c.compression_level;
      if (c.dictionary) leaf.dictionary = *c.dictionary;
      if (c.encoding) encoding = *c.encoding;
      if (c.statistics) leaf.statistics = *c.statistics;
      if (c.bloom_filter) leaf.bloom_filter = *c.bloom_filter;
      if (c.annotation != Annotation::kDefault) *annotation = c.annotation;
    }
    if (!codec_supported(leaf.codec) || leaf.codec == Codec::LZ4 || leaf.codec == Codec::LZO)
      return column_error(leaf.dotted, "unsupported compression " + std::string(codec_name(leaf.codec)));
    const Type::type t = leaf.physical;
    const char* bad = nullptr;
    switch (encoding) {
      case ColumnEncoding::kDefault:
        leaf.encoding = format::Encoding::PLAIN;
        break;
      case ColumnEncoding::kPlain:
        leaf.encoding = format::Encoding::PLAIN;
        leaf.dictionary = false;
        break;
      case ColumnEncoding::kDeltaBinaryPacked:
        if (t != Type::INT32 && t != Type::INT64) bad = "DELTA_BINARY_PACKED";
        leaf.encoding = format::Encoding::DELTA_BINARY_PACKED;
        break;
      case ColumnEncoding::kDeltaLengthByteArray:
        if (t != Type::BYTE_ARRAY) bad = "DELTA_LENGTH_BYTE_ARRAY";
        leaf.encoding = format::Encoding::DELTA_LENGTH_BYTE_ARRAY;
        break;
      case ColumnEncoding::kDeltaByteArray:
        if (t != Type::BYTE_ARRAY && t != Type::FIXED_LEN_BYTE_ARRAY) bad = "DELTA_BYTE_ARRAY";
        leaf.encoding = format::Encoding::DELTA_BYTE_ARRAY;
        break;
      case ColumnEncoding::kByteStreamSplit:
        if (t != Type::FLOAT && t != Type::DOUBLE && t != Type::INT32 && t != Type::INT64 &&
            t != Type::FIXED_LEN_BYTE_ARRAY)
          bad = "BYTE_STREAM_SPLIT";
        leaf.encoding = format::Encoding::BYTE_STREAM_SPLIT;
        break;
    }
    if (bad) return column_error(leaf.dotted, std::string(bad) + " does not apply to " + type_name(t) + " values");
    if (encoding != ColumnEncoding::kDefault && encoding != ColumnEncoding::kPlain) leaf.dictionary = false;
    if (t == Type::BOOLEAN) leaf.dictionary = false;  // bit-packed values are smaller than any index
    if (leaf.conversion == WriteConversion::kNull) {
      leaf.dictionary = false;
      leaf.bloom_filter = false;
    }
    return ok_status();
  }

  static bool matches(const std::string& want, const std::string& path) {
    return want == path || (path.size() > want.size() && path.compare(0, want.size(), want) == 0 &&
                            path[want.size()] == '.');
  }

  // A leaf's physical type, annotations, conversion and order from its buffer type.
  Status leaf_type(const Field& f, const std::string& dotted, WriteLeaf& leaf, SchemaElement& e) {
    const DataType& t = *f.type;
    auto set_int = [&](int bits, bool is_signed) {
      LogicalType lt;
      format::IntType it;
      it.__set_bitWidth(static_cast<std::int8_t>(bits));
      it.__set_isSigned(is_signed);
      lt.__set_INTEGER(it);
      e.__set_logicalType(lt);
      static constexpr ConvertedType::type kSigned[] = {ConvertedType::INT_8, ConvertedType::INT_16,
                                                        ConvertedType::INT_32, ConvertedType::INT_64};
      static constexpr ConvertedType::type kUnsigned[] = {ConvertedType::UINT_8, ConvertedType::UINT_16,
                                                          ConvertedType::UINT_32, ConvertedType::UINT_64};
      const int k = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
      e.__set_converted_type(is_signed ? kSigned[k] : kUnsigned[k]);
    };
    leaf.type = f.type;
    switch (t.id) {
      case TypeId::kNull: {
        leaf.physical = Type::INT32;
        leaf.conversion = WriteConversion::kNull;
        LogicalType lt;
        lt.__set_UNKNOWN(format::NullType());
        e.__set_logicalType(lt);
        break;
      }
      case TypeId::kBool:
        leaf.physical = Type::BOOLEAN;
        leaf.conversion = WriteConversion::kBool;
        leaf.order = StatsOrder::kBool;
        break;
      case TypeId::kInt8:
      case TypeId::kInt16:
        leaf.physical = Type::INT32;
        leaf.conversion = t.id == TypeId::kInt8 ? WriteConversion::kInt8 : WriteConversion::kInt16;
        leaf.order = StatsOrder::kSigned32;
        set_int(t.id == TypeId::kInt8 ? 8 : 16, true);
        break;
      case TypeId::kUInt8:
      case TypeId::kUInt16:
        leaf.physical = Type::INT32;
        leaf.conversion = t.id == TypeId::kUInt8 ? WriteConversion::kUInt8 : WriteConversion::kUInt16;
        leaf.order = StatsOrder::kSigned32;  // zero-extended values below 2^16 order the same either way
        set_int(t.id == TypeId::kUInt8 ? 8 : 16, false);
        break;
      case TypeId::kInt32:
        leaf.physical = Type::INT32;
        leaf.order = StatsOrder::kSigned32;
        break;
      case TypeId::kUInt32:
        leaf.physical = Type::INT32;
        leaf.order = StatsOrder::kUnsigned32;
        set_int(32, false);
        break;
      case TypeId::kInt64:
        leaf.physical = Type::INT64;
        leaf.order = StatsOrder::kSigned64;
        break;
      case TypeId::kUInt64:
        leaf.physical = Type::INT64;
        leaf.order = StatsOrder::kUnsigned64;
        set_int(64, false);
        break;
      case TypeId::kFloat16: {
        leaf.physical = Type::FIXED_LEN_BYTE_ARRAY;
        leaf.type_length = 2;
        leaf.order = StatsOrder::kFloat16;
        LogicalType lt;
        lt.__set_FLOAT16(format::Float16Type());
        e.__set_logicalType(lt);
        break;
      }
      case TypeId::kFloat32:
        leaf.physical = Type::FLOAT;
        leaf.order = StatsOrder::kFloat;
        break;
      case TypeId::kFloat64:
        leaf.physical = Type::DOUBLE;
        leaf.order = StatsOrder::kDouble;
        break;
      case TypeId::kDecimal128: {
        if (t.precision < 1 || t.precision > 38 || t.scale < 0 || t.scale > t.precision)
          return column_error(dotted, "decimal precision/scale out of range: " + t.to_string());
        if (t.precision <= 9) {
          leaf.physical = Type::INT32;
          leaf.conversion = WriteConversion::kDecimal32;
          leaf.order = StatsOrder::kSigned32;
        } else if (t.precision <= 18) {
          leaf.physical = Type::INT64;
          leaf.conversion = WriteConversion::kDecimal64;
          leaf.order = StatsOrder::kSigned64;
        } else {
          leaf.physical = Type::FIXED_LEN_BYTE_ARRAY;
          leaf.type_length = decimal_bytes(t.precision);
          leaf.conversion = WriteConversion::kDecimalFixed;
          leaf.order = StatsOrder::kSignedBytes;
        }
        LogicalType lt;
        format::DecimalType dt;
        dt.__set_precision(t.precision);
        dt.__set_scale(t.scale);
        lt.__set_DECIMAL(dt);
        e.__set_logicalType(lt);
        e.__set_converted_type(ConvertedType::DECIMAL);
        e.__set_precision(t.precision);
        e.__set_scale(t.scale);
        break;
      }
      case TypeId::kDate32: {
        leaf.physical = Type::INT32;
        leaf.order = StatsOrder::kSigned32;
        LogicalType lt;
        lt.__set_DATE(format::DateType());
        e.__set_logicalType(lt);
        e.__set_converted_type(ConvertedType::DATE);
        break;
      }
      case TypeId::kTime: {
        const bool small = t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMilli;
        leaf.physical = small ? Type::INT32 : Type::INT64;
        leaf.order = small ? StatsOrder::kSigned32 : StatsOrder::kSigned64;
        if (t.unit == TimeUnit::kSecond) leaf.conversion = WriteConversion::kSecondsToMillis32;
        LogicalType lt;
        format::TimeType tt;
        tt.__set_isAdjustedToUTC(false);
        tt.__set_unit(time_unit(t.unit));
        lt.__set_TIME(tt);
        e.__set_logicalType(lt);
        if (small) e.__set_converted_type(ConvertedType::TIME_MILLIS);
        else if (t.unit == TimeUnit::kMicro) e.__set_converted_type(ConvertedType::TIME_MICROS);
        break;
      }
      case TypeId::kTimestamp: {
        leaf.physical = Type::INT64;
        leaf.order = StatsOrder::kSigned64;
        if (t.unit == TimeUnit::kSecond) leaf.conversion = WriteConversion::kSecondsToMillis64;
        LogicalType lt;
        format::TimestampType tt;
        tt.__set_isAdjustedToUTC(!t.timezone.empty());
        tt.__set_unit(time_unit(t.unit));
        lt.__set_TIMESTAMP(tt);
        e.__set_logicalType(lt);
        // The converted types mean UTC-adjusted instants: only those carry one.
        if (!t.timezone.empty() && (t.unit == TimeUnit::kSecond || t.unit == TimeUnit::kMilli))
          e.__set_converted_type(ConvertedType::TIMESTAMP_MILLIS);
        else if (!t.timezone.empty() && t.unit == TimeUnit::kMicro)
          e.__set_converted_type(ConvertedType::TIMESTAMP_MICROS);
        break;
      }
      case TypeId::kDuration:
        leaf.physical = Type::INT64;
        leaf.order = StatsOrder::kSigned64;
        break;
      case TypeId::kString: {
        leaf.physical = Type::BYTE_ARRAY;
        leaf.conversion = WriteConversion::kByteArray;
        leaf.order = StatsOrder::kBytes;
        break;
      }
      case TypeId::kBinary:
        leaf.physical = Type::BYTE_ARRAY;
        leaf.conversion = WriteConversion::kByteArray;
        leaf.order = StatsOrder::kBytes;
        break;
      case TypeId::kFixedSizeBinary:
        if (t.byte_width < 1) return column_error(dotted, "fixed_size_binary of width " + std::to_string(t.byte_width));
        leaf.physical = Type::FIXED_LEN_BYTE_ARRAY;
        leaf.type_length = t.byte_width;
        leaf.order = StatsOrder::kBytes;
        break;
      default:
        return column_error(dotted, "type " + t.to_string() + " has no Parquet form");
    }
    if (leaf.physical == Type::FIXED_LEN_BYTE_ARRAY) e.__set_type_length(leaf.type_length);
    e.__set_type(leaf.physical);
    return ok_status();
  }

  // Annotations given by options (after the leaf's options are resolved).
  Status annotate(WriteLeaf& leaf, Annotation a, SchemaElement& e) {
    const TypeId id = leaf.type->id;
    LogicalType lt;
    switch (a) {
      case Annotation::kDefault:
        // The column's own meaning, where the reader (or whoever made the buffer) gave it one.
        switch (leaf.type->extension) {
          case Extension::kNone: break;
          case Extension::kUuid: return annotate(leaf, Annotation::kUuid, e);
          case Extension::kJson: return annotate(leaf, Annotation::kJson, e);
          case Extension::kEnum: return annotate(leaf, Annotation::kEnum, e);
          case Extension::kBson: return annotate(leaf, Annotation::kBson, e);
          case Extension::kInterval: return annotate(leaf, Annotation::kInterval, e);
          case Extension::kGeometry: case Extension::kGeography: {
            // WKB in its CRS. The order of geometries is undefined in the format: no min/max.
            if (id != TypeId::kBinary) return column_error(leaf.dotted, "a geometry or geography that is not binary");
            const DataType& t = *leaf.type;
            if (t.extension == Extension::kGeometry) {
              format::GeometryType g;
              if (!t.crs.empty()) g.__set_crs(t.crs);
              lt.__set_GEOMETRY(g);
            } else {
              format::GeographyType g;
              if (!t.crs.empty()) g.__set_crs(t.crs);
              if (t.edges != Edges::kSpherical)
                g.__set_algorithm(static_cast<format::EdgeInterpolationAlgorithm::type>(t.edges));
              lt.__set_GEOGRAPHY(g);
            }
            e.__set_logicalType(lt);
            leaf.order = StatsOrder::kNone;
            return ok_status();
          }
        }
        if (id == TypeId::kString) {
          lt.__set_STRING(format::StringType());
          e.__set_logicalType(lt);
          e.__set_converted_type(ConvertedType::UTF8);
        }
        return ok_status();
      case Annotation::kJson:
        if (id != TypeId::kString) return column_error(leaf.dotted, "JSON annotates string columns only");
        lt.__set_JSON(format::JsonType());
        e.__set_converted_type(ConvertedType::JSON);
        break;
      case Annotation::kEnum:
        if (id != TypeId::kString) return column_error(leaf.dotted, "ENUM annotates string columns only");
        lt.__set_ENUM(format::EnumType());
        e.__set_converted_type(ConvertedType::ENUM);
        break;
      case Annotation::kUuid:
        if (id != TypeId::kFixedSizeBinary || leaf.type_length != 16)
          return column_error(leaf.dotted, "UUID annotates fixed_size_binary[16] columns only");
        lt.__set_UUID(format::UUIDType());
        break;
      case Annotation::kBson:
        if (id != TypeId::kBinary) return column_error(leaf.dotted, "BSON annotates binary columns only");
        lt.__set_BSON(format::BsonType());
        e.__set_converted_type(ConvertedType::BSON);
        break;
      case Annotation::kInterval:
        // A converted type only (no logical type has it). Its sort order is undefined in the format:
        // no min/max (chunk statistics and column index), null counts only.
        if (id != TypeId::kFixedSizeBinary || leaf.type_length != 12)
          return column_error(leaf.dotted, "INTERVAL annotates fixed_size_binary[12] columns only");
        e.__set_converted_type(ConvertedType::INTERVAL);
        leaf.order = StatsOrder::kNone;
        return ok_status();
    }
    e.__set_logicalType(lt);
    return ok_status();
  }

  static FieldRepetitionType::type repetition(bool nullable) {
    return nullable ? FieldRepetitionType::OPTIONAL : FieldRepetitionType::REQUIRED;
  }

  // Appends the elements of field `f` (named `name`) and returns its node.
  Result<WriteNode> add(const Field& f, const std::string& name, FieldRepetitionType::type rep_type,
                        std::vector<std::string> path, std::string buffer_dotted, std::int16_t parent_def,
                        std::int16_t parent_rep, int depth) {
    if (depth > kMaxSchemaDepth) return column_error(buffer_dotted, "nested deeper than " + std::to_string(kMaxSchemaDepth));
    if (!f.type) return column_error(buffer_dotted, "no type");
    path.push_back(name);
    std::string dotted;
    for (const auto& p : path) dotted += (dotted.empty() ? "" : ".") + p;
    WriteNode node;
    node.nullable = rep_type == FieldRepetitionType::OPTIONAL;
    node.def = static_cast<std::int16_t>(parent_def + (node.nullable ? 1 : 0));
    node.rep = parent_rep;
    const DataType& t = *f.type;
    if (t.id == TypeId::kNull && !node.nullable)
      return column_error(buffer_dotted, "a null-typed column must be nullable");
    SchemaElement e;
    e.__set_name(name);
    e.__set_repetition_type(rep_type);
    if (t.id == TypeId::kStruct) {
      if (t.children.empty()) return column_error(buffer_dotted, "a struct without fields has no Parquet form");
      node.kind = WriteNode::Kind::kStruct;
      e.__set_num_children(static_cast<std::int32_t>(t.children.size()));
      out.elements.push_back(std::move(e));
      for (const auto& c : t.children) {
        SLUICE_ASSIGN_OR_RETURN(auto child, add(c, c.name, repetition(c.nullable), path, buffer_dotted + "." + c.name,
                                                node.def, node.rep, depth + 1));
        node.children.push_back(std::move(child));
      }
      return node;
    }
    if (t.id == TypeId::kList || t.id == TypeId::kMap) {
      const bool is_map = t.id == TypeId::kMap;
      node.kind = is_map ? WriteNode::Kind::kMap : WriteNode::Kind::kList;
      node.elem_def = static_cast<std::int16_t>(node.def + 1);
      node.rep = static_cast<std::int16_t>(parent_rep + 1);
      e.__set_num_children(1);
      LogicalType lt;
      if (is_map) {
        lt.__set_MAP(format::MapType());
        e.__set_converted_type(ConvertedType::MAP);
      } else {
        lt.__set_LIST(format::ListType());
        e.__set_converted_type(ConvertedType::LIST);
      }
      e.__set_logicalType(lt);
      out.elements.push_back(std::move(e));
      SchemaElement group;
      group.__set_name(is_map ? "key_value" : "list");
      group.__set_repetition_type(FieldRepetitionType::REPEATED);
      auto inner = path;
      inner.push_back(group.name);
      if (is_map) {
        const auto& entries = t.children.at(0).type;
        if (!entries || entries->id != TypeId::kStruct || entries->children.size() != 2)
          return column_error(buffer_dotted, "a map's entries must be a struct of key and value");
        group.__set_num_children(2);
        out.elements.push_back(std::move(group));
        const Field& k = entries->children[0];
        const Field& v = entries->children[1];
        SLUICE_ASSIGN_OR_RETURN(auto key, add(k, "key", FieldRepetitionType::REQUIRED, inner, buffer_dotted + ".key",
                                              node.elem_def, node.rep, depth + 2));
        SLUICE_ASSIGN_OR_RETURN(auto value, add(v, "value", repetition(v.nullable), inner, buffer_dotted + ".value",
                                                node.elem_def, node.rep, depth + 2));
        node.children.push_back(std::move(key));
        node.children.push_back(std::move(value));
      } else {
        group.__set_num_children(1);
        out.elements.push_back(std::move(group));
        const Field& item = t.children.at(0);
        SLUICE_ASSIGN_OR_RETURN(auto child, add(item, "element", repetition(item.nullable), inner,
                                                buffer_dotted + "." + item.name, node.elem_def, node.rep, depth + 2));
        node.children.push_back(std::move(child));
      }
      return node;
    }
    node.kind = WriteNode::Kind::kLeaf;
    WriteLeaf leaf;
    leaf.path = path;
    leaf.dotted = dotted;
    leaf.buffer_dotted = buffer_dotted;
    leaf.max_def = node.def;
    leaf.max_rep = node.rep;
    SLUICE_TRY(leaf_type(f, buffer_dotted, leaf, e));
    Annotation a;
    SLUICE_TRY(resolve_options(leaf, &a));
    SLUICE_TRY(annotate(leaf, a, e));
    node.leaf = static_cast<int>(out.leaves.size());
    out.leaves.push_back(std::move(leaf));
    out.elements.push_back(std::move(e));
    return node;
  }
};

}  // namespace

Result<WriteSchema> build_write_schema(const Schema& schema, const WriteOptions& options) {
  Builder b{options, {}};
  SchemaElement root;
  root.__set_name("schema");
  root.__set_num_children(static_cast<std::int32_t>(schema.fields.size()));
  b.out.elements.push_back(std::move(root));
  for (const auto& f : schema.fields) {
    SLUICE_ASSIGN_OR_RETURN(auto node, b.add(f, f.name, Builder::repetition(f.nullable), {}, f.name, 0, 0, 1));
    b.out.fields.push_back(std::move(node));
  }
  // Every per-column entry must name something.
  for (const auto& c : options.columns) {
    bool found = false;
    for (const auto& l : b.out.leaves)
      found = found || Builder::matches(c.path, l.dotted) || Builder::matches(c.path, l.buffer_dotted);
    if (!found) return Error(ErrorCode::kInvalidArgument, "Parquet writer: no column '" + c.path + "' in the schema");
  }
  return std::move(b.out);
}

}  // namespace sluice::parquet
