// Writing speed from columns already in memory: a whole file read into Batches (not timed), then
// written to a local file with the NDJSON, CSV or Parquet writer, timed, best of N.
//
//   sluice_write_bench IN --to ndjson|csv|parquet --out FILE [--reps N] [--types a=int32,b=date,...]
//                      [--threads N] [Parquet: --compression C[:LEVEL] --row-group-size SIZE --page-size SIZE
//                       --dictionary on|off --page-version 1|2 --statistics on|off] [--sink file|null]
//
// IN is read with the CSV reader (infer_rows = -1, so every batch carries the final schema), for
// .ndjson / .jsonl / .json with the NDJSON reader, for .parquet / .pq with the Parquet reader; --types
// declares column types of CSV / NDJSON as `sluice --types` does (the comparison declares what DuckDB's
// table holds). Each timed repetition opens a local sink (a temporary file beside FILE), writes every
// batch, finishes the writer and the sink (the rename into place included); with --sink null the bytes
// are counted and dropped instead (the writer alone, no file system). --threads N: the NDJSON and CSV
// writers format row ranges on N threads while the calling thread writes (default 1); the Parquet
// writer encodes columns on N threads. Prints one JSON object:
//   {"to", "rows", "columns", "seconds", "bytes", "mb_per_s", "times", "threads", "load_seconds", ...}
// where bytes is the size of the output and mb_per_s = bytes / 1e6 / best seconds; for Parquet also
// "compression", "level", "row_groups", "peak_buffered_bytes" (the writer's most bytes held
// at once) and "input_mb_per_s" (bytes of columns held / 1e6 / best seconds).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <sluice/sluice.hpp>

namespace {

using namespace sluice;

[[noreturn]] void die(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "sluice_write_bench: %s\n", msg.c_str());
  std::exit(code);
}

template <class T>
T check(Result<T> r) {
  if (!r.ok()) die(r.error().to_string());
  return std::move(r).value();
}
void check(const Status& s) {
  if (!s.ok()) die(s.error().to_string());
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: sluice_write_bench IN --to ndjson|csv|parquet --out FILE [options]\n"
               "  IN          a CSV file (or .ndjson/.jsonl/.json, or .parquet/.pq), read entirely into memory first\n"
               "              (not timed)\n"
               "  --to F      the writer timed: ndjson, csv or parquet\n"
               "  --out FILE  where the output goes (overwritten by every repetition)\n"
               "  --reps N    timed repetitions, the best is reported (default 3)\n"
               "  --types L   declared column types, as sluice's --types (e.g. k=int32,qty=int32)\n"
               "  --sink S    file (default) | null: count the bytes and drop them (no file is written)\n"
               "  --threads N NDJSON/CSV: rows formatted on N threads, written in order; Parquet: columns\n"
               "              encoded in parallel (default 1)\n"
               "Parquet (as sluice convert):\n"
               "  --compression C[:LEVEL]  uncompressed | snappy | gzip | zstd | lz4 | brotli (default snappy)\n"
               "  --row-group-size SIZE    (default 128MiB)     --row-group-rows N  (default: no limit)\n"
               "  --page-size SIZE         (default 1MiB)       --page-version 1|2  (default 1)\n"
               "  --dictionary on|off      (default on)         --statistics on|off (default on)\n");
  std::exit(code);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::pair<std::string, TypePtr>> parse_types(const std::string& list) {
  std::vector<std::pair<std::string, TypePtr>> out;
  // Split at commas outside brackets and parentheses (decimal128(18, 3), timestamp[us, tz=UTC]).
  std::vector<std::string> items;
  std::string cur;
  int depth = 0;
  for (char c : list) {
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      items.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) items.push_back(cur);
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) die("--types wants name=type pairs, not '" + item + "'", 2);
    TypePtr t = parse_type_name(item.substr(eq + 1));
    if (!t) die("unknown type '" + item.substr(eq + 1) + "'", 2);
    out.emplace_back(item.substr(0, eq), t);
  }
  return out;
}

// Bytes of column memory the batches hold (each buffer once, by size, children included).
void add_held(const ArrayData& a, std::set<const Buffer*>& seen, std::int64_t& bytes) {
  for (const auto& b : a.buffers)
    if (b && seen.insert(b.get()).second) bytes += b->size();
  for (const auto& c : a.children)
    if (c) add_held(*c, seen, bytes);
}

