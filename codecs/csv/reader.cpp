// The CSV reader: a producer cuts the input into chunks of whole rows (cheaply, by quote parity),
// workers scan, assemble and convert chunks independently, and the consumer hands out their
// batches in order, widening types consistently. One thread or many give the same batches.
#include "sluice/codecs/csv/reader.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "common/pipeline.hpp"
#include "csv/assemble.hpp"
#include "csv/convert.hpp"
#include "csv/infer.hpp"
#include "sluice/codecs/csv/sniff.hpp"
#include "text/interval_parse.hpp"

namespace sluice::csv {

using detail::Chunk;
using detail::FieldIndex;

namespace {

// The dialect, the header and the types are sniffed from the first MiB (the default block size).
constexpr std::size_t kSampleBytes = std::size_t{1} << 20;

struct ChunkResult {
  Chunk chunk;
  FieldIndex index;
  std::vector<ArrayPtr> columns;
  std::optional<Error> error;
  std::optional<Error> produce_error;  // cutting this chunk failed (a row too long): located but for the line
  std::vector<std::uint8_t> bad_flags;  // rows whose values did not fit a declared type (kSkip)
  std::int64_t rows = 0;  // data rows (the header row excluded)
  std::unique_ptr<FieldIndex> full;  // every row's fields, only when a rare path needs it
};

std::string unique_name(const std::string& name, std::unordered_set<std::string>& taken) {
  std::string candidate = name;
  for (int k = 1; taken.count(candidate) != 0; ++k) candidate = name + "_" + std::to_string(k);
  taken.insert(candidate);
  return candidate;
}

}  // namespace

class CsvReader::Impl {
 public:
  io::SourcePtr src;
  ReadOptions opt;
  Dialect dialect;
  detail::NullSet nulls;
  SchemaPtr schema;
  std::vector<bool> declared;
  std::size_t ncols = 0;
  std::uint32_t avg_row_bytes = 64;  // from the sample, to size the first buffers of a chunk
  BadRowReport report;
  std::string path;

  // Producer.
  std::unique_ptr<pipeline::TailReader> in;  // bytes read but not yet cut into a chunk (a partial row)
  bool first_chunk = true;
  std::int64_t next_index = 0;
  std::uint64_t line_base = 0;  // lines before the first chunk (skipped rows)

  // Converting: chunks in any order on `threads` threads, taken back in order; types read under a lock.
  std::unique_ptr<pipeline::OrderedWork<ChunkResult>> work;
  std::mutex mu;

  // Consumer.
  std::uint64_t lines_before = 0;
  std::int64_t rows_before = 0;
  pipeline::BatchSlicer slicer;
  bool failed = false;
  std::uint64_t progress = 0;

  ~Impl() { work.reset(); }

  Error located(Error e) { return std::move(e).with_path(path); }

  // ---- Reading and cutting chunks -------------------------------------------------------------

  // The offset just past the last complete row in tail[0, limit) (limit: at most in->len), or 0 if
  // none is complete.
  std::size_t last_row_end(std::size_t limit = SIZE_MAX) const {
    const std::uint8_t* d = in->data();
    const std::size_t n = std::min(in->len, limit);
    if (detail::simd_dialect(dialect)) {
      const std::uint8_t q = static_cast<std::uint8_t>(dialect.quote);
      std::uint64_t parity = detail::active_kernel().count_byte(d, n, q) & 1;
      for (std::size_t i = n; i-- > 0;) {
        const std::uint8_t c = d[i];
        if (c == q) parity ^= 1;
        // Never between the CR and LF of one line end (that would count the line twice).
        else if ((c == '\n' || c == '\r') && parity == 0 && i + 1 < n && (c == '\n' || d[i + 1] != '\n')) return i + 1;
      }
      return 0;
    }
    // Escapes and comments change what a quote means: walk forward with the general scanner.
    std::vector<std::uint32_t> pos(std::min<std::size_t>(n, 1 << 16) + 64);
    detail::GeneralState st;
    std::size_t best = 0;
    for (std::size_t off = 0; off < n; off += 1 << 16) {
      const std::size_t len = std::min<std::size_t>(1 << 16, n - off);
      const std::size_t k = detail::scan_general(d + off, len, dialect, static_cast<std::uint32_t>(off), pos.data(), st);
      for (std::size_t i = 0; i < k; ++i) {
        const std::uint32_t p = pos[i];
        if ((d[p] == '\n' || d[p] == '\r') && p + 1 < n && (d[p] == '\n' || d[p + 1] != '\n')) best = p + 1;
      }
    }
    return best;
  }

