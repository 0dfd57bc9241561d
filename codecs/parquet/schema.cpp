#include "parquet/schema.hpp"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace sluice::parquet {
namespace {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;
using format::Type;

Error schema_error(const std::string& column, std::string message) {
  ErrorContext ctx;
  ctx.column_name = column;
  return Error(ErrorCode::kNotImplemented, std::move(message), ctx);
}

bool has_converted(const SchemaElement& e, ConvertedType::type t) {
  return e.__isset.converted_type && e.converted_type == t;
}
bool is_group(const SchemaElement& e) { return !e.__isset.type; }
bool is_list_annotated(const SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.LIST) || has_converted(e, ConvertedType::LIST);
}
bool is_map_annotated(const SchemaElement& e) {
  return (e.__isset.logicalType && e.logicalType.__isset.MAP) || has_converted(e, ConvertedType::MAP) ||
         has_converted(e, ConvertedType::MAP_KEY_VALUE);
}

TimeUnit unit_of(const format::TimeUnit& u) {
  if (u.__isset.MILLIS) return TimeUnit::kMilli;
  if (u.__isset.NANOS) return TimeUnit::kNano;
  return TimeUnit::kMicro;
}

struct LeafType {
  TypePtr type;
  Conversion conversion = Conversion::kNone;
  bool signed_order = true;
};

// Decimal: precision and scale from the logical type or the converted type's fields.
bool decimal_of(const SchemaElement& e, int* precision, int* scale) {
  if (e.__isset.logicalType && e.logicalType.__isset.DECIMAL) {
    *precision = e.logicalType.DECIMAL.precision;
    *scale = e.logicalType.DECIMAL.scale;
    return true;
  }
  if (has_converted(e, ConvertedType::DECIMAL)) {
    *precision = e.__isset.precision ? e.precision : 0;
    *scale = e.__isset.scale ? e.scale : 0;
    return true;
  }
  return false;
}

