#include "sluice/codecs/csv/writer.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include "ndjson/json_format.hpp"
#include "text/format.hpp"

namespace sluice::csv {

class CsvWriter::Impl {
 public:
  io::Sink* sink = nullptr;
  WriteOptions opt;
  std::string buf;
  bool header_done = false;
  std::int64_t rows = 0;
  std::string cell;

  bool needs_quotes(std::string_view v) const {
    for (char c : v)
      if (c == opt.delimiter || c == opt.quote || c == '\n' || c == '\r') return true;
    return false;
  }

  Status put(std::string_view v, bool force_quote, std::int64_t row, std::size_t col) {
    bool q = force_quote || needs_quotes(v) || v == opt.null_string;
    if (q && opt.quoting == QuoteStyle::kNone) {
      if (!needs_quotes(v) && v != opt.null_string) q = false;
      else {
        ErrorContext ctx{sink->path()};
        ctx.row = row;
        ctx.column = static_cast<std::int64_t>(col) + 1;
        return Error(ErrorCode::kInvalidArgument,
                     "a value needs quoting (it holds the delimiter, a quote or a line end, or equals the null "
                     "string) but quoting is 'none'",
                     ctx);
      }
    }
    if (!q) {
      buf.append(v);
      return ok_status();
    }
    buf.push_back(opt.quote);
    for (char c : v) {
      if (c == opt.quote) buf.push_back(c);
      buf.push_back(c);
    }
    buf.push_back(opt.quote);
    return ok_status();
  }

  Status flush_if_full() {
    if (static_cast<std::int64_t>(buf.size()) < opt.buffer_size) return ok_status();
    Status s = sink->write(buf.data(), buf.size());
    buf.clear();
    return s;
  }

  Status header(const Schema& schema) {
    header_done = true;
    if (!opt.header || schema.num_fields() == 0) return ok_status();  // no columns: no line at all
    for (std::size_t c = 0; c < schema.num_fields(); ++c) {
      if (c) buf.push_back(opt.delimiter);
      SLUICE_TRY(put(schema.fields[c].name, opt.quoting == QuoteStyle::kAll || opt.quoting == QuoteStyle::kNonNumeric,
                     -1, c));
    }
    buf += opt.line_ending;
    return ok_status();
  }

  Status write(const Batch& b) {
    if (!header_done) SLUICE_TRY(header(*b.schema));
    const std::size_t nc = b.num_columns();
    std::vector<bool> numeric(nc);
    // Nested columns (list, struct, map) are written as their JSON text, quoted like any other text.
    std::vector<std::unique_ptr<ndjson::detail::JsonValueFormatter>> json(nc);
    for (std::size_t c = 0; c < nc; ++c) {
      const DataType& t = *b.columns[c]->type;
      if (t.is_nested()) json[c] = std::make_unique<ndjson::detail::JsonValueFormatter>(*b.columns[c]);
      numeric[c] = t.is_numeric() || t.id == TypeId::kBool;
    }
    const bool all = opt.quoting == QuoteStyle::kAll;
    const bool non_numeric = opt.quoting == QuoteStyle::kNonNumeric;
    for (std::int64_t r = 0; r < b.num_rows; ++r) {
      for (std::size_t c = 0; c < nc; ++c) {
        if (c) buf.push_back(opt.delimiter);
        const ArrayData& a = *b.columns[c];
        if (a.is_null(r)) {
          buf += opt.null_string;
          continue;
        }
        if (a.type->is_binary_like()) {
          SLUICE_TRY(put(a.string_at(r), all || non_numeric, rows + r, c));
          continue;
        }
        cell.clear();
        if (json[c]) json[c]->append(cell, r);
        else text::append_value(cell, a, r);
        SLUICE_TRY(put(cell, all || (non_numeric && !numeric[c]), rows + r, c));
      }
      buf += opt.line_ending;
      if ((r & 255) == 255) SLUICE_TRY(flush_if_full());
    }
    rows += b.num_rows;
    return flush_if_full();
  }
};

CsvWriter::CsvWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvWriter::~CsvWriter() = default;

Result<std::unique_ptr<CsvWriter>> CsvWriter::open(io::Sink& sink, WriteOptions options) {
  if (options.delimiter == options.quote || options.delimiter == '\n' || options.delimiter == '\r')
    return Error(ErrorCode::kInvalidArgument, "the delimiter must differ from the quote and from line ends");
  auto impl = std::make_unique<Impl>();
  impl->sink = &sink;
  impl->opt = std::move(options);
  impl->buf.reserve(static_cast<std::size_t>(impl->opt.buffer_size) + 4096);
  return std::unique_ptr<CsvWriter>(new CsvWriter(std::move(impl)));
}

Status CsvWriter::write(const Batch& batch) { return impl_->write(batch); }

Status CsvWriter::finish(const Schema* schema_if_empty) {
  if (!impl_->header_done && schema_if_empty) SLUICE_TRY(impl_->header(*schema_if_empty));
  if (!impl_->buf.empty()) {
    Status s = impl_->sink->write(impl_->buf.data(), impl_->buf.size());
    impl_->buf.clear();
    return s;
  }
  return ok_status();
}

std::int64_t CsvWriter::rows_written() const { return impl_->rows; }

}  // namespace sluice::csv
