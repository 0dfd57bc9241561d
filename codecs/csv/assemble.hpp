// From a chunk of bytes (whole rows) to a field index: where each field of each row starts and ends.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "csv/tokenize.hpp"
#include "sluice/codecs/csv/reader.hpp"
#include "sluice/core/buffer.hpp"

namespace sluice::csv::detail {

// Whole rows of input: starts at a row start, ends just after a line end (or at the end of input,
// where a line end is appended). Owns its bytes, padded by kPadding.
struct Chunk {
  BufferPtr bytes;
  std::uint32_t size = 0;
  std::uint64_t file_offset = 0;  // of bytes[0] in the input (after BOM/skipped rows are counted)
  std::int64_t index = 0;
  bool skip_first_row = false;    // the header row
  const std::uint8_t* data() const { return bytes->data(); }
};

struct BadRow {
  std::uint32_t row_start;  // chunk-relative byte offset of the row
  std::string reason;
};

// A growable array of offsets whose new elements are left uninitialised (the assembler writes every
// slot it keeps; zero-filling megabytes per chunk showed up in profiles).
class OffsetArray {
 public:
  std::uint32_t* data() { return p_.get(); }
  const std::uint32_t* data() const { return p_.get(); }
  std::size_t size() const { return size_; }
  std::uint32_t& operator[](std::size_t i) { return p_[i]; }
  std::uint32_t operator[](std::size_t i) const { return p_[i]; }
  void resize(std::size_t n) {
    if (n > cap_) {
      std::unique_ptr<std::uint32_t[]> q(new std::uint32_t[n]);
      if (size_) std::memcpy(q.get(), p_.get(), size_ * sizeof(std::uint32_t));
      p_ = std::move(q);
      cap_ = n;
    }
    size_ = n;
  }
  void erase_front(std::size_t n) {
    std::memmove(p_.get(), p_.get() + n, (size_ - n) * sizeof(std::uint32_t));
    size_ -= n;
  }

 private:
  std::unique_ptr<std::uint32_t[]> p_;
  std::size_t size_ = 0, cap_ = 0;
};

// Where fields start and end (chunk-relative). Field (r, c) is at (r - first_row) * ncols + c: a
// compact index holds only the rows of the latest piece, a full one every row (first_row 0).
struct FieldIndex {
  OffsetArray starts, ends;
  std::int64_t first_row = 0;
  std::int64_t rows = 0;  // rows assembled so far (all of them, not only those held)
  std::uint32_t start(std::int64_t row, std::size_t col, std::size_t ncols) const {
    return starts[static_cast<std::size_t>(row - first_row) * ncols + col];
  }
  std::uint32_t end(std::int64_t row, std::size_t col, std::size_t ncols) const {
    return ends[static_cast<std::size_t>(row - first_row) * ncols + col];
  }
  std::uint64_t lines = 0;  // line breaks in the chunk
  std::vector<BadRow> bad;  // ragged rows (kSkip) — at most a few kept with details
  std::int64_t bad_count = 0;
};

// Scans and assembles a chunk into rows of exactly `ncols` fields, a piece (64 KiB) at a time so the
// caller can convert rows while they are hot. Blank lines (but in a file of one column, where they
// are rows of an empty field) and (with a comment character) comment lines are skipped. A ragged row
// is an error, or under kSkip recorded and dropped. A row (or comment line) of more than
// `max_row_bytes` bytes before its line end is an error under either policy, as it is where the
// reader cannot buffer it: a limit must not depend on where the blocks are cut. An unterminated
// quote at the end of the chunk is an error.
class ChunkAssembler {
 public:
  // With keep_all false, each piece drops the rows of the one before (the caller converted them).
  ChunkAssembler(const Chunk& chunk, const Dialect& dialect, std::size_t ncols, BadRowPolicy policy,
                 FieldIndex& out, bool keep_all = true, std::uint32_t max_row_bytes = ~std::uint32_t{0});
  ~ChunkAssembler();
  bool done() const;
  // Assembles the next piece; out.rows grows by the rows it completed.
  Status next_piece();
  // After the last piece: checks for an unterminated quote, sets out.lines, trims the index.
  Status finish();

 private:
  struct State;
  std::unique_ptr<State> st_;
};

// All pieces at once.
Status assemble(const Chunk& chunk, const Dialect& dialect, std::size_t ncols, BadRowPolicy policy,
                FieldIndex& out, std::uint32_t max_row_bytes = ~std::uint32_t{0});

// The error for a row longer than max_row_bytes that starts at `line` (-1: not known here) and
// `byte_offset` (chunk- or input-relative, as the caller's other errors).
Error row_too_long(std::int64_t max_row_bytes, std::int64_t line, std::int64_t byte_offset);

// Splits the first row of `data` (for the header and the column count). Returns the fields' byte
// ranges, and the offset just past the row's line end; when no row is complete, an error and in
// `row_end` where the unfinished one starts (past blank and comment lines).
Status first_row(const std::uint8_t* data, std::size_t size, const Dialect& dialect,
                 std::vector<std::pair<std::uint32_t, std::uint32_t>>& fields, std::size_t& row_end);

// True if the dialect can use the SIMD kernels (RFC quoting, no escape, no comments).
inline bool simd_dialect(const Dialect& d) { return d.quote != '\0' && d.escape == '\0' && d.comment == '\0'; }

// The general scanner for every other dialect (escape character, comments, no quoting).
struct GeneralState {
  bool inside = false, escaped = false, at_row_start = true, in_comment = false, prev_cr = false;
  std::uint64_t lines = 0;
};
std::size_t scan_general(const std::uint8_t* data, std::size_t len, const Dialect& d, std::uint32_t base,
                         std::uint32_t* out, GeneralState& st);

// What a line end at `p` means for the row being assembled: the LF of a CRLF whose CR already ended
// the row, the end of a blank or comment line (no row), or the end of a row. One rule for the
// assembler, the first-row reader and the sniffer. `blank_is_row`: a blank line is a row of one empty
// field, as in a file of one column, where it is how a null is written (DuckDB reads and writes it
// so); elsewhere blank lines are skipped.
enum class LineEnd : std::uint8_t { kCrlfTail, kSkip, kRow };
struct LineTracker {
  std::uint32_t last_eol = ~std::uint32_t{0};
  LineEnd classify(const std::uint8_t* data, std::uint32_t p, std::size_t fields_so_far, std::uint32_t field_start,
                   std::uint32_t row_start, char comment, bool blank_is_row = false) {
    if (data[p] == '\n' && last_eol != ~std::uint32_t{0} && p == last_eol + 1 && data[last_eol] == '\r') {
      last_eol = p;
      return LineEnd::kCrlfTail;
    }
    last_eol = p;
    if (fields_so_far == 0 && p == field_start) return blank_is_row ? LineEnd::kRow : LineEnd::kSkip;  // blank line
    if (comment != '\0' && fields_so_far == 0 && data[row_start] == static_cast<std::uint8_t>(comment))
      return LineEnd::kSkip;
    return LineEnd::kRow;
  }
};

// Line breaks in data[0, pos) ('\n', '\r\n' and lone '\r' each count once).
std::uint64_t count_lines(const std::uint8_t* data, std::size_t pos);

// The text of a field with quotes and escapes removed. Returns a view into `data` when nothing had to
// be removed, else into `scratch`.
std::string_view unquote(const std::uint8_t* data, std::uint32_t start, std::uint32_t end, const Dialect& d,
                         std::string& scratch);

}  // namespace sluice::csv::detail
