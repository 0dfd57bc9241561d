// libFuzzer target for the Parquet metadata parser (codecs/parquet/metadata.hpp). The input is tried
// three ways, with default and with tight ThriftLimits:
//   - as a whole file: check_leading_magic, locate_footer, parse_file_metadata;
//   - as a raw footer (FileMetaData bytes) in a file large enough for any chunk offsets;
//   - as a raw page header, column index, offset index and bloom filter header.
// Crashes, hangs, sanitizer reports and big allocations are bugs; errors are not. Properties checked:
//   - what parse_file_metadata accepts is what validate_file_metadata accepts: every row group has one
//     chunk per leaf (leaf_paths), every chunk_range lies inside [4, footer offset);
//   - written again with the compact protocol and read back, accepted metadata is a fixpoint
//     (serialize(parse(serialize(md))) == serialize(md)) and still validates;
//   - every enum and logical type has a name (unknown values print as numbers);
//   - a page header that parses reports a header_size within the input, and parses the same from
//     exactly its first header_size bytes; a header that needs more bytes needs more from every
//     shorter prefix too.
// Seeds (fuzz/corpus/parquet_footer/): synth_*, page_*, *_index.bin, bloom_filter.bin and footer_*
// are written by tests/parquet/make_footer_seeds.cpp; duckdb_* are small files DuckDB 1.5.6 wrote
// (COPY (SELECT ...) TO 'x.parquet' (FORMAT parquet, ...) through @duckdb/node-api) with integers,
// dictionary strings, nulls, dates/timestamps/times, decimals, lists, structs, maps, all scalar
// types, v2 pages, no rows, key-value metadata, JSON and ENUM, 40 columns and a bloom filter, under
// several codecs. tests/parquet/metadata_test.cpp reads the duckdb_* files as good files too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "parquet/metadata.hpp"

namespace {

namespace pq = sluice::parquet;
namespace fmt = sluice::parquet::format;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "parquet_footer_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

void require_name(const std::string& name, const char* what) {
  if (name.empty()) fail("empty name", what);
}

void check_names(const fmt::FileMetaData& md) {
  for (const auto& e : md.schema) {
    if (e.__isset.type) require_name(pq::type_name(e.type), "type");
    if (e.__isset.converted_type) require_name(pq::converted_type_name(e.converted_type), "converted type");
    if (e.__isset.repetition_type) require_name(pq::repetition_name(e.repetition_type), "repetition");
    if (e.__isset.logicalType) require_name(pq::logical_type_summary(e.logicalType), "logical type");
  }
  for (const auto& rg : md.row_groups) {
    for (const auto& cc : rg.columns) {
      require_name(pq::codec_name(cc.meta_data.codec), "codec");
      for (auto e : cc.meta_data.encodings) require_name(pq::encoding_name(e), "encoding");
      for (const auto& s : cc.meta_data.encoding_stats) require_name(pq::page_type_name(s.page_type), "page type");
    }
  }
}

void check_accepted(const fmt::FileMetaData& md, std::uint64_t data_end) {
  const auto paths = pq::leaf_paths(md.schema);
  for (const auto& rg : md.row_groups) {
    if (rg.columns.size() != paths.size()) fail("row group without one chunk per leaf", "");
    for (const auto& cc : rg.columns) {
      const pq::ByteRange r = pq::chunk_range(cc);
      if (r.length == 0 && cc.meta_data.num_values == 0) continue;  // an empty chunk may sit anywhere
      if (r.offset < 4 || r.length < 0 || static_cast<std::uint64_t>(r.end()) > data_end) {
        fail("accepted chunk outside the data region",
             std::to_string(r.offset) + "+" + std::to_string(r.length) + " > " + std::to_string(data_end));
      }
    }
  }
  check_names(md);
  auto bytes = pq::detail::serialize(md);
  if (!bytes.ok()) fail("serialize failed", bytes.error().to_string());
  const std::span<const std::uint8_t> span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size());
  fmt::FileMetaData again;
  if (auto st = pq::detail::deserialize(span, &again, pq::ThriftLimits{}); !st.ok()) {
    fail("written metadata does not read back", st.error().to_string());
  }
  if (auto st = pq::validate_file_metadata(again, data_end); !st.ok()) {
    fail("written metadata does not validate again", st.error().to_string());
  }
  auto bytes2 = pq::detail::serialize(again);
  if (!bytes2.ok() || *bytes2 != *bytes) fail("metadata is not a fixpoint of write + read", "");
}

void as_file(std::span<const std::uint8_t> in, const pq::ThriftLimits& limits) {
  (void)pq::check_leading_magic(in);
  if (in.size() < pq::kFooterTrailerBytes) return;
  // Only the last bytes, as a reader would first fetch them; the footer may not be in them.
  const std::size_t tail_size = in.size() < 64 ? in.size() : 64;
  auto info = pq::locate_footer(in.size(), in.subspan(in.size() - tail_size));
  if (!info.ok()) return;
  if (info->offset + info->length + pq::kFooterTrailerBytes != in.size()) fail("footer not before the trailer", "");
  const auto footer = info->within_tail(tail_size) ? info->in_tail(in.subspan(in.size() - tail_size))
                                                   : in.subspan(info->offset, info->length);
  auto md = pq::parse_file_metadata(footer, in.size(), limits);
  if (md.ok()) check_accepted(*md, info->offset);
}

void as_footer(std::span<const std::uint8_t> in, const pq::ThriftLimits& limits) {
  const std::uint64_t file_size = in.size() + 12 + (std::uint64_t{1} << 30);
  auto md = pq::parse_file_metadata(in, file_size, limits);
  if (md.ok()) check_accepted(*md, file_size - 8 - in.size());
}

void as_page_header(std::span<const std::uint8_t> in, const pq::ThriftLimits& limits) {
  std::uint32_t header_size = 0;
  bool needs_more = false;
  auto h = pq::parse_page_header(in, limits, &header_size, &needs_more);
  if (h.ok()) {
    if (header_size == 0 || header_size > in.size()) fail("page header size outside the input", "");
    std::uint32_t again = 0;
    auto h2 = pq::parse_page_header(in.first(header_size), limits, &again);
    if (!h2.ok() || again != header_size || !(*h2 == *h)) fail("page header differs when cut to its size", "");
    require_name(pq::page_type_name(h->type), "page type");
  } else if (needs_more && !in.empty()) {
    bool more2 = false;
    std::uint32_t unused = 0;
    auto h2 = pq::parse_page_header(in.first(in.size() / 2), limits, &unused, &more2);
    if (h2.ok() || !more2) fail("a prefix of a truncated page header does not need more", "");
  }
  (void)pq::parse_column_index(in, limits);
  (void)pq::parse_offset_index(in, limits);
  (void)pq::parse_bloom_filter_header(in, limits, &header_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  pq::ThriftLimits tight;
  tight.max_string_bytes = 64;
  tight.max_container_elems = 16;
  tight.max_nesting = 8;
  for (const auto& limits : {pq::ThriftLimits{}, tight}) {
    as_file(in, limits);
    as_footer(in, limits);
    as_page_header(in, limits);
  }
  return 0;
}
