// sluice: move tabular data between formats and stores. See `sluice --help`.
#include <algorithm>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <mutex>
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
#include "sluice/dataset.hpp"
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
  sluice ls URI [-l] [-r]            list a prefix of a bucket or container (or a local folder), or
                                     the files a glob matches; -l with sizes and times, -r
                                     everything below instead of one level
  sluice cp SRC DST                  copy bytes between any two of: local paths, stores, stdin/stdout
                                     (streaming; DST ending in / or naming a folder keeps SRC's name)

IN and OUT are paths, file:// URIs, - (stdin/stdout), or objects in stores: s3://bucket/key,
gs://bucket/key, az://container/blob (abfs[s]://container@account.dfs.core.windows.net/blob), and
http(s):// URLs for reading. Formats: csv, tsv, ndjson (.ndjson, .jsonl),
json (.json: NDJSON or one array of objects when read; an array of objects when written), parquet
(.parquet, .pq: read from a file, not a pipe; written to a file or a pipe). CSV, TSV and NDJSON may
be gzip or zstd streams (.csv.gz, .ndjson.zst, ...; --from/--to csv.gz).

many files (every command that reads):
  IN may be a folder (a local directory, or a store prefix ending in /) or a glob: * and ? within a
  name, [abc], and ** for any depth ('s3://bucket/in/**/*.csv'; quote it). Names starting with . or
  _ are skipped. The files are read in path order as one table: columns by name, types widened
  (int32 → int64 → double ...), or an error naming the first file that disagrees. key=value folders
  are hive partitions: columns typed int64, double, date, bool or string (or by --types), values
  %-decoded, __HIVE_DEFAULT_PARTITION__ null. A --where on partition columns skips files unopened.
  --hive-partitioning M    auto | on | off (default auto: on when the paths have key=value folders)
  --union-to-string        columns without a common type are read as strings instead of an error
  --schema-from F          all (default): every file opened first and their schemas unified; first:
                           the first file's schema (the others opened when read, so a dataset of many
                           files starts at once; a column not in the first file is an error;
                           later CSV / NDJSON files read its columns with its types)
  --filename               add a column `filename`: each row's file

writing many files (convert, when OUT ends with /, is a folder, or --partition-by is given):
  OUT/part-<id>-<n>.<ext>, or OUT/key=value/.../part-<id>-<n>.<ext> by --partition-by.
  --to FORMAT              the files' format (default parquet)
  --partition-by a,b       hive folders by these columns' values (escaped: no value can leave OUT)
  --keep-partition-columns also write the partition columns into the files
  --mode M                 error (default: fail if OUT holds data) | overwrite (replace it, once the
                           new files are complete) | append (new files beside the old) | ignore (do
                           nothing if OUT holds data). Nothing half-written is ever visible: a killed
                           or failed run leaves OUT as it was (append: only complete files). For one
                           output file, --mode error and ignore apply too (default: replace it).
  --max-open-files N       files open at once (default 1000); the least recently used is closed
  --max-memory SIZE        memory of the whole process (reading included): the open files get what
                           the rest leaves, and past it the largest Parquet row group is written
                           early, or a file is closed (without it: the open files hold 512MiB at most)
  --max-rows-per-file N    start a new file after N rows
  --max-file-size SIZE     start a new file once one reaches SIZE

