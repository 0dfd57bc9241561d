// libFuzzer target for the CSV reader: arbitrary bytes under options chosen by the input's first bytes.
// Crashes, hangs and undefined behaviour are bugs; errors are not. Properties checked:
//   - every Batch validates and has the schema's column count;
//   - threads=1 and threads=2 agree (both fail, or same rows, nulls per column, bad rows, schema and
//     values, bit for bit: fuzz/dump.hpp), as ReadOptions::threads promises ("the output does not
//     depend on it");
//   - the block size does not change the result either: read in 1 MiB blocks, the input fails again
//     or gives the same rows and bad rows, and the same values where both reads kept one schema
//     throughout (under the small max_row_bytes of o[4] & 0x80 too: a row over it is refused
//     wherever the blocks are cut).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dump.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/io/local.hpp"

namespace {

// The first kOptionBytes bytes pick the options; the rest is the CSV:
//   [0] bad rows, escape, comment, header mode, fixed delimiter/quote, skip_rows
//   [1] block_size 4..64 KiB, batch_rows, infer_rows
//   [2] declared column types (names that may not exist)
//   [3] delimiter, quote, null values, skip_rows count
//   [4] repeat the body up to 63 times, a byte order mark, a small max_row_bytes
constexpr std::size_t kOptionBytes = 5;
// Inputs are repeated up to this size so the reader cuts several blocks (block_size is >= 4096).
constexpr std::size_t kMaxExpanded = 256 << 10;

struct Outcome {
  bool ok = false;
  std::string error;  // when !ok, for the report
  std::int64_t rows = 0;
  std::vector<std::int64_t> nulls;  // per column
  std::int64_t bad_rows = 0;
  std::string schema;  // the schema after the end
  sluice::fuzz::ColumnDumps values;
  bool uniform = true;  // every batch had the final schema
  std::vector<std::string> schemas;
};

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "csv_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

sluice::TypePtr pick_type(std::uint8_t k) {
  switch (k % 10) {
    case 0: return sluice::int64();
    case 1: return sluice::float64();
    case 2: return sluice::utf8();
    case 3: return sluice::boolean();
    case 4: return sluice::date32();
    case 5: return sluice::timestamp(sluice::TimeUnit::kMicro);
    case 6: return sluice::int8();
    case 7: return sluice::uuid_type();
    case 8: return sluice::json_type();
    default: return sluice::decimal128(9, 2);
  }
}

sluice::csv::ReadOptions make_options(const std::uint8_t* o) {
  sluice::csv::ReadOptions opt;
  // o[0]: dialect.
  opt.bad_rows = (o[0] & 1) ? sluice::csv::BadRowPolicy::kSkip : sluice::csv::BadRowPolicy::kError;
  if (o[0] & 2) opt.escape = '\\';
  if (o[0] & 4) opt.comment = '#';
  switch ((o[0] >> 3) & 3) {
    case 0: break;  // sniffed
    case 1: opt.header = true; break;
    case 2: opt.header = false; break;
    case 3: opt.header = true; opt.column_names = {"column0", "b"}; break;  // often the wrong count
  }
  static constexpr char kDelims[] = {',', ';', '\t', '|'};
  if (o[0] & 0x20) opt.delimiter = kDelims[(o[3] >> 4) & 3];
  static constexpr char kQuotes[] = {'"', '\'', '\0', '"'};
  if (o[0] & 0x40) opt.quote = kQuotes[(o[3] >> 6) & 3];
  if (o[0] & 0x80) opt.skip_rows = o[3] & 3;

  // o[1]: streaming. block_size 4096..65536 (the reader clamps below 4096), batch_rows small or not.
  opt.block_size = 4096 * (1 + (o[1] & 15));
  static constexpr std::int64_t kBatchRows[] = {1 << 17, 1, 3, 1000};
  opt.batch_rows = kBatchRows[(o[1] >> 4) & 3];
  static constexpr std::int64_t kInferRows[] = {16384, 1, 2, 10};
  opt.infer_rows = kInferRows[(o[1] >> 6) & 3];

  // o[2]: declared types, for names that may or may not exist.
  static const char* const kNames[] = {"column0", "column1", "a", "b"};
  if (o[2] & 1) opt.column_types.emplace_back(kNames[(o[2] >> 1) & 3], pick_type(o[2] >> 3));
  if ((o[2] & 0xC0) == 0xC0) opt.column_types.emplace_back(kNames[(o[2] >> 3) & 3], pick_type(o[2] >> 5));

  // o[3] low bits: null values.
  switch ((o[3] >> 2) & 3) {
    case 0: break;  // default {""}
    case 1: opt.null_values = {}; break;
    case 2: opt.null_values = {"", "NA", "null"}; break;
    case 3: opt.null_values = {"NA"}; break;
  }
  return opt;
}

Outcome read(const std::string& data, sluice::csv::ReadOptions opt, int threads) {
  opt.threads = threads;
  Outcome out;
  auto reader = sluice::csv::CsvReader::open(std::make_unique<sluice::io::MemorySource>(data), opt);
  if (!reader.ok()) {
    out.error = reader.error().to_string();
    return out;
  }
  auto& r = **reader;
  if (!r.schema()) fail("open() succeeded without a schema", "");
  const std::size_t ncols = r.schema()->num_fields();
  out.nulls.assign(ncols, 0);
  while (true) {
    auto b = r.next();
    if (!b.ok()) {
      out.error = b.error().to_string();
      return out;
    }
    if (!*b) break;
    const sluice::Batch& batch = **b;
    if (auto s = batch.validate(); !s.ok()) fail("a batch does not validate", s.error().to_string());
    if (batch.num_columns() != ncols || !batch.schema || batch.schema->num_fields() != ncols)
      fail("a batch has another column count than the schema", std::to_string(batch.num_columns()) + " vs " +
                                                                   std::to_string(ncols));
    if (batch.num_rows <= 0) fail("an empty batch was returned", "");
    out.rows += batch.num_rows;
    for (std::size_t c = 0; c < ncols; ++c) out.nulls[c] += batch.columns[c]->null_count;
    out.values.add(batch);
    out.schemas.push_back(batch.schema->to_string());
  }
  if (r.schema()->num_fields() != ncols) fail("the schema changed its column count while reading", "");
  out.ok = true;
  out.bad_rows = r.bad_rows().count;
  out.schema = r.schema()->to_string();
  for (const auto& bs : out.schemas) out.uniform = out.uniform && bs == out.schema;
  return out;
}

std::string describe(const Outcome& o) {
  if (!o.ok) return "error: " + o.error;
  std::string s = "rows " + std::to_string(o.rows) + ", bad rows " + std::to_string(o.bad_rows) + ", nulls [";
  for (std::size_t i = 0; i < o.nulls.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(o.nulls[i]);
  }
  s += "]\nschema:\n" + o.schema;
  for (std::size_t k = 0; k < o.values.names.size(); ++k)
    s += "\n" + o.values.names[k] + ": " + o.values.text[k].substr(0, 600);
  // Printable (a NUL would end the report).
  std::string out;
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u == '\n' || (u >= 0x20 && u < 0x7f)) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kOptionBytes) return 0;
  sluice::csv::ReadOptions opt = make_options(data);
  std::string body(reinterpret_cast<const char*>(data) + kOptionBytes, size - kOptionBytes);
  // o[4]: repeat the body so that small inputs span several blocks (with threads: several chunks).
  const std::size_t repeat = data[4] & 0x3F;
  if (repeat > 1 && !body.empty()) {
    std::string grown;
    grown.reserve(std::min(kMaxExpanded, body.size() * repeat));
    for (std::size_t k = 0; k < repeat && grown.size() + body.size() <= kMaxExpanded; ++k) grown += body;
    body = std::move(grown);
  }
  if (data[4] & 0x40) body.insert(0, "\xEF\xBB\xBF");  // a byte order mark
  if (data[4] & 0x80) opt.max_row_bytes = 6000;        // long rows and open quotes hit the limit

  const Outcome one = read(body, opt, 1);
  const Outcome two = read(body, opt, 2);
  if (one.ok != two.ok || (one.ok && (one.rows != two.rows || one.nulls != two.nulls ||
                                      one.bad_rows != two.bad_rows || one.schema != two.schema ||
                                      !(one.values == two.values))))
    fail("threads=1 and threads=2 disagree", "threads=1: " + describe(one) + "\nthreads=2: " + describe(two));

  // 1 MiB blocks: the same result.
  sluice::csv::ReadOptions big = opt;
  big.block_size = 1 << 20;
  const Outcome whole = read(body, big, 1);
  if (one.ok != whole.ok ||
      (one.ok && (one.rows != whole.rows || one.bad_rows != whole.bad_rows ||
                  (one.uniform && whole.uniform && one.schema == whole.schema && !(one.values == whole.values)))))
    fail("block_size changes the result", "block_size " + std::to_string(opt.block_size) + ": " + describe(one) +
                                              "\nblock_size 1 MiB: " + describe(whole));
  return 0;
}
