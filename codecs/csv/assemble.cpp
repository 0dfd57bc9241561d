#include "csv/assemble.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::csv::detail {

std::size_t scan_general(const std::uint8_t* data, std::size_t len, const Dialect& d, std::uint32_t base,
                         std::uint32_t* out, GeneralState& st) {
  std::uint32_t* o = out;
  const std::uint8_t delim = static_cast<std::uint8_t>(d.delimiter);
  const std::uint8_t quote = static_cast<std::uint8_t>(d.quote);
  const std::uint8_t escape = static_cast<std::uint8_t>(d.escape);
  const std::uint8_t comment = static_cast<std::uint8_t>(d.comment);
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint8_t c = data[i];
    if (c == '\n') ++st.lines;
    else if (st.prev_cr) ++st.lines;
    st.prev_cr = c == '\r';
    if (st.escaped) {
      st.escaped = false;
      continue;
    }
    if (st.at_row_start && comment != 0 && c == comment) st.in_comment = true;
    if (st.in_comment) {
      if (c == '\n' || c == '\r') {
        st.in_comment = false;
        st.at_row_start = true;
        *o++ = base + static_cast<std::uint32_t>(i);
      }
      continue;
    }
    const bool eol = c == '\n' || c == '\r';
    if (escape != 0 && c == escape && st.inside) {  // an escape only means something inside quotes
      st.escaped = true;
      st.at_row_start = false;
      continue;
    }
    if (quote != 0 && c == quote) {
      st.inside = !st.inside;
    } else if (!st.inside && (c == delim || eol)) {
      *o++ = base + static_cast<std::uint32_t>(i);
      st.at_row_start = eol;
      continue;
    }
    st.at_row_start = false;
  }
  return static_cast<std::size_t>(o - out);
}

std::uint64_t count_lines(const std::uint8_t* data, std::size_t pos) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < pos; ++i) {
    if (data[i] == '\n') ++n;
    else if (data[i] == '\r' && (i + 1 >= pos || data[i + 1] != '\n')) ++n;
  }
  return n;
}

std::string_view unquote(const std::uint8_t* data, std::uint32_t start, std::uint32_t end, const Dialect& d,
                         std::string& scratch) {
  const char* p = reinterpret_cast<const char*>(data) + start;
  const std::size_t n = end - start;
  const bool quoted = d.quote != '\0' && n > 0 && p[0] == d.quote;
  if (!quoted) return {p, n};
  // The common case: "text" with no quote or escape inside is a view, no copy.
  const char* body = p + 1;
  const char* stop = p + n;
  const char* q = static_cast<const char*>(std::memchr(body, d.quote, static_cast<std::size_t>(stop - body)));
  const char* esc = d.escape != '\0' ? static_cast<const char*>(std::memchr(body, d.escape, static_cast<std::size_t>(stop - body))) : nullptr;
  if (q == stop - 1 && esc == nullptr) return {body, static_cast<std::size_t>(q - body)};
  scratch.clear();
  bool inside = true;
  for (const char* i = body; i < stop;) {
    const char c = *i;
    if (!inside) {  // after the closing quote: kept as written (lenient), a quote reopens
      if (c == d.quote) inside = true;
      else scratch.push_back(c);
      ++i;
      continue;
    }
    // Copy the run up to the next quote or escape in one go.
    const char* run = i;
    while (i < stop && *i != d.quote && (d.escape == '\0' || *i != d.escape)) ++i;
    scratch.append(run, static_cast<std::size_t>(i - run));
    if (i == stop) break;
    if (d.escape != '\0' && *i == d.escape && i + 1 < stop) {
      scratch.push_back(i[1]);
      i += 2;
    } else if (*i == d.quote && d.escape == '\0' && i + 1 < stop && i[1] == d.quote) {
      scratch.push_back(d.quote);
      i += 2;
    } else if (*i == d.quote) {
      inside = false;
      ++i;
    } else {
      scratch.push_back(*i++);
    }
  }
  return scratch;
}

// Turns structural positions into rows of fields.
struct Assembler {
  const Chunk& chunk;
  const Dialect& d;
  std::size_t ncols;
  BadRowPolicy policy;
  FieldIndex& out;
  const std::uint8_t* data;
  std::uint32_t field_start = 0;
  std::uint32_t row_start = 0;
  std::size_t nf = 0;
  LineTracker lines;
  std::uint32_t* starts = nullptr;
  std::uint32_t* ends = nullptr;
  std::size_t cap_rows = 0;
  std::uint32_t max_row = ~std::uint32_t{0};

  // Room for `rows` rows counted from out.first_row.
  void reserve_rows(std::size_t rows) {
    if (rows <= cap_rows) return;
    const std::size_t want = std::max(rows, cap_rows * 2);
    out.starts.resize(want * ncols);
    out.ends.resize(want * ncols);
    starts = out.starts.data();
    ends = out.ends.data();
    cap_rows = want;
  }