  // The bytes of a row that starts at `from` and has no line end in what is buffered: all of them but
  // a final CR (a CRLF's LF may follow).
  std::size_t unfinished_row_bytes(std::size_t from) const {
    const std::size_t n = in->len - std::min(from, in->len);
    return n > 0 && in->data()[in->len - 1] == '\r' ? n - 1 : n;
  }

  // Cuts the next chunk of whole rows, reading as needed. nullopt at the end of the input.
  Result<std::optional<Chunk>> produce() {
    const std::size_t block = static_cast<std::size_t>(std::max<std::int64_t>(opt.block_size, 4096));
    if (in->len < block) SLUICE_TRY(in->read_more(block - in->len));
    std::size_t cut = 0;
    while (true) {
      if (in->eof && in->len <= block) {
        cut = in->len;
        break;
      }
      // At most a block's rows (the first chunk follows the sample, which may hold more), unless
      // a row is longer.
      if (in->len > block) cut = last_row_end(block);
      if (cut == 0) cut = last_row_end();
      if (cut > 0) break;
      // What is buffered is one row (or its start): too long already, or the rest of the input
      // (whose rows the assembler measures), or to be read further.
      if (unfinished_row_bytes(0) > static_cast<std::size_t>(opt.max_row_bytes)) {
        return located(detail::row_too_long(opt.max_row_bytes, -1, static_cast<std::int64_t>(in->consumed)));
      }
      if (in->eof) {
        cut = in->len;
        break;
      }
      SLUICE_TRY(in->read_more(in->len));  // double what we hold
    }
    if (cut == 0) return std::optional<Chunk>{};
    // The chunk takes the read buffer itself (no copy of the rows); the partial row after the cut
    // moves to a fresh buffer. Bytes past the cut serve as the kernels' padding.
    Chunk c;
    c.file_offset = in->consumed;
    const bool last = in->eof && cut == in->len;
    c.bytes = in->cut(cut, block);
    std::size_t size = cut;
    if (last) {
      const std::uint8_t end = c.bytes->data()[cut - 1];
      if (end != '\n' && end != '\r') c.bytes->mutable_data()[size++] = '\n';
    }
    c.size = static_cast<std::uint32_t>(size);
    c.index = next_index++;
    c.skip_first_row = first_chunk && dialect.header;
    first_chunk = false;
    return std::optional<Chunk>(std::move(c));
  }

  // ---- Processing a chunk (any thread) --------------------------------------------------------

  std::vector<TypePtr> current_types() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<TypePtr> t;
    for (const auto& f : schema->fields) t.push_back(f.type);
    return t;
  }

  // The index of every row of a processed chunk, assembled again on demand: the rare paths (widening,
  // re-conversion, bad-row line numbers) need rows the compact per-piece index no longer holds.
  Status ensure_full_index(ChunkResult& r) {
    if (r.full) return ok_status();
    r.full = std::make_unique<FieldIndex>();
    return detail::assemble(r.chunk, dialect, ncols, opt.bad_rows, *r.full);
  }

