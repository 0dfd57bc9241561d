// The upper bound for NDJSON decoding: simdjson On-Demand walking every field of every record, and
// nothing else (no columns built, no types inferred, timestamps left as strings).
//
//   sluice_ndjson_walk FILE [--batch-size N] [--keys unescaped|raw] [--numbers typed|number] [--reps N]
//
// The file is loaded into a simdjson::padded_string first (not timed); then the walk is timed (with
// --stream, the file is instead read in blocks while walking, and the reading is timed too, as it is
// for `sluice scan`):
// parser.iterate_many(buf, len, batch_size), and for every document every field of the object is
// visited, its key read, and its value read by its type: value.type(), then for numbers
// get_number_type() and get_int64 / get_uint64 / get_double, get_bool, get_string (unescaped),
// is_null; nested objects and arrays recursively. Everything read goes into a checksum so that
// nothing is optimised away. One thread: the parser's stage-1 thread (SIMDJSON_THREADS_ENABLED comes
// with Debian's simdjson target) is switched off, so the walk is compared with 1-thread readers.
//
// Prints one JSON object: {"records", "bytes", "seconds", "mb_per_s", "checksum", ...}, the best of
// --reps walks (default 1).
//
// Built with the library's flags (no -march=native), so the comparison with sluice is fair: simdjson's
// stage 1 (the structural index) and its string unescaping are dispatched at run time to the best
// kernel of this CPU (icelake on the AVX-512 machines; "stage1" in the output), while the On-Demand
// code inlined here (stage 2: the walk, number parsing) is compiled for the baseline target, i.e.
// simdjson's "fallback" builtin implementation ("ondemand" in the output), as it is inside sluice's
// reader. (Built with -march=haswell or -march=icelake-server the walk was no faster here, within the
// noise: ~1700-1750 MB/s at best on the 879 MB file.)
//
// How the walk is written matters as much as simdjson: values and fields are taken by reference and
// scalars handled inline in the loop over fields. Passing each ondemand::value by copy to an
// out-of-line function made the same walk 2.3x slower (650 instead of 1500-1850 MB/s on the 879 MB
// file), which would be no upper bound at all.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace {

using namespace simdjson;

struct Walker {
  std::uint64_t sum = 0;     // the checksum
  std::uint64_t values = 0;  // scalar values read
  bool raw_keys = false;
  bool typed_numbers = true;
  error_code error = SUCCESS;

  // Order-dependent enough for a checksum, without a serial multiply per value.
  void mix(std::uint64_t x) { sum = ((sum << 5) | (sum >> 59)) + (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ULL; }

  bool fail(error_code e) {
    if (error == SUCCESS) error = e;
    return false;
  }

  [[gnu::always_inline]] bool walk_number(ondemand::value& v) {
    if (typed_numbers) {
      ondemand::number_type t;
      if (auto e = v.get_number_type().get(t)) return fail(e);
      switch (t) {
        case ondemand::number_type::signed_integer: {
          std::int64_t x;
          if (auto e = v.get_int64().get(x)) return fail(e);
          mix(static_cast<std::uint64_t>(x));
          return true;
        }
        case ondemand::number_type::unsigned_integer: {
          std::uint64_t x;
          if (auto e = v.get_uint64().get(x)) return fail(e);
          mix(x);
          return true;
        }
        case ondemand::number_type::floating_point_number: {
          double x;
          if (auto e = v.get_double().get(x)) return fail(e);
          std::uint64_t bits;
          std::memcpy(&bits, &x, sizeof bits);
          mix(bits);
          return true;
        }
      }
      return fail(NUMBER_ERROR);
    }
    // One pass: get_number() parses once and says which kind it found.
    ondemand::number n;
    if (auto e = v.get_number().get(n)) return fail(e);
    switch (n.get_number_type()) {
      case ondemand::number_type::signed_integer: mix(static_cast<std::uint64_t>(n.get_int64())); break;
      case ondemand::number_type::unsigned_integer: mix(n.get_uint64()); break;
      case ondemand::number_type::floating_point_number: {
        const double x = n.get_double();
        std::uint64_t bits;
        std::memcpy(&bits, &x, sizeof bits);
        mix(bits);
        break;
      }
    }
    return true;
  }

  // Objects and arrays out of line (they recurse); scalars inlined into the loops over fields.
  [[gnu::noinline]] bool walk_object(ondemand::object& obj) {
    for (auto field_result : obj) {
      if (auto e = field_result.error()) return fail(e);
      ondemand::field& field = field_result.value_unsafe();
      if (raw_keys) {
        // The key as it stands in the input (no unescaping): enough to match a known column name.
        mix(static_cast<unsigned char>(*field.key().raw()));
      } else {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return fail(e);
        mix(key.size() ^ (key.empty() ? 0 : static_cast<unsigned char>(key[0]) << 8));
      }
      if (!walk_value(field.value())) return false;
    }
    return true;
  }

  [[gnu::noinline]] bool walk_array(ondemand::array& arr) {
    for (auto element_result : arr) {
      if (auto e = element_result.error()) return fail(e);
      ondemand::value& element = element_result.value_unsafe();
      if (!walk_value(element)) return false;
    }
    return true;
  }

  [[gnu::always_inline]] bool walk_value(ondemand::value& v) {
    ondemand::json_type t;
    if (auto e = v.type().get(t)) return fail(e);
    ++values;
    switch (t) {
      case ondemand::json_type::object: {
        ondemand::object o;
        if (auto e = v.get_object().get(o)) return fail(e);
        return walk_object(o);
      }
      case ondemand::json_type::array: {
        ondemand::array a;
        if (auto e = v.get_array().get(a)) return fail(e);
        return walk_array(a);
      }
      case ondemand::json_type::number:
        return walk_number(v);
      case ondemand::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(e);
        mix(s.size() ^ (s.empty() ? 0 : static_cast<std::uint64_t>(static_cast<unsigned char>(s.back())) << 16));
        return true;
      }
      case ondemand::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return fail(e);
        mix(b ? 3 : 5);
        return true;
      }
      case ondemand::json_type::null: {
        if (!v.is_null()) return fail(INCORRECT_TYPE);
        mix(7);
        return true;
      }
    }
    return fail(INCORRECT_TYPE);
  }
};