  Status ragged(std::uint32_t at_field_end) {
    const std::string reason = "expected " + std::to_string(ncols) + " fields but the row has " +
                               (nf > ncols ? "more" : std::to_string(nf));
    if (policy == BadRowPolicy::kSkip) {
      ++out.bad_count;
      if (out.bad.size() < 16) out.bad.push_back(BadRow{row_start, reason});
      return ok_status();
    }
    ErrorContext ctx;
    ctx.line = static_cast<std::int64_t>(count_lines(data, row_start)) + 1;  // made global by the caller
    ctx.column = static_cast<std::int64_t>(std::min(nf, ncols)) + 1;
    ctx.byte_offset = static_cast<std::int64_t>(at_field_end);
    return Error(ErrorCode::kParseError, reason, ctx);
  }

  // The row being assembled is longer than max_row (its line made global by the caller).
  Error too_long() const {
    return row_too_long(max_row, static_cast<std::int64_t>(count_lines(data, row_start)) + 1, row_start);
  }

  // Processes one piece's structural positions. The delimiter path is the hot one: it keeps its
  // state in locals (stores to the index could alias members) and leaves line ends to end_row().
  Status run(const std::uint32_t* pos, std::size_t n) {
    const std::uint8_t delim = static_cast<std::uint8_t>(d.delimiter);
    std::size_t k = nf;
    std::uint32_t fs = field_start;
    std::uint32_t* S = starts + static_cast<std::size_t>(out.rows - out.first_row) * ncols;
    std::uint32_t* E = ends + static_cast<std::size_t>(out.rows - out.first_row) * ncols;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t p = pos[i];
      if (data[p] == delim) {
        if (k < ncols) {
          S[k] = fs;
          E[k] = p;
        }
        ++k;
        fs = p + 1;
        continue;
      }
      nf = k;
      field_start = fs;
      SLUICE_TRY(end_row(p));
      k = nf;
      fs = field_start;
      S = starts + static_cast<std::size_t>(out.rows - out.first_row) * ncols;
      E = ends + static_cast<std::size_t>(out.rows - out.first_row) * ncols;
    }
    nf = k;
    field_start = fs;
    return ok_status();
  }

  // A line end at p.
  Status end_row(std::uint32_t p) {
    if (p - row_start > max_row) [[unlikely]] return too_long();
    const LineEnd kind = lines.classify(data, p, nf, field_start, row_start, d.comment, ncols == 1);
    if (kind == LineEnd::kRow) {
      const std::size_t r = static_cast<std::size_t>(out.rows - out.first_row);
      if (nf < ncols) {
        starts[r * ncols + nf] = field_start;
        ends[r * ncols + nf] = p;
      }
      ++nf;
      if (nf != ncols) {
        SLUICE_TRY(ragged(p));
      } else {
        ++out.rows;
        reserve_rows(r + 2);
      }
    }
    nf = 0;
    field_start = row_start = p + 1;
    return ok_status();
  }
};

struct ChunkAssembler::State {
  Assembler a;
  bool keep_all;
  std::unique_ptr<std::uint32_t[]> pos;  // structural positions of one piece (not zero-filled)
  bool simd;
  const Kernel& kernel;
  ScanState st;
  GeneralState gst;
  std::size_t off = 0;
};

namespace {
constexpr std::size_t kPiece = 1 << 16;
}

ChunkAssembler::ChunkAssembler(const Chunk& chunk, const Dialect& d, std::size_t ncols, BadRowPolicy policy,
                               FieldIndex& out, bool keep_all, std::uint32_t max_row_bytes)
    : st_(new State{Assembler{chunk, d, ncols, policy, out, chunk.data(), 0, 0, 0, {}, nullptr, nullptr, 0, max_row_bytes},
                    keep_all, std::unique_ptr<std::uint32_t[]>(new std::uint32_t[kPiece + 64]), simd_dialect(d),
                    active_kernel(), {}, {}, 0}) {
  out.rows = 0;
  out.first_row = 0;
  out.bad.clear();
  out.bad_count = 0;
  const std::size_t per_piece = keep_all ? chunk.size : std::min<std::size_t>(chunk.size, kPiece);
  // Rows of a piece at the shortest possible width, at least two: proportional to the data, never to
  // the column count alone.
  st_->a.reserve_rows(std::max<std::size_t>(2, per_piece / (ncols * 8 + 8)));
}

ChunkAssembler::~ChunkAssembler() = default;

bool ChunkAssembler::done() const { return st_->off >= st_->a.chunk.size; }

