// libFuzzer target for the Parquet reader: a whole file read under options chosen by the input's
// first bytes (batch size, projection, checksum checking, INT96 unit). Crashes, hangs, undefined
// behaviour and allocations beyond the limits are bugs; errors are not. Properties checked:
//   - every Batch validates against its schema and has at most batch_rows rows;
//   - threads=1 and threads=2 agree: both fail with the same message or give the same rows, nulls per
//     column and values, bit for bit (fuzz/dump.hpp);
//   - scan_unordered() on 2 threads (row groups at once, put back in order by the batches' places)
//     agrees with threads=1 the same way, its error included;
//   - a file that reads, read again in batches of another size, gives the same values;
//   - when the file reads, a projection of some of its top-level columns (chosen by the input) reads the
//     same rows, and the same nulls and values per column.
// Input layout: [batch_rows byte][flags byte][file bytes...]. Seeds (fuzz/corpus/parquet_reader/) are
// small files DuckDB wrote (fuzz/make_parquet_seeds.mjs).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "dump.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/io/local.hpp"

namespace {

using namespace sluice;

struct Outcome {
  bool ok = false;
  std::string error;
  std::int64_t rows = 0;
  std::vector<std::int64_t> nulls;
  std::vector<std::string> first_column_types;
  fuzz::ColumnDumps values;
};

// Counts a batch handed out (after checking it) into `out`.
void add(Outcome& out, const Batch& batch, std::int64_t batch_rows) {
  if (!batch.validate().ok()) std::abort();
  if (batch.num_rows > batch_rows || batch.num_rows <= 0) std::abort();
  out.rows += batch.num_rows;
  for (std::size_t c = 0; c < batch.num_columns(); ++c) out.nulls[c] += batch.columns[c]->null_count;
  out.values.add(batch);
}

// Reads the file with next() or, `unordered`, with scan_unordered() (its batches from the threads
// sorted back by their first row).
Outcome run(const std::string& file, parquet::ReadOptions o, bool unordered = false) {
  Outcome out;
  const std::int64_t batch_rows = o.batch_rows;
  auto reader = parquet::ParquetReader::open(std::make_unique<io::MemorySource>(file, "fuzz.parquet"), std::move(o));
  if (!reader.ok()) {
    out.error = reader.error().to_string();
    return out;
  }
  out.nulls.assign((*reader)->schema()->num_fields(), 0);
  if (unordered) {
    std::mutex mu;
    std::vector<std::pair<std::int64_t, Batch>> got;
    Status s = (*reader)->scan_unordered([&](Batch&& b, const parquet::ParquetReader::BatchPlace& place) {
      std::lock_guard<std::mutex> lock(mu);
      got.emplace_back(place.first_row, std::move(b));
      return ok_status();
    });
    if (!s.ok()) {
      out.error = s.error().to_string();
      return out;
    }
    std::sort(got.begin(), got.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [first_row, batch] : got) {
      if (first_row != out.rows) std::abort();  // no filter here: the places leave no gap
      add(out, batch, batch_rows);
    }
    out.ok = true;
    return out;
  }
  while (true) {
    auto b = (*reader)->next();
    if (!b.ok()) {
      out.error = b.error().to_string();
      return out;
    }
    if (!*b) break;
    add(out, **b, batch_rows);
  }
  out.ok = true;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  parquet::ReadOptions o;
  o.batch_rows = 1 + data[0] % 64 * (data[0] >= 128 ? 97 : 1);
  o.verify_checksums = (data[1] & 1) != 0;
  o.int96_unit = (data[1] & 2) ? TimeUnit::kNano : TimeUnit::kMicro;
  // Small limits so that a hostile size is refused quickly instead of allocated.
  o.max_page_bytes = 8 << 20;
  o.max_footer_bytes = 1 << 20;
  o.max_thrift_container_elems = 1 << 16;
  o.max_thrift_string_bytes = 1 << 20;
  const std::string file(reinterpret_cast<const char*>(data) + 2, size - 2);

  Outcome one = run(file, o);
  parquet::ReadOptions o2 = o;
  o2.threads = 2;
  Outcome two = run(file, o2);
  if (one.ok != two.ok || one.error != two.error || one.rows != two.rows || one.nulls != two.nulls) std::abort();
  if (one.ok && !(one.values == two.values)) {
    std::fprintf(stderr, "parquet_reader_fuzz: threads=1 and threads=2 read different values\n");
    std::abort();
  }
  Outcome unordered = run(file, o2, true);
  if (one.ok != unordered.ok || one.error != unordered.error ||
      (one.ok && (one.rows != unordered.rows || one.nulls != unordered.nulls || !(one.values == unordered.values)))) {
    std::fprintf(stderr, "parquet_reader_fuzz: scan_unordered on 2 threads and threads=1 differ: %s | %s\n",
                 one.error.c_str(), unordered.error.c_str());
    std::abort();
  }
  // Batches of another size cut pages elsewhere (decoding resumes mid-page, pages are planned ahead
  // per batch): the same values.
  if (one.ok) {
    parquet::ReadOptions o3 = o;
    o3.batch_rows = o.batch_rows > 1000 ? 7 : o.batch_rows * 13 + 5;
    Outcome three = run(file, o3);
    if (!three.ok || three.rows != one.rows || !(three.values == one.values)) {
      std::fprintf(stderr, "parquet_reader_fuzz: batch_rows %lld and %lld read different values\n",
                   static_cast<long long>(o.batch_rows), static_cast<long long>(o3.batch_rows));
      std::abort();
    }
  }

  if (one.ok && (data[1] & 4)) {
    // A projection chosen by the flag bits 3..7: those of the first five top-level columns.
    auto probe = parquet::ParquetReader::open(std::make_unique<io::MemorySource>(file), o);
    if (probe.ok() && (*probe)->schema()->num_fields() > 0) {
      const auto& fields = (*probe)->schema()->fields;
      parquet::ReadOptions p = o;
      std::vector<std::size_t> picked;
      for (std::size_t i = 0; i < fields.size() && i < 5; ++i)
        if (data[1] & (8u << i)) picked.push_back(i);
      if (picked.empty()) picked.push_back(0);
      for (std::size_t i : picked) p.columns.push_back(fields[i].name);
      Outcome proj = run(file, p);
      // A projection of a file that reads whole reads the same rows, and each column the same nulls
      // (unless two top-level columns share a name: a name selects both, and the columns shift).
      if (!proj.ok || proj.rows != one.rows || proj.nulls.size() < picked.size()) std::abort();
      bool unique = true;
      for (std::size_t i = 0; i < fields.size(); ++i)
        for (std::size_t j = i + 1; j < fields.size(); ++j) unique = unique && fields[i].name != fields[j].name;
      for (std::size_t k = 0; unique && k < picked.size(); ++k) {
        if (proj.nulls[k] != one.nulls[picked[k]]) std::abort();
        // (No batch at all: no text either.)
        const std::string* a = proj.values.find(fields[picked[k]].name);
        const std::string* b = one.values.find(fields[picked[k]].name);
        if ((a ? *a : std::string()) != (b ? *b : std::string())) {
          std::fprintf(stderr, "parquet_reader_fuzz: the projection reads other values in column %s\n",
                       fields[picked[k]].name.c_str());
          std::abort();
        }
      }
    }
  }
  return 0;
}
