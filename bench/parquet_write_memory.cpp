// The Parquet writer's memory: does it stay near one row group plus a page per column, whatever the
// total written? A few batches are built in memory (int64, double, a ~40-byte string, a timestamp, a
// nullable int32, a list<int32>) and written again and again through ParquetWriter until N GiB of
// input (the batches' column bytes) have gone through, to a local file (deleted afterwards) or to a
// sink that counts the bytes and drops them. Each row-group size is measured in a child process of
// its own (fork), so that its peak RSS (getrusage ru_maxrss, and /proc/self/status VmHWM) is its own.
//
//   sluice_parquet_write_memory [--gib N] [--row-group-size 128MiB,32MiB] [--sink file|null]
//                               [--dir DIR] [--threads N] [--compression snappy|zstd|...]
//                               [--batches N] [--batch-rows N]
//
// Prints one JSON object: the settings and, per row-group size, {"row_group_bytes", "rows",
// "input_bytes", "bytes_written", "row_groups", "peak_rss_bytes", "rss_after_batches_bytes",
// "peak_buffered_bytes", "seconds", ...}. rss_after_batches_bytes is the process with its batches
// built, before the writer exists: peak_rss - rss_after_batches is what writing added.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <sluice/sluice.hpp>

namespace {

using namespace sluice;

[[noreturn]] void die(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "sluice_parquet_write_memory: %s\n", msg.c_str());
  std::fflush(stderr);
  _exit(code);
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
               "usage: sluice_parquet_write_memory [options]\n"
               "  --gib N                 GiB of input (column bytes) written per setting (default 4; fractions allowed)\n"
               "  --row-group-size LIST   row-group sizes, each measured in its own process (default 128MiB,32MiB)\n"
               "  --sink file|null        a local file, deleted afterwards (default), or a sink counting the bytes\n"
               "  --dir DIR               where the file goes (default: the current directory)\n"
               "  --threads N             the writer's threads (default 1)\n"
               "  --compression C         uncompressed | snappy | gzip | zstd | lz4 | brotli (default snappy)\n"
               "  --batches N             distinct batches built (default 8)\n"
               "  --batch-rows N          rows per batch (default 65536)\n");
  std::exit(code);
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
  else die("not a size: '" + s + "'", 2);
  if (!(v > 0)) die("not a positive size: '" + s + "'", 2);
  return static_cast<std::int64_t>(v * mult);
}

parquet::Compression parse_compression(const std::string& name) {
  if (name == "uncompressed" || name == "none") return parquet::Compression::kUncompressed;
  if (name == "snappy") return parquet::Compression::kSnappy;
  if (name == "gzip") return parquet::Compression::kGzip;
  if (name == "zstd") return parquet::Compression::kZstd;
  if (name == "lz4" || name == "lz4_raw") return parquet::Compression::kLz4Raw;
  if (name == "brotli") return parquet::Compression::kBrotli;
  die("unknown --compression '" + name + "'", 2);
}

// A sink that counts the bytes and drops them.
class CountingSink final : public io::Sink {
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
  std::string path_ = "<counting>";
  std::uint64_t bytes_ = 0;
};

// ---- the batches ----

