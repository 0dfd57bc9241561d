// sluice: move tabular data between formats and stores. See `sluice --help`.
#include <algorithm>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <sys/stat.h>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/codecs/ndjson.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
#include "sluice/io/open.hpp"
#include "table.hpp"

namespace sluice::cli {
namespace {

constexpr const char* kUsage = R"(sluice — move tabular data between formats and stores

usage:
  sluice convert IN OUT [options]    convert IN to OUT (format from the extension, or --from/--to)
  sluice cat IN [options]            write IN to stdout (CSV, or --to ndjson)
  sluice head IN [-n N] [options]    print the first N rows (default 10) as an aligned table
  sluice schema IN [options]         print the column names and types (and a Parquet file's own schema)
  sluice scan IN [--threads N]       decode every value; print {"rows", "columns": [name, type, nulls]}
  sluice inspect FILE.parquet        print a Parquet footer: row groups, column chunks, encodings,
                                     codecs, sizes, statistics
  sluice ls URI [-l] [-r]            list a prefix of a bucket or container (or a local folder); -l
                                     with sizes and times, -r everything below instead of one level
  sluice cp SRC DST                  copy bytes between any two of: local paths, stores, stdin/stdout
                                     (streaming; DST ending in / or naming a folder keeps SRC's name)

IN and OUT are paths, file:// URIs, - (stdin/stdout), or objects in stores: s3://bucket/key,
gs://bucket/key, az://container/blob (abfs[s]://container@account.dfs.core.windows.net/blob), and
http(s):// URLs for reading. Formats: csv, tsv, ndjson (.ndjson, .jsonl),
json (.json: NDJSON or one array of objects when read; an array of objects when written), parquet
(.parquet, .pq: read from a file, not a pipe; written to a file or a pipe).

reading (every format):
  --from FORMAT            csv | tsv | ndjson | jsonl | json | parquet (default: from the extension,
                           else csv)
  --columns a,b.c          read only these columns (Parquet: only their column chunks are read; a
                           dotted path selects inside a struct, list or map; other formats: top-level
                           names)
  --where "EXPR"           only rows where EXPR holds: comparisons (= != < <= > >=, IN (...), IS [NOT]
                           NULL) of columns with constants, joined by AND, e.g.
                           "qty >= 10 and flag = 'A' and ts < '2024-01-01'" (Parquet: row groups whose
                           statistics rule them out are not read)
  --types a=int64,b=date   declared column types (others are inferred)
  --infer-rows N|all       rows sampled for type inference (default 16384); all: the whole file
                           first, so every batch has the final types (reads a file twice)
  --skip-bad-rows          drop bad rows/records and report them, instead of failing
  --block-size SIZE        bytes parsed per unit of work (default 1MiB for CSV, 512KiB for NDJSON)
  --threads N              parse threads, and format threads of the CSV/NDJSON writers (default:
                           all cores)

reading CSV:
  --delimiter C            field delimiter (default: sniffed among , ; TAB |); "\t" or "tab" for TAB
  --quote C                quote character (default: sniffed, " or '); "none" for no quoting
  --escape C               escape character inside quotes (default: a doubled quote)
  --comment C              skip lines starting with C
  --header | --no-header   first row is / is not a header (default: sniffed)
  --skip-rows N            skip N lines before the header
  --null STR               a field equal to STR is null (repeatable; default: the empty field)
  --names a,b,c            column names

reading Parquet:
  --verify-checksums       check page CRCs where the file has them (a mismatch is an error)
  --int96-unit U           us | ns: INT96 timestamps (default us, as Spark; ns: out of range is an error)
  --batch-rows N           rows per batch (default 65536)

reading NDJSON / JSON:
  --json-format F          auto | lines | array | concatenated (default auto: detected)
  --unknown-fields P       infer | ignore | error: keys not in the schema (default infer: new columns)
  --big-integers P         double | error: integers beyond int64 (default double)
  --no-detect-dates        ISO 8601 strings stay strings (default: date / timestamp columns)
  --max-record-size SIZE   a longer record is an error (default 16MiB)
  --max-depth N            deeper nesting is an error (default 256)

writing CSV:
  --to FORMAT              csv | tsv | ndjson | jsonl | json (default: from the extension, else csv)
  --out-delimiter C        (default , or TAB for tsv)
  --out-quote C            (default ")
  --quoting STYLE          minimal | nonnumeric | all | none (default minimal)
  --no-out-header          do not write a header row
  --out-null STR           how nulls are written (default: empty)
  --line-ending lf|crlf    (default lf)

writing Parquet:
  --compression C[:LEVEL]  uncompressed | snappy | gzip | zstd | lz4 (LZ4_RAW) | brotli (default snappy;
                           LEVEL: gzip 0-9, zstd -7..22, brotli 0-11, lz4 1-12)
  --row-group-size SIZE    a row group is cut when its data reaches SIZE (default 128MiB)
  --row-group-rows N       ... or N rows (default: no limit)
  --page-size SIZE         a page is cut at SIZE (default 1MiB) or 20000 rows
  --dictionary on|off      dictionary encoding (default on; PLAIN once a chunk's dictionary passes 1MiB)
  --encoding a=ENC,...     per column: plain | delta_binary_packed | delta_length_byte_array |
                           delta_byte_array | byte_stream_split
  --page-version 1|2       data page v1 (default) or v2
  --statistics on|off      min/max/null counts per chunk and page, and the page index (default on)
  --bloom-filter a,b       split-block bloom filters for these columns
  --page-checksums         a CRC32 in every page header
  (reading CSV or NDJSON from a file for Parquet infers the types from the whole file, unless
  --infer-rows is given: Parquet needs them before the first row)

writing NDJSON / JSON:
  --non-finite P           null | error: NaN and infinities (default null, counted on stderr)
  --invalid-utf8 P         replace | error (default replace with U+FFFD)
  --omit-nulls             leave null fields out of their object

stores (every command; credentials from the environment, as the clouds' own tools read them:
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws, AWS_REGION,
AWS_ENDPOINT_URL(_S3); AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY
or AZURE_STORAGE_SAS_TOKEN; GOOGLE_APPLICATION_CREDENTIALS or GCS_HMAC_ACCESS_ID/GCS_HMAC_SECRET;
SLUICE_HTTP_BEARER_TOKEN for http(s)):
  --endpoint-url URL       S3-compatible (MinIO, Ceph), GCS or Azure endpoint (default: the cloud's)
  --region R               AWS region (default: from the environment or profile, else us-east-1)
  --profile NAME           AWS profile (default: AWS_PROFILE, else default)
  --path-style on|off      S3 path-style addressing (default: on for a custom endpoint)
  --no-sign-request        anonymous requests (public buckets)
  --payload-signing M      unsigned (default: UNSIGNED-PAYLOAD, each part with a Content-MD5) | signed
                           (each body's SHA-256 signed) | streaming (aws-chunked: every 64 KiB signed)
  --part-size SIZE         upload part / block size, 5MiB..5GiB (default 8MiB, doubling every 1,000
                           parts unless --equal-parts)
  --parts-in-flight N      parts uploaded at once (default 4); memory is about SIZE × (N + 1)
  --read-ahead N           ranged GETs kept in flight ahead of a sequential reader (default 4)
  --read-block SIZE        bytes per ranged GET (default 8MiB; larger reads are split into these)
  --retries N              attempts after the first on connection errors, 408, 429, 5xx (default 5)
  --connect-timeout SECS   (default 10)
  --http-header "K: V"     a header for every http(s) request (repeatable)

exit status: 0 success, 1 bad data or a failed operation, 2 usage error
)";

struct DataError {
  Error error;
};

template <class T>
T check(Result<T> r) {
  if (!r.ok()) throw DataError{std::move(r).error()};
  return std::move(r).value();
}
inline void check(Status s) {
  if (!s.ok()) throw DataError{std::move(s).error()};
}

char parse_char(const std::string& v, const std::string& what) {
  if (v == "\\t" || v == "tab" || v == "TAB") return '\t';
  if (v == "none" || v == "") return '\0';
  if (v.size() != 1) throw UsageError(what + " must be one character, not '" + v + "'");
  return v[0];
}

std::string lower_ext(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string e = path.substr(dot + 1);
  for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

std::string format_of(const std::string& path, const std::optional<std::string>& forced) {
  std::string f = forced.value_or("");
  if (f.empty()) {
    std::string p = path;
    f = lower_ext(p);
    if (f.empty() || path == "-") f = "csv";
  }
  if (f == "txt") return "csv";
  if (f == "jsonl" || f == "ldjson") return "ndjson";
  if (f == "pq") return "parquet";
  if (f == "csv" || f == "tsv" || f == "ndjson" || f == "json" || f == "parquet") return f;
  throw UsageError("unknown format '" + f + "' for " + path + " (csv, tsv, ndjson, json and parquet)");
}

bool is_json(const std::string& format) { return format == "ndjson" || format == "json"; }

std::vector<std::pair<std::string, TypePtr>> declared_types(const Args& a) {
  std::vector<std::pair<std::string, TypePtr>> out;
  for (const auto& list : a.all("types")) {
    for (const auto& item : split_top_level(list, ',')) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) throw UsageError("--types wants name=type pairs, not '" + item + "'");
      TypePtr t = parse_type_name(item.substr(eq + 1));
      if (!t) throw UsageError("unknown type '" + item.substr(eq + 1) + "'");
      out.emplace_back(item.substr(0, eq), t);
    }
  }
  return out;
}

std::int64_t infer_rows_option(const std::string& v) {
  if (v == "all") return -1;
  const std::int64_t n = parse_int(v, "--infer-rows");
  if (n < 0) throw UsageError("--infer-rows is a count of rows (0 or more) or 'all'");
  return n;
}

int thread_option(const Args& a) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto v = a.get("threads")) {
    threads = static_cast<int>(parse_int(*v, "--threads"));
    if (threads < 1) throw UsageError("--threads must be at least 1");
  }
  return threads;
}

ndjson::ReadOptions ndjson_read_options(const Args& a) {
  ndjson::ReadOptions o;
  if (auto v = a.get("json-format")) {
    if (*v == "auto") o.format = ndjson::Format::kAuto;
    else if (*v == "lines") o.format = ndjson::Format::kLines;
    else if (*v == "array") o.format = ndjson::Format::kArray;
    else if (*v == "concatenated") o.format = ndjson::Format::kConcatenated;
    else throw UsageError("--json-format is auto, lines, array or concatenated");
  }
  o.column_types = declared_types(a);
  if (auto v = a.get("unknown-fields")) {
    if (*v == "infer") o.unknown_fields = ndjson::UnknownFields::kInfer;
    else if (*v == "ignore") o.unknown_fields = ndjson::UnknownFields::kIgnore;
    else if (*v == "error") o.unknown_fields = ndjson::UnknownFields::kError;
    else throw UsageError("--unknown-fields is infer, ignore or error");
  }
  if (auto v = a.get("big-integers")) {
    if (*v == "double") o.big_integers = ndjson::BigIntegers::kDouble;
    else if (*v == "error") o.big_integers = ndjson::BigIntegers::kError;
    else throw UsageError("--big-integers is double or error");
  }
  if (a.flag("no-detect-dates")) o.detect_temporal = false;
  if (auto v = a.get("infer-rows")) o.infer_rows = infer_rows_option(*v);
  if (a.flag("skip-bad-rows")) o.bad_lines = ndjson::BadLinePolicy::kSkip;
  if (auto v = a.get("block-size")) o.block_size = parse_size(*v);
  if (auto v = a.get("batch-rows")) o.batch_rows = parse_int(*v, "--batch-rows");
  if (auto v = a.get("max-record-size")) o.max_record_bytes = parse_size(*v);
  if (auto v = a.get("max-depth")) o.max_depth = parse_int(*v, "--max-depth");
  o.threads = thread_option(a);
  return o;
}

ndjson::WriteOptions ndjson_write_options(const Args& a, const std::string& format) {
  ndjson::WriteOptions o;
  o.array = format == "json";
  if (auto v = a.get("non-finite")) {
    if (*v == "null") o.non_finite = ndjson::NonFinite::kNull;
    else if (*v == "error") o.non_finite = ndjson::NonFinite::kError;
    else throw UsageError("--non-finite is null or error");
  }
  if (auto v = a.get("invalid-utf8")) {
    if (*v == "replace") o.invalid_utf8 = ndjson::InvalidUtf8::kReplace;
    else if (*v == "error") o.invalid_utf8 = ndjson::InvalidUtf8::kError;
    else throw UsageError("--invalid-utf8 is replace or error");
  }
  if (a.flag("omit-nulls")) o.write_nulls = false;
  o.threads = thread_option(a);
  return o;
}

csv::ReadOptions read_options(const Args& a, const std::string& format) {
  csv::ReadOptions o;
  if (format == "tsv") o.delimiter = '\t';
  if (auto v = a.get("delimiter")) {
    o.delimiter = parse_char(*v, "--delimiter");
    if (*o.delimiter == '\0') throw UsageError("--delimiter cannot be empty");
  }
  if (auto v = a.get("quote")) o.quote = parse_char(*v, "--quote");
  if (auto v = a.get("escape")) o.escape = parse_char(*v, "--escape");
  if (auto v = a.get("comment")) o.comment = parse_char(*v, "--comment");
  if (a.flag("header")) o.header = true;
  if (a.flag("no-header")) o.header = false;
  if (auto v = a.get("skip-rows")) o.skip_rows = parse_int(*v, "--skip-rows");
  if (a.has("null")) o.null_values = a.all("null");
  if (auto v = a.get("names")) o.column_names = split(*v, ',');
  o.column_types = declared_types(a);
  if (auto v = a.get("infer-rows")) o.infer_rows = infer_rows_option(*v);
  if (a.flag("skip-bad-rows")) o.bad_rows = csv::BadRowPolicy::kSkip;
  if (auto v = a.get("block-size")) o.block_size = parse_size(*v);
  if (auto v = a.get("batch-rows")) o.batch_rows = parse_int(*v, "--batch-rows");
  o.threads = thread_option(a);
  return o;
}

csv::WriteOptions write_options(const Args& a, const std::string& format) {
  csv::WriteOptions o;
  if (format == "tsv") o.delimiter = '\t';
  if (auto v = a.get("out-delimiter")) o.delimiter = parse_char(*v, "--out-delimiter");
  if (auto v = a.get("out-quote")) o.quote = parse_char(*v, "--out-quote");
  if (auto v = a.get("quoting")) {
    if (*v == "minimal") o.quoting = csv::QuoteStyle::kMinimal;
    else if (*v == "nonnumeric") o.quoting = csv::QuoteStyle::kNonNumeric;
    else if (*v == "all") o.quoting = csv::QuoteStyle::kAll;
    else if (*v == "none") o.quoting = csv::QuoteStyle::kNone;
    else throw UsageError("--quoting is minimal, nonnumeric, all or none");
  }
  if (a.flag("no-out-header")) o.header = false;
  if (auto v = a.get("out-null")) o.null_string = *v;
  if (auto v = a.get("line-ending")) {
    if (*v == "lf") o.line_ending = "\n";
    else if (*v == "crlf") o.line_ending = "\r\n";
    else throw UsageError("--line-ending is lf or crlf");
  }
  o.threads = thread_option(a);
  return o;
}

// A progress bar on stderr for work longer than a second, only when stderr is a terminal.
class Progress {
 public:
  Progress(std::uint64_t total) : total_(total), enabled_(::isatty(STDERR_FILENO) == 1), start_(clock::now()) {}
  ~Progress() { clear(); }
  void update(std::uint64_t done) {
    if (!enabled_) return;
    const auto now = clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    if (total_ > 0) {
      const int pct = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_));
      const int bars = pct * 30 / 100;
      std::fprintf(stderr, "\r[%-30s] %3d%%  %.1f MB", std::string(static_cast<std::size_t>(bars), '#').c_str(),
                   pct, static_cast<double>(done) / 1e6);
    } else {
      std::fprintf(stderr, "\r%.1f MB", static_cast<double>(done) / 1e6);
    }
    std::fflush(stderr);
  }
  void clear() {
    if (shown_) std::fprintf(stderr, "\r%60s\r", "");
    shown_ = false;
  }

 private:
  using clock = std::chrono::steady_clock;
  std::uint64_t total_;
  bool enabled_;
  bool shown_ = false;
  clock::time_point start_, last_{};
};

// One reader interface over the formats.
class TableReader {
 public:
  virtual ~TableReader() = default;
  virtual const SchemaPtr& schema() const = 0;
  virtual Result<std::optional<Batch>> next() = 0;
  virtual std::uint64_t bytes_read() const = 0;
  virtual void report_bad(const std::string& path) const = 0;
  virtual std::int64_t bad_count() const = 0;
  virtual std::string describe() const = 0;  // the dialect or format found, for `schema`
  virtual std::string details() const { return ""; }  // more for `schema`'s output (Parquet's own schema)
  virtual std::string scan_extra() const { return ""; }  // more fields for `scan`'s JSON
};

void print_bad(const std::string& path, std::int64_t count, const std::vector<std::int64_t>& lines,
               const std::vector<std::string>& reasons, const char* what) {
  if (count == 0) return;
  std::fprintf(stderr, "sluice: %s: skipped %lld bad %s%s", path.c_str(), static_cast<long long>(count), what,
               count == 1 ? "" : "s");
  for (std::size_t i = 0; i < lines.size(); ++i)
    std::fprintf(stderr, "%s line %lld (%s)", i ? "," : ":", static_cast<long long>(lines[i]), reasons[i].c_str());
  std::fprintf(stderr, "%s\n", static_cast<std::size_t>(count) > lines.size() ? ", ..." : "");
}

std::string show_char(char c) {
  if (c == '\0') return "none";
  if (c == '\t') return "\\t";
  return std::string(1, c);
}

class CsvTableReader final : public TableReader {
 public:
  explicit CsvTableReader(std::unique_ptr<csv::CsvReader> r) : r_(std::move(r)) {}
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }
  void report_bad(const std::string& path) const override {
    const auto& b = r_->bad_rows();
    print_bad(path, b.count, b.first_lines, b.first_reasons, "row");
  }
  std::int64_t bad_count() const override { return r_->bad_rows().count; }
  std::string describe() const override {
    const auto& d = r_->dialect();
    return "dialect: delimiter=" + show_char(d.delimiter) + " quote=" + show_char(d.quote) +
           " header=" + (d.header ? "true" : "false");
  }

 private:
  std::unique_ptr<csv::CsvReader> r_;
};

class NdjsonTableReader final : public TableReader {
 public:
  explicit NdjsonTableReader(std::unique_ptr<ndjson::NdjsonReader> r) : r_(std::move(r)) {}
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }
  void report_bad(const std::string& path) const override {
    const auto& b = r_->bad_lines();
    print_bad(path, b.count, b.first_lines, b.first_reasons, "record");
  }
  std::int64_t bad_count() const override { return r_->bad_lines().count; }
  std::string describe() const override {
    switch (r_->format()) {
      case ndjson::Format::kArray: return "format: json array";
      case ndjson::Format::kConcatenated: return "format: concatenated json objects";
      default: return "format: ndjson";
    }
  }