  // Converts rows [from, to) of column `col`, widening an inferred column until every value fits (a
  // wider converter re-converts the rows before `from` too, from the full index).
  Status convert_range(ChunkResult& r, const detail::ConvertInput& in, std::size_t col,
                       std::unique_ptr<detail::ColumnConverter>& conv, std::int64_t from, std::int64_t to) {
    const detail::ConvertInput* cur = &in;
    std::optional<detail::ConvertInput> full_in;
    while (true) {
      const std::int64_t failed = conv->convert(*cur, from, to);
      if (failed < 0) return ok_status();
      std::string scratch;
      const std::string value(detail::field_text(*cur, failed, col, scratch));
      if (declared[col]) {
        ErrorContext ctx;
        ctx.line = static_cast<std::int64_t>(detail::count_lines(r.chunk.data(), cur->index.start(failed, 0, ncols))) + 1;
        ctx.column = static_cast<std::int64_t>(col) + 1;
        ctx.column_name = schema_field_name(col);
        ctx.row = failed - in.row0;
        ctx.byte_offset = cur->index.start(failed, col, ncols);
        std::string why;
        if (conv->type()->extension == Extension::kInterval) why = text::interval_refusal(value);
        return Error(ErrorCode::kTypeError,
                     "value '" + value.substr(0, 64) + "' is not a valid " + conv->type()->to_string() +
                         (why.empty() ? "" : ": " + why),
                     ctx);
      }
      const detail::Kind have = detail::kind_of_type(*conv->type());
      detail::Kind want = detail::join(have, detail::kind_of(value.data(), value.size()));
      if (want == have) want = detail::Kind::kString;  // cannot happen; never loop
      conv = make_converter(r, col, detail::type_of(want));
      if (!full_in) {
        SLUICE_TRY(ensure_full_index(r));
        full_in.emplace(detail::ConvertInput{r.chunk, *r.full, dialect, ncols, nulls, in.row0});
        cur = &*full_in;
      }
      from = in.row0;
    }
  }

  std::unique_ptr<detail::ColumnConverter> make_converter(ChunkResult& r, std::size_t col, const TypePtr& type) {
    std::vector<std::uint8_t>* bad = declared[col] && opt.bad_rows == BadRowPolicy::kSkip ? &r.bad_flags : nullptr;
    // Rows the chunk probably holds (from the sample's row width), to size first buffers; capped, the
    // buffers grow if the guess is short.
    const std::int64_t expected =
        std::min<std::int64_t>(static_cast<std::int64_t>(r.chunk.size / std::max<std::uint32_t>(avg_row_bytes, 1)) + 16,
                               1 << 16);
    return detail::make_converter(col, type, bad, expected);
  }

  std::string schema_field_name(std::size_t col) {
    std::lock_guard<std::mutex> lock(mu);
    return schema->fields[col].name;
  }

  // Scans, assembles and converts one chunk a piece at a time: each piece's rows are converted while
  // their bytes and field index are still in cache, and the index never holds more than a piece.
  void process(ChunkResult& r, const std::vector<TypePtr>& types) {
    detail::ChunkAssembler assembler(r.chunk, dialect, ncols, opt.bad_rows, r.index, /*keep_all=*/false,
                                     static_cast<std::uint32_t>(opt.max_row_bytes));
    const detail::ConvertInput in{r.chunk, r.index, dialect, ncols, nulls, r.chunk.skip_first_row ? 1 : 0};
    std::vector<std::unique_ptr<detail::ColumnConverter>> conv(ncols);
    for (std::size_t c = 0; c < ncols; ++c) conv[c] = make_converter(r, c, types[c]);
    std::int64_t done = in.row0;
    auto fail = [&](Status s) { r.error = std::move(s).error(); };
    while (!assembler.done()) {
      Status s = assembler.next_piece();
      if (!s.ok()) return fail(std::move(s));
      const std::int64_t avail = r.index.rows;
      if (avail <= done) continue;
      for (std::size_t c = 0; c < ncols; ++c) {
        Status cs = convert_range(r, in, c, conv[c], done, avail);
        if (!cs.ok()) return fail(std::move(cs));
      }
      done = avail;
    }
    Status s = assembler.finish();
    if (!s.ok()) return fail(std::move(s));
    r.columns.resize(ncols);
    for (std::size_t c = 0; c < ncols; ++c) r.columns[c] = conv[c]->finish();
    r.rows = std::max<std::int64_t>(r.index.rows - in.row0, 0);
  }

