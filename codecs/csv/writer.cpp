#include "sluice/codecs/csv/writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <vector>

#include "common/format_pipeline.hpp"
#include "ndjson/json_format.hpp"
#include "text/format.hpp"

namespace sluice::csv {

namespace {

// How a column's values are written, decided once per batch.
enum class Kind : std::uint8_t { kInt8, kInt16, kInt32, kInt64, kUInt8, kUInt16, kUInt32, kUInt64, kFloat64, kBool,
                                 kDate, kTimestamp, kText, kJson, kOther };

struct Column {
  const ArrayData* a = nullptr;
  Kind kind = Kind::kOther;
  const std::uint8_t* validity = nullptr;
  std::int64_t offset = 0;
  const std::uint8_t* values = nullptr;  // fixed width: at the array's offset
  const std::int64_t* offsets = nullptr;  // text: at the array's offset
  const char* chars = nullptr;
  bool force_quote = false;  // quoting 'all', or 'nonnumeric' on a column that is not numeric
  std::unique_ptr<ndjson::detail::JsonValueFormatter> json;
};

// A batch resolved for writing: per column its kind and buffers. Shared by the batch's row ranges
// on the threaded path.
struct Plan {
  Batch batch;  // held: on the threaded path ranges are formatted after write() returned
  std::vector<Column> cols;
  std::int64_t first_row = 0;  // rows written before this batch
};

// The options and what was derived from them once; read by every thread.
struct Dialect {
  WriteOptions opt;
  bool special[256] = {};  // bytes that make a text value need quotes
  const std::string* path = nullptr;

  void setup() {
    special[static_cast<unsigned char>(opt.delimiter)] = true;
    if (opt.quote != '\0') special[static_cast<unsigned char>(opt.quote)] = true;
    special[static_cast<unsigned char>('\n')] = special[static_cast<unsigned char>('\r')] = true;
  }

  // Index of the first byte that needs quotes, or n.
  std::size_t first_special(const char* v, std::size_t n) const {
    const char d = opt.delimiter, q = opt.quote;
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, v + i, 8);
      const std::uint64_t a = w ^ (ones * static_cast<unsigned char>(d)), b = w ^ (ones * static_cast<unsigned char>(q));
      const std::uint64_t c = w ^ (ones * '\n'), e = w ^ (ones * '\r');
      const std::uint64_t hit = ((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) | ((e - ones) & ~e);
      if (hit & highs) break;  // the exact byte is found below
    }
    for (; i < n; ++i)
      if (special[static_cast<unsigned char>(v[i])]) return i;
    return n;
  }

  Status quoting_error(std::int64_t row, std::size_t col) const {
    ErrorContext ctx{*path};
    ctx.row = row;
    ctx.column = static_cast<std::int64_t>(col) + 1;
    return Error(ErrorCode::kInvalidArgument,
                 "a value needs quoting (it holds the delimiter, a quote or a line end, or equals the null "
                 "string) but quoting is 'none'",
                 ctx);
  }

  static Kind kind_of(const DataType& t) {
    switch (t.id) {
      case TypeId::kInt8: return Kind::kInt8;
      case TypeId::kInt16: return Kind::kInt16;
      case TypeId::kInt32: return Kind::kInt32;
      case TypeId::kInt64: return Kind::kInt64;
      case TypeId::kUInt8: return Kind::kUInt8;
      case TypeId::kUInt16: return Kind::kUInt16;
      case TypeId::kUInt32: return Kind::kUInt32;
      case TypeId::kUInt64: return Kind::kUInt64;
      case TypeId::kFloat64: return Kind::kFloat64;
      case TypeId::kBool: return Kind::kBool;
      case TypeId::kDate32: return Kind::kDate;
      case TypeId::kTimestamp: return Kind::kTimestamp;
      case TypeId::kString: return Kind::kText;
      // Binary as DuckDB prints a BLOB (\xHH escapes), a geometry as its WKT: text::append_value.
      case TypeId::kBinary: return Kind::kOther;
      default: return t.is_nested() ? Kind::kJson : Kind::kOther;
    }
  }

  void resolve(const Batch& b, std::vector<Column>& cols) const {
    const std::size_t nc = b.num_columns();
    const bool all = opt.quoting == QuoteStyle::kAll;
    const bool non_numeric = opt.quoting == QuoteStyle::kNonNumeric;
    cols.clear();
    cols.resize(nc);
    for (std::size_t c = 0; c < nc; ++c) {
      Column& col = cols[c];
      const ArrayData& a = *b.columns[c];
      const DataType& t = *a.type;
      col.a = &a;
      col.kind = kind_of(t);
      col.validity = a.validity();
      col.offset = a.offset;
      const bool numeric = t.is_numeric() || t.id == TypeId::kBool;
      col.force_quote = all || (non_numeric && !numeric);
      // Quoted numbers, dates and times go through the general path (which quotes them).
      if (col.force_quote && col.kind != Kind::kText && col.kind != Kind::kJson) col.kind = Kind::kOther;
      if (col.kind == Kind::kText) {
        col.offsets = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
        col.chars = reinterpret_cast<const char*>(a.buffers.at(2)->data());
      } else if (col.kind == Kind::kJson) {
        // Nested columns (list, struct, map) are written as their JSON text, quoted like any text.
        col.json = std::make_unique<ndjson::detail::JsonValueFormatter>(a);
      } else if (col.kind != Kind::kOther && col.kind != Kind::kBool && t.id != TypeId::kNull) {
        col.values = a.buffers.at(1)->data() + a.offset * t.value_width();
      }
      if (t.id == TypeId::kNull) col.kind = Kind::kOther;
    }
  }
};

// Formats rows into its buffer; one per thread.
struct Cells {
  explicit Cells(const Dialect& dialect) : d(dialect) {}
  const Dialect& d;
  ndjson::detail::Out out;
  std::string cell;

