// The NDJSON reader: a producer cuts the input into chunks of whole records (at the last line end of
// a block; JSON arrays and pretty-printed objects are first rewritten one record per line by a
// structural scan), workers convert chunks independently (ndjson/convert.cpp), and the consumer
// hands out their batches in order, joining types so that one thread or many give the same batches.
#include "sluice/codecs/ndjson/reader.hpp"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstring>
#include <deque>
#include <mutex>

#include "common/pipeline.hpp"
#include "ndjson/convert.hpp"
#include "ndjson/infer.hpp"

namespace sluice::ndjson {

using detail::BadRecord;
using detail::Chunk;
using detail::ChunkOutput;
using detail::ChunkParser;

namespace {

struct ChunkResult {
  Chunk chunk;
  ChunkOutput out;
  std::optional<Error> produce_error;  // the producer failed here (e.g. a record over the limit)
};

bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The index of the first byte at or after i that is '"', '\\' or a line end (inside a string), or
// of the first '"', '{', '}', '[', ']', '\n' or '\r' (outside), or n. Sixteen bytes at a time.
inline std::size_t next_in_string(const std::uint8_t* s, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
  const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b)), _mm_cmpeq_epi8(v, nl));
    const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(m));
  }
#endif
  for (; i < n; ++i)
    if (s[i] == '"' || s[i] == '\\' || s[i] == '\n') return i;
  return n;
}
inline std::size_t next_structural(const std::uint8_t* s, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
  // Seven compares per 16 bytes: far cheaper than a branch per byte.
  const __m128i q = _mm_set1_epi8('"'), o1 = _mm_set1_epi8('{'), c1 = _mm_set1_epi8('}'), o2 = _mm_set1_epi8('['),
                c2 = _mm_set1_epi8(']'), nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, o1));
    hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(v, c1), _mm_cmpeq_epi8(v, o2)));
    hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, nl)));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, cr));
    const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(m));
  }
#endif
  for (; i < n; ++i) {
    const std::uint8_t c = s[i];
    if (c == '"' || c == '{' || c == '}' || c == '[' || c == ']' || c == '\n' || c == '\r') return i;
  }
  return n;
}

// The structural scan for JSON arrays of objects and for objects one after another: finds where each
// top-level object starts and ends (strings and nesting tracked byte by byte) and copies it out as one
// line, its own line ends (whitespace between tokens) turned into spaces.
class RecordScanner {
 public:
  enum class Phase : std::uint8_t { kBeforeArray, kBeforeElement, kInElement, kAfterElement, kDone };

  explicit RecordScanner(bool array) : array_(array), phase_(array ? Phase::kBeforeArray : Phase::kBeforeElement) {}

