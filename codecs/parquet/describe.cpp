#include "parquet/describe.hpp"

#include "text/format.hpp"

#include <cstring>
#include <sstream>

namespace sluice::parquet {
namespace {

void element_line(std::ostringstream& os, const format::SchemaElement& e, int depth) {
  os << std::string(static_cast<std::size_t>(depth) * 2, ' ');
  if (e.__isset.repetition_type) os << repetition_name(e.repetition_type) << ' ';
  if (e.__isset.type) {
    os << type_name(e.type);
    if (e.type == format::Type::FIXED_LEN_BYTE_ARRAY) os << '(' << e.type_length << ')';
    os << ' ';
  } else {
    os << "group ";
  }
  os << e.name;
  std::string ann;
  if (e.__isset.logicalType) ann = logical_type_summary(e.logicalType);
  else if (e.__isset.converted_type) ann = converted_type_name(e.converted_type);
  if (e.__isset.converted_type && e.converted_type == format::ConvertedType::DECIMAL && !e.__isset.logicalType)
    ann += "(" + std::to_string(e.precision) + "," + std::to_string(e.scale) + ")";
  if (!ann.empty()) os << " (" << ann << ')';
  if (e.__isset.field_id) os << " = " << e.field_id;
}

void walk(std::ostringstream& os, const std::vector<format::SchemaElement>& els, std::size_t& pos, int depth) {
  const auto& e = els[pos++];
  element_line(os, e, depth);
  if (!e.__isset.type) {
    os << " {\n";
    for (int i = 0; i < e.num_children && pos < els.size(); ++i) walk(os, els, pos, depth + 1);
    os << std::string(static_cast<std::size_t>(depth) * 2, ' ') << "}\n";
  } else {
    os << ";\n";
  }
}

std::string hex(const std::string& b) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (unsigned char c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

// A statistics value (PLAIN bytes of the physical type) as text.
std::string stat_text(const LeafInfo& leaf, const std::string& b) {
  using format::Type;
  if (leaf.type && leaf.type->id == TypeId::kDecimal128) {
    // The unscaled integer (little-endian INT32/INT64, big-endian bytes otherwise) with its scale.
    __int128 v = 0;
    bool ok = true;
    if (leaf.physical == Type::INT32 && b.size() == 4) {
      std::int32_t x;
      std::memcpy(&x, b.data(), 4);
      v = x;
    } else if (leaf.physical == Type::INT64 && b.size() == 8) {
      std::int64_t x;
      std::memcpy(&x, b.data(), 8);
      v = x;
    } else if (leaf.physical == Type::FIXED_LEN_BYTE_ARRAY || leaf.physical == Type::BYTE_ARRAY) {
      ok = big_endian_int128(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(), &v);
    } else {
      ok = false;
    }
    if (ok) {
      char buf[64];
      char* e = text::format_decimal(buf, v, leaf.type->scale);
      return std::string(buf, e);
    }
  }
  switch (leaf.physical) {
    case Type::BOOLEAN: return b.empty() ? "?" : (b[0] ? "true" : "false");
    case Type::INT32:
      if (b.size() == 4) {
        std::int32_t v;
        std::memcpy(&v, b.data(), 4);
        return leaf.signed_order ? std::to_string(v) : std::to_string(static_cast<std::uint32_t>(v));
      }
      break;
    case Type::INT64:
      if (b.size() == 8) {
        std::int64_t v;
        std::memcpy(&v, b.data(), 8);
        return leaf.signed_order ? std::to_string(v) : std::to_string(static_cast<std::uint64_t>(v));
      }
      break;
    case Type::FLOAT:
      if (b.size() == 4) {
        float v;
        std::memcpy(&v, b.data(), 4);
        std::ostringstream os;
        os << v;
        return os.str();
      }
      break;
    case Type::DOUBLE:
      if (b.size() == 8) {
        double v;
        std::memcpy(&v, b.data(), 8);
        std::ostringstream os;
        os.precision(17);
        os << v;
        return os.str();
      }
      break;
    case Type::BYTE_ARRAY: {
      bool printable = true;
      for (unsigned char c : b) printable = printable && c >= 0x20 && c != 0x7f;
      if (printable && leaf.type->id == TypeId::kString) return "\"" + b + "\"";
      return hex(b);
    }
    default: return hex(b);
  }
  return hex(b);
}

}  // namespace

std::string describe_schema(const format::FileMetaData& md) {
  std::ostringstream os;
  if (md.schema.empty()) return "";
  std::size_t pos = 0;
  const auto& root = md.schema[pos++];
  os << "message " << root.name << " {\n";
  for (int i = 0; i < root.num_children && pos < md.schema.size(); ++i) walk(os, md.schema, pos, 1);
  os << "}\n";
  return os.str();
}

std::string describe_footer(const format::FileMetaData& md, const ParquetSchema& schema) {
  std::ostringstream os;
  os << "version: " << md.version << "\n";
  os << "created_by: " << (md.__isset.created_by ? md.created_by : "") << "\n";
  os << "rows: " << md.num_rows << "\n";
  os << "row_groups: " << md.row_groups.size() << "\n";
  os << "columns: " << schema.leaves.size() << "\n";
  if (md.__isset.key_value_metadata) {
    os << "key_value_metadata:\n";
    for (const auto& kv : md.key_value_metadata) {
      std::string v = kv.__isset.value ? kv.value : "";
      if (v.size() > 200) v = v.substr(0, 200) + "... (" + std::to_string(kv.value.size()) + " bytes)";
      os << "  " << kv.key << ": " << v << "\n";
    }
  }
  for (std::size_t g = 0; g < md.row_groups.size(); ++g) {
    const auto& rg = md.row_groups[g];
    os << "row_group " << g << ": rows " << rg.num_rows << ", bytes " << rg.total_byte_size << "\n";
    for (std::size_t c = 0; c < rg.columns.size() && c < schema.leaves.size(); ++c) {
      const auto& leaf = schema.leaves[c];
      const auto& m = rg.columns[c].meta_data;
      os << "  " << leaf.dotted << ": " << type_name(m.type) << " " << codec_name(m.codec) << " [";
      for (std::size_t i = 0; i < m.encodings.size(); ++i) os << (i ? " " : "") << encoding_name(m.encodings[i]);
      os << "] values " << m.num_values << ", compressed " << m.total_compressed_size << ", uncompressed "
         << m.total_uncompressed_size << ", data_page_offset " << m.data_page_offset;
      if (m.__isset.dictionary_page_offset) os << ", dictionary_page_offset " << m.dictionary_page_offset;
      if (rg.columns[c].__isset.column_index_offset) os << ", column_index " << rg.columns[c].column_index_offset;
      if (rg.columns[c].__isset.offset_index_offset) os << ", offset_index " << rg.columns[c].offset_index_offset;
      if (m.__isset.bloom_filter_offset) os << ", bloom_filter " << m.bloom_filter_offset;
      os << "\n";
      if (m.__isset.statistics) {
        const auto& s = m.statistics;
        os << "    statistics:";
        if (s.__isset.min_value) os << " min " << stat_text(leaf, s.min_value) << (s.__isset.is_min_value_exact && !s.is_min_value_exact ? " (truncated)" : "");
        else if (s.__isset.min) os << " min(deprecated) " << stat_text(leaf, s.min);
        if (s.__isset.max_value) os << " max " << stat_text(leaf, s.max_value) << (s.__isset.is_max_value_exact && !s.is_max_value_exact ? " (truncated)" : "");
        else if (s.__isset.max) os << " max(deprecated) " << stat_text(leaf, s.max);
        if (s.__isset.null_count) os << " nulls " << s.null_count;
        if (s.__isset.distinct_count) os << " distinct " << s.distinct_count;
        if (s.__isset.nan_count) os << " nans " << s.nan_count;
        os << "\n";
      }
      if (m.__isset.geospatial_statistics) {
        const auto& g = m.geospatial_statistics;
        os << "    geospatial statistics:";
        if (g.__isset.bbox) {
          const auto& b = g.bbox;
          os << " bbox x [" << b.xmin << ", " << b.xmax << "] y [" << b.ymin << ", " << b.ymax << "]";
          if (b.__isset.zmin || b.__isset.zmax) os << " z [" << b.zmin << ", " << b.zmax << "]";
          if (b.__isset.mmin || b.__isset.mmax) os << " m [" << b.mmin << ", " << b.mmax << "]";
        }
        if (g.__isset.geospatial_types) {
          os << " types [";
          for (std::size_t i = 0; i < g.geospatial_types.size(); ++i) os << (i ? " " : "") << g.geospatial_types[i];
          os << "]";
        }
        os << "\n";
      }
    }
  }
  return os.str();
}

}  // namespace sluice::parquet