Result<LeafType> leaf_type(const SchemaElement& e, const std::string& dotted, const ReadOptions& options) {
  const auto* lt = e.__isset.logicalType ? &e.logicalType : nullptr;
  if (lt && lt->__isset.UNKNOWN) return LeafType{null_type(), Conversion::kNull};
  int precision = 0, scale = 0;
  const bool decimal = decimal_of(e, &precision, &scale);
  const bool decimal_ok = decimal && precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision;
  if (decimal && !decimal_ok && (e.type == Type::INT32 || e.type == Type::INT64))
    return schema_error(dotted, "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) +
                                    ") on " + type_name(e.type) + " is not a valid decimal");
  switch (e.type) {
    case Type::BOOLEAN: return LeafType{boolean(), Conversion::kBool};
    case Type::INT32: {
      if (decimal_ok) return LeafType{decimal128(precision, scale), Conversion::kDecimalInt32};
      if (lt && lt->__isset.DATE) return LeafType{date32()};
      if (has_converted(e, ConvertedType::DATE)) return LeafType{date32()};
      if (lt && lt->__isset.TIME) return LeafType{time_type(TimeUnit::kMilli)};
      if (has_converted(e, ConvertedType::TIME_MILLIS)) return LeafType{time_type(TimeUnit::kMilli)};
      int bits = 32;
      bool is_signed = true;
      if (lt && lt->__isset.INTEGER) {
        bits = lt->INTEGER.bitWidth;
        is_signed = lt->INTEGER.isSigned;
      } else if (e.__isset.converted_type) {
        switch (e.converted_type) {
          case ConvertedType::INT_8: bits = 8; break;
          case ConvertedType::INT_16: bits = 16; break;
          case ConvertedType::UINT_8: bits = 8, is_signed = false; break;
          case ConvertedType::UINT_16: bits = 16, is_signed = false; break;
          case ConvertedType::UINT_32: is_signed = false; break;
          default: break;
        }
      }
      if (bits == 8) return LeafType{is_signed ? int8() : uint8(), Conversion::kInt32ToInt8, is_signed};
      if (bits == 16) return LeafType{is_signed ? int16() : uint16(), Conversion::kInt32ToInt16, is_signed};
      return LeafType{is_signed ? int32() : uint32(), Conversion::kNone, is_signed};
    }
    case Type::INT64: {
      if (decimal_ok) return LeafType{decimal128(precision, scale), Conversion::kDecimalInt64};
      if (lt && lt->__isset.TIMESTAMP)
        return LeafType{timestamp(unit_of(lt->TIMESTAMP.unit), lt->TIMESTAMP.isAdjustedToUTC ? "UTC" : "")};
      if (has_converted(e, ConvertedType::TIMESTAMP_MILLIS)) return LeafType{timestamp(TimeUnit::kMilli, "UTC")};
      if (has_converted(e, ConvertedType::TIMESTAMP_MICROS)) return LeafType{timestamp(TimeUnit::kMicro, "UTC")};
      if (lt && lt->__isset.TIME) return LeafType{time_type(unit_of(lt->TIME.unit))};
      if (has_converted(e, ConvertedType::TIME_MICROS)) return LeafType{time_type(TimeUnit::kMicro)};
      const bool is_unsigned = (lt && lt->__isset.INTEGER && !lt->INTEGER.isSigned) ||
                               has_converted(e, ConvertedType::UINT_64);
      return LeafType{is_unsigned ? uint64() : int64(), Conversion::kNone, !is_unsigned};
    }
    case Type::INT96: return LeafType{timestamp(options.int96_unit), Conversion::kInt96, true};
    case Type::FLOAT: return LeafType{float32()};
    case Type::DOUBLE: return LeafType{float64()};
    case Type::BYTE_ARRAY: {
      if (decimal_ok) return LeafType{decimal128(precision, scale), Conversion::kDecimalByteArray};
      const bool json = (lt && lt->__isset.JSON) || has_converted(e, ConvertedType::JSON);
      const bool enum_ = (lt && lt->__isset.ENUM) || has_converted(e, ConvertedType::ENUM);
      const bool text = json || enum_ || (lt && lt->__isset.STRING) || has_converted(e, ConvertedType::UTF8);
      if (text)
        return LeafType{json ? json_type() : enum_ ? with_extension(utf8(), Extension::kEnum) : utf8(),
                        Conversion::kByteArray, false};
      if (lt && lt->__isset.GEOMETRY)
        return LeafType{geometry_type(lt->GEOMETRY.__isset.crs ? lt->GEOMETRY.crs : ""), Conversion::kByteArray, false};
      if (lt && lt->__isset.GEOGRAPHY) {
        // An algorithm this reader does not know is kept as the default's (spherical) meaning: the
        // values are WKB bytes either way.
        const auto a = lt->GEOGRAPHY.__isset.algorithm ? static_cast<int>(lt->GEOGRAPHY.algorithm) : 0;
        const Edges edges = a >= 0 && a <= static_cast<int>(Edges::kKarney) ? static_cast<Edges>(a) : Edges::kSpherical;
        return LeafType{geography_type(lt->GEOGRAPHY.__isset.crs ? lt->GEOGRAPHY.crs : "", edges),
                        Conversion::kByteArray, false};
      }
      const bool bson = (lt && lt->__isset.BSON) || has_converted(e, ConvertedType::BSON);
      return LeafType{bson ? with_extension(binary(), Extension::kBson) : binary(), Conversion::kByteArray, false};
    }
    case Type::FIXED_LEN_BYTE_ARRAY: {
      if (e.type_length < 0) return schema_error(dotted, "FIXED_LEN_BYTE_ARRAY with a negative length");
      if (decimal_ok) return LeafType{decimal128(precision, scale), Conversion::kDecimalFixed};
      if (lt && lt->__isset.FLOAT16 && e.type_length == 2) return LeafType{float16(), Conversion::kFixed};
      if (lt && lt->__isset.UUID && e.type_length == 16) return LeafType{uuid_type(), Conversion::kFixed, false};
      if (has_converted(e, ConvertedType::INTERVAL) && e.type_length == 12)
        return LeafType{interval_type(), Conversion::kFixed, false};
      return LeafType{fixed_size_binary(e.type_length), Conversion::kFixed, false};
    }
  }
  return schema_error(dotted, "unknown physical type " + type_name(e.type));
}