 private:
  std::unique_ptr<ndjson::NdjsonReader> r_;
};

class ParquetTableReader final : public TableReader {
 public:
  explicit ParquetTableReader(std::unique_ptr<parquet::ParquetReader> r) : r_(std::move(r)) {}
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }
  void report_bad(const std::string&) const override {}
  std::int64_t bad_count() const override { return 0; }
  std::string describe() const override {
    return "format: parquet, " + std::to_string(r_->num_rows()) + " rows in " + std::to_string(r_->num_row_groups()) +
           " row groups";
  }
  std::string details() const override { return r_->describe_schema(); }
  std::string scan_extra() const override {
    return ", \"row_groups\": " + std::to_string(r_->num_row_groups()) +
           ", \"row_groups_skipped\": " + std::to_string(r_->row_groups_skipped());
  }
  parquet::ParquetReader& parquet() { return *r_; }

 private:
  std::unique_ptr<parquet::ParquetReader> r_;
};

// Top-level columns by name, for the formats that read every column anyway.
class ProjectingReader final : public TableReader {
 public:
  ProjectingReader(std::unique_ptr<TableReader> inner, std::vector<std::string> names)
      : inner_(std::move(inner)), names_(std::move(names)) {}
  const SchemaPtr& schema() const override {
    if (!projected_ || source_schema_ != inner_->schema()) project(*inner_->schema());
    return projected_;
  }
  Result<std::optional<Batch>> next() override {
    SLUICE_ASSIGN_OR_RETURN(auto b, inner_->next());
    if (!b) return b;
    SLUICE_ASSIGN_OR_RETURN(auto idx, indexes(*b->schema, names_));
    Batch out;
    auto s = std::make_shared<Schema>();
    for (int i : idx) {
      s->fields.push_back(b->schema->fields[static_cast<std::size_t>(i)]);
      out.columns.push_back(b->columns[static_cast<std::size_t>(i)]);
    }
    out.schema = std::move(s);
    out.num_rows = b->num_rows;
    return std::optional<Batch>(std::move(out));
  }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }
  void report_bad(const std::string& path) const override { inner_->report_bad(path); }
  std::int64_t bad_count() const override { return inner_->bad_count(); }
  std::string describe() const override { return inner_->describe(); }
  std::string scan_extra() const override { return inner_->scan_extra(); }

  static Result<std::vector<int>> indexes(const Schema& schema, const std::vector<std::string>& names) {
    std::vector<int> out;
    for (const auto& n : names) {
      const int i = schema.find(n);
      if (i < 0) return Error(ErrorCode::kInvalidArgument, "no column '" + n + "' in the input");
      out.push_back(i);
    }
    return out;
  }

 private:
  void project(const Schema& from) const {
    auto s = std::make_shared<Schema>();
    auto idx = indexes(from, names_);
    if (idx.ok())
      for (int i : *idx) s->fields.push_back(from.fields[static_cast<std::size_t>(i)]);
    projected_ = std::move(s);
    source_schema_ = inner_->schema();
  }
  std::unique_ptr<TableReader> inner_;
  std::vector<std::string> names_;
  mutable SchemaPtr projected_, source_schema_;
};