reading (every format):
  --from FORMAT            csv | tsv | ndjson | jsonl | json | parquet (default: from the extension,
                           else csv)
  --columns a,b.c          read only these columns (Parquet: only their column chunks are read; a
                           dotted path selects inside a struct, list or map; other formats: top-level
                           names)
  --where "EXPR"           only rows where EXPR holds: comparisons of columns with constants or with
                           columns (= != < <= > >=, [NOT] IN (...), IS [NOT] NULL, IS [NOT]
                           DISTINCT FROM, [NOT] BETWEEN a AND b, [NOT] LIKE or ILIKE 'pat%_' [ESCAPE
                           'c']) joined by AND, OR, NOT and parentheses, e.g.
                           "qty >= 10 and (flag = 'A' or note like '%rush%') and not ts < '2024-01-01'"
                           (SQL's nulls: unknown is not true, nor is its NOT. Parquet: row groups and
                           pages whose statistics rule EXPR out are not read)
  --types a=int64,b=date   declared column types (others are inferred; uuid, json, enum, interval (from
                           DuckDB's text: '1 year 2 days 03:04:05.5'), and geometry or geography from
                           WKT too)
  --infer-rows N|all       rows sampled for type inference (default 16384); all: the whole file
                           first, so every batch has the final types (reads a file twice)
  --skip-bad-rows          drop bad rows/records and report them, instead of failing
  --block-size SIZE        bytes parsed per unit of work (default 1MiB for CSV, 512KiB for NDJSON)
  --max-record-size SIZE   a longer CSV row or NDJSON record is an error, with --skip-bad-rows too
                           (default 64MiB for CSV, 16MiB for NDJSON)
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

writing CSV or NDJSON compressed:
  --compression C[:LEVEL]  gzip (LEVEL 0-9, default 6) | zstd (LEVEL -7..22, default 3) | none; also from
                           the extension (.gz, .zst)

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
  --payload-signing M      unsigned (default: UNSIGNED-PAYLOAD, each part with its checksum) | signed
                           (each body's SHA-256 signed) | streaming (aws-chunked: every 64 KiB signed)
  --checksum crc32c|md5    what each S3 upload body carries for the store to check (default crc32c:
                           x-amz-checksum-crc32c, as AWS SDKs send; md5: Content-MD5, which stores
                           older than flexible checksums, such as Ceph 16, check too; GCS: always md5)
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

// The format of IN or OUT: --from / --to ("csv", "ndjson.gz", ...), else the extensions ("x.csv.zst").
// A forced format without compression still takes it from the extension (--from csv on x.csv.gz).
dataset::FileFormat format_of(const std::string& path, const std::optional<std::string>& forced) {
  auto f = forced ? dataset::parse_format(*forced) : dataset::format_of_path(path);
  if (!f.ok()) throw UsageError(f.error().message() + " for " + path);
  if (forced && f->compression == codecs::StreamCompression::kNone && f->name != "parquet")
    f->compression = codecs::stream_compression_from_path(path.substr(0, path.find_first_of("?#")));
  return *f;
}


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
  if (auto v = a.get("max-record-size")) o.max_row_bytes = parse_size(*v);
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
class TableReader : public dataset::BatchReader {
 public:
  virtual void report_bad(const std::string& path) const = 0;
  virtual std::int64_t bad_count() const = 0;
  virtual std::string describe() const = 0;  // the dialect or format found, for `schema`
  virtual std::string details() const { return ""; }  // more for `schema`'s output (Parquet's own schema)
  virtual std::string scan_extra() const { return ""; }  // more fields for `scan`'s JSON
  // Every batch to `consume(batch, thread)` in no set order and, where the format can, on several
  // threads at once (Parquet's row groups): for `scan`, whose counts do not depend on the order.
  // Here: next() in file order, on this thread.
  using Consumer = std::function<Status(Batch&& batch, int thread)>;
  virtual Status for_each_unordered(const Consumer& consume) {
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(auto b, next());
      if (!b) return ok_status();
      SLUICE_TRY(consume(std::move(*b), 0));
    }
  }
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
  Status for_each_unordered(const Consumer& consume) override {
    return r_->scan_unordered(
        [&](Batch&& b, const parquet::ParquetReader::BatchPlace& place) { return consume(std::move(b), place.thread); });
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
    SLUICE_ASSIGN_OR_RETURN(Batch out, project_batch(*b));
    return std::optional<Batch>(std::move(out));
  }
  Status for_each_unordered(const Consumer& consume) override {
    return inner_->for_each_unordered([&](Batch&& b, int thread) -> Status {
      SLUICE_ASSIGN_OR_RETURN(Batch out, project_batch(b));
      return consume(std::move(out), thread);
    });
  }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }
  void report_bad(const std::string& path) const override { inner_->report_bad(path); }
  std::int64_t bad_count() const override { return inner_->bad_count(); }
  std::string describe() const override { return inner_->describe(); }
  std::string scan_extra() const override { return inner_->scan_extra(); }

  Result<Batch> project_batch(const Batch& b) const {
    SLUICE_ASSIGN_OR_RETURN(auto idx, indexes(*b.schema, names_));
    Batch out;
    auto s = std::make_shared<Schema>();
    for (int i : idx) {
      s->fields.push_back(b.schema->fields[static_cast<std::size_t>(i)]);
      out.columns.push_back(b.columns[static_cast<std::size_t>(i)]);
    }
    out.schema = std::move(s);
    out.num_rows = b.num_rows;
    return out;
  }

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
  Status for_each_unordered(const Consumer& consume) override {
    return inner_->for_each_unordered([&](Batch&& b, int thread) -> Status {
      SLUICE_ASSIGN_OR_RETURN(Batch kept, filter_->filter(b));
      return kept.num_rows > 0 ? consume(std::move(kept), thread) : ok_status();
    });
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
  std::shared_ptr<io::ObjectStore> store;  // a dataset's store (declared first: it outlives the reader)
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

// `threads`: the reader's (0: --threads).
parquet::ReadOptions parquet_read_options(const Args& a, int threads = 0) {
  parquet::ReadOptions o;
  o.columns = columns_option(a);
  o.threads = threads > 0 ? threads : thread_option(a);
  // Under a memory cap, row groups are decoded one per worker ahead, not two.
  if (a.has("max-memory")) o.row_groups_ahead = std::max(1, o.threads - 1);
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
bool on_off(const std::string& v, const std::string& what);

// One file as a reader of its format (decompressed first for .gz / .zst), with Parquet's projection
// and filter pushed down to its column chunks and row groups. `whole_schema`: the output needs the
// final types before the first row (Parquet), so CSV and NDJSON read from a file infer them from all
// of it unless --infer-rows says otherwise. `expected`: a dataset's columns fixed before this file
// (--schema-from first), which CSV and NDJSON read with their types instead of inferring them.
// `threads`: the reader's (0: --threads).
std::unique_ptr<TableReader> open_file(io::SourcePtr src, const dataset::FileFormat& fmt, const Args& a, bool whole_schema,
                                       const std::vector<std::string>& parquet_columns,
                                       const std::shared_ptr<const Predicate>& parquet_filter,
                                       const Schema* expected = nullptr, int threads = 0) {
  if (threads <= 0) threads = thread_option(a);
  if (fmt.compression != codecs::StreamCompression::kNone) {
    if (fmt.name == "parquet") throw UsageError("Parquet files are not read through gzip or zstd (" + src->path() + ")");
    src = check(codecs::decompressing_source(std::move(src), fmt.compression));
  }
  const bool infer_all = whole_schema && !expected && !a.get("infer-rows") && src->supports_random_access();
  if (fmt.name == "parquet") {
    auto opts = parquet_read_options(a, threads);
    opts.columns = parquet_columns;
    opts.filter = parquet_filter;
    return std::make_unique<ParquetTableReader>(check(parquet::ParquetReader::open(std::move(src), std::move(opts))));
  }
  if (fmt.is_json()) {
    auto opts = ndjson_read_options(a);
    opts.threads = threads;
    if (infer_all) opts.infer_rows = -1;
    if (expected) dataset::expect_columns(opts, *expected);
    return std::make_unique<NdjsonTableReader>(check(ndjson::NdjsonReader::open(std::move(src), std::move(opts))));
  }
  auto opts = read_options(a, fmt.name);
  opts.threads = threads;
  if (infer_all) opts.infer_rows = -1;
  if (expected) dataset::expect_columns(opts, *expected);
  return std::make_unique<CsvTableReader>(check(csv::CsvReader::open(std::move(src), std::move(opts))));
}

// The filter's columns that --columns leaves out: read too, and dropped again after filtering.
std::vector<std::string> filter_only_columns(const std::shared_ptr<const Predicate>& where,
                                             const std::vector<std::string>& cols) {
  std::vector<std::string> extra;
  if (!where || cols.empty()) return extra;
  for (const auto& c : where->columns()) {
    bool have = false;
    for (const auto& want : cols) have = have || top_level(want) == c;
    if (!have) extra.push_back(c);
  }
  return extra;
}

// --where and --columns over a reader: the rows that pass, then the columns asked for (`extra`: the
// filter's own columns, read only for it).
void filter_and_project(Input& in, const std::shared_ptr<const Predicate>& where, const std::vector<std::string>& cols,
                        const std::vector<std::string>& extra, bool validate_now, const std::string& what) {
  if (where) {
    // (NDJSON's schema may still gain the column after its inference sample: checked per batch.)
    if (validate_now) check(where->validate(*in.reader->schema()));
    in.reader = std::make_unique<FilteringReader>(std::move(in.reader), where);
  }
  if (!extra.empty()) {
    std::vector<std::string> keep;
    for (const auto& f : in.reader->schema()->fields)
      if (std::find(extra.begin(), extra.end(), f.name) == extra.end()) keep.push_back(f.name);
    in.reader = std::make_unique<ProjectingReader>(std::move(in.reader), keep);
    return;
  }
  if (cols.empty() || what == "parquet") return;
  for (const auto& c : cols)
    if (c.find('.') != std::string::npos && in.reader->schema()->find(c) < 0)
      throw UsageError("--columns takes top-level names for " + what + " input ('" + c + "')");
  (void)check(ProjectingReader::indexes(*in.reader->schema(), cols));
  in.reader = std::make_unique<ProjectingReader>(std::move(in.reader), cols);
}

// A dataset's skipped bad rows, counted as its files are done (on several threads in an unordered scan).
struct BadRows {
  std::mutex mu;
  std::int64_t count = 0;
};

// A file of a dataset: its skipped bad rows are reported when it is done.
class DatasetFileReader final : public dataset::BatchReader {
 public:
  DatasetFileReader(std::unique_ptr<TableReader> r, std::string uri, std::shared_ptr<BadRows> bad)
      : r_(std::move(r)), uri_(std::move(uri)), bad_(std::move(bad)) {}
  ~DatasetFileReader() override {
    std::lock_guard<std::mutex> lock(bad_->mu);
    r_->report_bad(uri_);
    bad_->count += r_->bad_count();
  }
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }

 private:
  std::unique_ptr<TableReader> r_;
  std::string uri_;
  std::shared_ptr<BadRows> bad_;
};

class DatasetTableReader final : public TableReader {
 public:
  // `scan_threads`: the files read at once by for_each_unordered() (their readers opened for it).
  DatasetTableReader(std::unique_ptr<dataset::DatasetReader> r, std::shared_ptr<BadRows> bad, int scan_threads)
      : r_(std::move(r)), bad_(std::move(bad)), scan_threads_(scan_threads) {}
  const SchemaPtr& schema() const override { return r_->schema(); }
  Result<std::optional<Batch>> next() override { return r_->next(); }
  Status for_each_unordered(const Consumer& consume) override {
    return r_->scan_unordered(scan_threads_, [&](Batch&& b, const dataset::DatasetReader::FilePlace& place) {
      return consume(std::move(b), place.thread);
    });
  }
  std::uint64_t bytes_read() const override { return r_->bytes_read(); }
  void report_bad(const std::string&) const override {}  // each file reported its own
  std::int64_t bad_count() const override {
    std::lock_guard<std::mutex> lock(bad_->mu);
    return bad_->count;
  }
  std::string describe() const override {
    const auto& d = r_->discovery();
    std::string s = "dataset: " + std::to_string(d.files.size()) + " file" + (d.files.size() == 1 ? "" : "s");
    if (r_->files_pruned() > 0) s += " (" + std::to_string(r_->files_pruned()) + " ruled out by their partitions)";
    if (!d.partition_keys.empty()) {
      s += ", hive partitions:";
      for (const auto& k : d.partition_keys) s += " " + k;
    }
    return s;
  }
  std::string scan_extra() const override {
    return ", \"files\": " + std::to_string(r_->files_total()) + ", \"files_pruned\": " + std::to_string(r_->files_pruned());
  }

 private:
  std::unique_ptr<dataset::DatasetReader> r_;
  std::shared_ptr<BadRows> bad_;
  int scan_threads_ = 1;
};

// Whether IN names many files: a glob, a folder (a local directory, or a store prefix ending in '/').
bool dataset_input(const io::Uri& u) {
  if (u.scheme == io::Scheme::kLocal) {
    std::error_code ec;
    return dataset::has_glob(u.path) || (!u.path.empty() && u.path.back() == '/') ||
           std::filesystem::is_directory(u.path, ec);
  }
  if (u.scheme == io::Scheme::kS3 || u.scheme == io::Scheme::kGcs || u.scheme == io::Scheme::kAzure)
    return dataset::has_glob(u.key) || u.key.empty() || u.key.back() == '/';
  return false;
}

dataset::HivePartitioning hive_option(const Args& a) {
  auto v = a.get("hive-partitioning");
  if (!v || *v == "auto") return dataset::HivePartitioning::kAuto;
  return on_off(*v, "--hive-partitioning") ? dataset::HivePartitioning::kOn : dataset::HivePartitioning::kOff;
}

// `unordered`: the caller reads with for_each_unordered() (scan), so the threads read several files at
// once, each on one thread (or threads / files where there are fewer files than threads), as DuckDB
// spreads a dataset's files over its threads, instead of one file after another on every thread.
Input open_dataset(const std::string& uri, const Args& a, bool whole_schema, bool unordered) {
  Input in;
  const io::Uri u = check(io::parse_uri(uri));
  if (u.scheme != io::Scheme::kLocal) in.store = check(io::open_store(u, io_config(a)));
  dataset::DiscoverOptions dopt;
  dopt.hive = hive_option(a);
  dopt.partition_types = declared_types(a);
  auto d = check(dataset::discover(uri, in.store.get(), dopt));
  for (const auto& f : d.files) in.size += f.size;
  const auto where = where_option(a);
  const auto cols = columns_option(a);
  auto is_key = [&](const std::string& name) {
    return std::find(d.partition_keys.begin(), d.partition_keys.end(), name) != d.partition_keys.end();
  };
  // Pushed down into each Parquet file: the terms and columns without partition columns.
  std::shared_ptr<Predicate> file_filter;
  if (where) {
    auto f = std::make_shared<Predicate>();
    for (const auto& t : where->terms) {
      std::vector<std::string> used;
      t.collect_columns(used);
      if (std::none_of(used.begin(), used.end(), is_key)) f->terms.push_back(t);
    }
    if (!f->terms.empty()) file_filter = std::move(f);
  }
  std::vector<std::string> file_columns;
  if (!cols.empty()) {
    for (const auto& c : cols)
      if (!is_key(top_level(c))) file_columns.push_back(c);
    if (where)
      for (const auto& c : where->columns())
        if (!is_key(c) && std::find(file_columns.begin(), file_columns.end(), c) == file_columns.end())
          file_columns.push_back(c);
  }
  auto bad = std::make_shared<BadRows>();
  const auto from = a.get("from");
  io::ObjectStore* store = in.store.get();
  const int threads = thread_option(a);
  int scan_threads = 1, file_threads = threads;
  if (unordered && threads > 1 && d.files.size() > 1) {
    scan_threads = threads;
    file_threads = std::max(1, threads / static_cast<int>(std::min<std::size_t>(d.files.size(), static_cast<std::size_t>(threads))));
  }
  dataset::FileOpener opener = [&a, whole_schema, store, from, file_columns, file_filter, bad, file_threads](
                                    const dataset::DatasetFile& f,
                                    const SchemaPtr& fixed) -> Result<std::unique_ptr<dataset::BatchReader>> {
    const dataset::FileFormat fmt = format_of(f.uri, from);
    // (a store's file with the listing's size: no HEAD)
    auto open = [&]() { return f.key.empty() ? io::open_local_source(f.uri) : store->open_source(f.key, f.size); };
    std::unique_ptr<TableReader> r;
    try {
      r = open_file(check(open()), fmt, a, whole_schema, file_columns, file_filter, fixed.get(), file_threads);
    } catch (const DataError& e) {
      // A Parquet file without one of the columns pushed down is read whole (the dataset's filter and
      // projection apply to its rows anyway).
      if (fmt.name != "parquet" || e.error.code() != ErrorCode::kInvalidArgument || (file_columns.empty() && !file_filter))
        return e.error;
      r = open_file(check(open()), fmt, a, whole_schema, {}, nullptr, nullptr, file_threads);
    }
    return std::unique_ptr<dataset::BatchReader>(std::make_unique<DatasetFileReader>(std::move(r), f.uri, bad));
  };
  dataset::DatasetReadOptions ro;
  ro.union_to_string = a.flag("union-to-string");
  // Under a memory cap, the small files kept open after the schema pass take an eighth of it at most.
  if (auto v = a.get("max-memory")) ro.keep_budget = std::min(ro.keep_budget, static_cast<std::uint64_t>(parse_size(*v)) / 8);
  if (auto v = a.get("schema-from")) {
    if (*v == "first") ro.schema_from_first_file = true;
    else if (*v != "all") throw UsageError("--schema-from is first or all");
  }
  if (a.flag("filename")) ro.filename_column = "filename";
  ro.filter = where;
  in.reader =
      std::make_unique<DatasetTableReader>(check(dataset::DatasetReader::open(std::move(d), opener, ro)), bad, scan_threads);
  std::vector<std::string> top_cols;  // the dataset projects top-level columns (each file did the paths)
  for (const auto& c : cols)
    if (std::find(top_cols.begin(), top_cols.end(), top_level(c)) == top_cols.end()) top_cols.push_back(top_level(c));
  filter_and_project(in, where, top_cols, {}, true, "dataset");
  return in;
}

// `unordered`: see open_dataset.
Input open_input(const std::string& uri, const Args& a, bool whole_schema = false, bool unordered = false) {
  const io::Uri u = check(io::parse_uri(uri));
  if (dataset_input(u)) return open_dataset(uri, a, whole_schema, unordered);
  const dataset::FileFormat fmt = format_of(uri, a.get("from"));
  auto opened = io::open_source(uri, io_config(a));
  if (!opened.ok() && opened.error().code() == ErrorCode::kNotFound &&
      (u.scheme == io::Scheme::kS3 || u.scheme == io::Scheme::kGcs || u.scheme == io::Scheme::kAzure)) {
    // A store "folder" named without its slash; when there is none, the object's own error.
    try {
      return open_dataset(uri + "/", a, whole_schema, unordered);
    } catch (const DataError& e) {
      if (e.error.code() != ErrorCode::kNotFound) throw;
    }
  }
  auto src = check(std::move(opened));
  Input in;
  if (src->supports_random_access()) in.size = check(src->size());
  const auto where = where_option(a);
  const auto cols = columns_option(a);
  std::vector<std::string> extra;
  if (fmt.name == "parquet") {
    extra = filter_only_columns(where, cols);
    std::vector<std::string> pcols = cols;
    pcols.insert(pcols.end(), extra.begin(), extra.end());
    in.reader = open_file(std::move(src), fmt, a, whole_schema, pcols, where);
  } else {
    in.reader = open_file(std::move(src), fmt, a, whole_schema, {}, nullptr);
  }
  filter_and_project(in, where, cols, extra, !fmt.is_json(), fmt.name);
  return in;
}

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

// The writers' options for OUT's format; for CSV and NDJSON, --compression gzip|zstd[:LEVEL] (or none)
// compresses the stream (it overrides the extension's choice).
dataset::FormatWriteOptions write_format_options(const Args& a, dataset::FileFormat& fmt) {
  dataset::FormatWriteOptions o;
  if (fmt.name == "parquet") {
    o.parquet = parquet_write_options(a);
    return o;
  }
  if (fmt.is_json()) o.ndjson = ndjson_write_options(a, fmt.name);
  else o.csv = write_options(a, fmt.name);
  o.stream.threads = thread_option(a);
  if (auto v = a.get("compression")) {
    std::string name = *v, level;
    if (auto colon = name.find(':'); colon != std::string::npos) {
      level = name.substr(colon + 1);
      name = name.substr(0, colon);
    }
    auto c = codecs::parse_stream_compression(name);
    if (!c.ok()) throw UsageError("--compression for " + fmt.name + " output is gzip, zstd or none, not '" + name + "'");
    fmt.compression = *c;
    if (!level.empty()) {
      const std::int64_t l = parse_int(level, "--compression level");
      const bool ok = (*c == codecs::StreamCompression::kGzip && l >= 0 && l <= 9) ||
                      (*c == codecs::StreamCompression::kZstd && l >= -7 && l <= 22);
      if (!ok) throw UsageError("--compression " + *v + ": no such level for this codec");
      o.stream.level = static_cast<int>(l);
    }
  }
  return o;
}

// Whether OUT is a folder of files: --partition-by, a trailing '/', an existing local folder, or a
// bucket / container itself.
bool folder_output(const std::string& out, const Args& a) {
  if (a.get("partition-by")) return true;
  if (out.empty()) return false;
  if (out.back() == '/') return true;
  const io::Uri u = check(io::parse_uri(out));
  if (u.scheme == io::Scheme::kLocal) {
    std::error_code ec;
    return std::filesystem::is_directory(u.path, ec);
  }
  return (u.scheme == io::Scheme::kS3 || u.scheme == io::Scheme::kGcs || u.scheme == io::Scheme::kAzure) && u.key.empty();
}

dataset::DatasetWriteOptions dataset_write_options(const Args& a, const dataset::FileFormat& fmt,
                                                   const dataset::FormatWriteOptions& fo) {
  dataset::DatasetWriteOptions o;
  o.format = fmt;
  o.format_options = fo;
  if (auto v = a.get("partition-by"))
    for (const auto& c : split(*v, ','))
      if (!c.empty()) o.partition_by.push_back(c);
  o.keep_partition_columns = a.flag("keep-partition-columns");
  if (auto v = a.get("mode")) {
    auto m = dataset::parse_write_mode(*v);
    if (!m.ok()) throw UsageError(m.error().message());
    o.mode = *m;
  }
  if (auto v = a.get("max-open-files")) {
    const auto n = parse_int(*v, "--max-open-files");
    if (n < 1) throw UsageError("--max-open-files must be at least 1");
    o.max_open_files = static_cast<std::size_t>(n);
  }
  if (auto v = a.get("max-memory")) {
    o.max_buffered_bytes = static_cast<std::uint64_t>(parse_size(*v));
    o.memory_cap = dataset::MemoryCap::kProcess;
  }
  if (auto v = a.get("max-rows-per-file")) {
    o.max_rows_per_file = parse_int(*v, "--max-rows-per-file");
    if (o.max_rows_per_file < 1) throw UsageError("--max-rows-per-file must be at least 1");
  }
  if (auto v = a.get("max-file-size")) o.max_bytes_per_file = static_cast<std::uint64_t>(parse_size(*v));
  return o;
}

void print_report(const std::string& report) {
  std::size_t start = 0;
  while (start < report.size()) {
    auto end = report.find('\n', start);
    if (end == std::string::npos) end = report.size();
    if (end > start) std::fprintf(stderr, "sluice: %s\n", report.substr(start, end - start).c_str());
    start = end + 1;
  }
}

// Every batch of IN into `writer` (a file's or a folder's), with a progress bar, then its finish().
template <class Writer>
void write_all(Input& in, Writer& writer) {
  Progress progress(in.size);
  while (true) {
    auto b = check(in.reader->next());
    if (!b) break;
    check(writer.write(*b));
    progress.update(in.reader->bytes_read());
  }
  check(writer.finish(in.reader->schema().get()));
}

// convert into a folder: part files, partitioned by --partition-by, under the --mode rules.
int convert_to_folder(const Args& a, const std::string& in_uri, const std::string& out_uri) {
  auto fmt = format_of("", a.get("to").value_or("parquet"));
  const auto fo = write_format_options(a, fmt);
  const auto wo = dataset_write_options(a, fmt, fo);
  const io::Uri u = check(io::parse_uri(out_uri));
  std::shared_ptr<io::ObjectStore> store;
  if (u.scheme != io::Scheme::kLocal) store = check(io::open_store(u, io_config(a)));
  Input in = open_input(in_uri, a, fmt.name == "parquet");
  a.reject_unknown();
  auto writer = check(dataset::DatasetWriter::open(out_uri, wo, store.get()));
  if (writer->skipped()) {
    std::fprintf(stderr, "sluice: %s holds data; nothing written (--mode ignore)\n", out_uri.c_str());
    return 0;
  }
  write_all(in, *writer);
  print_report(writer->reports());
  in.reader->report_bad(in_uri);
  return 0;
}

// The options of writing many files, given where one stream is written or nothing is: a usage error
// that says so, not "unknown option" for an option --help lists.
void reject_folder_options(const Args& a, const char* what_this_writes) {
  for (const char* name : {"max-memory", "max-open-files", "max-rows-per-file", "max-file-size",
                           "keep-partition-columns"})
    if (a.has(name))
      throw UsageError(std::string("--") + name + " is for writing many files (OUT a folder: end it with /, or " +
                       "--partition-by); " + what_this_writes);
}

int cmd_convert(const Args& a, bool to_stdout) {
  const auto& pos = a.positional();
  if (pos.size() != (to_stdout ? 1u : 2u))
    throw UsageError(to_stdout ? "cat takes one input" : "convert takes an input and an output");
  const std::string out_uri = to_stdout ? "-" : pos[1];
  if (!to_stdout && folder_output(out_uri, a)) return convert_to_folder(a, pos[0], out_uri);
  if (a.get("partition-by")) throw UsageError("cat writes one stream; --partition-by needs a folder to write into");
  reject_folder_options(a, to_stdout ? "cat writes one stream" : "this convert writes one file");
  auto out_fmt = format_of(out_uri, a.get("to"));
  // Parse every writer option before anything is created.
  const auto fo = write_format_options(a, out_fmt);
  // One file: replaced (atomically) unless --mode says otherwise.
  dataset::WriteMode mode = dataset::WriteMode::kOverwrite;
  if (auto v = a.get("mode")) {
    auto m = dataset::parse_write_mode(*v);
    if (!m.ok()) throw UsageError(m.error().message());
    mode = *m;
    if (mode == dataset::WriteMode::kAppend)
      throw UsageError("--mode append adds files to a folder; end OUT with / to write one");
  }
  auto config = io_config(a);
  if (!to_stdout && (mode == dataset::WriteMode::kError || mode == dataset::WriteMode::kIgnore)) {
    const io::Uri u = check(io::parse_uri(out_uri));
    std::shared_ptr<io::ObjectStore> store;
    if (u.scheme != io::Scheme::kLocal && u.scheme != io::Scheme::kStdio) store = check(io::open_store(u, config));
    if (u.scheme != io::Scheme::kStdio && check(dataset::destination_has_data(u, store.get()))) {
      if (mode == dataset::WriteMode::kIgnore) {
        a.reject_unknown();
        std::fprintf(stderr, "sluice: %s exists; nothing written (--mode ignore)\n", out_uri.c_str());
        return 0;
      }
      throw DataError{Error(ErrorCode::kAlreadyExists, "the output exists (--mode overwrite replaces it)",
                            ErrorContext(out_uri))};
    }
  }
  Input in = open_input(pos[0], a, out_fmt.name == "parquet");
  a.reject_unknown();
  io::LocalSinkOptions lo;
  lo.overwrite = mode == dataset::WriteMode::kOverwrite;
  auto sink = check(io::open_sink(out_uri, lo, config));
  try {
    auto writer = check(dataset::open_batch_writer(*sink, out_fmt, fo));
    write_all(in, *writer);
    check(sink->finish());
    print_report(writer->report());
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
  reject_folder_options(a, "head writes no files");
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
  reject_folder_options(a, "schema writes no files");
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
  const auto fmt = format_of(pos[0], a.get("from"));
  if (fmt.name != "parquet") throw UsageError("inspect reads Parquet footers; " + pos[0] + " is " + fmt.name);
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
  reject_folder_options(a, "scan writes no files");
  Input in = open_input(pos[0], a, false, true);
  a.reject_unknown();
  Progress progress(in.size);
  std::int64_t rows = 0;
  std::vector<std::int64_t> nulls(in.reader->schema()->num_fields(), 0);
  // The counts do not depend on the order: a Parquet file's row groups, or a dataset's files, are read
  // on the threads at once, each a batch at a time, as DuckDB's aggregates read them (not handed over
  // in file order).
  std::mutex mu;
  check(in.reader->for_each_unordered([&](Batch&& b, int) {
    std::lock_guard<std::mutex> lock(mu);
    rows += b.num_rows;
    // NDJSON's schema may gain columns while reading (they are only ever appended).
    if (nulls.size() < b.num_columns()) nulls.resize(b.num_columns(), 0);
    for (std::size_t c = 0; c < b.num_columns(); ++c) nulls[c] += b.columns[c]->null_count;
    progress.update(in.reader->bytes_read());
    return ok_status();
  }));
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
  if (auto v = a.get("checksum")) {
    if (*v == "crc32c") c.s3.checksum = io::S3Config::Checksum::kCrc32c;
    else if (*v == "md5") c.s3.checksum = io::S3Config::Checksum::kMd5;
    else throw UsageError("--checksum is crc32c or md5");
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
  if (dataset::has_glob(uri.scheme == io::Scheme::kLocal ? uri.path : uri.key)) {
    // The files a glob matches, as every command reads them.
    std::shared_ptr<io::ObjectStore> store;
    if (uri.scheme != io::Scheme::kLocal) store = check(io::open_store(uri, config));
    dataset::DiscoverOptions o;
    o.hive = dataset::HivePartitioning::kOff;
    const auto d = check(dataset::discover(pos[0], store.get(), o));
    for (const auto& f : d.files) {
      std::int64_t mtime = -1;
      struct stat sb {};
      if (f.key.empty() && ::stat(f.uri.c_str(), &sb) == 0) {
        mtime = static_cast<std::int64_t>(sb.st_mtime) * 1000;
        print_entry(long_format, static_cast<std::uint64_t>(sb.st_size), mtime, false, f.uri);
      } else {
        print_entry(long_format, f.size, mtime, false, f.uri);
      }
    }
    return 0;
  }
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
  // From an object store the bytes go to the sink straight from the read-ahead blocks (a copy less
  // per byte: the cores a local store's server needs); elsewhere through a buffer.
  const bool views = src->reads_views();
  std::vector<std::byte> buf(views ? 0 : std::size_t{4} << 20);
  try {
    std::uint64_t done = 0;
    for (;;) {
      std::span<const std::byte> piece;
      if (views) {
        piece = check(src->read_view(std::size_t{4} << 20));
      } else {
        piece = {buf.data(), check(src->read(buf))};
      }
      if (piece.empty()) break;
      check(sink->write(piece));
      done += piece.size();
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
                                            "help", "l", "r", "long", "recursive", "no-sign-request", "equal-parts",
                                            "union-to-string", "filename", "keep-partition-columns"};

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
