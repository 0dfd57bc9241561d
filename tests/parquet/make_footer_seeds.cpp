// Writes the synthetic seeds of fuzz/corpus/parquet_footer/ (run by hand after changing the IDL or the
// parser: parquet_make_footer_seeds fuzz/corpus/parquet_footer). Each seed is a small whole "file"
// (magic, filler where the chunks would be, footer, length, magic) around metadata that touches one
// area of the IDL, or a raw page header / page index / bloom filter header, or a hostile variant.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "parquet/metadata.hpp"

namespace {

namespace pq = sluice::parquet;
namespace fmt = sluice::parquet::format;

template <class T>
std::string bytes_of(const T& value) {
  auto r = pq::detail::serialize(value);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    std::exit(1);
  }
  return *r;
}

std::string file_around(const std::string& footer, std::size_t data_bytes, const std::string& magic = "PAR1") {
  std::string f = "PAR1";
  for (std::size_t i = 0; i < data_bytes; ++i) f.push_back(static_cast<char>(i * 37));
  f += footer;
  const auto n = static_cast<std::uint32_t>(footer.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>(n >> (8 * i)));
  return f + magic;
}

fmt::SchemaElement element(const std::string& name, fmt::FieldRepetitionType::type rep) {
  fmt::SchemaElement e;
  e.__set_name(name);
  e.__set_repetition_type(rep);
  return e;
}

fmt::SchemaElement leaf(const std::string& name, fmt::Type::type t,
                        fmt::FieldRepetitionType::type rep = fmt::FieldRepetitionType::OPTIONAL) {
  auto e = element(name, rep);
  e.__set_type(t);
  return e;
}

fmt::SchemaElement group(const std::string& name, int children,
                         fmt::FieldRepetitionType::type rep = fmt::FieldRepetitionType::OPTIONAL) {
  auto e = element(name, rep);
  e.__set_num_children(children);
  return e;
}

fmt::ColumnChunk chunk(const std::vector<std::string>& path, fmt::Type::type t, std::int64_t offset,
                       std::int64_t size, std::int64_t values) {
  fmt::ColumnChunk cc;
  fmt::ColumnMetaData m;
  m.type = t;
  m.encodings = {fmt::Encoding::PLAIN, fmt::Encoding::RLE};
  m.path_in_schema = path;
  m.codec = fmt::CompressionCodec::SNAPPY;
  m.num_values = values;
  m.total_uncompressed_size = size + 10;
  m.total_compressed_size = size;
  m.data_page_offset = offset;
  cc.__set_meta_data(m);
  return cc;
}

fmt::Statistics stats(const std::string& min, const std::string& max) {
  fmt::Statistics s;
  s.__set_min_value(min);
  s.__set_max_value(max);
  s.__set_null_count(1);
  s.__set_is_min_value_exact(true);
  s.__set_is_max_value_exact(false);
  return s;
}

// Flat: a, b; one row group.
fmt::FileMetaData flat() {
  fmt::FileMetaData md;
  md.version = 1;
  auto root = group("schema", 2);
  root.__isset.repetition_type = false;
  md.schema = {root, leaf("a", fmt::Type::INT32, fmt::FieldRepetitionType::REQUIRED), leaf("b", fmt::Type::BYTE_ARRAY)};
  md.num_rows = 3;
  fmt::RowGroup rg;
  rg.columns = {chunk({"a"}, fmt::Type::INT32, 4, 40, 3), chunk({"b"}, fmt::Type::BYTE_ARRAY, 44, 40, 3)};
  rg.total_byte_size = 80;
  rg.num_rows = 3;
  md.row_groups = {rg};
  md.__set_created_by("sluice make_footer_seeds");
  return md;
}