// Rows that satisfy a --where filter; batches left empty are not handed out.
class FilteringReader final : public TableReader {
 public:
  FilteringReader(std::unique_ptr<TableReader> inner, std::shared_ptr<const Predicate> filter)
      : inner_(std::move(inner)), filter_(std::move(filter)) {}
  const SchemaPtr& schema() const override { return inner_->schema(); }
  Result<std::optional<Batch>> next() override {
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(auto b, inner_->next());
      if (!b) return b;
      SLUICE_ASSIGN_OR_RETURN(Batch kept, filter_->filter(*b));
      if (kept.num_rows > 0) return std::optional<Batch>(std::move(kept));
    }
  }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }
  void report_bad(const std::string& path) const override { inner_->report_bad(path); }
  std::int64_t bad_count() const override { return inner_->bad_count(); }
  std::string describe() const override { return inner_->describe(); }
  std::string details() const override { return inner_->details(); }
  std::string scan_extra() const override { return inner_->scan_extra(); }

 private:
  std::unique_ptr<TableReader> inner_;
  std::shared_ptr<const Predicate> filter_;
};

struct Input {
  std::unique_ptr<TableReader> reader;
  std::uint64_t size = 0;
};

std::shared_ptr<const Predicate> where_option(const Args& a) {
  auto v = a.get("where");
  if (!v) return nullptr;
  auto p = Predicate::parse(*v);
  if (!p.ok()) {
    std::string msg = p.error().message();
    if (msg.rfind("filter, ", 0) == 0) msg = msg.substr(8);  // "position 7: ..."
    throw UsageError("--where, " + msg);
  }
  return std::make_shared<const Predicate>(std::move(p).value());
}