class Builder {
 public:
  Builder(const std::vector<SchemaElement>& els, const ReadOptions& options, std::vector<LeafInfo>* leaves)
      : els_(els), options_(options), leaves_(leaves) {}

  // The node for the element at pos_ (consumed with its subtree), below a parent whose values are
  // present at def level `def`, inside `rep` repeated ancestors.
  Result<FieldNode> node(std::int16_t def, std::int16_t rep, std::vector<std::string>& path) {
    const SchemaElement& e = els_[pos_++];
    path.push_back(e.name);
    Result<FieldNode> out = Error(ErrorCode::kInternal, "");
    if (e.repetition_type == FieldRepetitionType::REPEATED) {
      // A repeated field outside a LIST or MAP annotation: a list that is never null, of elements
      // that are never null.
      FieldNode list;
      list.kind = FieldNode::Kind::kList;
      list.def = def;
      list.elem_def = static_cast<std::int16_t>(def + 1);
      list.rep = static_cast<std::int16_t>(rep + 1);
      auto element = inner(e, list.elem_def, list.rep, false, path);
      if (!element.ok()) return std::move(element).error();
      list.field = Field{e.name, sluice::list(element->field), false};
      list.children.push_back(std::move(*element));
      out = std::move(list);
    } else {
      const bool optional = e.repetition_type == FieldRepetitionType::OPTIONAL;
      out = inner(e, static_cast<std::int16_t>(def + (optional ? 1 : 0)), rep, optional, path);
    }
    path.pop_back();
    return out;
  }

 private:
  // The element `e` (already consumed) as a value present at def level `def`.
  Result<FieldNode> inner(const SchemaElement& e, std::int16_t def, std::int16_t rep, bool nullable,
                          std::vector<std::string>& path) {
    if (!is_group(e)) return leaf(e, def, rep, nullable, path);
    if (is_list_annotated(e) && e.num_children == 1) return list(e, def, rep, nullable, path);
    if (is_map_annotated(e) && e.num_children == 1) {
      const SchemaElement& kv = els_[pos_];
      if (kv.repetition_type == FieldRepetitionType::REPEATED && is_group(kv) && kv.num_children == 2)
        return map(e, def, rep, nullable, path);
      // A MAP without values (or of another shape) reads as what it is: a list of its entries.
    }
    return group(e, def, rep, nullable, path);
  }

  Result<FieldNode> group(const SchemaElement& e, std::int16_t def, std::int16_t rep, bool nullable,
                          std::vector<std::string>& path) {
    FieldNode s;
    s.kind = FieldNode::Kind::kStruct;
    s.def = def;
    std::vector<Field> fields;
    for (int i = 0; i < e.num_children; ++i) {
      SLUICE_ASSIGN_OR_RETURN(FieldNode child, node(def, rep, path));
      fields.push_back(child.field);
      s.children.push_back(std::move(child));
    }
    s.field = Field{e.name, struct_(std::move(fields)), nullable};
    return s;
  }