SchemaPtr make_schema() {
  auto s = std::make_shared<Schema>();
  s->fields = {
      Field{"id", int64(), true},
      Field{"price", float64(), true},
      Field{"comment", utf8(), true},
      Field{"ts", timestamp(TimeUnit::kMicro), true},
      Field{"qty", int32(), true},  // nullable: 10% nulls
      Field{"tags", list(int32()), true},
  };
  return s;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Batch `b` of `rows` rows: row r is global row b * rows + r.
Batch make_batch(const SchemaPtr& schema, int b, std::int64_t rows) {
  static const char* kWords[] = {"carefully", "final",   "deposits", "sleep", "quickly", "among", "the",
                                 "furiously", "regular", "accounts", "boost", "slyly",   "express", "ideas",
                                 "pending",   "packages", "haggle",  "blithely", "ironic", "requests"};
  FixedWidthBuilder<std::int64_t> id(int64());
  FixedWidthBuilder<double> price(float64());
  BinaryBuilder comment(utf8());
  FixedWidthBuilder<std::int64_t> ts(timestamp(TimeUnit::kMicro));
  FixedWidthBuilder<std::int32_t> qty(int32());
  ListBuilder tags(list(int32()));
  auto& tag = tags.child_as<FixedWidthBuilder<std::int32_t>>();
  std::string text;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::uint64_t g = static_cast<std::uint64_t>(b) * static_cast<std::uint64_t>(rows) + static_cast<std::uint64_t>(r);
    const std::uint64_t h = mix(g);
    id.append(static_cast<std::int64_t>(g));
    price.append(static_cast<double>(h % 10000000) / 100.0);
    text.clear();
    // ~40 bytes of words.
    for (std::uint64_t x = h; text.size() < 36; x = mix(x)) {
      if (!text.empty()) text += ' ';
      text += kWords[x % 20];
    }
    comment.append(text);
    ts.append(1420070400000000LL + static_cast<std::int64_t>(mix(h) % 315360000000000ull));
    if (h % 10 == 0) qty.append_null();
    else qty.append(static_cast<std::int32_t>(1 + (h >> 8) % 50));
    const int n = static_cast<int>((h >> 16) % 4);  // 0..3 elements
    for (int i = 0; i < n; ++i) tag.append(static_cast<std::int32_t>((h >> (20 + 4 * i)) % 1000));
    tags.append_valid();
  }
  Batch batch{schema, {}, rows};
  batch.columns = {id.finish(), price.finish(), comment.finish(), ts.finish(), qty.finish(), tags.finish()};
  check(batch.validate());
  return batch;
}

void add_held(const ArrayData& a, std::set<const Buffer*>& seen, std::int64_t& bytes) {
  for (const auto& b : a.buffers)
    if (b && seen.insert(b.get()).second) bytes += b->size();
  for (const auto& c : a.children)
    if (c) add_held(*c, seen, bytes);
}

std::int64_t proc_status_kib(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(f, line))
    if (line.compare(0, n, key) == 0) return std::atoll(line.c_str() + n + 1);
  return -1;
}

struct Settings {
  double gib = 4;
  std::vector<std::int64_t> row_group_bytes{128LL << 20, 32LL << 20};
  std::string sink = "file";
  std::string dir = ".";
  int threads = 1;
  std::string compression = "snappy";
  int batches = 8;
  std::int64_t batch_rows = 65536;
};