std::string top_level(const std::string& path) { return path.substr(0, path.find('.')); }

std::vector<std::string> columns_option(const Args& a) {
  std::vector<std::string> out;
  for (const auto& list : a.all("columns"))
    for (const auto& item : split_top_level(list, ','))
      if (!item.empty()) out.push_back(item);
  return out;
}

parquet::ReadOptions parquet_read_options(const Args& a) {
  parquet::ReadOptions o;
  o.columns = columns_option(a);
  o.threads = thread_option(a);
  o.verify_checksums = a.flag("verify-checksums");
  if (auto v = a.get("int96-unit")) {
    if (*v == "us") o.int96_unit = TimeUnit::kMicro;
    else if (*v == "ns") o.int96_unit = TimeUnit::kNano;
    else throw UsageError("--int96-unit is us or ns");
  }
  if (auto v = a.get("batch-rows")) {
    o.batch_rows = parse_int(*v, "--batch-rows");
    if (o.batch_rows < 1) throw UsageError("--batch-rows must be at least 1");
  }
  return o;
}

io::IoConfig io_config(const Args& a);

// `whole_schema`: the output needs the final types before the first row (Parquet), so CSV and NDJSON
// read from a file infer them from all of it unless --infer-rows says otherwise.
Input open_input(const std::string& uri, const Args& a, bool whole_schema = false) {
  const std::string fmt = format_of(uri, a.get("from"));
  auto src = check(io::open_source(uri, io_config(a)));
  const bool infer_all = whole_schema && !a.get("infer-rows") && src->supports_random_access();
  Input in;
  if (src->supports_random_access()) in.size = check(src->size());
  const auto where = where_option(a);
  const auto cols = columns_option(a);
  if (fmt == "parquet") {
    auto opts = parquet_read_options(a);
    opts.filter = where;
    // The filter's columns are read too, and left out again after filtering.
    std::vector<std::string> extra;
    if (where && !cols.empty()) {
      for (const auto& c : where->columns()) {
        bool have = false;
        for (const auto& want : cols) have = have || top_level(want) == c;
        if (!have) extra.push_back(c);
      }
      opts.columns.insert(opts.columns.end(), extra.begin(), extra.end());
    }
    in.reader = std::make_unique<ParquetTableReader>(check(parquet::ParquetReader::open(std::move(src), std::move(opts))));
    if (where) {
      check(where->validate(*in.reader->schema()));
      in.reader = std::make_unique<FilteringReader>(std::move(in.reader), where);
    }
    if (!extra.empty()) {
      std::vector<std::string> keep;
      for (const auto& f : in.reader->schema()->fields)
        if (std::find(extra.begin(), extra.end(), f.name) == extra.end()) keep.push_back(f.name);
      in.reader = std::make_unique<ProjectingReader>(std::move(in.reader), keep);
    }
    return in;
  }
  if (is_json(fmt)) {
    auto opts = ndjson_read_options(a);
    if (infer_all) opts.infer_rows = -1;
    in.reader = std::make_unique<NdjsonTableReader>(check(ndjson::NdjsonReader::open(std::move(src), std::move(opts))));
  } else {
    auto opts = read_options(a, fmt);
    if (infer_all) opts.infer_rows = -1;
    in.reader = std::make_unique<CsvTableReader>(check(csv::CsvReader::open(std::move(src), std::move(opts))));
  }
  if (where) {
    // (NDJSON's schema may still gain the column after its inference sample: checked per batch.)
    if (!is_json(fmt)) check(where->validate(*in.reader->schema()));
    in.reader = std::make_unique<FilteringReader>(std::move(in.reader), where);
  }
  if (!cols.empty()) {
    for (const auto& c : cols)
      if (c.find('.') != std::string::npos && in.reader->schema()->find(c) < 0)
        throw UsageError("--columns takes top-level names for " + fmt + " input ('" + c + "')");
    (void)check(ProjectingReader::indexes(*in.reader->schema(), cols));
    in.reader = std::make_unique<ProjectingReader>(std::move(in.reader), cols);
  }
  return in;
}