  Result<FieldNode> list(const SchemaElement& e, std::int16_t def, std::int16_t rep, bool nullable,
                         std::vector<std::string>& path) {
    const SchemaElement& c = els_[pos_];
    if (c.repetition_type != FieldRepetitionType::REPEATED) {
      // LIST over a non-repeated child is not a list (the spec requires a repeated child): read the
      // group as the struct it is.
      return group(e, def, rep, nullable, path);
    }
    FieldNode l;
    l.kind = FieldNode::Kind::kList;
    l.def = def;
    l.elem_def = static_cast<std::int16_t>(def + 1);
    l.rep = static_cast<std::int16_t>(rep + 1);
    ++pos_;
    path.push_back(c.name);
    Result<FieldNode> element = Error(ErrorCode::kInternal, "");
    // The three-level form has a repeated group of exactly one field that is the element; the legacy
    // two-level forms repeat the element itself (a primitive, a group of several fields, or a group
    // named "array" or "<list>_tuple").
    const bool two_level = !is_group(c) || c.num_children != 1 || c.name == "array" || c.name == e.name + "_tuple";
    if (two_level) {
      element = inner(c, l.elem_def, l.rep, false, path);
    } else {
      element = node(l.elem_def, l.rep, path);
    }
    path.pop_back();
    if (!element.ok()) return std::move(element).error();
    l.field = Field{e.name, sluice::list(element->field), nullable};
    l.children.push_back(std::move(*element));
    return l;
  }

  Result<FieldNode> map(const SchemaElement& e, std::int16_t def, std::int16_t rep, bool nullable,
                        std::vector<std::string>& path) {
    const SchemaElement& kv = els_[pos_++];
    FieldNode m;
    m.kind = FieldNode::Kind::kMap;
    m.def = def;
    m.elem_def = static_cast<std::int16_t>(def + 1);
    m.rep = static_cast<std::int16_t>(rep + 1);
    path.push_back(kv.name);
    auto key = node(m.elem_def, m.rep, path);
    if (!key.ok()) return std::move(key).error();
    auto value = node(m.elem_def, m.rep, path);
    if (!value.ok()) return std::move(value).error();
    path.pop_back();
    if (key->kind != FieldNode::Kind::kLeaf && key->kind != FieldNode::Kind::kStruct)
      return schema_error(e.name, "a MAP whose keys are lists is not supported");
    // Keys are never null in the output; a file whose keys are optional (Presto and Trino write them
    // so) reads while no key is actually null.
    m.field = Field{e.name, sluice::map(key->field.type, value->field.type), nullable};
    m.children.push_back(std::move(*key));
    m.children.push_back(std::move(*value));
    return m;
  }

  Result<FieldNode> leaf(const SchemaElement& e, std::int16_t def, std::int16_t rep, bool nullable,
                         std::vector<std::string>& path) {
    LeafInfo info;
    info.column = static_cast<int>(leaves_->size());
    info.path = path;
    for (const auto& p : path) info.dotted += (info.dotted.empty() ? "" : ".") + p;
    info.physical = e.type;
    info.type_length = e.__isset.type_length ? e.type_length : 0;
    info.max_def = def;
    info.max_rep = rep;
    info.element = &e;
    SLUICE_ASSIGN_OR_RETURN(LeafType t, leaf_type(e, info.dotted, options_));
    info.type = t.type;
    info.conversion = t.conversion;
    info.signed_order = t.signed_order;
    FieldNode n;
    n.kind = FieldNode::Kind::kLeaf;
    n.def = def;
    n.leaf = info.column;
    n.field = Field{e.name, t.type, nullable || t.conversion == Conversion::kNull};
    leaves_->push_back(std::move(info));
    return n;
  }

  const std::vector<SchemaElement>& els_;
  const ReadOptions& options_;
  std::vector<LeafInfo>* leaves_;
  std::size_t pos_ = 1;
};

void collect_leaves(const FieldNode& n, std::vector<int>* out) {
  if (n.kind == FieldNode::Kind::kLeaf) out->push_back(n.leaf);
  for (const auto& c : n.children) collect_leaves(c, out);
}