fmt::LogicalType logical(int which) {
  fmt::LogicalType lt;
  fmt::TimeUnit unit;
  switch (which % 3) {
    case 0: unit.__set_MILLIS(fmt::MilliSeconds()); break;
    case 1: unit.__set_MICROS(fmt::MicroSeconds()); break;
    default: unit.__set_NANOS(fmt::NanoSeconds()); break;
  }
  switch (which) {
    case 0: lt.__set_STRING(fmt::StringType()); break;
    case 1: {
      fmt::DecimalType d;
      d.precision = 9;
      d.scale = 2;
      lt.__set_DECIMAL(d);
      break;
    }
    case 2: lt.__set_DATE(fmt::DateType()); break;
    case 3: {
      fmt::TimeType t;
      t.isAdjustedToUTC = true;
      t.unit = unit;
      lt.__set_TIME(t);
      break;
    }
    case 4: {
      fmt::TimestampType t;
      t.isAdjustedToUTC = false;
      t.unit = unit;
      lt.__set_TIMESTAMP(t);
      break;
    }
    case 5: {
      fmt::IntType i;
      i.bitWidth = 16;
      i.isSigned = false;
      lt.__set_INTEGER(i);
      break;
    }
    case 6: lt.__set_UNKNOWN(fmt::NullType()); break;
    case 7: lt.__set_JSON(fmt::JsonType()); break;
    case 8: lt.__set_BSON(fmt::BsonType()); break;
    case 9: lt.__set_UUID(fmt::UUIDType()); break;
    case 10: lt.__set_FLOAT16(fmt::Float16Type()); break;
    case 11: {
      fmt::VariantType v;
      v.__set_specification_version(1);
      lt.__set_VARIANT(v);
      break;
    }
    case 12: {
      fmt::GeometryType g;
      g.__set_crs("OGC:CRS84");
      lt.__set_GEOMETRY(g);
      break;
    }
    case 13: {
      fmt::GeographyType g;
      g.__set_algorithm(fmt::EdgeInterpolationAlgorithm::VINCENTY);
      lt.__set_GEOGRAPHY(g);
      break;
    }
    case 14: lt.__set_ENUM(fmt::EnumType()); break;
    default: break;
  }
  return lt;
}

// Every logical type on its own leaf.
fmt::FileMetaData logical_types() {
  fmt::FileMetaData md = flat();
  md.schema.resize(1);
  md.schema[0].num_children = 15;
  fmt::RowGroup rg;
  for (int i = 0; i < 15; ++i) {
    std::string name = "c";
    name += std::to_string(i);
    auto e = leaf(name, i == 10 ? fmt::Type::FIXED_LEN_BYTE_ARRAY : fmt::Type::INT64);
    if (i == 10) e.__set_type_length(2);
    e.__set_logicalType(logical(i));
    if (i == 1) {
      e.__set_converted_type(fmt::ConvertedType::DECIMAL);
      e.__set_scale(2);
      e.__set_precision(9);
    }
    e.__set_field_id(i);
    md.schema.push_back(e);
    rg.columns.push_back(chunk({e.name}, e.type, 4 + 10 * i, 10, 3));
  }
  rg.total_byte_size = 150;
  rg.num_rows = 3;
  md.row_groups = {rg};
  return md;
}

// A list and a map: schema { l (LIST) { list { element } }, m (MAP) { key_value { key, value } } }.
fmt::FileMetaData nested() {
  fmt::FileMetaData md = flat();
  auto l = group("l", 1);
  l.__set_converted_type(fmt::ConvertedType::LIST);
  fmt::LogicalType list_type;
  list_type.__set_LIST(fmt::ListType());
  l.__set_logicalType(list_type);
  auto m = group("m", 1);
  m.__set_converted_type(fmt::ConvertedType::MAP);
  fmt::LogicalType map_type;
  map_type.__set_MAP(fmt::MapType());
  m.__set_logicalType(map_type);
  auto root = group("schema", 2);
  root.__isset.repetition_type = false;
  md.schema = {root,
               l,
               group("list", 1, fmt::FieldRepetitionType::REPEATED),
               leaf("element", fmt::Type::DOUBLE),
               m,
               group("key_value", 2, fmt::FieldRepetitionType::REPEATED),
               leaf("key", fmt::Type::BYTE_ARRAY, fmt::FieldRepetitionType::REQUIRED),
               leaf("value", fmt::Type::INT96)};
  fmt::RowGroup rg;
  rg.columns = {chunk({"l", "list", "element"}, fmt::Type::DOUBLE, 4, 30, 7),
                chunk({"m", "key_value", "key"}, fmt::Type::BYTE_ARRAY, 34, 30, 5),
                chunk({"m", "key_value", "value"}, fmt::Type::INT96, 64, 30, 5)};
  rg.total_byte_size = 90;
  rg.num_rows = 3;
  md.row_groups = {rg, rg};
  md.row_groups[1].num_rows = 0;
  md.num_rows = 3;
  return md;
}