std::int64_t parse_size(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  std::string unit = end ? end : "";
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kib") mult = 1024.0;
  else if (unit == "m" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "g" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else if (unit == "kb") mult = 1e3;
  else if (unit == "mb") mult = 1e6;
  else if (unit == "gb") mult = 1e9;
  else die("not a size: '" + s + "'", 2);
  if (!(v > 0)) die("not a positive size: '" + s + "'", 2);
  return static_cast<std::int64_t>(v * mult);
}

bool on_off(const std::string& v, const char* what) {
  if (v == "on") return true;
  if (v == "off") return false;
  die(std::string(what) + " is on or off", 2);
}

// --compression C[:LEVEL] as sluice convert takes it.
void parse_compression(const std::string& arg, parquet::WriteOptions& o, std::string& name) {
  name = arg;
  std::string level;
  if (auto colon = name.find(':'); colon != std::string::npos) {
    level = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  if (name == "uncompressed" || name == "none") o.compression = parquet::Compression::kUncompressed;
  else if (name == "snappy") o.compression = parquet::Compression::kSnappy;
  else if (name == "gzip") o.compression = parquet::Compression::kGzip;
  else if (name == "zstd") o.compression = parquet::Compression::kZstd;
  else if (name == "lz4" || name == "lz4_raw") o.compression = parquet::Compression::kLz4Raw;
  else if (name == "brotli") o.compression = parquet::Compression::kBrotli;
  else die("--compression is uncompressed, snappy, gzip, zstd, lz4 or brotli, not '" + name + "'", 2);
  if (!level.empty()) o.compression_level = std::atoi(level.c_str());
}

// A sink that counts the bytes and drops them: the writer timed without a file system.
class NullSink final : public io::Sink {
 public:
  const std::string& path() const override { return path_; }
  Status write(std::span<const std::byte> data) override {
    bytes_ += data.size();
    return ok_status();
  }
  Status finish() override { return ok_status(); }
  void abort() override {}
  std::uint64_t bytes_written() const override { return bytes_; }

 private:
  std::string path_ = "<null>";
  std::uint64_t bytes_ = 0;
};

std::vector<Batch> load(const std::string& in, const std::vector<std::pair<std::string, TypePtr>>& types) {
  std::vector<Batch> batches;
  auto source = check(io::open_source(in));
  if (ends_with(in, ".parquet") || ends_with(in, ".pq")) {
    if (!types.empty()) die("--types does not apply to a Parquet input", 2);
    parquet::ReadOptions o;
    o.threads = 2;  // loading is not timed
    auto reader = check(parquet::ParquetReader::open(std::move(source), o));
    while (auto b = check(reader->next())) batches.push_back(std::move(*b));
  } else if (ends_with(in, ".ndjson") || ends_with(in, ".jsonl") || ends_with(in, ".json")) {
    ndjson::ReadOptions o;
    o.infer_rows = -1;  // the whole input first: every batch has the final schema
    o.column_types = types;
    auto reader = check(ndjson::NdjsonReader::open(std::move(source), o));
    while (auto b = check(reader->next())) batches.push_back(std::move(*b));
    if (reader->bad_lines().count) die("bad records in " + in);
  } else {
    csv::ReadOptions o;
    o.infer_rows = -1;
    o.column_types = types;
    auto reader = check(csv::CsvReader::open(std::move(source), o));
    while (auto b = check(reader->next())) batches.push_back(std::move(*b));
    if (reader->bad_rows().count) die("bad rows in " + in);
  }
  return batches;
}

struct Written {
  double seconds = 0;
  std::uint64_t bytes = 0;
  std::int64_t rows = 0;
  int row_groups = 0;
  std::int64_t peak_buffered = 0;
};

struct Config {
  std::string to;
  int threads = 1;
  parquet::WriteOptions parquet;
  bool null_sink = false;
};

// Everything the timed repetition does, without exiting on the way (the sink must be aborted).
Status write_batches(io::Sink& sink, const std::vector<Batch>& batches, const Config& cfg, Written& w) {
  const std::string& to = cfg.to;
  std::int64_t& rows = w.rows;
  if (to == "parquet") {
    if (batches.empty()) return Error(ErrorCode::kInvalidArgument, "no batches to write");
    SLUICE_ASSIGN_OR_RETURN(auto writer, parquet::ParquetWriter::open(sink, batches.front().schema, cfg.parquet));
    for (const auto& b : batches) SLUICE_TRY(writer->write(b));
    SLUICE_TRY(writer->finish());
    rows = writer->rows_written();
    w.row_groups = writer->row_groups_written();
    w.peak_buffered = writer->peak_buffered_bytes();
    return ok_status();
  }
  if (to == "csv") {
    csv::WriteOptions o;
    o.threads = cfg.threads;
    SLUICE_ASSIGN_OR_RETURN(auto writer, csv::CsvWriter::open(sink, o));
    for (const auto& b : batches) SLUICE_TRY(writer->write(b));
    SLUICE_TRY(writer->finish(batches.empty() ? nullptr : batches.front().schema.get()));
    rows = writer->rows_written();
    return ok_status();
  }
  ndjson::WriteOptions o;
  o.threads = cfg.threads;
  SLUICE_ASSIGN_OR_RETURN(auto writer, ndjson::NdjsonWriter::open(sink, o));
  for (const auto& b : batches) SLUICE_TRY(writer->write(b));
  SLUICE_TRY(writer->finish());
  rows = writer->rows_written();
  return ok_status();
}

Written write_all(const std::vector<Batch>& batches, const Config& cfg, const std::string& out) {
  using clock = std::chrono::steady_clock;
  Written w;
  const auto t0 = clock::now();
  io::SinkPtr sink = cfg.null_sink ? std::make_unique<NullSink>() : check(io::open_local_sink(out));
  if (Status s = write_batches(*sink, batches, cfg, w); !s.ok()) {
    sink->abort();  // no temporary file left behind
    die(s.error().to_string());
  }
  w.bytes = sink->bytes_written();
  check(sink->finish());
  w.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return w;
}

std::string json_escape(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
      continue;
    }
    o += c;
  }
  return o + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, to, out, types_arg, compression = "snappy", sink_kind = "file";
  int reps = 3;
  Config cfg;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (a == "-h" || a == "--help") usage(0);
    else if (a == "--to") to = next();
    else if (a == "--out") out = next();
    else if (a == "--reps") reps = std::max(1, std::atoi(next().c_str()));
    else if (a == "--types") types_arg = next();
    else if (a == "--sink") sink_kind = next();
    else if (a == "--compression") parse_compression(next(), cfg.parquet, compression);
    else if (a == "--threads") cfg.threads = cfg.parquet.threads = std::max(1, std::atoi(next().c_str()));
    else if (a == "--row-group-size") cfg.parquet.row_group_bytes = parse_size(next());
    else if (a == "--row-group-rows") cfg.parquet.row_group_rows = std::max(0, std::atoi(next().c_str()));
    else if (a == "--page-size") cfg.parquet.page_bytes = parse_size(next());
    else if (a == "--page-version") cfg.parquet.page_version = std::atoi(next().c_str());
    else if (a == "--dictionary") cfg.parquet.dictionary = on_off(next(), "--dictionary");
    else if (a == "--statistics") cfg.parquet.statistics = cfg.parquet.page_index = on_off(next(), "--statistics");
    else if (!a.empty() && a[0] == '-') usage(2);
    else if (in.empty()) in = a;
    else usage(2);
  }
  if (in.empty() || (out.empty() && sink_kind != "null") || (to != "csv" && to != "ndjson" && to != "parquet")) usage(2);
  if (sink_kind != "file" && sink_kind != "null") usage(2);
  cfg.to = to;
  cfg.null_sink = sink_kind == "null";
  const auto types = parse_types(types_arg);

  const auto l0 = std::chrono::steady_clock::now();
  const std::vector<Batch> batches = load(in, types);
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - l0).count();
  std::int64_t rows = 0, held = 0;
  std::set<const Buffer*> seen;
  for (const auto& b : batches) {
    rows += b.num_rows;
    for (const auto& c : b.columns) add_held(*c, seen, held);
  }
  std::string schema;
  if (!batches.empty())
    for (const auto& f : batches.front().schema->fields)
      schema += std::string(schema.empty() ? "" : ", ") + f.name + ": " + f.type->to_string();
  std::fprintf(stderr, "loaded %s: %lld rows in %zu batches, %.1f MB of columns, in %.3f s (not timed)\n",
               in.c_str(), static_cast<long long>(rows), batches.size(), static_cast<double>(held) / 1e6,
               load_seconds);

  std::vector<double> times;
  Written best;
  for (int rep = 0; rep < reps; ++rep) {
    const Written w = write_all(batches, cfg, out);
    if (w.rows != rows) die("wrote " + std::to_string(w.rows) + " rows, not " + std::to_string(rows));
    times.push_back(w.seconds);
    if (rep == 0 || w.seconds < best.seconds) best = w;
  }
  std::string t;
  for (double x : times) t += (t.empty() ? "" : ", ") + std::to_string(x);
  std::string extra;
  if (to == "parquet") {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  ", \"compression\": %s, \"row_groups\": %d, \"peak_buffered_bytes\": %lld, "
                  "\"input_mb_per_s\": %.1f, \"row_group_bytes\": %lld, \"page_bytes\": %lld, \"dictionary\": %s, "
                  "\"page_version\": %d",
                  json_escape(compression).c_str(), best.row_groups,
                  static_cast<long long>(best.peak_buffered), static_cast<double>(held) / 1e6 / best.seconds,
                  static_cast<long long>(cfg.parquet.row_group_bytes), static_cast<long long>(cfg.parquet.page_bytes),
                  cfg.parquet.dictionary ? "true" : "false", cfg.parquet.page_version);
    extra = buf;
  }
  std::printf("{\"to\": \"%s\", \"rows\": %lld, \"columns\": %zu, \"seconds\": %.6f, \"bytes\": %llu, "
              "\"mb_per_s\": %.1f, \"times\": [%s], \"reps\": %d, \"batches\": %zu, \"load_seconds\": %.3f, "
              "\"held_bytes\": %lld, \"sink\": \"%s\", \"threads\": %d%s, \"schema\": %s}\n",
              to.c_str(), static_cast<long long>(rows), batches.empty() ? 0 : batches.front().num_columns(),
              best.seconds, static_cast<unsigned long long>(best.bytes),
              static_cast<double>(best.bytes) / 1e6 / best.seconds, t.c_str(), reps, batches.size(), load_seconds,
              static_cast<long long>(held), sink_kind.c_str(), cfg.threads, extra.c_str(), json_escape(schema).c_str());
  return 0;
}