// One writer interface over the formats.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual Status write(const Batch& b) = 0;
  virtual Status finish(const Schema* schema_if_empty) = 0;
  virtual void report(const std::string&) const {}
};

class CsvTableWriter final : public TableWriter {
 public:
  CsvTableWriter(std::unique_ptr<csv::CsvWriter> w, std::string path) : w_(std::move(w)), path_(std::move(path)) {}
  Status write(const Batch& b) override {
    // The header is written once: a column that appears later (NDJSON inferred from a sample) cannot
    // be added to it.
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

 private:
  std::unique_ptr<csv::CsvWriter> w_;
  std::string path_;
  SchemaPtr header_;
};

class NdjsonTableWriter final : public TableWriter {
 public:
  explicit NdjsonTableWriter(std::unique_ptr<ndjson::NdjsonWriter> w) : w_(std::move(w)) {}
  Status write(const Batch& b) override { return w_->write(b); }
  Status finish(const Schema*) override { return w_->finish(); }
  void report(const std::string& path) const override {
    if (w_->non_finite_count() > 0)
      std::fprintf(stderr, "sluice: %s: wrote %lld NaN or infinite value%s as null\n", path.c_str(),
                   static_cast<long long>(w_->non_finite_count()), w_->non_finite_count() == 1 ? "" : "s");
  }