  // Scans in[0, n) (input offset `base`), appending records to `out`. Returns an error message (and
  // sets *err_at to its input offset) on bytes that cannot be part of the format.
  std::string scan(const std::uint8_t* in, std::size_t n, std::uint64_t base, std::string& out,
                   std::uint64_t* err_at) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t c = in[i];
      switch (phase_) {
        case Phase::kBeforeArray:
          if (c == '\n') ++line_;
          if (is_space(c)) continue;
          if (c != '[') return fail("a JSON array must start with '['", base + i, err_at);
          phase_ = Phase::kBeforeElement;
          continue;
        case Phase::kBeforeElement:
          if (c == '\n') ++line_;
          if (is_space(c)) continue;
          if (array_ && c == ']' && !after_comma_) {
            phase_ = Phase::kDone;
            continue;
          }
          if (c != '{') {
            return fail(array_ ? "an element of the JSON array is not an object" : "a record is not a JSON object",
                        base + i, err_at);
          }
          record_start_ = out.size();
          record_lines_.push_back(line_);
          record_offsets_.push_back(base + i);
          out.push_back('{');
          depth_ = 1;
          in_string_ = escaped_ = false;
          phase_ = Phase::kInElement;
          continue;
        case Phase::kInElement: {
          if (escaped_) {  // the byte after a backslash in a string
            escaped_ = false;
            if (c == '\n') return fail("invalid JSON: a line break inside a string", base + i, err_at);
            out.push_back(static_cast<char>(c));
            continue;
          }
          // Copy the run up to the next byte that matters, at once.
          const std::size_t j = in_string_ ? next_in_string(in, i, n) : next_structural(in, i, n);
          if (j > i) out.append(reinterpret_cast<const char*>(in + i), j - i);
          if (j == n) {
            i = n - 1;
            continue;
          }
          i = j;
          const std::uint8_t d = in[j];
          if (in_string_) {
            if (d == '\\') escaped_ = true;
            else if (d == '"') in_string_ = false;
            else return fail("invalid JSON: a line break inside a string", base + i, err_at);
            out.push_back(static_cast<char>(d));
            continue;
          }
          if (d == '\n' || d == '\r') {
            if (d == '\n') ++line_;
            out.push_back(' ');
            continue;
          }
          out.push_back(static_cast<char>(d));
          if (d == '"') in_string_ = true;
          else if (d == '{' || d == '[') ++depth_;
          else if (--depth_ == 0) {  // '}' or ']'
            out.push_back('\n');
            ++records_;
            phase_ = array_ ? Phase::kAfterElement : Phase::kBeforeElement;
            after_comma_ = false;
          }
          continue;
        }
        case Phase::kAfterElement:
          if (c == '\n') ++line_;
          if (is_space(c)) continue;
          if (c == ',') {
            phase_ = Phase::kBeforeElement;
            after_comma_ = true;
            continue;
          }
          if (c == ']') {
            phase_ = Phase::kDone;
            continue;
          }
          return fail("expected ',' or ']' after an element of the JSON array", base + i, err_at);
        case Phase::kDone:
          if (c == '\n') ++line_;
          if (is_space(c)) continue;
          return fail("unexpected bytes after the end of the JSON array", base + i, err_at);
      }
    }
    return {};
  }

  // At the end of the input.
  std::string finish(std::uint64_t at, std::uint64_t* err_at) {
    if (phase_ == Phase::kInElement) return fail("the input ends inside a record", at, err_at);
    if (array_ && phase_ != Phase::kDone) return fail("the input ends before the JSON array is closed", at, err_at);
    return {};
  }

  bool in_record() const { return phase_ == Phase::kInElement; }
  std::size_t record_start() const { return record_start_; }
  // The first `n` bytes of the output were handed out: the record in progress moves down with the rest.
  void drop_output(std::size_t n) { record_start_ = record_start_ >= n ? record_start_ - n : 0; }
  std::int64_t line() const { return line_; }
  std::int64_t records() const { return records_; }
  // Records completed so far (their lines and offsets), taken by the producer per chunk.
  std::vector<std::int64_t> record_lines_;
  std::vector<std::uint64_t> record_offsets_;

 private:
  std::string fail(const char* msg, std::uint64_t at, std::uint64_t* err_at) {
    *err_at = at;
    return msg;
  }
  bool array_;
  Phase phase_;
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false, after_comma_ = false;
  std::int64_t line_ = 0;  // line ends seen so far
  std::int64_t records_ = 0;
  std::size_t record_start_ = 0;
};

}  // namespace

class NdjsonReader::Impl {
 public:
  io::SourcePtr src;
  ReadOptions opt;
  detail::Settings set;
  Format format = Format::kLines;
  TypePtr root_type;  // struct of the columns so far
  SchemaPtr schema;
  std::string path;
  BadLineReport report;

  // Producer.
  std::unique_ptr<pipeline::TailReader> in;
  std::int64_t next_index = 0;
  std::unique_ptr<RecordScanner> scanner;
  std::string scan_out;
  std::int64_t scan_lines_done = 0;  // scanner lines already attributed to earlier chunks
  std::uint64_t scan_offset_done = 0;
  std::deque<Chunk> prefetched;  // chunks read for the inference sample, converted first
  std::optional<Error> pending_error;  // the producer failed while reading the sample: after it

  // Converting: a parser per thread (slot 0 is the consumer's), types read under a lock.
  std::vector<std::unique_ptr<ChunkParser>> parsers;
  std::unique_ptr<pipeline::OrderedWork<ChunkResult>> work;
  std::mutex type_mu;

  // Consumer.
  std::int64_t lines_before = 0;
  std::int64_t rows_before = 0;
  pipeline::BatchSlicer slicer;
  bool failed = false;
  std::uint64_t progress = 0;

  ~Impl() { work.reset(); }  // workers stop before the parsers they use go

  Error located(Error e) { return std::move(e).with_path(path); }

  // ---- Reading and cutting chunks -------------------------------------------------------------

