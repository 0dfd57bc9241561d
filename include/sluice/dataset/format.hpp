// One reader and one writer interface over the formats (CSV / TSV, NDJSON / JSON, Parquet, each of the
// text ones optionally gzip- or zstd-compressed), and the format of a path from its extension.
#pragma once

#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/codecs/compressed_stream.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/codecs/ndjson.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
#include "sluice/io/sink.hpp"
#include "sluice/io/source.hpp"

namespace sluice::dataset {

using codecs::StreamCompression;

struct FileFormat {
  std::string name = "csv";  // csv | tsv | ndjson | json | parquet
  StreamCompression compression = StreamCompression::kNone;

  bool is_json() const { return name == "ndjson" || name == "json"; }
  bool is_text() const { return name != "parquet"; }
  // The file name extension: ".csv", ".ndjson.gz", ".parquet".
  std::string extension() const {
    std::string e = "." + name;
    e += codecs::extension_of(compression);
    return e;
  }
};

// A format name as --from / --to give it: csv, tsv, ndjson, jsonl, json, parquet, each text format
// optionally followed by .gz or .zst ("csv.gz"). Unknown names are kInvalidArgument.
inline Result<FileFormat> parse_format(std::string_view text) {
  std::string s(text);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  FileFormat f;
  f.compression = codecs::stream_compression_from_path(s);
  if (f.compression != StreamCompression::kNone) s = codecs::strip_compression_extension(s);
  if (s == "txt") s = "csv";
  if (s == "jsonl" || s == "ldjson") s = "ndjson";
  if (s == "pq") s = "parquet";
  if (s != "csv" && s != "tsv" && s != "ndjson" && s != "json" && s != "parquet")
    return Error(ErrorCode::kInvalidArgument,
                 "unknown format '" + std::string(text) + "' (csv, tsv, ndjson, json and parquet; csv, tsv and "
                 "ndjson also as .gz or .zst)");
  if (s == "parquet" && f.compression != StreamCompression::kNone)
    return Error(ErrorCode::kInvalidArgument, "Parquet compresses its pages itself; '" + std::string(text) +
                                                  "' is not a format (use --compression)");
  f.name = s;
  return f;
}

// The format of `path` from its extensions ("x.csv.gz" → csv, gzip); csv when it has none (or is "-").
inline Result<FileFormat> format_of_path(std::string_view path) {
  std::string_view p = path.substr(0, path.find_first_of("?#"));
  if (p == "-") return FileFormat{};
  const StreamCompression c = codecs::stream_compression_from_path(p);
  const std::string base = c == StreamCompression::kNone ? std::string(p) : codecs::strip_compression_extension(p);
  const auto slash = base.find_last_of('/');
  const auto dot = base.find_last_of('.');
  FileFormat f;
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    SLUICE_ASSIGN_OR_RETURN(f, parse_format(base.substr(dot + 1)));
  }
  f.compression = c;
  return f;
}

struct FormatReadOptions {
  csv::ReadOptions csv;
  ndjson::ReadOptions ndjson;
  parquet::ReadOptions parquet;
};

// Options for a file of a dataset whose columns are fixed before it is read (the first file's, with
// --schema-from first): CSV and NDJSON read those columns with these types instead of inferring their
// own, as DuckDB reads the files after the first with the first one's types. A value that does not
// fit is then an error (or a bad row), not a widened column. Types the user declared keep winning; a
// column of no type yet (null, from an all-null sample) is left to inference.
inline void expect_columns(csv::ReadOptions& o, const Schema& fixed) {
  for (const Field& f : fixed.fields)
    if (f.type && f.type->id != TypeId::kNull) o.expected_types.emplace_back(f.name, f.type);
}
inline void expect_columns(ndjson::ReadOptions& o, const Schema& fixed) {
  if (o.schema) return;  // a complete schema of the user's
  for (const Field& f : fixed.fields) {
    if (!f.type || f.type->id == TypeId::kNull) continue;
    bool declared = false;
    for (const auto& d : o.column_types) declared = declared || d.first == f.name;
    if (!declared) o.column_types.emplace_back(f.name, f.type);
  }
}
inline void expect_columns(FormatReadOptions& o, const Schema& fixed) {
  expect_columns(o.csv, fixed);
  expect_columns(o.ndjson, fixed);
}

class BatchReader {
 public:
  virtual ~BatchReader() = default;
  virtual const SchemaPtr& schema() const = 0;
  virtual Result<std::optional<Batch>> next() = 0;
  virtual std::uint64_t bytes_read() const = 0;
};

namespace detail {
template <class R>
class CodecReader final : public BatchReader {
 public:
  explicit CodecReader(std::unique_ptr<R> r) : r_(std::move(r)) {}
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }

 private:
  std::unique_ptr<R> r_;
};
}  // namespace detail