 private:
  std::unique_ptr<ndjson::NdjsonWriter> w_;
};

// Parquet needs the schema before the first row: the writer opens on the first batch (or at the end,
// for an empty input), and a batch whose schema differs (NDJSON widening after its sample) is an error.
class ParquetTableWriter final : public TableWriter {
 public:
  ParquetTableWriter(io::Sink& sink, parquet::WriteOptions options) : sink_(sink), options_(std::move(options)) {}
  Status write(const Batch& b) override {
    if (!w_) {
      SLUICE_ASSIGN_OR_RETURN(w_, parquet::ParquetWriter::open(sink_, b.schema, options_));
      schema_ = b.schema;
    } else if (b.schema != schema_ && !(*b.schema == *schema_)) {
      ErrorContext ctx(sink_.path());
      return Error(ErrorCode::kInvalidArgument,
                   "the input's types changed after the Parquet schema was fixed (--infer-rows all reads the "
                   "whole input first)",
                   ctx);
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

 private:
  io::Sink& sink_;
  parquet::WriteOptions options_;
  std::unique_ptr<parquet::ParquetWriter> w_;
  SchemaPtr schema_;
};

bool on_off(const std::string& v, const std::string& what) {
  if (v == "on" || v == "true" || v == "1") return true;
  if (v == "off" || v == "false" || v == "0") return false;
  throw UsageError(what + " is on or off, not '" + v + "'");
}

parquet::WriteOptions parquet_write_options(const Args& a) {
  parquet::WriteOptions o;
  o.threads = thread_option(a);
  if (auto v = a.get("compression")) {
    std::string name = *v, level;
    if (auto colon = name.find(':'); colon != std::string::npos) {
      level = name.substr(colon + 1);
      name = name.substr(0, colon);
    }
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "uncompressed" || name == "none") o.compression = parquet::Compression::kUncompressed;
    else if (name == "snappy") o.compression = parquet::Compression::kSnappy;
    else if (name == "gzip") o.compression = parquet::Compression::kGzip;
    else if (name == "zstd") o.compression = parquet::Compression::kZstd;
    else if (name == "lz4" || name == "lz4_raw") o.compression = parquet::Compression::kLz4Raw;
    else if (name == "brotli") o.compression = parquet::Compression::kBrotli;
    else throw UsageError("--compression is uncompressed, snappy, gzip, zstd, lz4 or brotli, not '" + name + "'");
    if (!level.empty()) {
      const std::int64_t l = parse_int(level, "--compression level");
      const auto c = o.compression;
      const bool ok = (c == parquet::Compression::kGzip && l >= 0 && l <= 9) ||
                      (c == parquet::Compression::kZstd && l >= -7 && l <= 22) ||
                      (c == parquet::Compression::kBrotli && l >= 0 && l <= 11) ||
                      (c == parquet::Compression::kLz4Raw && l >= 1 && l <= 12);
      if (!ok) throw UsageError("--compression " + *v + ": no such level for this codec");
      o.compression_level = static_cast<int>(l);
    }
  }
  if (auto v = a.get("row-group-size")) o.row_group_bytes = parse_size(*v);
  if (auto v = a.get("row-group-rows")) o.row_group_rows = parse_int(*v, "--row-group-rows");
  if (auto v = a.get("page-size")) o.page_bytes = parse_size(*v);
  if (o.row_group_bytes < 1 || o.page_bytes < 1 || o.row_group_rows < 0)
    throw UsageError("--row-group-size, --row-group-rows and --page-size must be positive");
  if (auto v = a.get("dictionary")) o.dictionary = on_off(*v, "--dictionary");
  if (auto v = a.get("statistics")) o.statistics = o.page_index = on_off(*v, "--statistics");
  if (auto v = a.get("page-version")) {
    if (*v == "1") o.page_version = 1;
    else if (*v == "2") o.page_version = 2;
    else throw UsageError("--page-version is 1 or 2");
  }
  if (auto v = a.get("bloom-filter")) {
    for (const auto& c : split(*v, ',')) {
      if (c.empty()) continue;
      parquet::ColumnWriteOptions co;
      co.path = c;
      co.bloom_filter = true;
      o.columns.push_back(std::move(co));
    }
  }
  if (auto v = a.get("encoding")) {
    for (const auto& item : split(*v, ',')) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) throw UsageError("--encoding wants column=encoding pairs, not '" + item + "'");
      std::string e = item.substr(eq + 1);
      for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      parquet::ColumnWriteOptions co;
      co.path = item.substr(0, eq);
      if (e == "plain") co.encoding = parquet::ColumnEncoding::kPlain;
      else if (e == "dictionary" || e == "rle_dictionary") co.dictionary = true;
      else if (e == "delta_binary_packed" || e == "delta") co.encoding = parquet::ColumnEncoding::kDeltaBinaryPacked;
      else if (e == "delta_length_byte_array") co.encoding = parquet::ColumnEncoding::kDeltaLengthByteArray;
      else if (e == "delta_byte_array") co.encoding = parquet::ColumnEncoding::kDeltaByteArray;
      else if (e == "byte_stream_split") co.encoding = parquet::ColumnEncoding::kByteStreamSplit;
      else throw UsageError("--encoding: unknown encoding '" + e + "'");
      o.columns.push_back(std::move(co));
    }
  }
  o.page_checksums = a.flag("page-checksums");
  return o;
}

std::unique_ptr<TableWriter> open_writer(io::Sink& sink, const Args& a, const std::string& fmt) {
  if (fmt == "parquet") return std::make_unique<ParquetTableWriter>(sink, parquet_write_options(a));
  if (is_json(fmt)) return std::make_unique<NdjsonTableWriter>(check(ndjson::NdjsonWriter::open(sink, ndjson_write_options(a, fmt))));
  return std::make_unique<CsvTableWriter>(check(csv::CsvWriter::open(sink, write_options(a, fmt))), sink.path());
}

int cmd_convert(const Args& a, bool to_stdout) {
  const auto& pos = a.positional();
  if (pos.size() != (to_stdout ? 1u : 2u))
    throw UsageError(to_stdout ? "cat takes one input" : "convert takes an input and an output");
  const std::string out_uri = to_stdout ? "-" : pos[1];
  const std::string out_fmt = format_of(out_uri, a.get("to"));
  Input in = open_input(pos[0], a, out_fmt == "parquet");
  // Parse every writer option before anything is created.
  if (out_fmt == "parquet") (void)parquet_write_options(a);
  else if (is_json(out_fmt)) (void)ndjson_write_options(a, out_fmt);
  else (void)write_options(a, out_fmt);
  a.reject_unknown();
  auto sink = check(io::open_sink(out_uri, {}, io_config(a)));
  Progress progress(in.size);
  try {
    auto writer = open_writer(*sink, a, out_fmt);
    while (true) {
      auto b = check(in.reader->next());
      if (!b) break;
      check(writer->write(*b));
      progress.update(in.reader->bytes_read());
    }
    check(writer->finish(in.reader->schema().get()));
    check(sink->finish());
    progress.clear();
    writer->report(out_uri);
  } catch (...) {
    sink->abort();
    throw;
  }
  in.reader->report_bad(pos[0]);
  return 0;
}