// The output path of every leaf under `n`: field names, without the list and map element levels.
void output_paths(const FieldNode& n, const std::string& prefix, bool named, std::vector<std::pair<int, std::string>>* out) {
  const std::string here = named ? (prefix.empty() ? n.field.name : prefix + "." + n.field.name) : prefix;
  if (n.kind == FieldNode::Kind::kLeaf) {
    out->emplace_back(n.leaf, here);
    return;
  }
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    const auto& c = n.children[i];
    if (n.kind == FieldNode::Kind::kList) {
      output_paths(c, here, false, out);
    } else if (n.kind == FieldNode::Kind::kMap) {
      // key and value by those names, whatever the file calls them
      const std::string sub = here + (i == 0 ? ".key" : ".value");
      output_paths(c, sub, false, out);
    } else {
      output_paths(c, here, true, out);
    }
  }
}

bool path_prefix(const std::string& prefix, const std::string& path) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '.');
}

// `n` with only the selected leaves (nullopt when none is under it). A map keeps all of its leaves
// when any is selected: entries need both key and value.
std::optional<FieldNode> prune(const FieldNode& n, const std::set<int>& selected) {
  if (n.kind == FieldNode::Kind::kLeaf) {
    if (selected.count(n.leaf)) return n;
    return std::nullopt;
  }
  if (n.kind == FieldNode::Kind::kMap) {
    std::vector<int> under;
    collect_leaves(n, &under);
    for (int l : under)
      if (selected.count(l)) return n;
    return std::nullopt;
  }
  FieldNode out = n;
  out.children.clear();
  std::vector<Field> fields;
  for (const auto& c : n.children) {
    if (auto p = prune(c, selected)) {
      fields.push_back(p->field);
      out.children.push_back(std::move(*p));
    }
  }
  if (out.children.empty()) return std::nullopt;
  if (n.kind == FieldNode::Kind::kStruct) {
    out.field.type = struct_(std::move(fields));
  } else {
    out.field.type = sluice::list(fields.at(0));
  }
  return out;
}

}  // namespace

namespace {

// GeoParquet 1.x ("geo" in the key-value metadata, as DuckDB writes geometries by default, and
// GeoPandas, GDAL, Overture's files): its WKB columns by name, with the type they have — a geometry
// in its CRS (a PROJJSON object kept as its compact text; none: GeoParquet's default, OGC:CRS84,
// named so, as DuckDB reads it; null, an unknown CRS: none), a geography where its edges are
// spherical. Metadata that is not such JSON gives nothing: the columns read as binary.
std::map<std::string, TypePtr> geoparquet_columns(const std::string& geo) {
  std::map<std::string, TypePtr> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(geo).get(doc)) return out;
  simdjson::dom::object columns;
  if (doc["columns"].get_object().get(columns)) return out;
  for (auto [name, col] : columns) {
    std::string_view encoding;
    if (col["encoding"].get_string().get(encoding) || (encoding != "WKB" && encoding != "wkb")) continue;
    std::string crs(kDefaultCrs);
    simdjson::dom::element c;
    if (!col["crs"].get(c)) {
      crs.clear();
      std::string_view text;
      if (c.is_object()) crs = simdjson::minify(c);
      else if (!c.get_string().get(text)) crs = std::string(text);  // not the spec's, but plain enough
    }
    std::string_view edges = "planar";
    if (col["edges"].get_string().get(edges)) edges = "planar";
    if (edges == "planar") out.emplace(std::string(name), geometry_type(std::move(crs)));
    else if (edges == "spherical") out.emplace(std::string(name), geography_type(std::move(crs)));
  }
  return out;
}

}  // namespace