  Error too_long(std::uint64_t at) {
    ErrorContext ctx(path);
    ctx.byte_offset = static_cast<std::int64_t>(at);
    // Lines of arrays and concatenated objects are known here; NDJSON's are counted in order later.
    if (scanner && !scanner->record_lines_.empty()) ctx.line = scanner->record_lines_.back() + 1;
    return Error(ErrorCode::kLimitExceeded,
                 "a record is longer than the limit of " + std::to_string(opt.max_record_bytes) +
                     " bytes (max_record_bytes, --max-record-size)",
                 ctx);
  }

  // The next chunk of whole lines. nullopt at the end.
  Result<std::optional<Chunk>> produce_lines() {
    const std::size_t block = static_cast<std::size_t>(opt.block_size);
    if (in->len < block) SLUICE_TRY(in->read_more(block - in->len));
    std::size_t cut = 0;
    while (true) {
      if (in->eof) {
        cut = in->len;
        break;
      }
      const void* nl = in->len ? ::memrchr(in->data(), '\n', in->len) : nullptr;
      if (nl) {
        cut = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - in->data()) + 1;
        break;
      }
      if (in->len >= static_cast<std::size_t>(opt.max_record_bytes)) return too_long(in->consumed);
      SLUICE_TRY(in->read_more(std::min<std::size_t>(std::max<std::size_t>(in->len, block),
                                                     static_cast<std::size_t>(opt.max_record_bytes))));
    }
    if (cut == 0) return std::optional<Chunk>{};
    // The chunk takes the read buffer (no copy of the records). Bytes past the cut are simdjson's
    // padding: blanks, so that nothing there reads as a value.
    Chunk c;
    c.file_offset = in->consumed;
    c.bytes = in->cut(cut, block);
    std::memset(c.bytes->mutable_data() + cut, ' ', std::min<std::size_t>(detail::kPadding, c.bytes->capacity() - cut));
    c.size = cut;
    c.input_bytes = cut;
    c.index = next_index++;
    return std::optional<Chunk>(std::move(c));
  }

  // The next chunk of records rewritten one per line (arrays, concatenated objects).
  Result<std::optional<Chunk>> produce_scanned() {
    const std::size_t block = static_cast<std::size_t>(opt.block_size);
    while (true) {
      const bool full = scan_out.size() >= block && !scanner->in_record();
      const bool committed_enough = scanner->in_record() && scanner->record_start() >= block;
      if (full || committed_enough || (in->eof && in->len == 0)) break;
      if (scanner->in_record() && scan_out.size() - scanner->record_start() > static_cast<std::size_t>(opt.max_record_bytes))
        return too_long(scanner->record_offsets_.back());
      if (in->len == 0) SLUICE_TRY(in->read_more(block));
      if (in->len == 0) continue;
      std::uint64_t err_at = 0;
      std::string err = scanner->scan(in->data(), in->len, in->consumed, scan_out, &err_at);
      in->drop_front(in->len);
      if (!err.empty()) return scan_error(std::move(err), err_at);
    }
    if (in->eof) {
      std::uint64_t err_at = 0;
      std::string err = scanner->finish(in->consumed, &err_at);
      if (!err.empty()) return scan_error(std::move(err), err_at);
    }
    // Complete records only; a record in progress stays for the next chunk.
    const std::size_t cut = scanner->in_record() ? scanner->record_start() : scan_out.size();
    std::size_t nrec = scanner->record_lines_.size() - (scanner->in_record() ? 1 : 0);
    if (cut == 0 && nrec == 0 && in->eof) return std::optional<Chunk>{};
    Chunk c;
    c.bytes = in->take_buffer(cut + detail::kPadding + 1);
    std::memcpy(c.bytes->mutable_data(), scan_out.data(), cut);
    std::memset(c.bytes->mutable_data() + cut, ' ', detail::kPadding);
    c.size = cut;
    c.file_offset = scan_offset_done;
    const std::int64_t first_line = scan_lines_done;
    for (std::size_t i = 0; i < nrec; ++i) {
      c.record_lines.push_back(scanner->record_lines_[i] - first_line);
      c.record_offsets.push_back(scanner->record_offsets_[i] - scan_offset_done);
    }
    // The chunk spans input lines up to its last record's start (the rest is counted by the next).
    const std::int64_t next_first = scanner->in_record() ? scanner->record_lines_.back() : scanner->line();
    const std::uint64_t next_offset = scanner->in_record() ? scanner->record_offsets_.back() : in->consumed;
    c.input_lines = next_first - first_line;
    c.input_bytes = next_offset - scan_offset_done;
    scan_lines_done = next_first;
    scan_offset_done = next_offset;
    scanner->record_lines_.erase(scanner->record_lines_.begin(), scanner->record_lines_.begin() + static_cast<std::ptrdiff_t>(nrec));
    scanner->record_offsets_.erase(scanner->record_offsets_.begin(), scanner->record_offsets_.begin() + static_cast<std::ptrdiff_t>(nrec));
    scan_out.erase(0, cut);
    scanner->drop_output(cut);
    c.index = next_index++;
    if (c.size == 0 && in->eof && !scanner->in_record()) return std::optional<Chunk>{};  // only the (valid) end
    return std::optional<Chunk>(std::move(c));
  }

  Error scan_error(std::string msg, std::uint64_t at) {
    ErrorContext ctx(path);
    ctx.byte_offset = static_cast<std::int64_t>(at);
    ctx.line = scanner->line() + 1;
    return Error(ErrorCode::kParseError, std::move(msg), ctx);
  }

  Result<std::optional<Chunk>> produce() {
    if (!prefetched.empty()) {
      Chunk c = std::move(prefetched.front());
      prefetched.pop_front();
      return std::optional<Chunk>(std::move(c));
    }
    if (pending_error) {
      Error e = std::move(*pending_error);
      pending_error.reset();
      return e;
    }
    // (After an error the work is closed: nothing more is asked for.)
    return format == Format::kLines ? produce_lines() : produce_scanned();
  }

  // ---- Converting (any thread) ----------------------------------------------------------------

  TypePtr current_type() {
    std::lock_guard<std::mutex> lock(type_mu);
    return root_type;
  }

  void process(ChunkResult& r, int slot) { r.out = parsers[static_cast<std::size_t>(slot)]->process(r.chunk, current_type()); }

  // ---- Consuming results in order -------------------------------------------------------------

  void fill_pipeline() {
    pipeline::fill_with_chunks(*work, [&] { return produce(); });
  }

  Error record_error(const BadRecord& b, const ChunkResult& r) {
    ErrorContext ctx(path);
    ctx.line = lines_before + b.line + 1;
    ctx.byte_offset = static_cast<std::int64_t>(r.chunk.file_offset + b.offset);
    ctx.column_name = b.column;
    return Error(b.code, b.reason, ctx);
  }

  void note_bad(std::int64_t line, std::string reason) {
    if (report.first_lines.size() < 10) {
      report.first_lines.push_back(line);
      report.first_reasons.push_back(std::move(reason));
    }
  }

  // The join of two root types (declared columns keep theirs).
  TypePtr join(const TypePtr& a, const TypePtr& b) {
    auto n = detail::node_from_schema(Schema{a->children, {}}, set.declared);
    if (set.root_declared) return a;
    n->join_type(*b);
    return n->type();
  }

  // The limit on keys per object is checked on the joined types, in order: the same types at the same
  // chunk whatever the threads (a worker's own inference may start from older types).
  bool too_many_fields(const DataType& t) const {
    if (t.id == TypeId::kStruct && static_cast<std::int64_t>(t.children.size()) > opt.max_fields) return true;
    for (const auto& c : t.children)
      if (too_many_fields(*c.type)) return true;
    return false;
  }
  Error fields_error() {
    ErrorContext ctx(path);
    ctx.line = lines_before + 1;
    return Error(ErrorCode::kLimitExceeded,
                 "objects have more than max_fields (" + std::to_string(opt.max_fields) +
                     ") distinct keys (in the records from this line on)",
                 ctx);
  }

  void set_root_type(TypePtr t) {
    auto s = std::make_shared<Schema>();
    s->fields = t->children;
    std::lock_guard<std::mutex> lock(type_mu);
    root_type = std::move(t);
    schema = std::move(s);
  }

  Result<std::optional<Batch>> take_result(ChunkResult& r) {
    if (r.produce_error) {
      Error e = std::move(*r.produce_error);
      if (e.context().line < 0 && format == Format::kLines) e.context().line = lines_before + 1;
      return located(std::move(e));
    }
    ChunkOutput& out = r.out;
    if (out.error) return record_error(*out.error, r);
    if (!(*out.type == *root_type)) {
      const TypePtr want = join(root_type, out.type);
      if (!(*want == *out.type)) {
        // A worker started from older types than this chunk's turn has: convert it again with the
        // types a single thread would have used here.
        out = parsers[0]->process(r.chunk, want);
        if (out.error) return record_error(*out.error, r);
      }
      if (too_many_fields(*out.type)) return fields_error();
      set_root_type(out.type);
    }
    // Bad records of the conversion that counts (after any re-conversion).
    report.count += out.bad_count;
    for (const auto& b : out.bad) note_bad(lines_before + b.line + 1, b.reason);
    lines_before += out.lines;
    const std::int64_t rows = out.rows;
    rows_before += rows;
    progress = r.chunk.file_offset + r.chunk.input_bytes;
    in->give_back(std::move(r.chunk.bytes));
    return pipeline::batch_of(schema, std::move(out.columns), rows);
  }

  Result<std::optional<Batch>> next() {
    if (failed) return Error(ErrorCode::kInvalidArgument, "the reader failed before", ErrorContext{path});
    while (true) {
      if (auto b = slicer.take(opt.batch_rows)) return b;
      fill_pipeline();
      std::shared_ptr<ChunkResult> r = work->take();
      if (!r) return std::optional<Batch>{};
      auto b = take_result(*r);
      if (!b.ok()) {
        failed = true;
        return std::move(b).error();
      }
      if (*b) slicer.put(std::move(**b));
    }
  }

  // ---- Opening: format, inference ---------------------------------------------------------------

  // The format from the first bytes: '[' is an array; an object that ends on its first line starts
  // NDJSON, one that spans lines starts concatenated objects. Looks at no more than max_record_bytes
  // (so the answer does not depend on the block size); nullopt: undecided in what is read so far.
  std::optional<Format> detect() const {
    const std::uint8_t* d = in->data();
    const std::size_t window = std::min<std::size_t>(in->len, static_cast<std::size_t>(opt.max_record_bytes));
    const bool all_seen = in->eof || window == static_cast<std::size_t>(opt.max_record_bytes);
    std::size_t i = 0;
    while (i < window && is_space(d[i])) ++i;
    if (i == window) return all_seen ? std::optional<Format>(Format::kLines) : std::nullopt;
    if (d[i] == '[') return Format::kArray;
    if (d[i] != '{') return Format::kLines;  // the converter says what is wrong with it
    int depth = 0;
    bool in_string = false, escaped = false;
    for (; i < window; ++i) {
      const std::uint8_t c = d[i];
      if (in_string) {
        if (escaped) escaped = false;
        else if (c == '\\') escaped = true;
        else if (c == '"') in_string = false;
        else if (c == '\n') return Format::kLines;  // invalid either way; let the line reader say so
        continue;
      }
      if (c == '\n') return Format::kConcatenated;
      if (c == '"') in_string = true;
      else if (c == '{' || c == '[') ++depth;
      else if ((c == '}' || c == ']') && --depth == 0) return Format::kLines;
    }
    return all_seen ? std::optional<Format>(Format::kLines) : std::nullopt;
  }

  Status open() {
    path = src->path();
    opt.block_size = std::clamp<std::int64_t>(opt.block_size, 4096, 1 << 30);
    opt.max_record_bytes = std::clamp<std::int64_t>(opt.max_record_bytes, 16, std::int64_t{1} << 31);
    opt.max_depth = std::clamp<std::int64_t>(opt.max_depth, 1, 4096);
    if (opt.batch_rows < 1) opt.batch_rows = 1;
    if (opt.threads < 1) opt.threads = 1;
    set.unknown_fields = opt.unknown_fields;
    set.big_integers = opt.big_integers;
    set.detect_temporal = opt.detect_temporal;
    set.bad_lines = opt.bad_lines;
    set.max_depth = opt.max_depth;
    set.max_fields = opt.max_fields;
    set.max_record_bytes = opt.max_record_bytes;
    set.declared = opt.column_types;
    for (std::size_t i = 0; i < set.declared.size(); ++i) {
      if (!set.declared[i].second)
        return Error(ErrorCode::kInvalidArgument, "column '" + set.declared[i].first + "' is declared without a type", ErrorContext{path});
      for (std::size_t j = 0; j < i; ++j)
        if (set.declared[j].first == set.declared[i].first)
          return Error(ErrorCode::kInvalidArgument, "column '" + set.declared[i].first + "' is declared twice", ErrorContext{path});
    }
    set.root_declared = opt.schema != nullptr;
    for (int i = 0; i < opt.threads; ++i) parsers.push_back(std::make_unique<ChunkParser>(set));
    in = std::make_unique<pipeline::TailReader>(*src, detail::kPadding);

    SLUICE_TRY(in->read_more(static_cast<std::size_t>(opt.block_size)));
    const std::uint8_t* d = in->data();
    if (in->len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) in->drop_front(3);
    if (opt.format == Format::kAuto) {
      std::optional<Format> found = detect();
      while (!found) {
        SLUICE_TRY(in->read_more(std::max<std::size_t>(in->len, 4096)));
        found = detect();
      }
      format = *found;
    } else {
      format = opt.format;
    }
    if (format != Format::kLines) {
      scanner = std::make_unique<RecordScanner>(format == Format::kArray);
      scan_offset_done = in->consumed;
    }

    if (opt.schema) {
      std::vector<Field> fields = opt.schema->fields;
      set_root_type(struct_(std::move(fields)));
    } else {
      // Inference over a sample of records: the chunks read for it are converted first, not read again.
      auto root = std::make_unique<detail::Node>();
      root->kind = detail::Kind::kStruct;
      std::int64_t seen = 0;
      std::int64_t sample_bytes = 0;
      const std::int64_t byte_cap = std::max<std::int64_t>(opt.block_size * 16, 64 << 20);
      std::optional<BadRecord> first_error;
      std::int64_t lines = 0;
      while (opt.infer_rows != 0 && (opt.infer_rows < 0 || seen < opt.infer_rows) && sample_bytes < byte_cap) {
        auto c = format == Format::kLines ? produce_lines() : produce_scanned();
        if (!c.ok()) {
          // Surfaces in order when the reader reaches it.
          pending_error = std::move(c).error();
          break;
        }
        if (!*c) break;
        Chunk& ch = **c;
        const std::int64_t want = opt.infer_rows < 0 ? -1 : opt.infer_rows - seen;
        seen += parsers[0]->infer(ch, *root, want, opt.bad_lines == BadLinePolicy::kError ? &first_error : nullptr);
        if (first_error) {
          ErrorContext ctx(path);
          ctx.line = lines + first_error->line + 1;
          ctx.byte_offset = static_cast<std::int64_t>(ch.file_offset + first_error->offset);
          ctx.column_name = first_error->column;
          return Error(first_error->code, first_error->reason, ctx);
        }
        lines += ch.input_lines >= 0 ? ch.input_lines : detail::count_lines(ch.data(), ch.size);
        sample_bytes += static_cast<std::int64_t>(ch.size);
        prefetched.push_back(std::move(**c));
      }
      // Declared columns the sample never showed still exist (all null so far).
      for (const auto& d : set.declared)
        if (root->find(d.first) == SIZE_MAX) root->add(d.first).declared = d.second;
      TypePtr sampled = root->type();
      if (too_many_fields(*sampled)) return fields_error();
      set_root_type(std::move(sampled));
    }
    work = std::make_unique<pipeline::OrderedWork<ChunkResult>>(opt.threads,
                                                                [this](ChunkResult& r, int slot) { process(r, slot); });
    return ok_status();
  }

};

