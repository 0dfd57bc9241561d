// Options of the Parquet reader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/core/types.hpp"

namespace sluice {
class Predicate;  // sluice/codecs/filter.hpp
}

namespace sluice::parquet {

struct ReadOptions {
  // Columns to read, as dotted paths of the Parquet schema ("a", "s.b", "m.key_value.key" or the
  // Arrow-side "m.key"); a group selects everything under it. Empty: every column. Only the selected
  // columns' chunks are read; the output keeps each selected field's ancestors (a struct with only
  // the selected children).
  std::vector<std::string> columns;
  // Rows of row groups (and pages, through the page index) the predicate proves empty are skipped
  // unread. Rows of the remaining groups are NOT filtered one by one: the caller (the CLI's --where)
  // filters what comes out.
  std::shared_ptr<const sluice::Predicate> filter;

  std::int64_t batch_rows = 1 << 16;  // most rows in one Batch
  int threads = 1;                    // decode threads; the output does not depend on it
  bool verify_checksums = false;      // check page CRCs where the writer stored them (error when wrong)
  // INT96 timestamps (Impala, Spark): microseconds by default, as Spark and DuckDB read them, so that
  // every date Spark can write reads back; nanoseconds on request (a value out of the int64 range is
  // then an error, never a wrapped value).
  TimeUnit int96_unit = TimeUnit::kMicro;

  // Limits on what an untrusted file may make the reader allocate.
  std::int64_t max_page_bytes = 1 << 30;         // a page's compressed or uncompressed size
  std::int64_t max_footer_bytes = 256 << 20;     // the FileMetaData
  std::int64_t max_thrift_string_bytes = 100 << 20;
  std::int64_t max_thrift_container_elems = 1'000'000;
  // Byte ranges of one row group closer than this are read as one (fewer requests to a remote store).
  std::int64_t range_merge_gap = 1 << 20;
};

}  // namespace sluice::parquet
