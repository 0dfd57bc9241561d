// libFuzzer target for CSV dialect sniffing and for the writer → reader round trip.
//   - sniff_dialect() on arbitrary bytes (at_eof both ways) must not crash and must keep what the
//     options fix, choosing the rest among the documented candidates;
//   - strings built from the input, written by CsvWriter with minimal (or more) quoting and read
//     back with the same dialect, every column declared string and no null values, come back
//     identical: quoting must protect every byte sequence.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/codecs/csv.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/io/local.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "csv_sniff_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > 200) out += "...";
  return out;
}

// ---- Sniffing ------------------------------------------------------------------------------------

void check_sniff(std::string_view sample, std::uint8_t o) {
  sluice::csv::ReadOptions opt;
  static constexpr char kDelims[] = {',', ';', '\t', '|', ' ', ':', 'a', '"'};
  static constexpr char kQuotes[] = {'"', '\'', '\0', '|'};
  if (o & 1) opt.delimiter = kDelims[(o >> 4) & 7];
  if (o & 2) opt.quote = kQuotes[(o >> 6) & 3];
  if (o & 4) opt.escape = (o & 0x80) ? '"' : '\\';  // an escape equal to the quote means "doubled"
  if (o & 8) opt.comment = '#';
  if ((o & 0x30) == 0x30) opt.header = (o & 0x40) != 0;
  for (bool at_eof : {false, true}) {
    const sluice::csv::Dialect d = sluice::csv::sniff_dialect(sample, opt, at_eof);
    if (opt.delimiter) {
      if (d.delimiter != *opt.delimiter) fail("sniffing changed a fixed delimiter", printable(sample));
    } else if (std::string_view(",;\t|").find(d.delimiter) == std::string_view::npos) {
      fail("sniffing chose a delimiter outside , ; \\t |", printable(sample));
    }
    if (opt.quote) {
      if (d.quote != *opt.quote) fail("sniffing changed a fixed quote", printable(sample));
    } else if (d.quote != '"' && d.quote != '\'' && d.quote != '\0') {
      fail("sniffing chose a quote outside \" ' none", printable(sample));
    }
    if (d.comment != opt.comment.value_or('\0')) fail("sniffing changed the comment character", printable(sample));
    if (d.escape != '\0' && (!opt.escape || d.escape != *opt.escape))
      fail("sniffing invented an escape character", printable(sample));
  }
}

// ---- Writer → reader round trip ------------------------------------------------------------------