// A reader of `format` over `source` (decompressed first when the format says so).
inline Result<std::unique_ptr<BatchReader>> open_batch_reader(io::SourcePtr source, const FileFormat& format,
                                                              const FormatReadOptions& options) {
  if (format.compression != StreamCompression::kNone) {
    if (format.name == "parquet")
      return Error(ErrorCode::kInvalidArgument, "a compressed Parquet stream cannot be read", ErrorContext(source->path()));
    SLUICE_ASSIGN_OR_RETURN(source, codecs::decompressing_source(std::move(source), format.compression));
  }
  if (format.name == "parquet") {
    SLUICE_ASSIGN_OR_RETURN(auto r, parquet::ParquetReader::open(std::move(source), options.parquet));
    return std::unique_ptr<BatchReader>(std::make_unique<detail::CodecReader<parquet::ParquetReader>>(std::move(r)));
  }
  if (format.is_json()) {
    SLUICE_ASSIGN_OR_RETURN(auto r, ndjson::NdjsonReader::open(std::move(source), options.ndjson));
    return std::unique_ptr<BatchReader>(std::make_unique<detail::CodecReader<ndjson::NdjsonReader>>(std::move(r)));
  }
  csv::ReadOptions o = options.csv;
  if (format.name == "tsv" && !o.delimiter) o.delimiter = '\t';
  SLUICE_ASSIGN_OR_RETURN(auto r, csv::CsvReader::open(std::move(source), std::move(o)));
  return std::unique_ptr<BatchReader>(std::make_unique<detail::CodecReader<csv::CsvReader>>(std::move(r)));
}

struct FormatWriteOptions {
  csv::WriteOptions csv;  // for tsv, a delimiter left at ',' becomes TAB
  ndjson::WriteOptions ndjson;  // `array` is set from the format (json)
  parquet::WriteOptions parquet;
  codecs::StreamCompressOptions stream;  // level and threads of a compressed text stream
};

// Writes batches of one schema as one file. The sink is borrowed: the caller finishes (or stages,
// or aborts) it after finish().
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  virtual Status write(const Batch& batch) = 0;
  // Ends the file; `schema_if_empty` gives the header / Parquet schema when no batch came.
  virtual Status finish(const Schema* schema_if_empty) = 0;
  // Memory held for data not yet in the sink, and a way to give it up early (a Parquet row group cut
  // short). The sink's own buffers are not counted.
  virtual std::uint64_t buffered_bytes() const { return 0; }
  virtual Status flush() { return ok_status(); }
  // A note for the user once finished ("wrote 3 NaN values as null"), or empty.
  virtual std::string report() const { return ""; }
};

namespace detail {

// The header is written once: a column that appears later (NDJSON inferred from a sample) cannot be
// added to it.
class CsvBatchWriter final : public BatchWriter {
 public:
  CsvBatchWriter(std::unique_ptr<csv::CsvWriter> w, std::string path) : w_(std::move(w)), path_(std::move(path)) {}
  Status write(const Batch& b) override {
    if (!header_) {
      header_ = b.schema;
    } else if (b.schema != header_ && b.schema->num_fields() != header_->num_fields()) {
      ErrorContext ctx(path_);
      if (b.schema->num_fields() > header_->num_fields()) ctx.column_name = b.schema->fields[header_->num_fields()].name;
      return Error(ErrorCode::kInvalidArgument,
                   "the input gained a column after the CSV header was written (--infer-rows all reads the whole "
                   "input first)",
                   ctx);
    }
    return w_->write(b);
  }
  Status finish(const Schema* s) override { return w_->finish(s); }
  std::uint64_t buffered_bytes() const override { return static_cast<std::uint64_t>(w_->buffered_bytes()); }

 private:
  std::unique_ptr<csv::CsvWriter> w_;
  std::string path_;
  SchemaPtr header_;
};

class NdjsonBatchWriter final : public BatchWriter {
 public:
  NdjsonBatchWriter(std::unique_ptr<ndjson::NdjsonWriter> w, std::string path) : w_(std::move(w)), path_(std::move(path)) {}
  Status write(const Batch& b) override { return w_->write(b); }
  Status finish(const Schema*) override { return w_->finish(); }
  std::uint64_t buffered_bytes() const override { return static_cast<std::uint64_t>(w_->buffered_bytes()); }
  std::string report() const override {
    const auto n = w_->non_finite_count();
    if (n == 0) return "";
    return path_ + ": wrote " + std::to_string(n) + " NaN or infinite value" + (n == 1 ? "" : "s") + " as null";
  }

