// Writing speed from columns already in memory: a whole file read into Batches (not timed), then
// written to a local file with the NDJSON or the CSV writer, timed, best of N, one thread.
//
//   sluice_write_bench IN --to ndjson|csv --out FILE [--reps N] [--types a=int32,b=date,...]
//
// IN is read with the CSV reader (infer_rows = -1, so every batch carries the final schema) or, for
// .ndjson / .jsonl / .json, with the NDJSON reader; --types declares column types as `sluice --types`
// does (the comparison declares what DuckDB's table holds). Each timed repetition opens a local sink
// (a temporary file beside FILE), writes every batch, finishes the writer and the sink (the rename
// into place included). Prints one JSON object:
//   {"to", "rows", "columns", "seconds", "bytes", "mb_per_s", "times", "load_seconds", "held_bytes", ...}
// where bytes is the size of the output and mb_per_s = bytes / 1e6 / best seconds.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
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
               "usage: sluice_write_bench IN --to ndjson|csv --out FILE [--reps N] [--types a=int32,...]\n"
               "  IN          a CSV file (or .ndjson/.jsonl/.json), read entirely into memory first (not timed)\n"
               "  --to F      the writer timed: ndjson or csv\n"
               "  --out FILE  where the output goes (overwritten by every repetition)\n"
               "  --reps N    timed repetitions, the best is reported (default 3)\n"
               "  --types L   declared column types, as sluice's --types (e.g. k=int32,qty=int32)\n");
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

std::vector<Batch> load(const std::string& in, const std::vector<std::pair<std::string, TypePtr>>& types) {
  std::vector<Batch> batches;
  auto source = check(io::open_source(in));
  if (ends_with(in, ".ndjson") || ends_with(in, ".jsonl") || ends_with(in, ".json")) {
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
};

// Everything the timed repetition does, without exiting on the way (the sink must be aborted).
Status write_batches(io::Sink& sink, const std::vector<Batch>& batches, const std::string& to, std::int64_t& rows) {
  if (to == "csv") {
    SLUICE_ASSIGN_OR_RETURN(auto writer, csv::CsvWriter::open(sink));
    for (const auto& b : batches) SLUICE_TRY(writer->write(b));
    SLUICE_TRY(writer->finish(batches.empty() ? nullptr : batches.front().schema.get()));
    rows = writer->rows_written();
    return ok_status();
  }
  SLUICE_ASSIGN_OR_RETURN(auto writer, ndjson::NdjsonWriter::open(sink));
  for (const auto& b : batches) SLUICE_TRY(writer->write(b));
  SLUICE_TRY(writer->finish());
  rows = writer->rows_written();
  return ok_status();
}

Written write_all(const std::vector<Batch>& batches, const std::string& to, const std::string& out) {
  using clock = std::chrono::steady_clock;
  Written w;
  const auto t0 = clock::now();
  auto sink = check(io::open_local_sink(out));
  if (Status s = write_batches(*sink, batches, to, w.rows); !s.ok()) {
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
  std::string in, to, out, types_arg;
  int reps = 3;
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
    else if (!a.empty() && a[0] == '-') usage(2);
    else if (in.empty()) in = a;
    else usage(2);
  }
  if (in.empty() || out.empty() || (to != "csv" && to != "ndjson")) usage(2);
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
    const Written w = write_all(batches, to, out);
    if (w.rows != rows) die("wrote " + std::to_string(w.rows) + " rows, not " + std::to_string(rows));
    times.push_back(w.seconds);
    if (rep == 0 || w.seconds < best.seconds) best = w;
  }
  std::string t;
  for (double x : times) t += (t.empty() ? "" : ", ") + std::to_string(x);
  std::printf("{\"to\": \"%s\", \"rows\": %lld, \"columns\": %zu, \"seconds\": %.6f, \"bytes\": %llu, "
              "\"mb_per_s\": %.1f, \"times\": [%s], \"reps\": %d, \"batches\": %zu, \"load_seconds\": %.3f, "
              "\"held_bytes\": %lld, \"schema\": %s}\n",
              to.c_str(), static_cast<long long>(rows), batches.empty() ? 0 : batches.front().num_columns(),
              best.seconds, static_cast<unsigned long long>(best.bytes),
              static_cast<double>(best.bytes) / 1e6 / best.seconds, t.c_str(), reps, batches.size(), load_seconds,
              static_cast<long long>(held), json_escape(schema).c_str());
  return 0;
}