  [[gnu::always_inline]] Status put(std::string_view v, bool force_quote, std::int64_t row, std::size_t col) {
    const WriteOptions& opt = d.opt;
    const std::size_t special_at = d.first_special(v.data(), v.size());
    bool q = force_quote || special_at < v.size() || v == opt.null_string;
    if (q && opt.quoting == QuoteStyle::kNone) {
      if (special_at == v.size() && v != opt.null_string) q = false;
      else return d.quoting_error(row, col);
    }
    if (!q) {
      out.put(v.data(), v.size());
      return ok_status();
    }
    char* p = out.reserve(2 * v.size() + 2);
    *p++ = opt.quote;
    std::memcpy(p, v.data(), special_at);
    p += special_at;
    for (std::size_t i = special_at; i < v.size(); ++i) {
      if (v[i] == opt.quote) *p++ = v[i];
      *p++ = v[i];
    }
    *p++ = opt.quote;
    out.commit(p);
    return ok_status();
  }

  Status header(const Schema& schema) {
    const WriteOptions& opt = d.opt;
    if (!opt.header || schema.num_fields() == 0) return ok_status();  // no columns: no line at all
    for (std::size_t c = 0; c < schema.num_fields(); ++c) {
      if (c) out.put(opt.delimiter);
      SLUICE_TRY(put(schema.fields[c].name, opt.quoting == QuoteStyle::kAll || opt.quoting == QuoteStyle::kNonNumeric,
                     -1, c));
    }
    out.put(opt.line_ending.data(), opt.line_ending.size());
    return ok_status();
  }

  template <class T>
  [[gnu::always_inline]] void put_integer(const Column& col, std::int64_t r) {
    T v;
    std::memcpy(&v, col.values + r * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
    char* p = out.reserve(24);
    out.commit(std::to_chars(p, p + 24, v).ptr);
  }

  // Rows [begin, end) of the plan's batch; `after_rows()` runs after every 256th row of the batch and
  // may fail (the one-thread path flushes there). A value that cannot be written fails with its row
  // and column, the row left half written (as it always was).
  template <class AfterRows>
  [[gnu::always_inline]] Status rows(const Plan& plan, std::int64_t begin, std::int64_t end, AfterRows&& after_rows) {
    const WriteOptions& opt = d.opt;
    const char delimiter = opt.delimiter;
    const std::size_t nc = plan.cols.size();
    const std::int64_t base = plan.first_row;
    for (std::int64_t r = begin; r < end; ++r) {
      for (std::size_t c = 0; c < nc; ++c) {
        if (c) out.put(delimiter);
        const Column& col = plan.cols[c];
        if (col.kind == Kind::kOther ? col.a->is_null(r) : (col.validity && !bit::get(col.validity, col.offset + r))) {
          out.put(opt.null_string.data(), opt.null_string.size());
          continue;
        }
        switch (col.kind) {
          case Kind::kInt8: put_integer<std::int8_t>(col, r); break;
          case Kind::kInt16: put_integer<std::int16_t>(col, r); break;
          case Kind::kInt32: put_integer<std::int32_t>(col, r); break;
          case Kind::kInt64: put_integer<std::int64_t>(col, r); break;
          case Kind::kUInt8: put_integer<std::uint8_t>(col, r); break;
          case Kind::kUInt16: put_integer<std::uint16_t>(col, r); break;
          case Kind::kUInt32: put_integer<std::uint32_t>(col, r); break;
          case Kind::kUInt64: put_integer<std::uint64_t>(col, r); break;
          case Kind::kFloat64: {
            double v;
            std::memcpy(&v, col.values + r * 8, 8);
            char* p = out.reserve(32);
            out.commit(text::format_double(p, v));
            break;
          }
          case Kind::kBool:
            if (col.a->bool_value(r)) out.put("true", 4);
            else out.put("false", 5);
            break;
          case Kind::kDate: {
            std::int32_t v;
            std::memcpy(&v, col.values + r * 4, 4);
            char* p = out.reserve(24);
            out.commit(temporal::format_date(p, v));
            break;
          }
          case Kind::kTimestamp: {
            std::int64_t v;
            std::memcpy(&v, col.values + r * 8, 8);
            char* p = out.reserve(64);
            out.commit(temporal::format_timestamp(p, v, col.a->type->unit, !col.a->type->timezone.empty()));
            break;
          }
          case Kind::kText: {
            const std::int64_t s = col.offsets[r], e = col.offsets[r + 1];
            SLUICE_TRY(put({col.chars + s, static_cast<std::size_t>(e - s)}, col.force_quote, base + r, c));
            break;
          }
          case Kind::kJson:
            cell.clear();
            col.json->append(cell, r);
            SLUICE_TRY(put(cell, col.force_quote, base + r, c));
            break;
          case Kind::kOther:
            cell.clear();
            text::append_value(cell, *col.a, r);
            SLUICE_TRY(put(cell, col.force_quote, base + r, c));
            break;
        }
      }
      out.put(opt.line_ending.data(), opt.line_ending.size());
      if ((r & 255) == 255) SLUICE_TRY(after_rows());
    }
    return ok_status();
  }
};

}  // namespace

class CsvWriter::Impl {
 public:
  using Formatter = pipeline::OrderedFormatter<Plan>;