 private:
  std::unique_ptr<ndjson::NdjsonWriter> w_;
  std::string path_;
};

// Parquet needs the schema before the first row: the writer opens on the first batch (or at the end,
// for an empty input), and a batch whose schema differs (NDJSON widening after its sample) is an error.
class ParquetBatchWriter final : public BatchWriter {
 public:
  ParquetBatchWriter(io::Sink& sink, parquet::WriteOptions options) : sink_(sink), options_(std::move(options)) {}
  Status write(const Batch& b) override {
    if (!w_) {
      SLUICE_ASSIGN_OR_RETURN(w_, parquet::ParquetWriter::open(sink_, b.schema, options_));
      schema_ = b.schema;
    } else if (b.schema != schema_ && !(*b.schema == *schema_)) {
      return Error(ErrorCode::kInvalidArgument,
                   "the input's types changed after the Parquet schema was fixed (--infer-rows all reads the "
                   "whole input first)",
                   ErrorContext(sink_.path()));
    }
    return w_->write(b);
  }
  Status finish(const Schema* s) override {
    if (!w_) {
      auto schema = std::make_shared<Schema>(s ? *s : Schema{});
      SLUICE_ASSIGN_OR_RETURN(w_, parquet::ParquetWriter::open(sink_, std::move(schema), options_));
    }
    return w_->finish();
  }
  std::uint64_t buffered_bytes() const override { return w_ ? static_cast<std::uint64_t>(w_->buffered_bytes()) : 0; }
  Status flush() override { return w_ ? w_->flush() : ok_status(); }

 private:
  io::Sink& sink_;
  parquet::WriteOptions options_;
  std::unique_ptr<parquet::ParquetWriter> w_;
  SchemaPtr schema_;
};

// A writer over a compressing sink of its own (which writes into the caller's sink).
class CompressedBatchWriter final : public BatchWriter {
 public:
  CompressedBatchWriter(io::SinkPtr compressing, std::unique_ptr<BatchWriter> inner)
      : sink_(std::move(compressing)), inner_(std::move(inner)) {}
  ~CompressedBatchWriter() override {
    inner_.reset();
    if (sink_ && !finished_) sink_->abort();
  }
  Status write(const Batch& b) override { return inner_->write(b); }
  Status finish(const Schema* s) override {
    SLUICE_TRY(inner_->finish(s));
    finished_ = true;
    return sink_->finish();  // the end of the compressed stream; the caller's sink stays open
  }
  std::uint64_t buffered_bytes() const override { return inner_->buffered_bytes() + sink_->buffered_bytes(); }
  std::string report() const override { return inner_->report(); }

 private:
  io::SinkPtr sink_;
  std::unique_ptr<BatchWriter> inner_;
  bool finished_ = false;
};

// Hands the bytes to a borrowed sink and leaves finishing it to its owner.
class BorrowedSink final : public io::Sink {
 public:
  explicit BorrowedSink(io::Sink& inner) : inner_(inner) {}
  using io::Sink::write;
  const std::string& path() const override { return inner_.path(); }
  Status write(std::span<const std::byte> data) override { return inner_.write(data); }
  Status finish() override { return ok_status(); }
  void abort() override {}
  std::uint64_t bytes_written() const override { return inner_.bytes_written(); }

 private:
  io::Sink& inner_;
};

inline Result<std::unique_ptr<BatchWriter>> open_plain_writer(io::Sink& sink, const FileFormat& format,
                                                              const FormatWriteOptions& options) {
  if (format.name == "parquet") return std::unique_ptr<BatchWriter>(std::make_unique<ParquetBatchWriter>(sink, options.parquet));
  if (format.is_json()) {
    ndjson::WriteOptions o = options.ndjson;
    o.array = format.name == "json";
    SLUICE_ASSIGN_OR_RETURN(auto w, ndjson::NdjsonWriter::open(sink, std::move(o)));
    return std::unique_ptr<BatchWriter>(std::make_unique<NdjsonBatchWriter>(std::move(w), sink.path()));
  }
  csv::WriteOptions o = options.csv;
  if (format.name == "tsv" && o.delimiter == ',') o.delimiter = '\t';
  SLUICE_ASSIGN_OR_RETURN(auto w, csv::CsvWriter::open(sink, std::move(o)));
  return std::unique_ptr<BatchWriter>(std::make_unique<CsvBatchWriter>(std::move(w), sink.path()));
}

}  // namespace detail

// A writer of `format` into `sink` (through a compressor when the format says so).
inline Result<std::unique_ptr<BatchWriter>> open_batch_writer(io::Sink& sink, const FileFormat& format,
                                                              const FormatWriteOptions& options) {
  if (format.compression == StreamCompression::kNone) return detail::open_plain_writer(sink, format, options);
  SLUICE_ASSIGN_OR_RETURN(auto compressing, codecs::compressing_sink(std::make_unique<detail::BorrowedSink>(sink),
                                                                     format.compression, options.stream));
  io::Sink& inner = *compressing;
  SLUICE_ASSIGN_OR_RETURN(auto w, detail::open_plain_writer(inner, format, options));
  return std::unique_ptr<BatchWriter>(std::make_unique<detail::CompressedBatchWriter>(std::move(compressing), std::move(w)));
}

}  // namespace sluice::dataset