struct Cursor {
  const std::uint8_t* p;
  std::size_t n;
  bool empty() const { return n == 0; }
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  // A cell: one length byte, then that many bytes (fewer at the end of the input). Lengths above
  // 0xF0 make long cells, so that rows span the reader's 4 KiB blocks.
  std::string cell() {
    const std::uint8_t b = byte();
    std::size_t len = b < 0xF0 ? b % 48 : static_cast<std::size_t>(b - 0xEF) * 700;
    std::string s;
    if (b >= 0xF0) {
      // Long cells repeat the bytes that follow so the input stays small.
      const std::size_t take = std::min<std::size_t>(n, 8);
      const std::string unit(reinterpret_cast<const char*>(p), take);
      p += take;
      n -= take;
      if (unit.empty()) return std::string(len, 'x');
      while (s.size() < len) s += unit;
      s.resize(len);
      return s;
    }
    len = std::min(len, n);
    s.assign(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

void check_round_trip(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return;
  Cursor in{data, size};
  const std::uint8_t w0 = in.byte(), w1 = in.byte(), w2 = in.byte();

  sluice::csv::WriteOptions wo;
  static constexpr char kDelims[] = {',', ';', '\t', '|', ' ', ',', ',', '\0'};
  char delim = kDelims[w0 & 7];
  if (delim == '\0') delim = static_cast<char>(w2);  // any byte, within reason (below)
  char quote = (w0 & 8) ? '\'' : '"';
  if ((w1 & 0xC0) == 0xC0) quote = static_cast<char>(w2 ^ 0x5A);
  if (delim == '\n' || delim == '\r' || delim == '\0' || quote == '\n' || quote == '\r' || quote == '\0' ||
      delim == quote)
    return;  // not a usable dialect (the writer refuses delim == quote and line ends; '\0' is "no quoting")
  wo.delimiter = delim;
  wo.quote = quote;
  static const char* const kEndings[] = {"\n", "\r\n", "\r", "\n"};
  wo.line_ending = kEndings[(w0 >> 4) & 3];
  static constexpr sluice::csv::QuoteStyle kStyles[] = {sluice::csv::QuoteStyle::kMinimal,
                                                       sluice::csv::QuoteStyle::kMinimal,
                                                       sluice::csv::QuoteStyle::kAll,
                                                       sluice::csv::QuoteStyle::kNonNumeric};
  wo.quoting = kStyles[(w0 >> 6) & 3];
  wo.buffer_size = (w1 & 1) ? 1 : (1 << 20);
  const std::size_t ncols = 1 + ((w1 >> 1) & 3);
  const int threads = (w1 & 0x08) ? 2 : 1;
  const std::int64_t block_size = 4096 * (1 + ((w1 >> 4) & 3));

  // Columns of strings, row by row; a last partial row is padded with empty strings.
  std::vector<std::vector<std::string>> cols(ncols);
  while (!in.empty() && cols[0].size() < 2000)
    for (std::size_t c = 0; c < ncols; ++c) cols[c].push_back(in.cell());
  const std::int64_t nrows = static_cast<std::int64_t>(cols[0].size());

  auto schema = std::make_shared<sluice::Schema>();
  sluice::Batch batch;
  for (std::size_t c = 0; c < ncols; ++c) {
    schema->fields.push_back(sluice::Field{"c" + std::to_string(c), sluice::utf8(), true});
    sluice::BinaryBuilder b(sluice::utf8());
    for (const auto& v : cols[c]) b.append(v);
    batch.columns.push_back(b.finish());
  }
  batch.schema = schema;
  batch.num_rows = nrows;
  if (auto s = batch.validate(); !s.ok()) fail("the test batch does not validate", s.error().to_string());

  sluice::io::MemorySink sink;
  {
    auto writer = sluice::csv::CsvWriter::open(sink, wo);
    if (!writer.ok()) fail("CsvWriter::open failed", writer.error().to_string());
    // Two batches when possible, so the header is not repeated and rows carry over.
    const std::int64_t half = nrows / 2;
    if (auto s = (*writer)->write(batch.slice(0, half)); !s.ok()) fail("write failed", s.error().to_string());
    if (auto s = (*writer)->write(batch.slice(half, nrows - half)); !s.ok())
      fail("write failed", s.error().to_string());
    if (auto s = (*writer)->finish(schema.get()); !s.ok()) fail("finish failed", s.error().to_string());
    if ((*writer)->rows_written() != nrows) fail("rows_written is wrong", "");
  }
  if (auto s = sink.finish(); !s.ok()) fail("sink finish failed", s.error().to_string());
  const std::string text = sink.data();

  sluice::csv::ReadOptions ro;
  ro.delimiter = delim;
  ro.quote = quote;
  ro.header = true;
  ro.null_values = {};
  ro.threads = threads;
  ro.block_size = block_size;
  for (std::size_t c = 0; c < ncols; ++c) ro.column_types.emplace_back("c" + std::to_string(c), sluice::utf8());
  auto got = sluice::csv::read_all(std::make_unique<sluice::io::MemorySource>(text), ro);
  const std::string where = "\ncsv (" + std::to_string(text.size()) + " bytes): " + printable(text);
  if (!got.ok()) fail("the written CSV does not read back", got.error().to_string() + where);

  std::vector<std::string> names;
  std::int64_t row = 0;
  for (const sluice::Batch& b : *got) {
    if (auto s = b.validate(); !s.ok()) fail("a batch read back does not validate", s.error().to_string());
    if (b.num_columns() != ncols)
      fail("the column count changed", std::to_string(b.num_columns()) + " vs " + std::to_string(ncols) + where);
    for (std::size_t c = 0; c < ncols; ++c) {
      const sluice::ArrayData& a = b.column(c);
      if (a.type->id != sluice::TypeId::kString) fail("a declared string column is not a string", where);
      for (std::int64_t i = 0; i < b.num_rows; ++i) {
        if (row + i >= nrows) fail("more rows came back than were written", where);
        if (a.is_null(i)) fail("a null came back", "row " + std::to_string(row + i) + where);
        const std::string_view v = a.string_at(i);
        const std::string& want = cols[c][static_cast<std::size_t>(row + i)];
        if (v != want)
          fail("a value changed in the round trip", "row " + std::to_string(row + i) + ", column " +
                                                        std::to_string(c) + ": wrote '" + printable(want) +
                                                        "', read '" + printable(v) + "'" + where);
      }
    }
    row += b.num_rows;
  }
  if (row != nrows)
    fail("rows were lost in the round trip", std::to_string(row) + " of " + std::to_string(nrows) + where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  check_sniff({reinterpret_cast<const char*>(data) + 1, size - 1}, data[0]);
  check_round_trip(data + 1, size - 1);
  return 0;
}
