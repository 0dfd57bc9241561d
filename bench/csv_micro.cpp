// Microbenchmarks of the CSV path, bottom up: the structural scan kernels (every ISA this CPU runs,
// each compared with the portable one), the quote counter, the text parsers per type, and the whole
// reader on an in-memory file. All inputs are generated here, deterministically; nothing is read from
// disk or the network. After the usual table, the SIMD kernels' speedups over the portable kernel are
// printed (the peer of a kernel is the reference it is tested against).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv/tokenize.hpp"
#include "sluice/codecs/csv.hpp"
#include "sluice/io/local.hpp"
#include "text/parse.hpp"

namespace {

namespace csvd = sluice::csv::detail;

// ---- deterministic data ------------------------------------------------------------------------

// splitmix64: tiny, fast, and the same sequence on every machine.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t s_;
};

constexpr const char* kWords[] = {"carefully", "final",   "deposits", "sleep",  "quickly", "among",  "the",
                                  "furiously", "regular", "accounts", "boost",  "slyly",   "express", "ideas",
                                  "pending",   "packages", "haggle",  "blithely", "ironic", "requests", "wake",
                                  "bold",      "theodolites", "nag",  "across", "even",    "pinto",  "beans"};
constexpr std::size_t kNumWords = sizeof(kWords) / sizeof(kWords[0]);

void append_two(std::string& s, unsigned v) {
  s += static_cast<char>('0' + v / 10);
  s += static_cast<char>('0' + v % 10);
}

std::string date_text(Rng& r) {
  // 1992-01-01 .. 2027-12-28 (days kept <= 28 so every month is valid).
  std::string s = std::to_string(1992 + r.below(36)) + "-";
  append_two(s, static_cast<unsigned>(1 + r.below(12)));
  s += '-';
  append_two(s, static_cast<unsigned>(1 + r.below(28)));
  return s;
}

std::string timestamp_text(Rng& r) {
  std::string s = date_text(r) + ' ';
  append_two(s, static_cast<unsigned>(r.below(24)));
  s += ':';
  append_two(s, static_cast<unsigned>(r.below(60)));
  s += ':';
  append_two(s, static_cast<unsigned>(r.below(60)));
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%06u", static_cast<unsigned>(1 + r.below(999999)));
  return s + frac;
}

std::string price_text(Rng& r) {
  const std::uint64_t cents = r.below(10000000);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%02llu", static_cast<unsigned long long>(cents / 100),
                static_cast<unsigned long long>(cents % 100));
  return buf;
}

// 10..60 characters of words; a few percent carry a comma or a quote, so the field must be quoted
// (and the quotes doubled).
std::string comment_text(Rng& r) {
  const std::size_t want = 10 + r.below(51);
  std::string s;
  while (s.size() < want) {
    if (!s.empty()) s += ' ';
    s += kWords[r.below(kNumWords)];
  }
  s.resize(want);
  const std::uint64_t m = r.below(100);
  if (m < 3) s[want / 2] = ',';
  else if (m < 5) s[want / 3] = '"';
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

// The benchmark table of the end-to-end comparison (bench/compare): id, k, price, qty, flag, status,
// ship_date, ts, comment (5% empty = null). Whole rows only, at most `bytes` long.
std::string make_csv(std::size_t bytes, std::uint64_t seed = 42) {
  Rng r(seed);
  std::string out = "id,k,price,qty,flag,status,ship_date,ts,comment\n";
  std::string row;
  static constexpr const char* kFlags[] = {"A", "N", "R", "O"};
  for (std::uint64_t id = 0;; ++id) {
    row.clear();
    row += std::to_string(id);
    row += ',';
    row += std::to_string(static_cast<std::int64_t>(r.below(2000001)) - 1000000);
    row += ',';
    row += price_text(r);
    row += ',';
    row += std::to_string(1 + r.below(50));
    row += ',';
    row += kFlags[r.below(4)];
    row += ',';
    row += r.below(2) ? "true" : "false";
    row += ',';
    row += date_text(r);
    row += ',';
    row += timestamp_text(r);
    row += ',';
    if (r.below(20) != 0) row += comment_text(r);
    row += '\n';
    if (out.size() + row.size() > bytes) break;
    out += row;
  }
  return out;
}

// A byte buffer with the kernels' readable padding past its end.
struct Padded {
  std::vector<std::uint8_t> bytes;
  std::size_t size = 0;
  explicit Padded(const std::string& s) : bytes(s.size() + csvd::kPadding, 0), size(s.size()) {
    std::memcpy(bytes.data(), s.data(), s.size());
  }
  const std::uint8_t* data() const { return bytes.data(); }
};

const std::string& csv_4mib() {
  static const std::string s = make_csv(4 << 20);
  return s;
}
const Padded& csv_4mib_padded() {
  static const Padded p(csv_4mib());
  return p;
}

// Values of one type laid end to end, with their spans.
struct Values {
  std::string text;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset, length
  template <class F>
  static Values make(std::size_t n, std::uint64_t seed, F&& gen) {
    Values v;
    Rng r(seed);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string s = gen(r);
      v.spans.emplace_back(static_cast<std::uint32_t>(v.text.size()), static_cast<std::uint32_t>(s.size()));
      v.text += s;
    }
    return v;
  }
};