  // Converts a whole processed chunk's column again, to `type` or wider.
  Status reconvert(ChunkResult& r, std::size_t col, const TypePtr& type) {
    SLUICE_TRY(ensure_full_index(r));
    const detail::ConvertInput in{r.chunk, *r.full, dialect, ncols, nulls, r.chunk.skip_first_row ? 1 : 0};
    auto conv = make_converter(r, col, type);
    SLUICE_TRY(convert_range(r, in, col, conv, in.row0, std::max(r.full->rows, in.row0)));
    r.columns[col] = conv->finish();
    return ok_status();
  }

  // ---- Consuming results in order -------------------------------------------------------------

  void fill_pipeline() {
    // Memory: about 3 × block_size per chunk in flight (bytes, field index, columns).
    pipeline::fill_with_chunks(*work, [&] { return produce(); });
  }

  Error globalise(Error e, const ChunkResult& r) {
    auto& ctx = e.context();
    if (ctx.line >= 0) ctx.line += static_cast<std::int64_t>(lines_before);
    if (ctx.row >= 0) ctx.row += rows_before;
    if (ctx.byte_offset >= 0) ctx.byte_offset += static_cast<std::int64_t>(r.chunk.file_offset);
    return located(std::move(e));
  }

  // The file's 1-based line of the row starting at `offset` in chunk r (the chunks before it taken).
  std::int64_t line_at(const ChunkResult& r, std::size_t offset) const {
    return static_cast<std::int64_t>(lines_before + detail::count_lines(r.chunk.data(), offset)) + 1;
  }

  // Whether the next bad row's line is still reported (the first ten are); counting a line is a
  // pass over the chunk up to it, so the others are only counted.
  bool bad_lines_wanted() const { return report.first_lines.size() < kReportedBadLines; }
  static constexpr std::size_t kReportedBadLines = 10;

  // A bad row; `line()` (its 1-based line in the file) is asked only while bad_lines_wanted(). With a
  // bad row in a thousand, counting every one's line from its chunk's start took 56 % of a scan.
  template <class Line>
  void note_bad(Line&& line, const std::string& reason) {
    ++report.count;
    if (bad_lines_wanted()) {
      report.first_lines.push_back(line());
      report.first_reasons.push_back(reason);
    }
  }