// One setting, in the child process: prints its JSON object.
void run_one(const Settings& st, std::int64_t row_group_bytes) {
  const auto schema = make_schema();
  std::vector<Batch> batches;
  std::int64_t batch_bytes_total = 0;
  std::vector<std::int64_t> batch_bytes;
  for (int b = 0; b < st.batches; ++b) {
    batches.push_back(make_batch(schema, b, st.batch_rows));
    std::set<const Buffer*> seen;
    std::int64_t held = 0;
    for (const auto& c : batches.back().columns) add_held(*c, seen, held);
    batch_bytes.push_back(held);
    batch_bytes_total += held;
  }
  const std::int64_t rss_after_batches = proc_status_kib("VmRSS:") * 1024;

  parquet::WriteOptions o;
  o.row_group_bytes = row_group_bytes;
  o.threads = st.threads;
  o.compression = parse_compression(st.compression);
  const std::string path = st.dir + "/sluice_parquet_write_memory_" + std::to_string(getpid()) + ".parquet";
  io::SinkPtr sink = st.sink == "null" ? std::make_unique<CountingSink>() : check(io::open_local_sink(path));

  const auto target = static_cast<std::int64_t>(st.gib * 1024.0 * 1024.0 * 1024.0);
  const auto t0 = std::chrono::steady_clock::now();
  auto writer = check(parquet::ParquetWriter::open(*sink, schema, o));
  std::int64_t input = 0, rows = 0, writes = 0, max_buffered = 0;
  while (input < target) {
    const std::size_t i = static_cast<std::size_t>(writes % static_cast<std::int64_t>(batches.size()));
    // Fresh ids for every write (the other columns repeat every `batches` batches).
    Batch b = batches[i];
    {
      FixedWidthBuilder<std::int64_t> id(int64());
      for (std::int64_t r = 0; r < b.num_rows; ++r) id.append(rows + r);
      b.columns[0] = id.finish();
    }
    if (Status s = writer->write(b); !s.ok()) {
      sink->abort();
      die(s.error().to_string());
    }
    max_buffered = std::max(max_buffered, writer->buffered_bytes());
    input += batch_bytes[i];
    rows += b.num_rows;
    ++writes;
  }
  if (Status s = writer->finish(); !s.ok()) {
    sink->abort();
    die(s.error().to_string());
  }
  const std::uint64_t written = sink->bytes_written();
  check(sink->finish());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t file_bytes = 0;
  if (st.sink == "file") {
    file_bytes = static_cast<std::uint64_t>(std::filesystem::file_size(path));
    std::remove(path.c_str());
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const std::int64_t peak_rss = static_cast<std::int64_t>(ru.ru_maxrss) * 1024;
  const std::int64_t hwm = proc_status_kib("VmHWM:") * 1024;
  std::printf("    {\"row_group_bytes\": %lld, \"rows\": %lld, \"batches_written\": %lld, \"input_bytes\": %lld, "
              "\"input_gib\": %.3f, \"bytes_written\": %llu, \"file_bytes\": %llu, \"row_groups\": %d, "
              "\"peak_rss_bytes\": %lld, \"vm_hwm_bytes\": %lld, \"rss_after_batches_bytes\": %lld, "
              "\"batches_held_bytes\": %lld, \"peak_buffered_bytes\": %lld, \"max_buffered_bytes_between_writes\": %lld, "
              "\"peak_rss_over_batches_mib\": %.1f, \"peak_buffered_mib\": %.1f, \"seconds\": %.3f, "
              "\"input_mb_per_s\": %.1f}",
              static_cast<long long>(row_group_bytes), static_cast<long long>(rows), static_cast<long long>(writes),
              static_cast<long long>(input), static_cast<double>(input) / (1024.0 * 1024 * 1024),
              static_cast<unsigned long long>(written), static_cast<unsigned long long>(file_bytes),
              writer->row_groups_written(), static_cast<long long>(peak_rss), static_cast<long long>(hwm),
              static_cast<long long>(rss_after_batches), static_cast<long long>(batch_bytes_total),
              static_cast<long long>(writer->peak_buffered_bytes()), static_cast<long long>(max_buffered),
              static_cast<double>(peak_rss - rss_after_batches) / (1024.0 * 1024),
              static_cast<double>(writer->peak_buffered_bytes()) / (1024.0 * 1024), seconds,
              static_cast<double>(input) / 1e6 / seconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Settings st;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (a == "-h" || a == "--help") usage(0);
    else if (a == "--gib") st.gib = std::atof(next().c_str());
    else if (a == "--row-group-size") {
      st.row_group_bytes.clear();
      std::string list = next(), item;
      for (std::size_t p = 0; p <= list.size(); ++p) {
        if (p == list.size() || list[p] == ',') {
          if (!item.empty()) st.row_group_bytes.push_back(parse_size(item));
          item.clear();
        } else {
          item += list[p];
        }
      }
    } else if (a == "--sink") st.sink = next();
    else if (a == "--dir") st.dir = next();
    else if (a == "--threads") st.threads = std::max(1, std::atoi(next().c_str()));
    else if (a == "--compression") st.compression = next();
    else if (a == "--batches") st.batches = std::max(1, std::atoi(next().c_str()));
    else if (a == "--batch-rows") st.batch_rows = std::max(1, std::atoi(next().c_str()));
    else usage(2);
  }
  if (!(st.gib > 0) || st.row_group_bytes.empty() || (st.sink != "file" && st.sink != "null")) usage(2);
  (void)parse_compression(st.compression);
  if (st.sink == "file") io::install_signal_cleanup();

  std::printf("{\"gib\": %.3f, \"sink\": \"%s\", \"threads\": %d, \"compression\": \"%s\", \"batches\": %d, "
              "\"batch_rows\": %lld, \"runs\": [\n",
              st.gib, st.sink.c_str(), st.threads, st.compression.c_str(), st.batches,
              static_cast<long long>(st.batch_rows));
  std::fflush(stdout);
  int failed = 0;
  for (std::size_t k = 0; k < st.row_group_bytes.size(); ++k) {
    if (k) std::printf(",\n");
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) die("fork failed");
    if (pid == 0) {
      run_one(st, st.row_group_bytes[k]);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("    {\"row_group_bytes\": %lld, \"error\": \"the run failed\"}", static_cast<long long>(st.row_group_bytes[k]));
      failed = 1;
    }
  }
  std::printf("\n]}\n");
  return failed;
}