struct Result {
  std::uint64_t records = 0;
  std::uint64_t values = 0;
  std::uint64_t checksum = 0;
  double seconds = 0;
};

// Walks every record of data[0, len) (padded); exits with a message on any error.
void walk_records(ondemand::parser& parser, const char* data, std::size_t len, std::size_t batch_size, Walker& w,
                  Result& r) {
  ondemand::document_stream stream;
  if (auto e = parser.iterate_many(data, len, batch_size).get(stream)) {
    std::fprintf(stderr, "sluice_ndjson_walk: iterate_many: %s\n", error_message(e));
    std::exit(1);
  }
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    ondemand::document_reference doc;
    if (auto e = (*it).get(doc)) {
      std::fprintf(stderr, "sluice_ndjson_walk: record %" PRIu64 " (byte %zu): %s\n", r.records + 1,
                   it.current_index(), error_message(e));
      std::exit(1);
    }
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) {
      std::fprintf(stderr, "sluice_ndjson_walk: record %" PRIu64 " (byte %zu) is not an object: %s\n",
                   r.records + 1, it.current_index(), error_message(e));
      std::exit(1);
    }
    if (!w.walk_object(obj)) {
      std::fprintf(stderr, "sluice_ndjson_walk: record %" PRIu64 " (byte %zu): %s\n", r.records + 1,
                   it.current_index(), error_message(w.error));
      std::exit(1);
    }
    ++r.records;
  }
  if (stream.truncated_bytes() != 0) {
    std::fprintf(stderr, "sluice_ndjson_walk: %zu bytes at the end are not a complete record\n",
                 stream.truncated_bytes());
    std::exit(1);
  }
}

// One timed walk over the whole buffer (loaded before).
Result walk_once(ondemand::parser& parser, const padded_string& buf, std::size_t batch_size, bool raw_keys,
                 bool typed_numbers) {
  Walker w;
  w.raw_keys = raw_keys;
  w.typed_numbers = typed_numbers;
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  walk_records(parser, buf.data(), buf.size(), batch_size, w, r);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.values = w.values;
  r.checksum = w.sum;
  return r;
}

// One timed walk that reads the file as sluice does: blocks of `block` bytes with read(2), each cut
// at its last line end (the partial line carried to the next), walked as one iterate_many batch. The
// time includes opening and reading the file, so it bounds what a streaming reader can do.
Result walk_stream(ondemand::parser& parser, const char* path, std::size_t block, bool raw_keys, bool typed_numbers) {
  Walker w;
  w.raw_keys = raw_keys;
  w.typed_numbers = typed_numbers;
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "sluice_ndjson_walk: %s: %s\n", path, std::strerror(errno));
    std::exit(1);
  }
  std::vector<char> buf(2 * block + SIMDJSON_PADDING);
  std::size_t have = 0;
  bool eof = false;
  while (!eof || have > 0) {
    while (!eof && have < block) {
      if (buf.size() < have + block + SIMDJSON_PADDING) buf.resize(have + block + SIMDJSON_PADDING);
      const ssize_t n = ::read(fd, buf.data() + have, block);
      if (n < 0) {
        std::fprintf(stderr, "sluice_ndjson_walk: %s: %s\n", path, std::strerror(errno));
        std::exit(1);
      }
      if (n == 0) eof = true;
      have += static_cast<std::size_t>(n);
    }
    std::size_t cut = have;
    if (!eof) {
      const void* nl = ::memrchr(buf.data(), '\n', have);
      if (!nl) {  // a record longer than what is held: read more
        buf.resize(buf.size() + block);
        const ssize_t n = ::read(fd, buf.data() + have, block);
        if (n <= 0) eof = true;
        else have += static_cast<std::size_t>(n);
        continue;
      }
      cut = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
    }
    std::memset(buf.data() + have, ' ', std::min<std::size_t>(SIMDJSON_PADDING, buf.size() - have));
    walk_records(parser, buf.data(), cut, std::max<std::size_t>(cut, 1 << 16), w, r);
    std::memmove(buf.data(), buf.data() + cut, have - cut);
    have -= cut;
  }
  ::close(fd);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.values = w.values;
  r.checksum = w.sum;
  return r;
}