int cmd_head(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 1) throw UsageError("head takes one input");
  std::int64_t n = 10;
  if (auto v = a.get("n")) n = parse_int(*v, "-n");
  if (auto v = a.get("rows")) n = parse_int(*v, "--rows");
  if (n < 0) throw UsageError("-n must not be negative");
  auto args_threads = a.get("threads");  // accepted for symmetry; head reads little
  (void)args_threads;
  Input in = open_input(pos[0], a);
  a.reject_unknown();
  std::vector<Batch> batches;
  std::int64_t got = 0;
  while (got < n) {
    auto b = check(in.reader->next());
    if (!b) break;
    const std::int64_t take = std::min(b->num_rows, n - got);
    batches.push_back(take == b->num_rows ? *b : b->slice(0, take));
    got += take;
  }
  print_table(std::cout, *in.reader->schema(), batches);
  return 0;
}

int cmd_schema(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 1) throw UsageError("schema takes one input");
  Input in = open_input(pos[0], a);
  a.reject_unknown();
  for (const auto& f : in.reader->schema()->fields) std::cout << f.name << ": " << f.type->to_string() << "\n";
  if (const std::string d = in.reader->details(); !d.empty()) std::cout << "\n" << d;
  std::cerr << in.reader->describe() << "\n";
  return 0;
}

int cmd_inspect(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 1) throw UsageError("inspect takes one Parquet file");
  const std::string fmt = format_of(pos[0], a.get("from"));
  if (fmt != "parquet") throw UsageError("inspect reads Parquet footers; " + pos[0] + " is " + fmt);
  Input in = open_input(pos[0], a);
  a.reject_unknown();
  auto* pq = dynamic_cast<ParquetTableReader*>(in.reader.get());
  if (!pq) throw UsageError("inspect takes neither --columns nor --where");
  auto& r = pq->parquet();
  std::cout << r.describe_footer();
  return 0;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

int cmd_scan(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 1) throw UsageError("scan takes one input");
  Input in = open_input(pos[0], a);
  a.reject_unknown();
  Progress progress(in.size);
  std::int64_t rows = 0;
  std::vector<std::int64_t> nulls(in.reader->schema()->num_fields(), 0);
  while (true) {
    auto b = check(in.reader->next());
    if (!b) break;
    rows += b->num_rows;
    // NDJSON's schema may gain columns while reading (they are only ever appended).
    if (nulls.size() < b->num_columns()) nulls.resize(b->num_columns(), 0);
    for (std::size_t c = 0; c < b->num_columns(); ++c) nulls[c] += b->columns[c]->null_count;
    progress.update(in.reader->bytes_read());
  }
  progress.clear();
  const auto& schema = *in.reader->schema();
  std::string out = "{\"rows\": " + std::to_string(rows) + ", \"columns\": [";
  for (std::size_t c = 0; c < schema.num_fields(); ++c) {
    if (c) out += ", ";
    out += "{\"name\": " + json_string(schema.fields[c].name) + ", \"type\": " +
           json_string(schema.fields[c].type->to_string()) + ", \"nulls\": " + std::to_string(nulls[c]) + "}";
  }
  out += "]";
  if (in.reader->bad_count() > 0) out += ", \"bad_rows\": " + std::to_string(in.reader->bad_count());
  out += in.reader->scan_extra();
  out += "}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  in.reader->report_bad(pos[0]);
  return 0;
}

// ---- stores: the settings every command takes, ls and cp -----------------------------------------

// Store settings from flags (the environment supplies the rest: AWS_*, AZURE_STORAGE_*, GOOGLE_*).
io::IoConfig io_config(const Args& a) {
  io::IoConfig c;
  if (auto v = a.get("endpoint-url")) c.s3.endpoint_url = c.gcs.endpoint_url = c.azure.endpoint_url = *v;
  if (auto v = a.get("region")) c.s3.region = *v;
  if (auto v = a.get("profile")) c.s3.profile = *v;
  if (auto v = a.get("path-style")) c.s3.path_style = on_off(*v, "--path-style");
  if (a.flag("no-sign-request")) c.s3.anonymous = true;
  if (auto v = a.get("payload-signing")) {
    if (*v == "unsigned") c.s3.payload_signing = io::S3Config::PayloadSigning::kUnsigned;
    else if (*v == "signed") c.s3.payload_signing = io::S3Config::PayloadSigning::kSigned;
    else if (*v == "streaming") c.s3.payload_signing = io::S3Config::PayloadSigning::kStreaming;
    else throw UsageError("--payload-signing is unsigned, signed or streaming");
  }
  if (auto v = a.get("part-size")) {
    const auto n = parse_size(*v);
    if (n < (5 << 20) || n > (std::int64_t{5} << 30)) throw UsageError("--part-size must be between 5MiB and 5GiB");
    c.transfer.part_size = static_cast<std::size_t>(n);
  }
  if (a.flag("equal-parts")) c.transfer.equal_parts = true;
  if (auto v = a.get("parts-in-flight")) {
    c.transfer.parts_in_flight = static_cast<int>(parse_int(*v, "--parts-in-flight"));
    if (c.transfer.parts_in_flight < 1 || c.transfer.parts_in_flight > 64)
      throw UsageError("--parts-in-flight must be between 1 and 64");
  }
  if (auto v = a.get("read-ahead")) {
    c.transfer.read_ahead = static_cast<int>(parse_int(*v, "--read-ahead"));
    if (c.transfer.read_ahead < 0 || c.transfer.read_ahead > 64) throw UsageError("--read-ahead must be between 0 and 64");
  }
  if (auto v = a.get("read-block")) {
    const auto n = parse_size(*v);
    if (n < (64 << 10) || n > (std::int64_t{1} << 30)) throw UsageError("--read-block must be between 64KiB and 1GiB");
    c.transfer.read_block = static_cast<std::size_t>(n);
  }
  if (auto v = a.get("retries")) {
    c.http.retry.max_attempts = 1 + static_cast<int>(parse_int(*v, "--retries"));
    if (c.http.retry.max_attempts < 1 || c.http.retry.max_attempts > 100) throw UsageError("--retries must be between 0 and 99");
  }
  if (auto v = a.get("connect-timeout"))
    c.http.connect_timeout = std::chrono::milliseconds(1000 * parse_int(*v, "--connect-timeout"));
  for (const auto& h : a.all("http-header")) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) throw UsageError("--http-header wants 'Name: value', got '" + h + "'");
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    c.http_source.headers.emplace_back(h.substr(0, colon), value);
  }
  if (const char* t = std::getenv("SLUICE_HTTP_BEARER_TOKEN")) c.http_source.bearer_token = t;
  c.client = io::http::Client::create(c.http);
  return c;
}