  io::Sink* sink = nullptr;
  Dialect d;
  std::string buf;
  Cells cells{d};  // the one-thread path's, and the header's
  Plan plan;       // the one-thread path's, reused batch after batch
  std::unique_ptr<Formatter> threaded;  // threads > 1
  bool header_done = false;
  std::int64_t rows = 0;

  void setup() {
    d.path = &sink->path();
    d.setup();
    cells.out.bind(buf);
    cells.out.rewind(0);  // the string's size is the room; nothing is written yet
  }

  Status flush() {
    if (cells.out.size() == 0) return ok_status();
    Status s = sink->write(cells.out.data(), cells.out.size());
    cells.out.rewind(0);
    return s;
  }

  Status flush_if_full() {
    if (static_cast<std::int64_t>(cells.out.size()) < d.opt.buffer_size) return ok_status();
    return flush();
  }

  Status header(const Schema& schema) {
    header_done = true;
    return cells.header(schema);
  }

  Status write(const Batch& b) {
    if (!header_done) SLUICE_TRY(header(*b.schema));
    if (threaded) return write_threaded(b);
    plan.first_row = rows;
    d.resolve(b, plan.cols);
    SLUICE_TRY(cells.rows(plan, 0, b.num_rows, [&] { return flush_if_full(); }));
    rows += b.num_rows;
    return flush_if_full();
  }

  Status write_threaded(const Batch& b) {
    if (threaded->failed_job()) sync_failed();
    SLUICE_TRY(flush());  // the header, before any range
    auto p = std::make_shared<Plan>();
    p->batch = b;
    p->first_row = rows;
    d.resolve(b, p->cols);
    rows += b.num_rows;
    Status s = threaded->add(std::move(p), b.num_rows);
    if (threaded->failed_job()) sync_failed();
    return s;
  }

  // The row count as the one-thread writer leaves it after a bad value: the rows before its batch.
  void sync_failed() { rows = threaded->failed_job()->plan->first_row; }

  // One range, on any thread, into the range's own buffer.
  void format_range(Formatter::Job& job) const {
    Cells c(d);
    c.out.bind(job.text);
    c.out.rewind(0);
    Status s = c.rows(*job.plan, job.begin, job.end, [] { return ok_status(); });
    job.size = c.out.size();
    job.rows_done = job.end - job.begin;
    if (!s.ok()) job.error = std::move(s).error();
  }

  Status finish(const Schema* schema_if_empty) {
    if (threaded) {
      Status s = threaded->drain();
      if (threaded->failed_job()) sync_failed();
      SLUICE_TRY(s);
    }
    if (!header_done && schema_if_empty) SLUICE_TRY(header(*schema_if_empty));
    return flush();
  }
};

CsvWriter::CsvWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvWriter::~CsvWriter() = default;

Result<std::unique_ptr<CsvWriter>> CsvWriter::open(io::Sink& sink, WriteOptions options) {
  if (options.delimiter == options.quote || options.delimiter == '\n' || options.delimiter == '\r')
    return Error(ErrorCode::kInvalidArgument, "the delimiter must differ from the quote and from line ends");
  auto impl = std::make_unique<Impl>();
  impl->sink = &sink;
  impl->d.opt = std::move(options);
  impl->buf.resize(static_cast<std::size_t>(std::max<std::int64_t>(impl->d.opt.buffer_size, 4096)) + 4096);
  impl->setup();
  if (impl->d.opt.threads > 1) {
    const Impl* self = impl.get();
    impl->threaded = std::make_unique<Impl::Formatter>(
        impl->d.opt.threads, sink, impl->d.opt.buffer_size, [self](Impl::Formatter::Job& job) { self->format_range(job); });
  }
  return std::unique_ptr<CsvWriter>(new CsvWriter(std::move(impl)));
}

Status CsvWriter::write(const Batch& batch) { return impl_->write(batch); }

Status CsvWriter::finish(const Schema* schema_if_empty) { return impl_->finish(schema_if_empty); }

std::int64_t CsvWriter::rows_written() const { return impl_->rows; }
std::int64_t CsvWriter::buffered_bytes() const { return static_cast<std::int64_t>(impl_->cells.out.size()); }

}  // namespace sluice::csv