Status ChunkAssembler::next_piece() {
  State& s = *st_;
  FieldIndex& out = s.a.out;
  if (!s.keep_all && out.rows > out.first_row) {
    // Keep only the row in progress (its fields so far) at the front.
    const std::size_t from = static_cast<std::size_t>(out.rows - out.first_row) * s.a.ncols;
    const std::size_t keep = std::min(s.a.nf, s.a.ncols);
    if (keep) {
      std::memmove(s.a.starts, s.a.starts + from, keep * sizeof(std::uint32_t));
      std::memmove(s.a.ends, s.a.ends + from, keep * sizeof(std::uint32_t));
    }
    out.first_row = out.rows;
  }
  const Chunk& chunk = s.a.chunk;
  const Dialect& d = s.a.d;
  const std::size_t len = std::min<std::size_t>(kPiece, chunk.size - s.off);
  const std::size_t n =
      s.simd ? s.kernel.scan(chunk.data() + s.off, len, static_cast<std::uint8_t>(d.delimiter),
                             static_cast<std::uint8_t>(d.quote), static_cast<std::uint32_t>(s.off), s.pos.get(), s.st)
             : scan_general(chunk.data() + s.off, len, d, static_cast<std::uint32_t>(s.off), s.pos.get(), s.gst);
  s.off += len;
  return s.a.run(s.pos.get(), n);
}

Status ChunkAssembler::finish() {
  State& s = *st_;
  FieldIndex& out = s.a.out;
  const bool inside = s.simd ? s.st.in_quote != 0 : s.gst.inside;
  out.lines = s.simd ? s.st.lines + s.st.prev_cr : s.gst.lines + (s.gst.prev_cr ? 1 : 0);
  if (inside) {
    // The row runs to the end of the input (but its last byte, a line end, maybe appended): over the
    // limit, it is the error the reader gives where it cannot buffer such a row.
    if (s.a.chunk.size - 1 - s.a.row_start > s.a.max_row) return s.a.too_long();
    ErrorContext ctx;
    ctx.line = static_cast<std::int64_t>(count_lines(s.a.chunk.data(), s.a.row_start)) + 1;
    ctx.byte_offset = static_cast<std::int64_t>(s.a.field_start);
    return Error(ErrorCode::kParseError, "unterminated quoted field at the end of the input", ctx);
  }
  if (s.a.field_start < s.a.chunk.size) return Error(ErrorCode::kInternal, "chunk does not end with a line end");
  out.starts.resize(static_cast<std::size_t>(out.rows - out.first_row) * s.a.ncols);
  out.ends.resize(static_cast<std::size_t>(out.rows - out.first_row) * s.a.ncols);
  return ok_status();
}

Error row_too_long(std::int64_t max_row_bytes, std::int64_t line, std::int64_t byte_offset) {
  ErrorContext ctx;
  ctx.line = line;
  ctx.byte_offset = byte_offset;
  return Error(ErrorCode::kLimitExceeded,
               "a row is longer than the limit of " + std::to_string(max_row_bytes) +
                   " bytes (max_row_bytes, --max-record-size); an unterminated quote?",
               ctx);
}

Status assemble(const Chunk& chunk, const Dialect& d, std::size_t ncols, BadRowPolicy policy, FieldIndex& out,
                std::uint32_t max_row_bytes) {
  ChunkAssembler a(chunk, d, ncols, policy, out, true, max_row_bytes);
  while (!a.done()) SLUICE_TRY(a.next_piece());
  return a.finish();
}

Status first_row(const std::uint8_t* data, std::size_t size, const Dialect& d,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>& fields, std::size_t& row_end) {
  fields.clear();
  GeneralState gst;
  constexpr std::size_t kPiece = 4096;
  std::vector<std::uint32_t> pos(kPiece + 64);
  std::uint32_t field_start = 0, row_start = 0;
  LineTracker lines;
  for (std::size_t off = 0; off < size; off += kPiece) {
    const std::size_t len = std::min(kPiece, size - off);
    const std::size_t n = scan_general(data + off, len, d, static_cast<std::uint32_t>(off), pos.data(), gst);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t p = pos[i];
      const std::uint8_t c = data[p];
      if (c != '\n' && c != '\r') {
        fields.emplace_back(field_start, p);
        field_start = p + 1;
        continue;
      }
      if (lines.classify(data, p, fields.size(), field_start, row_start, d.comment) != LineEnd::kRow) {
        field_start = row_start = p + 1;
        continue;
      }
      fields.emplace_back(field_start, p);
      row_end = p + 1;
      if (c == '\r' && p + 1 < size && data[p + 1] == '\n') row_end = p + 2;
      return ok_status();
    }
  }
  row_end = row_start;
  return Error(ErrorCode::kParseError, "no complete row in the first block of the input");
}

}  // namespace sluice::csv::detail