constexpr std::size_t kNumValues = 1 << 14;

// ---- scan kernels ------------------------------------------------------------------------------

// Scans the 4 MiB buffer in pieces of `piece` bytes, as the reader does (it scans 64 KiB at a time
// into a reused position buffer that stays in cache).
void bm_scan(benchmark::State& state, const csvd::Kernel* k, std::size_t piece) {
  const Padded& in = csv_4mib_padded();
  std::vector<std::uint32_t> pos(piece + 64);
  std::size_t found = 0;
  for (auto _ : state) {
    csvd::ScanState st;
    found = 0;
    for (std::size_t off = 0; off < in.size; off += piece) {
      const std::size_t len = std::min(piece, in.size - off);
      found += k->scan(in.data() + off, len, ',', '"', static_cast<std::uint32_t>(off), pos.data(), st);
    }
    benchmark::DoNotOptimize(found);
    benchmark::DoNotOptimize(st.lines);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(in.size));
  state.counters["separators"] = static_cast<double>(found);
}

void bm_count_byte(benchmark::State& state, const csvd::Kernel* k) {
  const Padded& in = csv_4mib_padded();
  std::uint64_t n = 0;
  for (auto _ : state) {
    n = k->count_byte(in.data(), in.size, '"');
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(in.size));
  state.counters["quotes"] = static_cast<double>(n);
}

// ---- text parsers ------------------------------------------------------------------------------

template <class Parse>
void run_parser(benchmark::State& state, const Values& v, Parse&& parse) {
  std::size_t failed = 0;
  for (auto _ : state) {
    for (const auto& [off, len] : v.spans) failed += !parse(v.text.data() + off, len);
  }
  if (failed != 0) state.SkipWithError("a generated value did not parse");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.spans.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * v.text.size()));
}

void bm_parse_int64(benchmark::State& state) {
  // Ids, quantities and signed keys: 1 to 10 digits, a third negative.
  static const Values v = Values::make(kNumValues, 1, [](Rng& r) {
    const std::uint64_t digits = 1 + r.below(10);
    std::uint64_t x = r.next() % 10000000000ull;
    for (std::uint64_t d = digits; d < 10; ++d) x /= 10;
    std::string s = r.below(3) == 0 ? "-" : "";
    s += std::to_string(x);
    return s;
  });
  run_parser(state, v, [](const char* p, std::size_t n) {
    std::int64_t x{};
    const bool ok = sluice::text::parse_int64(p, n, x);
    benchmark::DoNotOptimize(x);
    return ok;
  });
}

void parse_doubles(benchmark::State& state, const Values& v) {
  run_parser(state, v, [](const char* p, std::size_t n) {
    double x{};
    const bool ok = sluice::text::parse_double(p, n, x);
    benchmark::DoNotOptimize(x);
    return ok;
  });
}

void bm_parse_double_price(benchmark::State& state) {
  // Two decimals (the common case of money columns): the exact fast path.
  static const Values v = Values::make(kNumValues, 2, [](Rng& r) { return price_text(r); });
  parse_doubles(state, v);
}

void bm_parse_double_shortest(benchmark::State& state) {
  // Shortest round-trip text of arbitrary doubles (what most writers print: up to 17 digits and
  // exponents), which takes the general path.
  static const Values v = Values::make(kNumValues, 3, [](Rng& r) {
    const double d = static_cast<double>(r.next() >> 11) / static_cast<double>(1ull << 53) *
                     (r.below(2) ? 1e6 : 1e-3);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Trim to the shortest text that still reads back as d.
    for (int prec = 1; prec <= 17; ++prec) {
      char t[64];
      std::snprintf(t, sizeof t, "%.*g", prec, d);
      if (std::strtod(t, nullptr) == d) return std::string(t);
    }
    return std::string(buf);
  });
  parse_doubles(state, v);
}

void bm_parse_date(benchmark::State& state) {
  static const Values v = Values::make(kNumValues, 4, [](Rng& r) { return date_text(r); });
  run_parser(state, v, [](const char* p, std::size_t n) {
    std::int32_t x{};
    const bool ok = sluice::text::parse_date(p, n, x);
    benchmark::DoNotOptimize(x);
    return ok;
  });
}

void bm_parse_timestamp(benchmark::State& state) {
  static const Values v = Values::make(kNumValues, 5, [](Rng& r) { return timestamp_text(r); });
  run_parser(state, v, [](const char* p, std::size_t n) {
    std::int64_t x{};
    sluice::text::TzKind tz;
    const bool ok = sluice::text::parse_timestamp(p, n, sluice::TimeUnit::kMicro, x, tz);
    benchmark::DoNotOptimize(x);
    return ok;
  });
}

void bm_parse_bool(benchmark::State& state) {
  static const Values v = Values::make(kNumValues, 6, [](Rng& r) {
    return std::string(r.below(2) ? "true" : "false");
  });
  run_parser(state, v, [](const char* p, std::size_t n) {
    bool x{};
    const bool ok = sluice::text::parse_bool(p, n, x);
    benchmark::DoNotOptimize(x);
    return ok;
  });
}

