// sluice: move tabular data between formats and stores. See `sluice --help`.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/io/open.hpp"
#include "table.hpp"

namespace sluice::cli {
namespace {

constexpr const char* kUsage = R"(sluice — move tabular data between formats and stores

usage:
  sluice convert IN OUT [options]    convert IN to OUT (format from the extension, or --from/--to)
  sluice cat IN [options]            write IN to stdout as CSV
  sluice head IN [-n N] [options]    print the first N rows (default 10) as an aligned table
  sluice schema IN [options]         print the column names and types
  sluice scan IN [--threads N]       decode every value; print {"rows", "columns": [name, type, nulls]}

IN and OUT are paths, file:// URIs or - (stdin/stdout). Formats: csv, tsv.

reading CSV:
  --from FORMAT            csv | tsv (default: from the extension, else csv)
  --delimiter C            field delimiter (default: sniffed among , ; TAB |); "\t" or "tab" for TAB
  --quote C                quote character (default: sniffed, " or '); "none" for no quoting
  --escape C               escape character inside quotes (default: a doubled quote)
  --comment C              skip lines starting with C
  --header | --no-header   first row is / is not a header (default: sniffed)
  --skip-rows N            skip N lines before the header
  --null STR               a field equal to STR is null (repeatable; default: the empty field)
  --names a,b,c            column names
  --types a=int64,b=date   declared column types (others are inferred)
  --infer-rows N|all       rows sampled for type inference (default 16384); all: the whole file
                           first, so every batch has the final types (reads a file twice)
  --skip-bad-rows          drop ragged or unconvertible rows and report them, instead of failing
  --block-size SIZE        bytes parsed per unit of work (default 1MiB)
  --threads N              parse threads (default: all cores)

writing CSV:
  --to FORMAT              csv | tsv (default: from the extension, else csv)
  --out-delimiter C        (default , or TAB for tsv)
  --out-quote C            (default ")
  --quoting STYLE          minimal | nonnumeric | all | none (default minimal)
  --no-out-header          do not write a header row
  --out-null STR           how nulls are written (default: empty)
  --line-ending lf|crlf    (default lf)

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
    f = lower_ext(path);
    if (f.empty() || path == "-") f = "csv";
  }
  if (f == "csv" || f == "tsv" || f == "txt") return f == "txt" ? "csv" : f;
  throw UsageError("unknown format '" + f + "' for " + path + " (this build reads and writes csv and tsv)");
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
  for (const auto& list : a.all("types")) {
    for (const auto& item : split_top_level(list, ',')) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) throw UsageError("--types wants name=type pairs, not '" + item + "'");
      TypePtr t = parse_type_name(item.substr(eq + 1));
      if (!t) throw UsageError("unknown type '" + item.substr(eq + 1) + "'");
      o.column_types.emplace_back(item.substr(0, eq), t);
    }
  }
  if (auto v = a.get("infer-rows")) o.infer_rows = *v == "all" ? -1 : parse_int(*v, "--infer-rows");
  if (a.flag("skip-bad-rows")) o.bad_rows = csv::BadRowPolicy::kSkip;
  if (auto v = a.get("block-size")) o.block_size = parse_size(*v);
  if (auto v = a.get("batch-rows")) o.batch_rows = parse_int(*v, "--batch-rows");
  o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto v = a.get("threads")) {
    o.threads = static_cast<int>(parse_int(*v, "--threads"));
    if (o.threads < 1) throw UsageError("--threads must be at least 1");
  }
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

struct Input {
  std::unique_ptr<csv::CsvReader> reader;
  std::uint64_t size = 0;
};

Input open_input(const std::string& uri, const Args& a) {
  const std::string fmt = format_of(uri, a.get("from"));
  auto opts = read_options(a, fmt);
  auto src = check(io::open_source(uri));
  Input in;
  if (src->supports_random_access()) in.size = check(src->size());
  in.reader = check(csv::CsvReader::open(std::move(src), std::move(opts)));
  return in;
}

void report_bad_rows(const csv::CsvReader& r, const std::string& path) {
  const auto& b = r.bad_rows();
  if (b.count == 0) return;
  std::fprintf(stderr, "sluice: %s: skipped %lld bad row%s", path.c_str(), static_cast<long long>(b.count),
               b.count == 1 ? "" : "s");
  for (std::size_t i = 0; i < b.first_lines.size(); ++i)
    std::fprintf(stderr, "%s line %lld (%s)", i ? "," : ":", static_cast<long long>(b.first_lines[i]),
                 b.first_reasons[i].c_str());
  std::fprintf(stderr, "%s\n", static_cast<std::size_t>(b.count) > b.first_lines.size() ? ", ..." : "");
}

int cmd_convert(const Args& a, bool to_stdout) {
  const auto& pos = a.positional();
  if (pos.size() != (to_stdout ? 1u : 2u))
    throw UsageError(to_stdout ? "cat takes one input" : "convert takes an input and an output");
  const std::string out_uri = to_stdout ? "-" : pos[1];
  Input in = open_input(pos[0], a);
  const std::string out_fmt = format_of(out_uri, a.get("to"));
  auto wopts = write_options(a, out_fmt);
  a.reject_unknown();
  auto sink = check(io::open_sink(out_uri));
  auto writer = check(csv::CsvWriter::open(*sink, wopts));
  Progress progress(in.size);
  try {
    while (true) {
      auto b = check(in.reader->next());
      if (!b) break;
      check(writer->write(*b));
      progress.update(in.reader->bytes_read());
    }
    check(writer->finish(in.reader->schema().get()));
    check(sink->finish());
  } catch (...) {
    sink->abort();
    throw;
  }
  progress.clear();
  report_bad_rows(*in.reader, pos[0]);
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
  const auto& d = in.reader->dialect();
  for (const auto& f : in.reader->schema()->fields) std::cout << f.name << ": " << f.type->to_string() << "\n";
  auto show = [](char c) -> std::string {
    if (c == '\0') return "none";
    if (c == '\t') return "\\t";
    return std::string(1, c);
  };
  std::cerr << "dialect: delimiter=" << show(d.delimiter) << " quote=" << show(d.quote)
            << " header=" << (d.header ? "true" : "false") << "\n";
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
  if (in.reader->bad_rows().count > 0) out += ", \"bad_rows\": " + std::to_string(in.reader->bad_rows().count);
  out += "}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  report_bad_rows(*in.reader, pos[0]);
  return 0;
}

const std::vector<std::string> kSwitches = {"header", "no-header", "skip-bad-rows", "no-out-header", "help"};

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