  Result<std::optional<Batch>> take_result(ChunkResult& r) {
    if (r.produce_error) {
      // The row starts where the chunks before it (all taken now) end.
      r.produce_error->context().line = static_cast<std::int64_t>(lines_before) + 1;
      return std::move(*r.produce_error);
    }
    if (r.error) return globalise(std::move(*r.error), r);
    // Ragged rows dropped by the assembler.
    for (const auto& b : r.index.bad)
      note_bad([&] { return line_at(r, b.row_start); }, b.reason);
    report.count += r.index.bad_count - static_cast<std::int64_t>(r.index.bad.size());
    // Unify types with the schema so far: widen the schema, or re-convert this chunk's narrower columns.
    bool changed = false;
    std::vector<Field> fields = schema->fields;
    for (std::size_t c = 0; c < ncols; ++c) {
      if (*r.columns[c]->type == *fields[c].type) continue;
      const TypePtr want = detail::type_of(
          detail::join(detail::kind_of_type(*fields[c].type), detail::kind_of_type(*r.columns[c]->type)));
      if (!(*r.columns[c]->type == *want)) {
        Status s = reconvert(r, c, want);
        if (!s.ok()) return globalise(std::move(s).error(), r);
      }
      if (!(*r.columns[c]->type == *fields[c].type)) {
        fields[c].type = r.columns[c]->type;
        changed = true;
      }
    }
    if (changed) {
      // A column widened by the re-conversion may now be wider than what earlier columns saw: loop once
      // more through the consumer's own check on the next chunk; this chunk is consistent already.
      auto s = std::make_shared<Schema>(*schema);
      s->fields = fields;
      std::lock_guard<std::mutex> lock(mu);
      schema = std::move(s);
    }
    std::int64_t rows = r.rows;
    // Flags exist only where a declared column skips bad values; most chunks have none.
    if (!r.bad_flags.empty()) r.bad_flags.resize(static_cast<std::size_t>(rows), 0);
    if (std::find(r.bad_flags.begin(), r.bad_flags.end(), 1) != r.bad_flags.end()) {
      // The rows' starts (for their lines) only while lines are still reported.
      if (bad_lines_wanted()) {
        Status fs = ensure_full_index(r);
        if (!fs.ok()) return globalise(std::move(fs).error(), r);
      }
      const std::int64_t row0 = r.chunk.skip_first_row ? 1 : 0;
      std::int64_t kept = 0;
      static const std::string kDoesNotFit = "a value does not fit its declared type";
      for (std::int64_t i = 0; i < rows; ++i) {
        if (r.bad_flags[static_cast<std::size_t>(i)]) {
          note_bad([&] { return line_at(r, r.full->start(i + row0, 0, ncols)); }, kDoesNotFit);
        } else {
          ++kept;
        }
      }
      if (kept != rows) {
        for (auto& col : r.columns) col = detail::filter_rows(*col, r.bad_flags, kept);
        rows = kept;
      }
    }
    lines_before += r.index.lines;
    rows_before += rows;
    progress = r.chunk.file_offset + r.chunk.size;
    in->give_back(std::move(r.chunk.bytes));
    return pipeline::batch_of(schema, std::move(r.columns), rows);
  }

  Result<std::optional<Batch>> next() {
    if (failed) return Error(ErrorCode::kInvalidArgument, "the reader failed before", ErrorContext{path});
    while (true) {
      if (auto b = slicer.take(opt.batch_rows)) return b;
      fill_pipeline();
      std::shared_ptr<ChunkResult> r = work->take();
      if (!r) return std::optional<Batch>{};  // the end
      auto b = take_result(*r);
      if (!b.ok()) {
        failed = true;
        return std::move(b).error();
      }
      if (*b) slicer.put(std::move(**b));
    }
  }

  // ---- Opening: sniffing, header, inference ----------------------------------------------------

  // Buffers the sample and a byte more (or the whole input, when shorter).
  Status fill_sample() {
    if (in->eof || in->len > kSampleBytes) return ok_status();
    return in->read_more(kSampleBytes + 1 - in->len);
  }