// Every optional part of the footer and the chunks.
fmt::FileMetaData everything() {
  fmt::FileMetaData md = flat();
  auto& rg = md.row_groups[0];
  auto& a = rg.columns[0];
  a.meta_data.__set_statistics(stats("\x01\x00\x00\x00", "\x09\x00\x00\x00"));
  a.meta_data.__set_dictionary_page_offset(4);
  a.meta_data.data_page_offset = 20;
  fmt::PageEncodingStats pes;
  pes.page_type = fmt::PageType::DICTIONARY_PAGE;
  pes.encoding = fmt::Encoding::PLAIN;
  pes.count = 1;
  a.meta_data.__set_encoding_stats({pes});
  fmt::KeyValue kv;
  kv.key = "k";
  kv.__set_value("v");
  a.meta_data.__set_key_value_metadata({kv});
  fmt::SizeStatistics ss;
  ss.__set_unencoded_byte_array_data_bytes(12);
  ss.__set_definition_level_histogram({1, 2});
  ss.__set_repetition_level_histogram({3});
  a.meta_data.__set_size_statistics(ss);
  fmt::GeospatialStatistics gs;
  fmt::BoundingBox bb;
  bb.xmin = -1;
  bb.xmax = 1;
  bb.ymin = -2;
  bb.ymax = 2;
  bb.__set_zmin(0);
  bb.__set_zmax(3);
  gs.__set_bbox(bb);
  gs.__set_geospatial_types({1, 3});
  a.meta_data.__set_geospatial_statistics(gs);
  a.meta_data.__set_bloom_filter_offset(84);
  a.meta_data.__set_bloom_filter_length(20);
  a.__set_offset_index_offset(104);
  a.__set_offset_index_length(10);
  a.__set_column_index_offset(114);
  a.__set_column_index_length(10);
  fmt::SortingColumn sc;
  sc.column_idx = 0;
  sc.descending = true;
  sc.nulls_first = false;
  rg.__set_sorting_columns({sc});
  rg.__set_file_offset(4);
  rg.__set_total_compressed_size(80);
  rg.__set_ordinal(0);
  md.__set_key_value_metadata({kv, kv});
  fmt::ColumnOrder order;
  order.__set_TYPE_ORDER(fmt::TypeDefinedOrder());
  fmt::ColumnOrder ieee;
  ieee.__set_IEEE_754_TOTAL_ORDER(fmt::IEEE754TotalOrder());
  md.__set_column_orders({order, ieee});
  return md;
}

fmt::PageHeader data_page_v1() {
  fmt::PageHeader h;
  h.type = fmt::PageType::DATA_PAGE;
  h.uncompressed_page_size = 100;
  h.compressed_page_size = 60;
  h.__set_crc(-12345);
  fmt::DataPageHeader d;
  d.num_values = 10;
  d.encoding = fmt::Encoding::RLE_DICTIONARY;
  d.definition_level_encoding = fmt::Encoding::RLE;
  d.repetition_level_encoding = fmt::Encoding::BIT_PACKED;
  d.__set_statistics(stats("a", "z"));
  h.__set_data_page_header(d);
  return h;
}

fmt::PageHeader data_page_v2() {
  fmt::PageHeader h;
  h.type = fmt::PageType::DATA_PAGE_V2;
  h.uncompressed_page_size = 100;
  h.compressed_page_size = 80;
  fmt::DataPageHeaderV2 d;
  d.num_values = 10;
  d.num_nulls = 3;
  d.num_rows = 4;
  d.encoding = fmt::Encoding::DELTA_BINARY_PACKED;
  d.definition_levels_byte_length = 5;
  d.repetition_levels_byte_length = 6;
  d.__set_is_compressed(false);
  h.__set_data_page_header_v2(d);
  return h;
}

fmt::PageHeader dictionary_page() {
  fmt::PageHeader h;
  h.type = fmt::PageType::DICTIONARY_PAGE;
  h.uncompressed_page_size = 30;
  h.compressed_page_size = 30;
  fmt::DictionaryPageHeader d;
  d.num_values = 3;
  d.encoding = fmt::Encoding::PLAIN_DICTIONARY;
  d.__set_is_sorted(true);
  h.__set_dictionary_page_header(d);
  return h;
}

fmt::PageHeader index_page() {
  fmt::PageHeader h;
  h.type = fmt::PageType::INDEX_PAGE;
  h.uncompressed_page_size = 0;
  h.compressed_page_size = 0;
  h.__set_index_page_header(fmt::IndexPageHeader());
  return h;
}

fmt::ColumnIndex column_index() {
  fmt::ColumnIndex ci;
  ci.null_pages = {false, true, false};
  ci.min_values = {"a", "", "m"};
  ci.max_values = {"l", "", "z"};
  ci.boundary_order = fmt::BoundaryOrder::ASCENDING;
  ci.__set_null_counts({0, 4, 1});
  ci.__set_nan_counts({0, 0, 0});
  ci.__set_definition_level_histograms({1, 2, 3, 4, 5, 6});
  return ci;
}

fmt::OffsetIndex offset_index() {
  fmt::OffsetIndex oi;
  for (int i = 0; i < 3; ++i) {
    fmt::PageLocation p;
    p.offset = 4 + 30 * i;
    p.compressed_page_size = 30;
    p.first_row_index = 5 * i;
    oi.page_locations.push_back(p);
  }
  oi.__set_unencoded_byte_array_data_bytes({10, 20, 30});
  return oi;
}