std::string iso_time(std::int64_t ms) {
  if (ms < 0) return std::string(19, ' ');
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

void print_entry(bool long_format, std::uint64_t size, std::int64_t mtime_ms, bool folder, const std::string& name) {
  if (long_format) {
    if (folder) std::printf("%14s  %19s  %s\n", "PRE", "", name.c_str());
    else std::printf("%14llu  %s  %s\n", static_cast<unsigned long long>(size), iso_time(mtime_ms).c_str(), name.c_str());
  } else {
    std::printf("%s\n", name.c_str());
  }
}

int cmd_ls(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 1) throw UsageError("ls takes one URI or path");
  const bool long_format = a.flag("l") || a.flag("long");
  const bool recursive = a.flag("r") || a.flag("recursive");
  auto config = io_config(a);
  a.reject_unknown();
  const io::Uri uri = check(io::parse_uri(pos[0]));
  if (uri.scheme == io::Scheme::kLocal) {
    namespace fs = std::filesystem;
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    const fs::path root(uri.path);
    if (!fs::is_directory(root, ec)) {
      auto st = fs::status(root, ec);
      if (ec || !fs::exists(st)) throw DataError{Error(ErrorCode::kNotFound, "no such file or folder", ErrorContext(uri.path))};
      entries.emplace_back(root);
    } else if (recursive) {
      for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (!it->is_directory()) entries.push_back(*it);
    } else {
      for (auto it = fs::directory_iterator(root, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(*it);
    }
    if (ec) throw DataError{Error(ErrorCode::kIoError, "cannot list: " + ec.message(), ErrorContext(uri.path))};
    std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.path() < y.path(); });
    for (const auto& e : entries) {
      const bool folder = e.is_directory();
      std::uint64_t size = folder ? 0 : static_cast<std::uint64_t>(e.file_size(ec));
      std::int64_t mtime = -1;
      struct stat sb {};
      if (::stat(e.path().c_str(), &sb) == 0) mtime = static_cast<std::int64_t>(sb.st_mtime) * 1000;
      print_entry(long_format, size, mtime, folder, e.path().string() + (folder ? "/" : ""));
    }
    return 0;
  }
  if (uri.scheme != io::Scheme::kS3 && uri.scheme != io::Scheme::kGcs && uri.scheme != io::Scheme::kAzure)
    throw UsageError("ls lists local folders and s3://, gs://, az:// prefixes");
  auto store = check(io::open_store(uri, config));
  // "s3://b/dir" lists what is under dir/ when dir is a folder, and the object itself otherwise: the
  // prefix is the key as typed, cut at '/' after it unless -r.
  check(store->list(uri.key, recursive, [&](const io::ObjectInfo& o) {
    print_entry(long_format, o.size, o.mtime_ms, o.is_prefix, uri.with_key(o.key));
    return ok_status();
  }));
  return 0;
}

// The name cp gives the copy when DST is a folder.
std::string base_name(const std::string& uri) {
  std::string s = uri.substr(0, uri.find_first_of("?#"));
  while (!s.empty() && s.back() == '/') s.pop_back();
  const auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

int cmd_cp(const Args& a) {
  const auto& pos = a.positional();
  if (pos.size() != 2) throw UsageError("cp takes a source and a destination");
  auto config = io_config(a);
  a.reject_unknown();
  std::string dst = pos[1];
  const io::Uri dst_uri = check(io::parse_uri(dst));
  bool into_folder = !dst.empty() && dst.back() == '/';
  if (dst_uri.scheme == io::Scheme::kLocal) {
    std::error_code ec;
    into_folder = into_folder || std::filesystem::is_directory(dst_uri.path, ec);
  } else if (dst_uri.scheme != io::Scheme::kStdio && dst_uri.key.empty()) {
    into_folder = true;
  }
  if (into_folder) {
    if (pos[0] == "-") throw UsageError("cp from stdin needs a destination file or object, not a folder");
    if (dst.back() != '/') dst += '/';
    dst += base_name(pos[0]);
  }
  auto src = check(io::open_source(pos[0], config));
  std::uint64_t total = 0;
  if (src->supports_random_access()) total = check(src->size());
  auto sink = check(io::open_sink(dst, {}, config));
  Progress progress(total);
  std::vector<std::byte> buf(std::size_t{4} << 20);
  try {
    std::uint64_t done = 0;
    for (;;) {
      const std::size_t n = check(src->read(buf));
      if (n == 0) break;
      check(sink->write({buf.data(), n}));
      done += n;
      progress.update(done);
    }
    check(sink->finish());
    progress.clear();
  } catch (...) {
    sink->abort();
    throw;
  }
  return 0;
}

const std::vector<std::string> kSwitches = {"header",        "no-header",       "skip-bad-rows", "no-out-header",
                                            "no-detect-dates", "omit-nulls", "verify-checksums", "page-checksums",
                                            "help", "l", "r", "long", "recursive", "no-sign-request", "equal-parts"};

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
  try {
    Args a(argc, argv, 2, kSwitches);
    if (a.flag("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (cmd == "convert") return cmd_convert(a, false);
    if (cmd == "cat") return cmd_convert(a, true);
    if (cmd == "head") return cmd_head(a);
    if (cmd == "schema") return cmd_schema(a);
    if (cmd == "scan") return cmd_scan(a);
    if (cmd == "inspect") return cmd_inspect(a);
    if (cmd == "ls") return cmd_ls(a);
    if (cmd == "cp") return cmd_cp(a);
    throw UsageError("unknown command '" + cmd + "'");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "sluice: %s\n(see sluice --help)\n", e.what());
    return 2;
  } catch (const DataError& e) {
    std::fprintf(stderr, "sluice: %s\n", e.error.to_string().c_str());
    return e.error.code() == ErrorCode::kInvalidArgument && e.error.context().path.empty() ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "sluice: out of memory\n");
    return 1;
  }
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) {
  // Chunks allocate and free multi-megabyte buffers; keep them in the heap instead of mapping fresh
  // (page-faulting) memory for each one. Memory stays bounded by the reader's options.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  sluice::io::install_signal_cleanup();
  return sluice::cli::run(argc, argv);
}