Result<ParquetSchema> build_schema(const format::FileMetaData& md, const ReadOptions& options) {
  ParquetSchema out;
  const auto& els = md.schema;
  Builder b(els, options, &out.leaves);
  std::vector<Field> fields;
  std::vector<std::string> path;
  const int n = els.empty() ? 0 : els[0].num_children;
  for (int i = 0; i < n; ++i) {
    SLUICE_ASSIGN_OR_RETURN(FieldNode f, b.node(0, 0, path));
    fields.push_back(f.field);
    out.fields.push_back(std::move(f));
  }
  // GeoParquet's WKB columns: top-level binary columns without a logical type of their own.
  if (md.__isset.key_value_metadata) {
    for (const auto& kv : md.key_value_metadata) {
      if (kv.key != "geo" || !kv.__isset.value) continue;
      const auto geo = geoparquet_columns(kv.value);
      for (std::size_t i = 0; i < out.fields.size(); ++i) {
        FieldNode& f = out.fields[i];
        const auto it = geo.find(f.field.name);
        if (it == geo.end() || f.kind != FieldNode::Kind::kLeaf) continue;
        LeafInfo& leaf = out.leaves[static_cast<std::size_t>(f.leaf)];
        if (leaf.type->id != TypeId::kBinary || leaf.type->extension != Extension::kNone) continue;
        leaf.type = it->second;
        f.field.type = it->second;
        fields[i].type = it->second;
      }
    }
  }
  auto schema = std::make_shared<Schema>();
  schema->fields = std::move(fields);
  // The file's key-value metadata, but for ARROW:schema (as Arrow reads it): that is the Arrow schema
  // of this file's columns as its writer had them, which a file written from these rows (another
  // projection, a dataset's unified schema, other types) would carry stale; Arrow readers apply it.
  // GeoParquet's "geo" likewise describes this file's columns: the geometry types above hold what it
  // says, and the Parquet writer writes a "geo" of its own for the columns it writes.
  if (md.__isset.key_value_metadata)
    for (const auto& kv : md.key_value_metadata)
      if (kv.key != "ARROW:schema" && kv.key != "geo")
        schema->metadata.emplace_back(kv.key, kv.__isset.value ? kv.value : "");
  out.arrow = std::move(schema);
  return out;
}

Result<std::vector<FieldNode>> project(const ParquetSchema& schema, const std::vector<std::string>& columns) {
  if (columns.empty()) return schema.fields;
  std::vector<std::pair<int, std::string>> outputs;
  for (const auto& f : schema.fields) output_paths(f, "", true, &outputs);
  std::set<int> selected;
  std::vector<int> first_request(schema.fields.size(), static_cast<int>(columns.size()));
  for (std::size_t r = 0; r < columns.size(); ++r) {
    const std::string& want = columns[r];
    bool found = false;
    for (const auto& leaf : schema.leaves) {
      if (path_prefix(want, leaf.dotted)) selected.insert(leaf.column), found = true;
    }
    for (const auto& [leaf, p] : outputs) {
      if (path_prefix(want, p)) selected.insert(leaf), found = true;
    }
    if (!found) return Error(ErrorCode::kInvalidArgument, "no column '" + want + "' in the file");
    for (std::size_t i = 0; i < schema.fields.size(); ++i) {
      if (path_prefix(schema.fields[i].field.name, want) || path_prefix(want, schema.fields[i].field.name))
        first_request[i] = std::min(first_request[i], static_cast<int>(r));
    }
  }
  std::vector<std::pair<int, FieldNode>> kept;
  for (std::size_t i = 0; i < schema.fields.size(); ++i)
    if (auto p = prune(schema.fields[i], selected)) kept.emplace_back(first_request[i], std::move(*p));
  // Top-level fields in the order they were asked for; within one field, the file's order.
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<FieldNode> out;
  for (auto& [r, f] : kept) out.push_back(std::move(f));
  return out;
}

SchemaPtr schema_of(const std::vector<FieldNode>& fields, const ParquetSchema& full) {
  auto s = std::make_shared<Schema>();
  for (const auto& f : fields) s->fields.push_back(f.field);
  s->metadata = full.arrow->metadata;
  return s;
}

std::vector<int> leaves_of(const std::vector<FieldNode>& fields) {
  std::vector<int> out;
  for (const auto& f : fields) collect_leaves(f, &out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sluice::parquet