  Status open() {
    path = src->path();
    in = std::make_unique<pipeline::TailReader>(*src, detail::kPadding);
    // `threads` threads convert: threads - 1 workers and the consumer.
    work = std::make_unique<pipeline::OrderedWork<ChunkResult>>(
        std::max(1, opt.threads), [this](ChunkResult& r, int) { process(r, current_types()); });
    if (opt.block_size < 4096) opt.block_size = 4096;
    if (opt.block_size > (1 << 30)) opt.block_size = 1 << 30;
    opt.max_row_bytes = std::clamp<std::int64_t>(opt.max_row_bytes, 1, std::int64_t{1} << 31);
    if (opt.batch_rows < 1) opt.batch_rows = 1;
    // (The sample and a byte more in one read: no second allocation and copy for the byte.)
    SLUICE_TRY(in->read_more(std::max(static_cast<std::size_t>(opt.block_size), kSampleBytes + 1)));
    // UTF-8 byte order mark.
    if (in->len >= 3 && in->data()[0] == 0xEF && in->data()[1] == 0xBB && in->data()[2] == 0xBF) in->drop_front(3);
    // Skipped leading lines (raw lines: quotes mean nothing there).
    for (std::int64_t k = 0; k < opt.skip_rows; ++k) {
      std::size_t i = 0;
      while (true) {
        while (i < in->len && in->data()[i] != '\n' && in->data()[i] != '\r') ++i;
        if (i > static_cast<std::size_t>(opt.max_row_bytes)) {
          ErrorContext ctx{path};
          ctx.line = k + 1;
          ctx.byte_offset = static_cast<std::int64_t>(in->consumed);
          return Error(ErrorCode::kLimitExceeded,
                       "a line skipped by skip_rows (--skip-rows) is longer than the limit of " + std::to_string(opt.max_row_bytes) +
                           " bytes (max_row_bytes, --max-record-size)",
                       ctx);
        }
        if (i < in->len || in->eof) break;
        SLUICE_TRY(in->read_more(in->len));
      }
      if (i >= in->len) {
        in->drop_front(in->len);
        break;
      }
      if (in->data()[i] == '\r' && i + 1 == in->len && !in->eof) SLUICE_TRY(in->read_more(1));
      std::size_t end = i + 1;
      if (in->data()[i] == '\r' && end < in->len && in->data()[end] == '\n') ++end;
      in->drop_front(end);
      ++line_base;
    }
    lines_before = line_base;
    // The dialect, the header and the types are read from the first kSampleBytes, whatever the
    // block size: a knob of speed and memory must not change what is read. A byte more is read
    // (the byte order mark and skipped lines may have taken some): the sample ends the input
    // exactly when fewer are buffered.
    SLUICE_TRY(fill_sample());
    dialect = sniff_dialect({reinterpret_cast<const char*>(in->data()), std::min(in->len, kSampleBytes)}, opt,
                            in->len <= kSampleBytes);
    {
      const char dl = dialect.delimiter;
      if (dl == '\n' || dl == '\r' || dl == '\0' || (dialect.quote != '\0' && (dl == dialect.quote || dl == dialect.escape)) ||
          (dialect.comment != '\0' && dialect.comment == dl))
        return Error(ErrorCode::kInvalidArgument,
                     "the delimiter must differ from the quote, escape and comment characters and from line ends",
                     ErrorContext{path});
      if (dialect.quote == '\n' || dialect.quote == '\r' || dialect.escape == '\n' || dialect.escape == '\r')
        return Error(ErrorCode::kInvalidArgument, "the quote and escape characters cannot be line ends", ErrorContext{path});
    }
    nulls.empty_is_null = false;
    for (const auto& n : opt.null_values) {
      if (n.empty()) nulls.empty_is_null = true;
      else nulls.others.push_back(n);
    }

    // The first row gives the column count (and, with a header, the names).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> first;
    std::size_t first_end = 0;
    while (true) {
      if (in->len == 0) break;
      // At the end of a file without a final line end, a copy with one, so its last row counts.
      const std::uint8_t last = in->data()[in->len - 1];
      std::string ended;
      if (in->eof && last != '\n' && last != '\r') {
        ended.assign(reinterpret_cast<const char*>(in->data()), in->len);
        ended.push_back('\n');
      }
      Status s = ended.empty()
                     ? detail::first_row(in->data(), in->len, dialect, first, first_end)
                     : detail::first_row(reinterpret_cast<const std::uint8_t*>(ended.data()), ended.size(), dialect,
                                         first, first_end);
      if (s.ok()) break;
      if (in->eof) {
        first.clear();
        break;  // only blank or comment lines
      }
      if (unfinished_row_bytes(first_end) > static_cast<std::size_t>(opt.max_row_bytes))
        return located(detail::row_too_long(
            opt.max_row_bytes, static_cast<std::int64_t>(line_base + detail::count_lines(in->data(), first_end)) + 1,
            static_cast<std::int64_t>(in->consumed + first_end)));
      SLUICE_TRY(in->read_more(in->len));
    }
    ncols = first.size();
    // In a file of one column a blank line is a row (a null, as DuckDB writes and reads it); blank
    // lines before the first row are none, so they leave the input here.
    if (ncols == 1 && first[0].first > 0) {
      const std::uint32_t lead = first[0].first;
      line_base += detail::count_lines(in->data(), lead);
      lines_before = line_base;
      in->drop_front(lead);
      first[0].first -= lead;
      first[0].second -= lead;
      first_end -= lead;
    }
    if (ncols > static_cast<std::size_t>(std::max<std::int64_t>(opt.max_columns, 1))) {
      ErrorContext ctx(path);
      ctx.line = static_cast<std::int64_t>(line_base) + 1;
      return Error(ErrorCode::kLimitExceeded,
                   "the first row has " + std::to_string(ncols) + " fields, more than max_columns (" +
                       std::to_string(opt.max_columns) + ")",
                   ctx);
    }
    auto sch = std::make_shared<Schema>();
    if (ncols == 0) {
      schema = sch;
      in->eof = true;
      in->len = 0;
      return ok_status();
    }
    std::string scratch;
    std::vector<std::string> first_values;
    for (const auto& [s, e] : first) first_values.emplace_back(detail::unquote(in->data(), s, e, dialect, scratch));

    // Sample: the first chunk, assembled once here to infer types (errors surface later, in order).
    std::vector<detail::Kind> kinds(ncols, detail::Kind::kNull);
    {
      // The sample chunk: the whole rows of the first kSampleBytes buffered, not in->consumed (the
      // pipeline reads them again).
      SLUICE_TRY(fill_sample());  // (blank lines may have been dropped)
      std::size_t cut = in->len <= kSampleBytes ? in->len : last_row_end(kSampleBytes);
      if (cut == 0) cut = std::min(first_end, in->len);
      auto chunk = std::make_optional<Chunk>();
      chunk->bytes = Buffer::allocate(static_cast<std::int64_t>(cut + detail::kPadding + 1), true);
      std::memcpy(chunk->bytes->mutable_data(), in->data(), cut);
      chunk->size = static_cast<std::uint32_t>(cut);
      if (cut > 0 && in->data()[cut - 1] != '\n' && in->data()[cut - 1] != '\r')
        chunk->bytes->mutable_data()[chunk->size++] = '\n';
      FieldIndex idx;
      (void)detail::assemble(*chunk, dialect, ncols, BadRowPolicy::kSkip, idx);
      if (idx.rows > 0) avg_row_bytes = static_cast<std::uint32_t>(std::max<std::uint64_t>(chunk->size / static_cast<std::uint64_t>(idx.rows), 1));
      const std::int64_t rows = std::min<std::int64_t>(idx.rows, opt.infer_rows + 1);
      std::vector<detail::Kind> first_kinds(ncols, detail::Kind::kNull);
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < ncols; ++c) {
          const std::size_t i = static_cast<std::size_t>(r) * ncols + c;
          const std::uint32_t s = idx.starts[i], e = idx.ends[i];
          const bool quoted = dialect.quote != '\0' && e > s && chunk->data()[s] == static_cast<std::uint8_t>(dialect.quote);
          const char* p = reinterpret_cast<const char*>(chunk->data()) + s;
          detail::Kind k;
          if (!quoted && nulls.matches(p, e - s)) {
            k = detail::Kind::kNull;
          } else {
            auto v = detail::unquote(chunk->data(), s, e, dialect, scratch);
            k = detail::kind_of(v.data(), v.size());
          }
          if (r == 0) first_kinds[c] = k;
          else kinds[c] = detail::join(kinds[c], k);
        }
      }
      if (!opt.header) {
        bool any_typed = false, first_fits = true, first_has_empty = false;
        for (std::size_t c = 0; c < ncols; ++c) {
          if (first_values[c].empty()) first_has_empty = true;
          if (kinds[c] != detail::Kind::kString && kinds[c] != detail::Kind::kNull) {
            any_typed = true;
            if (detail::join(kinds[c], first_kinds[c]) != kinds[c]) first_fits = false;
          }
        }
        dialect.header = any_typed ? !first_fits : !first_has_empty;
      } else {
        dialect.header = *opt.header;
      }
      if (!dialect.header)
        for (std::size_t c = 0; c < ncols; ++c) kinds[c] = detail::join(kinds[c], first_kinds[c]);
    }

    // Names.
    std::vector<std::string> names;
    if (!opt.column_names.empty()) {
      if (opt.column_names.size() != ncols)
        return Error(ErrorCode::kInvalidArgument,
                     std::to_string(opt.column_names.size()) + " column names given but the input has " +
                         std::to_string(ncols) + " columns",
                     ErrorContext{path});
      names = opt.column_names;
    } else {
      std::unordered_set<std::string> taken;
      for (std::size_t c = 0; c < ncols; ++c) {
        std::string n = dialect.header ? first_values[c] : std::string();
        if (n.empty()) n = "column" + std::to_string(c);
        names.push_back(unique_name(n, taken));
      }
    }
    declared.assign(ncols, false);
    for (std::size_t c = 0; c < ncols; ++c) sch->fields.push_back(Field{names[c], detail::type_of(kinds[c]), true});
    std::unordered_map<std::string_view, int> by_name;  // first column of each name, as Schema::find
    for (std::size_t c = 0; c < ncols; ++c) by_name.emplace(sch->fields[c].name, static_cast<int>(c));
    for (const auto& [name, type] : opt.column_types) {
      const auto found = by_name.find(name);
      const int i = found == by_name.end() ? -1 : found->second;
      if (i < 0) return Error(ErrorCode::kInvalidArgument, "a type is given for '" + name + "' but there is no such column", ErrorContext{path});
      if (!type || !detail::csv_supports(*type))
        return Error(ErrorCode::kNotImplemented, "CSV cannot hold values of type " + (type ? type->to_string() : "?") + " (column '" + name + "')", ErrorContext{path});
      sch->fields[static_cast<std::size_t>(i)].type = type;
      declared[static_cast<std::size_t>(i)] = true;
    }
    for (const auto& [name, type] : opt.expected_types) {
      const auto found = by_name.find(name);
      if (found == by_name.end() || !type || !detail::csv_supports(*type)) continue;
      const auto i = static_cast<std::size_t>(found->second);
      if (declared[i]) continue;
      sch->fields[i].type = type;
      declared[i] = true;
    }
    schema = std::move(sch);

    return ok_status();
  }
};

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::open(io::SourcePtr source, ReadOptions options) {
  if (!source) return Error(ErrorCode::kInvalidArgument, "no source");
  if (options.infer_rows < 0) {
    // Whole-input inference: a first pass widens every column as far as the data needs; the real pass
    // then reads with those types declared, so every batch has the final schema.
    ReadOptions first = options;
    first.infer_rows = ReadOptions{}.infer_rows;
    SLUICE_ASSIGN_OR_RETURN(auto pass, (pipeline::first_pass<CsvReader>(*source, std::move(first))));
    const Dialect& d = pass->dialect();
    options.delimiter = d.delimiter;
    options.quote = d.quote;
    options.escape = d.escape;
    options.comment = d.comment;
    options.header = d.header;
    options.column_names.clear();
    options.column_types.clear();
    for (const auto& f : pass->schema()->fields) {
      options.column_names.push_back(f.name);
      options.column_types.emplace_back(f.name, f.type);
    }
    options.infer_rows = 0;
  }
  auto impl = std::make_unique<Impl>();
  impl->src = std::move(source);
  impl->opt = std::move(options);
  SLUICE_TRY(impl->open());
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(impl)));
}

const SchemaPtr& CsvReader::schema() const { return impl_->schema; }
const Dialect& CsvReader::dialect() const { return impl_->dialect; }
Result<std::optional<Batch>> CsvReader::next() { return impl_->next(); }
const BadRowReport& CsvReader::bad_rows() const { return impl_->report; }
std::uint64_t CsvReader::bytes_read() const { return impl_->progress; }

Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options) {
  SLUICE_ASSIGN_OR_RETURN(auto reader, CsvReader::open(std::move(source), std::move(options)));
  return pipeline::drain(*reader);
}

}  // namespace sluice::csv