std::size_t parse_size(const char* s) {
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  const std::string unit = end ? end : "";
  double mul = 1;
  if (unit == "" || unit == "B") mul = 1;
  else if (unit == "K" || unit == "KiB") mul = 1024;
  else if (unit == "M" || unit == "MiB") mul = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB") mul = 1024.0 * 1024 * 1024;
  else mul = -1;
  if (!(v > 0) || mul < 0) {
    std::fprintf(stderr, "sluice_ndjson_walk: '%s' is not a size (e.g. 1048576, 1MiB, 256KiB)\n", s);
    std::exit(2);
  }
  return static_cast<std::size_t>(v * mul);
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: sluice_ndjson_walk FILE [--batch-size N] [--keys unescaped|raw] [--numbers typed|number] "
               "[--reps N]\n"
               "  --batch-size N   iterate_many's batch size (default 1MiB; at least the longest record)\n"
               "  --keys K         unescaped: read every key as a string_view (default); raw: look at it in place\n"
               "  --numbers M      typed: get_number_type() then get_int64/get_uint64/get_double (default);\n"
               "                   number: one get_number()\n"
               "  --reps N         walks, the best is reported (default 1)\n"
               "  --stream         read the file in batch-size blocks while walking, as sluice does (timed),\n"
               "                   instead of loading it first (not timed)\n");
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = nullptr;
  std::size_t batch_size = 1 << 20;
  bool raw_keys = false, typed_numbers = true, stream = false;
  int reps = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (a == "-h" || a == "--help") usage(0);
    else if (a == "--batch-size") batch_size = parse_size(next());
    else if (a == "--keys") {
      const std::string k = next();
      if (k != "raw" && k != "unescaped") usage(2);
      raw_keys = k == "raw";
    } else if (a == "--numbers") {
      const std::string m = next();
      if (m != "typed" && m != "number") usage(2);
      typed_numbers = m == "typed";
    } else if (a == "--reps") reps = std::max(1, std::atoi(next()));
    else if (a == "--stream") stream = true;
    else if (!a.empty() && a[0] == '-') usage(2);
    else if (!path) path = argv[i];
    else usage(2);
  }
  if (!path) usage(2);

  padded_string buf;
  std::size_t file_bytes = 0;
  const auto l0 = std::chrono::steady_clock::now();
  if (stream) {
    // Only the size is needed up front.
    struct stat st {};
    if (::stat(path, &st) != 0) {
      std::fprintf(stderr, "sluice_ndjson_walk: %s: %s\n", path, std::strerror(errno));
      return 1;
    }
    file_bytes = static_cast<std::size_t>(st.st_size);
  } else if (auto e = padded_string::load(path).get(buf)) {
    std::fprintf(stderr, "sluice_ndjson_walk: %s: %s\n", path, error_message(e));
    return 1;
  }
  const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - l0).count();
  if (!stream) file_bytes = buf.size();

  ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;  // one thread: no stage 1 running ahead on a second core
#endif
  Result best;
  for (int rep = 0; rep < reps; ++rep) {
    const Result r = stream ? walk_stream(parser, path, batch_size, raw_keys, typed_numbers)
                            : walk_once(parser, buf, batch_size, raw_keys, typed_numbers);
    if (rep == 0 || r.seconds < best.seconds) best = r;
  }
  std::printf("{\"records\": %" PRIu64 ", \"bytes\": %zu, \"seconds\": %.6f, \"mb_per_s\": %.1f, "
              "\"checksum\": %" PRIu64 ", \"values\": %" PRIu64 ", \"batch_size\": %zu, \"keys\": \"%s\", "
              "\"numbers\": \"%s\", \"reps\": %d, \"load_seconds\": %.3f, \"stage1\": \"%s\", \"ondemand\": \"%s\", "
              "\"stream\": %s}\n",
              best.records, file_bytes, best.seconds, static_cast<double>(file_bytes) / 1e6 / best.seconds,
              best.checksum, best.values, batch_size, raw_keys ? "raw" : "unescaped",
              typed_numbers ? "typed" : "number", reps, load_seconds,
              get_active_implementation()->name().c_str(), SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
              stream ? "true" : "false");
  return 0;
}