NdjsonReader::NdjsonReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NdjsonReader::~NdjsonReader() = default;

Result<std::unique_ptr<NdjsonReader>> NdjsonReader::open(io::SourcePtr source, ReadOptions options) {
  if (!source) return Error(ErrorCode::kInvalidArgument, "no source");
  if (options.infer_rows < 0 && !options.schema) {
    // Whole-input inference: a first pass widens every column as far as the data needs; the real pass
    // then reads with that schema, so every batch has the final one.
    ReadOptions first = options;
    first.infer_rows = ReadOptions{}.infer_rows;
    SLUICE_ASSIGN_OR_RETURN(auto pass, (pipeline::first_pass<NdjsonReader>(*source, std::move(first))));
    options.schema = pass->schema();
    options.format = pass->format();
    options.infer_rows = 0;
    if (options.unknown_fields == UnknownFields::kInfer) options.unknown_fields = UnknownFields::kIgnore;
  }
  auto impl = std::make_unique<Impl>();
  impl->src = std::move(source);
  impl->opt = std::move(options);
  SLUICE_TRY(impl->open());
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(std::move(impl)));
}

const SchemaPtr& NdjsonReader::schema() const { return impl_->schema; }
Format NdjsonReader::format() const { return impl_->format; }
Result<std::optional<Batch>> NdjsonReader::next() { return impl_->next(); }
const BadLineReport& NdjsonReader::bad_lines() const { return impl_->report; }
std::uint64_t NdjsonReader::bytes_read() const { return impl_->progress; }

Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options) {
  SLUICE_ASSIGN_OR_RETURN(auto reader, NdjsonReader::open(std::move(source), std::move(options)));
  return pipeline::drain(*reader);
}

}  // namespace sluice::ndjson