fmt::BloomFilterHeader bloom() {
  fmt::BloomFilterHeader h;
  h.numBytes = 32;
  h.algorithm.__set_BLOCK(fmt::SplitBlockAlgorithm());
  h.hash.__set_XXHASH(fmt::XxHash());
  h.compression.__set_UNCOMPRESSED(fmt::Uncompressed());
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  int written = 0;
  // Says what the parser makes of each whole-file seed, so a seed meant to be valid visibly is.
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ++written;
    if (!name.ends_with(".parquet")) return;
    const std::span<const std::uint8_t> in(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    auto info = pq::locate_footer(in.size(), in);
    std::string verdict;
    if (!info.ok()) {
      verdict = info.error().to_string();
    } else {
      auto md = pq::parse_file_metadata(in.subspan(info->offset, info->length), in.size(), pq::ThriftLimits{});
      verdict = md.ok() ? "accepted" : md.error().to_string();
    }
    std::fprintf(stderr, "%-34s %5zu bytes: %s\n", name.c_str(), bytes.size(), verdict.c_str());
  };

  write("synth_flat.parquet", file_around(bytes_of(flat()), 80));
  write("synth_logical_types.parquet", file_around(bytes_of(logical_types()), 150));
  write("synth_nested.parquet", file_around(bytes_of(nested()), 90));
  write("synth_everything.parquet", file_around(bytes_of(everything()), 124));
  auto empty = flat();
  empty.row_groups.clear();
  empty.num_rows = 0;
  write("synth_no_row_groups.parquet", file_around(bytes_of(empty), 0));
  auto encrypted = flat();
  fmt::EncryptionAlgorithm alg;
  fmt::AesGcmV1 aes;
  aes.__set_aad_prefix("prefix");
  aes.__set_supply_aad_prefix(true);
  alg.__set_AES_GCM_V1(aes);
  encrypted.__set_encryption_algorithm(alg);
  encrypted.__set_footer_signing_key_metadata("key");
  fmt::ColumnCryptoMetaData crypto;
  fmt::EncryptionWithColumnKey with_key;
  with_key.path_in_schema = {"b"};
  with_key.__set_key_metadata("kb");
  crypto.__set_ENCRYPTION_WITH_COLUMN_KEY(with_key);
  encrypted.row_groups[0].columns[1].__set_crypto_metadata(crypto);
  encrypted.row_groups[0].columns[1].__set_encrypted_column_metadata("opaque");
  write("synth_encrypted_column.parquet", file_around(bytes_of(encrypted), 80));
  fmt::FileCryptoMetaData fcm;
  fmt::AesGcmCtrV1 ctr;
  ctr.__set_aad_file_unique("u");
  fcm.encryption_algorithm.__set_AES_GCM_CTR_V1(ctr);
  fcm.__set_key_metadata("km");
  write("synth_encrypted_footer.parquet", file_around(bytes_of(fcm), 0, "PARE"));

  // Near misses: each breaks one validation rule, so the fuzzer starts next to every error path.
  auto bad_count = flat();
  bad_count.schema[0].num_children = 3;
  write("synth_bad_num_children.parquet", file_around(bytes_of(bad_count), 80));
  auto past_end = flat();
  past_end.row_groups[0].columns[1].meta_data.total_compressed_size = 41;
  write("synth_chunk_past_end.parquet", file_around(bytes_of(past_end), 80));
  auto missing_chunk = flat();
  missing_chunk.row_groups[0].columns.pop_back();
  write("synth_missing_chunk.parquet", file_around(bytes_of(missing_chunk), 80));
  const std::string whole = file_around(bytes_of(flat()), 80);
  write("synth_truncated.parquet", whole.substr(0, whole.size() - 20) + whole.substr(whole.size() - 8));

  write("page_v1.bin", bytes_of(data_page_v1()) + std::string(60, 'p'));
  write("page_v2.bin", bytes_of(data_page_v2()) + std::string(80, 'q'));
  write("page_dictionary.bin", bytes_of(dictionary_page()));
  write("page_index.bin", bytes_of(index_page()));
  write("column_index.bin", bytes_of(column_index()));
  write("offset_index.bin", bytes_of(offset_index()));
  write("bloom_filter.bin", bytes_of(bloom()) + std::string(32, '\0'));
  write("footer_everything.bin", bytes_of(everything()));
  write("footer_nested.bin", bytes_of(nested()));
  std::fprintf(stderr, "%d seeds written to %s\n", written, dir.c_str());
  return 0;
}