// ---- the whole reader --------------------------------------------------------------------------

const std::string& csv_32mib() {
  static const std::string s = make_csv(32 << 20, 7);
  return s;
}

// Opens, sniffs, infers (or takes declared types) and decodes every value of 32 MiB held in memory.
// Args: threads, declared types (0/1).
void bm_reader(benchmark::State& state) {
  const std::string& data = csv_32mib();
  sluice::csv::ReadOptions opt;
  opt.threads = static_cast<int>(state.range(0));
  if (state.range(1) != 0) {
    for (const auto& [name, type] : std::vector<std::pair<const char*, const char*>>{
             {"id", "int64"}, {"k", "int32"}, {"price", "float64"}, {"qty", "int32"}, {"flag", "string"},
             {"status", "bool"}, {"ship_date", "date"}, {"ts", "timestamp"}, {"comment", "string"}})
      opt.column_types.emplace_back(name, sluice::parse_type_name(type));
  }
  std::int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto source = std::make_unique<sluice::io::MemorySource>(data);  // the copy is not timed
    state.ResumeTiming();
    auto reader = sluice::csv::CsvReader::open(std::move(source), opt);
    if (!reader.ok()) {
      state.SkipWithError(reader.error().to_string().c_str());
      return;
    }
    rows = 0;
    while (true) {
      auto batch = (*reader)->next();
      if (!batch.ok()) {
        state.SkipWithError(batch.error().to_string().c_str());
        return;
      }
      if (!batch->has_value()) break;
      rows += (*batch)->num_rows;
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * rows);
}

// ---- registration and the ratio summary --------------------------------------------------------

std::string kib(std::size_t n) { return n >= (1u << 20) ? std::to_string(n >> 20) + "MiB" : std::to_string(n >> 10) + "KiB"; }

void register_all() {
  for (const csvd::Kernel* k : csvd::available_kernels()) {
    for (std::size_t piece : {std::size_t{64} << 10, std::size_t{4} << 20}) {
      const std::string name = std::string("scan/") + k->name + "/piece:" + kib(piece);
      benchmark::RegisterBenchmark(name.c_str(), bm_scan, k, piece);
    }
  }
  for (const csvd::Kernel* k : csvd::available_kernels()) {
    const std::string name = std::string("count_byte/") + k->name;
    benchmark::RegisterBenchmark(name.c_str(), bm_count_byte, k);
  }
  benchmark::RegisterBenchmark("parse/int64", bm_parse_int64);
  benchmark::RegisterBenchmark("parse/double/price", bm_parse_double_price);
  benchmark::RegisterBenchmark("parse/double/shortest", bm_parse_double_shortest);
  benchmark::RegisterBenchmark("parse/date", bm_parse_date);
  benchmark::RegisterBenchmark("parse/timestamp", bm_parse_timestamp);
  benchmark::RegisterBenchmark("parse/bool", bm_parse_bool);
  benchmark::RegisterBenchmark("reader/32MiB", bm_reader)
      ->ArgNames({"threads", "typed"})
      ->ArgsProduct({{1, 2}, {0, 1}})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

// The console table, then each kernel's throughput relative to the portable kernel on the same
// benchmark ("scan/avx512/piece:64KiB" against "scan/portable/piece:64KiB").
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(bool color) : ConsoleReporter(color ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      auto it = r.counters.find("bytes_per_second");
      if (it != r.counters.end()) rates_[r.benchmark_name()] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    bool header = false;
    for (const auto& [name, rate] : rates_) {
      const auto s1 = name.find('/');
      if (s1 == std::string::npos) continue;
      const std::string family = name.substr(0, s1);
      if (family != "scan" && family != "count_byte") continue;
      const auto s2 = name.find('/', s1 + 1);
      const std::string kernel = name.substr(s1 + 1, s2 == std::string::npos ? std::string::npos : s2 - s1 - 1);
      const std::string rest = s2 == std::string::npos ? "" : name.substr(s2);
      auto peer = rates_.find(family + "/portable" + rest);
      if (peer == rates_.end() || kernel == "portable") continue;
      if (!header) {
        std::printf("\nspeedup over the portable kernel (same input, same piece size):\n");
        header = true;
      }
      std::printf("  %-32s %8.2f GiB/s  %6.2fx\n", name.c_str(), rate / (1u << 30), rate / peer->second);
    }
    std::printf("active kernel: %s\n", csvd::active_kernel().name);
    std::fflush(stdout);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  bool console = true;
  bool color = isatty(STDOUT_FILENO) != 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.starts_with("--benchmark_format=") && a != "--benchmark_format=console") console = false;
    if (a == "--benchmark_color=false" || a == "--benchmark_color=no") color = false;
    if (a == "--benchmark_color=true" || a == "--benchmark_color=yes") color = true;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("csv_kernel", csvd::active_kernel().name);
  register_all();
  if (console) {
    RatioReporter reporter(color);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
