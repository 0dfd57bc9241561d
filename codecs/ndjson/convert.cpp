// NDJSON chunks → columns. Records are walked with simdjson On-Demand and each value goes straight
// into the builder of its column with the getter of the column's type (get_int64 for an int64
// column, the raw string token for a string or date column, ...): no document tree, no per-value
// type dispatch on the common path. A value that does not fit an inferred column ends the fast pass;
// the chunk's kinds are then inferred and joined into the types, and the chunk converted again, so
// the result only depends on the chunk and the types it started from.
#include "ndjson/convert.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "csv/tokenize.hpp"
#include "text/interval_parse.hpp"
#include "text/parse.hpp"
#include "text/wkt_parse.hpp"

namespace sluice::ndjson::detail {

namespace od = simdjson::ondemand;
using simdjson::error_code;

std::int64_t count_lines(const char* data, std::size_t n) {
  return static_cast<std::int64_t>(
      csv::detail::active_kernel().count_byte(reinterpret_cast<const std::uint8_t*>(data), n, '\n'));
}

namespace {

// ---- Builders ---------------------------------------------------------------------------------

// Growable owned bytes with no zero-filling of what is appended. The Buffer's own size is only
// brought up to date when it is copied (growth) or handed out (finish).
struct Bytes {
  BufferPtr buf;
  std::uint8_t* p = nullptr;
  std::int64_t size = 0, cap = 0;

  void reserve(std::int64_t n) {
    if (n <= cap) return;
    const std::int64_t c = std::max<std::int64_t>(n, std::max<std::int64_t>(cap * 2, 256));
    if (!buf) {
      buf = Buffer::allocate(c, false);
    } else {
      buf->resize(size, false);
      buf->reserve(c, false);
    }
    p = buf->mutable_data();
    cap = buf->capacity();
  }
  template <class T>
  [[gnu::always_inline]] void push(T v) {
    if (size + static_cast<std::int64_t>(sizeof(T)) > cap) grow(sizeof(T));
    std::memcpy(p + size, &v, sizeof(T));
    size += sizeof(T);
  }
  [[gnu::always_inline]] void append(const void* d, std::size_t n) {
    if (n == 0) return;  // (p is null before the first growth, and memcpy's pointers must not be)
    if (size + static_cast<std::int64_t>(n) > cap) grow(n);
    std::memcpy(p + size, d, n);
    size += static_cast<std::int64_t>(n);
  }
  // Appends s[0, n) unless it holds a backslash (then appends nothing and returns false), in one
  // pass: whole 16-byte blocks are checked and moved together. s is readable 16 bytes past n
  // (padded input).
  [[gnu::always_inline]] bool append_if_plain(const char* s, std::size_t n) {
    if (size + static_cast<std::int64_t>(n) + 16 > cap) grow(n + 16);
    std::uint8_t* d = p + size;
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i bs = _mm_set1_epi8('\\');
    do {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), v);
      unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)));
      if (n - i < 16) m &= (1u << (n - i)) - 1;  // bytes past the end do not count
      if (m) return false;
      i += 16;
    } while (i < n);
#else
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    do {
      std::uint64_t w;
      std::memcpy(&w, s + i, 8);
      std::memcpy(d + i, &w, 8);
      std::uint64_t x = w ^ (kOnes * '\\');
      if (n - i < 8) x |= ~std::uint64_t{0} << (8 * (n - i));  // bytes past the end never match
      if ((x - kOnes) & ~x & kHigh) return false;
      i += 8;
    } while (i < n);
#endif
    size += static_cast<std::int64_t>(n);
    return true;
  }
  [[gnu::noinline]] void grow(std::size_t n) { reserve(size + static_cast<std::int64_t>(n)); }
  void truncate(std::int64_t n) { size = n; }
  BufferPtr finish() {
    if (!buf) return Buffer::allocate(0);
    BufferPtr b = std::move(buf);
    b->resize(size, false);
    buf = nullptr;
    p = nullptr;
    size = cap = 0;
    return b;
  }
};

enum class Cat : std::uint8_t {
  kNull, kBool, kInt, kUInt, kFloat16, kFloat32, kFloat64, kDecimal, kDate, kTime, kTimestamp, kDuration,
  kString, kBinary, kFixedBinary, kList, kStruct, kMap,
};

struct Col {
  TypePtr type;
  Cat cat = Cat::kNull;
  bool declared = false;
  bool zoned = false;                   // timestamp: with a time zone (takes instants)
  bool json = false;                    // string: a JSON column (any value, kept as its JSON text)
  bool uuid = false;                    // fixed_size_binary[16]: a UUID (from its text, not base64)
  bool interval = false;                // fixed_size_binary[12]: an INTERVAL (from DuckDB's text)
  bool geometry = false;                // binary: a geometry / geography (from its WKT, not base64)
  TimeUnit unit = TimeUnit::kSecond;    // timestamp
  int width = 0;  // bytes per fixed-width value
  std::int64_t len = 0, nulls = 0;
  Bytes valid;     // bits; empty until the first null
  Bytes values;    // fixed width values, bool bits, or offsets (int64; int32 for map)
  Bytes chars;     // string bytes
  std::vector<std::unique_ptr<Col>> children;
  // struct
  std::vector<std::string> names;
  // How the raw key of a field compares with a name (padded input, no call to memcmp): a name with a
  // byte that JSON escapes never does (kEscaped: keys are unescaped and looked up); otherwise the
  // bytes `name"` as one masked word (kOneWord, names up to 7 bytes), two (kTwoWords, up to 15), or
  // word by word (kLong).
  struct KeyWords {
    enum Kind : std::uint8_t { kEscaped, kOneWord, kTwoWords, kLong };
    std::uint64_t w[2] = {0, 0}, m[2] = {0, 0};
    Kind kind = kEscaped;
  };
  std::vector<KeyWords> key_words;
  std::vector<std::uint32_t> seen;
  std::uint32_t stamp = 0;

  explicit Col(TypePtr t, bool decl) : type(std::move(t)), declared(decl) {
    const DataType& d = *type;
    width = d.value_width();
    switch (d.id) {
      case TypeId::kNull: cat = Cat::kNull; break;
      case TypeId::kBool: cat = Cat::kBool; break;
      case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64: cat = Cat::kInt; break;
      case TypeId::kUInt8: case TypeId::kUInt16: case TypeId::kUInt32: case TypeId::kUInt64: cat = Cat::kUInt; break;
      case TypeId::kFloat16: cat = Cat::kFloat16; break;
      case TypeId::kFloat32: cat = Cat::kFloat32; break;
      case TypeId::kFloat64: cat = Cat::kFloat64; break;
      case TypeId::kDecimal128: cat = Cat::kDecimal; break;
      case TypeId::kDate32: cat = Cat::kDate; break;
      case TypeId::kTime: cat = Cat::kTime; break;
      case TypeId::kTimestamp:
        cat = Cat::kTimestamp;
        unit = d.unit;
        zoned = !d.timezone.empty();
        break;
      case TypeId::kDuration: cat = Cat::kDuration; break;
      case TypeId::kString:
        cat = Cat::kString;
        json = d.extension == Extension::kJson;
        break;
      case TypeId::kBinary:
        cat = Cat::kBinary;
        geometry = d.extension == Extension::kGeometry || d.extension == Extension::kGeography;
        break;
      case TypeId::kFixedSizeBinary:
        cat = Cat::kFixedBinary;
        uuid = d.extension == Extension::kUuid;
        interval = d.extension == Extension::kInterval;
        break;
      case TypeId::kList: cat = Cat::kList; break;
      case TypeId::kStruct: cat = Cat::kStruct; break;
      case TypeId::kMap: cat = Cat::kMap; break;
    }
    if (cat == Cat::kList) children.push_back(std::make_unique<Col>(d.children.at(0).type, declared));
    if (cat == Cat::kMap) {
      const DataType& entries = *d.children.at(0).type;
      children.push_back(std::make_unique<Col>(entries.children.at(0).type, true));
      children.push_back(std::make_unique<Col>(entries.children.at(1).type, true));
    }
    if (cat == Cat::kStruct) {
      for (const auto& f : d.children) add_field(f.name, f.type, declared);
    }
    if (cat == Cat::kString || cat == Cat::kBinary || cat == Cat::kList) values.push<std::int64_t>(0);
    if (cat == Cat::kMap) values.push<std::int32_t>(0);
  }

  // Room for `rows` more values (and `chars` string bytes) without growing.
  void reserve_rows(std::int64_t rows, std::int64_t chars_bytes) {
    switch (cat) {
      case Cat::kNull: return;
      case Cat::kBool: values.reserve(rows / 8 + 8); return;
      case Cat::kString: case Cat::kBinary:
        values.reserve((rows + 1) * 8);
        chars.reserve(chars_bytes);
        return;
      case Cat::kList: case Cat::kMap: values.reserve((rows + 1) * 8); return;
      case Cat::kStruct:
        for (auto& c : children) c->reserve_rows(rows, 0);
        return;
      default: values.reserve(rows * width);
    }
  }

  void add_field(const std::string& name, const TypePtr& t, bool decl) {
    names.push_back(name);
    bool p = true;
    for (unsigned char ch : name) p &= ch >= 0x20 && ch != '"' && ch != '\\';
    KeyWords kw;
    if (p && name.size() < 16) {
      unsigned char bytes[16] = {0}, mask[16] = {0};
      std::memcpy(bytes, name.data(), name.size());
      bytes[name.size()] = '"';
      std::memset(mask, 0xFF, name.size() + 1);
      std::memcpy(kw.w, bytes, 16);
      std::memcpy(kw.m, mask, 16);
      kw.kind = name.size() < 8 ? KeyWords::kOneWord : KeyWords::kTwoWords;
    } else if (p) {
      kw.kind = KeyWords::kLong;
    }
    key_words.push_back(kw);
    seen.push_back(0);
    children.push_back(std::make_unique<Col>(t, decl));
  }
  std::size_t find(std::string_view key) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == key) return i;
    return SIZE_MAX;
  }

  [[gnu::always_inline]] void set_valid() {
    if (valid.size) {
      const std::int64_t byte = len >> 3;
      if (byte >= valid.size) valid.push<std::uint8_t>(0);
      valid.p[byte] |= static_cast<std::uint8_t>(1u << (len & 7));
    }
    ++len;
  }
  [[gnu::noinline]] void push_null_bit() {
    if (!valid.size) {
      // First null: every earlier value was valid.
      const std::int64_t bytes = (len >> 3) + 1;
      valid.reserve(bytes + 64);
      std::memset(valid.p, 0xFF, static_cast<std::size_t>(bytes));
      valid.size = bytes;
      valid.p[len >> 3] &= static_cast<std::uint8_t>((1u << (len & 7)) - 1);
    } else {
      const std::int64_t byte = len >> 3;
      if (byte >= valid.size) valid.push<std::uint8_t>(0);
      valid.p[byte] &= static_cast<std::uint8_t>(~(1u << (len & 7)));
    }
    ++nulls;
    ++len;
  }

  void push_null() {
    switch (cat) {
      case Cat::kNull: ++len; ++nulls; return;
      case Cat::kBool: push_bool_bit(false); break;
      case Cat::kString: case Cat::kBinary: case Cat::kList: values.push<std::int64_t>(values_last64()); break;
      case Cat::kMap: values.push<std::int32_t>(values_last32()); break;
      case Cat::kStruct:
        for (auto& c : children) c->push_null();
        break;
      default: {
        const std::int64_t z[2] = {0, 0};
        values.append(z, static_cast<std::size_t>(width));
      }
    }
    push_null_bit();
  }
  std::int64_t values_last64() const { return reinterpret_cast<const std::int64_t*>(values.p)[values.size / 8 - 1]; }
  std::int32_t values_last32() const { return reinterpret_cast<const std::int32_t*>(values.p)[values.size / 4 - 1]; }

  [[gnu::always_inline]] void push_bool_bit(bool v) {
    const std::int64_t byte = len >> 3;
    if (byte >= values.size) values.push<std::uint8_t>(0);
    if (v) values.p[byte] |= static_cast<std::uint8_t>(1u << (len & 7));
  }
  [[gnu::always_inline]] void push_bool(bool v) {
    push_bool_bit(v);
    set_valid();
  }
  template <class T>
  [[gnu::always_inline]] void push_value(T v) {
    values.push(v);
    set_valid();
  }
  // A string's raw content from padded input, unless it holds an escape (then nothing, false).
  [[gnu::always_inline]] bool push_string_if_plain(const char* s, std::size_t n) {
    if (!chars.append_if_plain(s, n)) return false;
    values.push<std::int64_t>(chars.size);
    set_valid();
    return true;
  }
  [[gnu::always_inline]] void push_string(const char* s, std::size_t n) {
    chars.append(s, n);
    values.push<std::int64_t>(chars.size);
    set_valid();
  }
  // A list or map element range closed: its children were appended already.
  void close_list() {
    if (cat == Cat::kMap) values.push<std::int32_t>(static_cast<std::int32_t>(children[0]->len));
    else values.push<std::int64_t>(children[0]->len);
    set_valid();
  }

  // Drops rows [n, len). Children of nested columns are cut to match even when n == len: a record
  // that failed half way may have left values in them that no row of this column owns yet.
  void truncate(std::int64_t n) {
    if (n >= len) {
      switch (cat) {
        case Cat::kStruct:
          for (auto& c : children) c->truncate(n);
          return;
        case Cat::kList: children[0]->truncate(values_last64()); return;
        case Cat::kMap:
          children[0]->truncate(values_last32());
          children[1]->truncate(values_last32());
          return;
        default: return;
      }
    }
    if (valid.size) {
      std::int64_t dropped_nulls = 0;
      for (std::int64_t i = n; i < len; ++i) dropped_nulls += !bit::get(valid.p, i);
      nulls -= dropped_nulls;
      valid.truncate((n >> 3) + 1);
      if (n & 7) valid.p[n >> 3] &= static_cast<std::uint8_t>((1u << (n & 7)) - 1);
      else valid.p[n >> 3] = 0;
    } else if (cat == Cat::kNull) {
      nulls = n;
    }
    switch (cat) {
      case Cat::kNull: break;
      case Cat::kBool:
        values.truncate((n >> 3) + 1);
        values.p[n >> 3] &= static_cast<std::uint8_t>((1u << (n & 7)) - 1);
        break;
      case Cat::kString: case Cat::kBinary:
        values.truncate((n + 1) * 8);
        chars.truncate(values_last64());
        break;
      case Cat::kList:
        values.truncate((n + 1) * 8);
        children[0]->truncate(values_last64());
        break;
      case Cat::kMap:
        values.truncate((n + 1) * 4);
        children[0]->truncate(values_last32());
        children[1]->truncate(values_last32());
        break;
      case Cat::kStruct:
        for (auto& c : children) c->truncate(n);
        break;
      default: values.truncate(n * width);
    }
    len = n;
  }

  ArrayPtr finish() {
    auto a = std::make_shared<ArrayData>();
    a->type = type;
    a->length = len;
    a->null_count = nulls;
    if (cat == Cat::kNull) return a;
    a->buffers.push_back(nulls ? valid.finish() : nullptr);
    switch (cat) {
      case Cat::kBool:
        if (values.size < (len + 7) / 8) values.reserve((len + 7) / 8), values.size = (len + 7) / 8;
        a->buffers.push_back(values.finish());
        break;
      case Cat::kString: case Cat::kBinary:
        a->buffers.push_back(values.finish());
        a->buffers.push_back(chars.finish());
        break;
      case Cat::kList:
        a->buffers.push_back(values.finish());
        a->children.push_back(children[0]->finish());
        break;
      case Cat::kMap: {
        a->buffers.push_back(values.finish());
        auto e = std::make_shared<ArrayData>();
        e->type = type->children.at(0).type;
        e->length = children[0]->len;
        e->buffers.push_back(nullptr);
        e->children.push_back(children[0]->finish());
        e->children.push_back(children[1]->finish());
        a->children.push_back(std::move(e));
        break;
      }
      case Cat::kStruct:
        for (auto& c : children) a->children.push_back(c->finish());
        break;
      default:
        a->buffers.push_back(values.finish());
    }
    return a;
  }
};

// ---- Conversion -------------------------------------------------------------------------------

enum class R : std::uint8_t { kOk, kMismatch, kBad };

[[gnu::always_inline]] inline std::string_view trim_token(std::string_view t) {
  // Mostly nothing to trim: one compare (JSON's blanks are all below '!').
  while (!t.empty() && static_cast<unsigned char>(t.back()) <= ' ' &&
         (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

void escape_into(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// Whether p[0, n) holds a backslash; reads whole words past n (the input is padded).
[[gnu::always_inline]] inline bool has_backslash(const char* p, std::size_t n) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    std::uint64_t x = w ^ (kOnes * '\\');
    if (n - i < 8) x |= ~std::uint64_t{0} << (8 * (n - i));  // bytes past the end never match
    if ((x - kOnes) & ~x & kHigh) return true;
  }
  return false;
}

// Numbers read from their raw tokens (padded input), for the common short ones, with the results of
// simdjson's get_int64 and get_double; false for everything else, which simdjson then reads (and
// validates). Nothing JSON rejects is accepted: no '+', no leading zero, digits after a '.'.

// "-?(0|[1-9][0-9]*)" of at most 8 digits.
[[gnu::always_inline]] inline bool short_json_int(const char* p, std::size_t n, std::int64_t& out) {
  const bool neg = n > 0 && p[0] == '-';
  const std::size_t m = n - neg;
  std::uint64_t v;
  if (m == 0 || m > 8 || (p[neg] == '0' && m > 1) || !text::detail::swar_digits(p + neg, m, v)) return false;
  out = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  return true;
}

// "-?(0|[1-9][0-9]*)(\.[0-9]+)?" of at most 8 digits each side and 15 in all, not zero: simdjson's
// fast path takes the digits as an integer (exact below 2^53) and divides it by the power of ten
// (exact), one correctly rounded operation; the same here. Zero is left out (the sign of -0).
[[gnu::always_inline]] inline bool short_json_double(const char* p, std::size_t n, double& out) {
  static constexpr double kPow10[9] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  static constexpr std::uint64_t kPow10i[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  const bool neg = n > 0 && p[0] == '-';
  const char* q = p + neg;
  const std::size_t m = n - neg;
  if (m == 0 || m > 17) return false;
  // The integer part: the digits before the first other byte among the first 8.
  std::uint64_t w;
  std::memcpy(&w, q, 8);
  const std::uint64_t stop = text::detail::non_digit_bytes(w);
  const std::size_t ip = stop ? static_cast<std::size_t>(__builtin_ctzll(stop)) >> 3 : 8;
  if (ip == 0 || ip > m || (q[0] == '0' && ip > 1)) return false;
  std::uint64_t a, b = 0;
  std::size_t fp = 0;
  if (ip < m) {
    fp = m - ip - 1;
    if (q[ip] != '.' || fp == 0 || fp > 8 || ip + fp > 15 || !text::detail::swar_digits(q + ip + 1, fp, b)) return false;
  }
  if (!text::detail::swar_digits(q, ip, a)) return false;
  const std::uint64_t i = a * kPow10i[fp] + b;
  if (i == 0) return false;
  double d = static_cast<double>(i);
  if (fp) d /= kPow10[fp];
  out = neg ? -d : d;
  return true;
}

// Standard base64 (with or without '=' padding) into out; false on anything else.
bool base64_decode(std::string_view in, std::string& out) {
  static constexpr auto kTable = [] {
    std::array<std::int8_t, 256> t{};
    t.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(a[i])] = static_cast<std::int8_t>(i);
    return t;
  }();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char ch : in) {
    const int v = kTable[ch];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

bool is_big_integer_text(std::string_view t) {
  for (char c : t)
    if (c == '.' || c == 'e' || c == 'E') return false;
  return true;
}

}  // namespace

class ChunkParser::Impl {
 public:
  Settings set;
  od::parser parser;
  std::string scratch;
  std::string emit_buf;
  std::string skip_buf;
  std::vector<std::size_t> first_starts;  // where the records of a chunk's first pass start
  // Why the last kBad happened.
  std::string reason;
  ErrorCode reason_code = ErrorCode::kParseError;
  std::string bad_column;
  int depth = 0;
  const Col* root_col = nullptr;
  std::unordered_map<const Node*, std::unique_ptr<Col>> scratch_cols;  // see check_settled
  std::unique_ptr<Col> scratch_string;
  double rows_per_byte = 1.0 / 64;      // of the last chunk: sizes the next one's buffers
  std::vector<double> chars_per_byte;  // per top-level column
  bool adding_keys = true;  // inference may add keys to structs that are not declared

  explicit Impl(const Settings& s) : set(s) {
#ifdef SIMDJSON_THREADS_ENABLED
    // No thread of simdjson's own to index the next window of a stream: the chunks are spread over
    // the reader's threads already, and a thread started per windowed stream (convert_lines starts
    // one after each bad record) cost more than the windows saved (0.69 s against 0.41 on a file
    // with a bad record in a thousand lines, 7,600 context switches against 15).
    parser.threaded = false;
#endif
  }

  R bad(std::string why, ErrorCode code = ErrorCode::kParseError) {
    // The column is named on the way back up (object()), for a value's failure; an error of the
    // record itself (too long, not JSON, two values on a line) names none, whatever failed before.
    bad_column.clear();
    reason = std::move(why);
    reason_code = code;
    return R::kBad;
  }
  R invalid(error_code e) { return bad(std::string("invalid JSON: ") + simdjson::error_message(e)); }
  R too_deep() {
    return bad("JSON nested deeper than max_depth (" + std::to_string(set.max_depth) + ")", ErrorCode::kLimitExceeded);
  }
  // Leaves a container level entered with ++depth (when `on`).
  struct Leave {
    int& d;
    bool on;
    ~Leave() {
      if (on) --d;
    }
  };
  R too_long() {
    return bad("a record is longer than the limit of " + std::to_string(set.max_record_bytes) +
                   " bytes (max_record_bytes, --max-record-size)",
               ErrorCode::kLimitExceeded);
  }
  bool over_limit(std::size_t begin, std::size_t end) const {
    return static_cast<std::int64_t>(end - begin) > set.max_record_bytes;
  }
  // The start of the first line longer than the record limit, or SIZE_MAX. The producer only sees
  // records longer than what it holds; a shorter limit is kept here.
  std::size_t first_long_line(const Chunk& ch, std::int64_t& line) const {
    if (static_cast<std::int64_t>(ch.size) <= set.max_record_bytes) return SIZE_MAX;
    std::size_t found = SIZE_MAX;
    for_each_line(ch, [&](std::size_t b, std::size_t e, std::int64_t l) {
      if (!over_limit(b, e)) return true;
      found = b;
      line = l;
      return false;
    });
    return found;
  }

  // The text of any JSON value, minified (for a string column that meets an object, array, number
  // or boolean).
  R emit(od::value v, std::string& out) {
    od::json_type t;
    if (auto e = v.type().get(t)) return invalid(e);
    // Depth counts containers, as everywhere: whether a record is too deep must not depend on the
    // type its column has so far.
    const bool container = t == od::json_type::object || t == od::json_type::array;
    if (container && ++depth > set.max_depth)
      return too_deep();
    const Leave leave{depth, container};
    switch (t) {
      case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o)) return invalid(e);
        out += '{';
        bool first = true;
        for (auto fr : o) {
          od::field f;
          if (auto e = std::move(fr).get(f)) return invalid(e);
          std::string_view k;
          if (auto e = f.unescaped_key().get(k)) return invalid(e);
          if (!first) out += ',';
          first = false;
          escape_into(out, k);
          out += ':';
          if (R r = emit(f.value(), out); r != R::kOk) return r;
        }
        out += '}';
        return R::kOk;
      }
      case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a)) return invalid(e);
        out += '[';
        bool first = true;
        for (auto er : a) {
          od::value x;
          if (auto e = std::move(er).get(x)) return invalid(e);
          if (!first) out += ',';
          first = false;
          if (R r = emit(x, out); r != R::kOk) return r;
        }
        out += ']';
        return R::kOk;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return invalid(e);
        escape_into(out, s);
        return R::kOk;
      }
      case od::json_type::number: {
        const std::string_view tok = trim_token(v.raw_json_token());
        double d;
        if (auto e = v.get_double().get(d)) return invalid(e);
        // Under BigIntegers::kError a record with an integer beyond int64 is bad whatever column holds
        // it (a string column too): its validity must not depend on the types so far.
        if (set.big_integers == BigIntegers::kError && is_big_integer_text(tok)) {
          std::int64_t i;
          if (!text::parse_int64(tok.data(), tok.size(), i))
            return bad("integer " + std::string(tok) + " is out of the int64 range", ErrorCode::kTypeError);
        }
        out += tok;
        return R::kOk;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return invalid(e);
        out += b ? "true" : "false";
        return R::kOk;
      }
      case od::json_type::null: {
        bool n;
        if (auto e = v.is_null().get(n); e || !n) return invalid(e ? e : simdjson::N_ATOM_ERROR);
        out += "null";
        return R::kOk;
      }
    }
    return invalid(simdjson::INCORRECT_TYPE);
  }

  // A value no column takes: read through (validated, depth counted) and dropped.
  R skip_value(od::value v) {
    skip_buf.clear();
    return emit(v, skip_buf);
  }

  // A value that missed the column's fast getter: null, or another JSON type.
  R slow(od::value& v, Col& c, error_code e) {
    if (e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::NUMBER_ERROR &&
        e != simdjson::SUCCESS)
      return invalid(e);
    bool is_null = false;
    if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      c.push_null();
      return R::kOk;
    }
    od::json_type t;
    if (auto te = v.type().get(t)) return invalid(te);
    if (c.cat == Cat::kString) {
      emit_buf.clear();
      if (R r = emit(v, emit_buf); r != R::kOk) return r;
      c.push_string(emit_buf.data(), emit_buf.size());
      return R::kOk;
    }
    if (!c.declared) {
      // Validate what a mismatch leaves unread: an invalid number is a bad record, not a wider type.
      if (t == od::json_type::number) {
        double d;
        if (auto de = v.get_double().get(d)) return invalid(de);
        if (set.big_integers == BigIntegers::kError && is_big_integer_text(trim_token(v.raw_json_token())))
          return bad("integer " + std::string(trim_token(v.raw_json_token())) + " is out of the int64 range", ErrorCode::kTypeError);
      }
      return R::kMismatch;
    }
    return declared_other(v, c, t);
  }

  // `text_value`: the string value as read (unescaped), where the caller has it.
  R not_fit(od::value& v, Col& c, std::optional<std::string_view> text_value = std::nullopt) {
    std::string_view token = trim_token(v.raw_json_token());
    std::string text(token.substr(0, 64));
    // An interval's text says why it was refused: as read, or the raw token where it has no escape.
    if (!text_value && token.size() >= 2 && token.front() == '"' && token.back() == '"' &&
        token.find('\\') == std::string_view::npos)
      text_value = token.substr(1, token.size() - 2);
    const std::string why = c.interval && text_value ? text::interval_refusal(*text_value) : "";
    return bad("value " + text + " does not fit the declared type " + c.type->to_string() + (why.empty() ? "" : ": " + why),
               ErrorCode::kTypeError);
  }

  // Declared columns: a JSON value of another type than the column's natural one (e.g. a string for
  // an integer column) is converted when its text reads as the type.
  R declared_other(od::value& v, Col& c, od::json_type t) {
    if (t != od::json_type::string) return not_fit(v, c);
    std::string_view s;
    if (auto e = v.get_string().get(s)) return invalid(e);
    scratch.assign(s.data(), s.size());
    scratch.append(kPadding, '\0');
    const char* p = scratch.data();
    const std::size_t n = s.size();
    switch (c.cat) {
      case Cat::kBool: {
        bool b;
        if (!text::parse_bool(p, n, b)) break;
        c.push_bool(b);
        return R::kOk;
      }
      case Cat::kInt: case Cat::kUInt: case Cat::kFloat16: case Cat::kFloat32: case Cat::kFloat64: case Cat::kDecimal:
        if (put_number_text(c, p, n)) return R::kOk;
        break;
      default: break;
    }
    return bad("value \"" + std::string(s.substr(0, 64)) + "\" does not fit the declared type " + c.type->to_string(), ErrorCode::kTypeError);
  }

  // Number text into a numeric column of any width (range checked).
  bool put_number_text(Col& c, const char* p, std::size_t n) {
    const DataType& t = *c.type;
    switch (c.cat) {
      case Cat::kInt: {
        std::int64_t x;
        if (!text::parse_int64(p, n, x)) return false;
        return put_int(c, x);
      }
      case Cat::kUInt: {
        std::uint64_t x;
        if (!text::parse_uint64(p, n, x)) return false;
        return put_uint(c, x);
      }
      case Cat::kFloat16: case Cat::kFloat32: case Cat::kFloat64: {
        double d;
        if (!text::parse_double(p, n, d)) return false;
        put_double(c, d);
        return true;
      }
      case Cat::kDecimal: {
        __int128 x;
        if (!text::parse_decimal(p, n, t.precision, t.scale, x)) return false;
        c.push_value(x);
        return true;
      }
      default: return false;
    }
  }
  static bool put_int(Col& c, std::int64_t x) {
    switch (c.width) {
      case 1: if (x < INT8_MIN || x > INT8_MAX) return false; c.push_value(static_cast<std::int8_t>(x)); return true;
      case 2: if (x < INT16_MIN || x > INT16_MAX) return false; c.push_value(static_cast<std::int16_t>(x)); return true;
      case 4: if (x < INT32_MIN || x > INT32_MAX) return false; c.push_value(static_cast<std::int32_t>(x)); return true;
      default: c.push_value(x); return true;
    }
  }
  static bool put_uint(Col& c, std::uint64_t x) {
    switch (c.width) {
      case 1: if (x > UINT8_MAX) return false; c.push_value(static_cast<std::uint8_t>(x)); return true;
      case 2: if (x > UINT16_MAX) return false; c.push_value(static_cast<std::uint16_t>(x)); return true;
      case 4: if (x > UINT32_MAX) return false; c.push_value(static_cast<std::uint32_t>(x)); return true;
      default: c.push_value(x); return true;
    }
  }
  static std::uint16_t to_half(double d) {
    // Round to nearest even through float's bits.
    const float f = static_cast<float>(d);
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    const std::uint32_t sign = (b >> 16) & 0x8000;
    const int exp = static_cast<int>((b >> 23) & 0xff) - 127 + 15;
    std::uint32_t mant = b & 0x7fffff;
    if (((b >> 23) & 0xff) == 0xff) return static_cast<std::uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
    if (exp >= 31) return static_cast<std::uint16_t>(sign | 0x7c00);
    if (exp <= 0) {
      if (exp < -10) return static_cast<std::uint16_t>(sign);
      mant |= 0x800000;
      const int shift = 14 - exp;
      std::uint32_t h = mant >> shift;
      const std::uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
      if (rem > half || (rem == half && (h & 1))) ++h;
      return static_cast<std::uint16_t>(sign | h);
    }
    std::uint32_t h = (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
    const std::uint32_t rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  static void put_double(Col& c, double d) {
    if (c.cat == Cat::kFloat64) c.push_value(d);
    else if (c.cat == Cat::kFloat32) c.push_value(static_cast<float>(d));
    else c.push_value(to_half(d));
  }

  // The content of a string token as it stands in the input, escapes and all, or false (not a
  // string). The token is consumed: left unread, On Demand would skip it when the loop moves on, and
  // its skip takes a string followed by ':' for a key, so `{"t":"u":[]}}` would read as {"t":"u"}
  // (a consumed scalar can still be read again, by any getter).
  [[gnu::always_inline]] static bool raw_string(od::value& v, const char*& p, std::size_t& n) {
    std::string_view t = v.raw_json_token();
    if (t.empty() || t[0] != '"') return false;
    (void)v.get_raw_json_string();
    t = trim_token(t);
    if (t.size() < 2) return false;
    p = t.data() + 1;
    n = t.size() - 2;
    return true;
  }
  // The content of a string token without escapes, or false (not a string, or escaped).
  [[gnu::always_inline]] static bool plain_string(od::value& v, const char*& p, std::size_t& n) {
    return raw_string(v, p, n) && !has_backslash(p, n);
  }

  // The hot path: scalars of the inferred types, inlined into the field loop (a value passed by
  // copy into an out-of-line call costs a store-forwarding stall per field).
  [[gnu::always_inline]] R value(od::value& v, Col& c) {
    switch (c.cat) {
      case Cat::kInt: {
        std::int64_t x;
        const std::string_view t = trim_token(v.raw_json_token());
        if (!short_json_int(t.data(), t.size(), x)) {
          const error_code e = v.get_int64().get(x);
          if (e) return slow(v, c, e);
        }
        if (c.width == 8) {
          c.push_value(x);
          return R::kOk;
        }
        return put_int(c, x) ? R::kOk : not_fit(v, c);
      }
      case Cat::kFloat64: {
        double x;
        const std::string_view t = trim_token(v.raw_json_token());
        if (short_json_double(t.data(), t.size(), x)) {  // short: not a big integer
          c.push_value(x);
          return R::kOk;
        }
        const error_code e = v.get_double().get(x);
        if (e) return slow(v, c, e);
        if (set.big_integers == BigIntegers::kError && !c.declared) {
          const std::string_view tok = trim_token(v.raw_json_token());
          if (tok.size() >= 19 && is_big_integer_text(tok)) {
            std::int64_t i;
            if (!text::parse_int64(tok.data(), tok.size(), i))
              return bad("integer " + std::string(tok) + " is out of the int64 range", ErrorCode::kTypeError);
          }
        }
        c.push_value(x);
        return R::kOk;
      }
      case Cat::kString: {
        // A JSON column keeps every value as its JSON text (DuckDB's JSON type: a string quoted,
        // objects and arrays whole, null null): what slow() does with a string column's non-strings.
        if (c.json) [[unlikely]]
          return slow(v, c, simdjson::SUCCESS);
        const char* p;
        std::size_t n;
        if (raw_string(v, p, n) && c.push_string_if_plain(p, n)) return R::kOk;  // the chunk is padded
        std::string_view s;
        const error_code e = v.get_string().get(s);
        if (e) return slow(v, c, e);
        c.push_string(s.data(), s.size());
        return R::kOk;
      }
      case Cat::kBool: {
        bool b;
        const error_code e = v.get_bool().get(b);
        if (e) return slow(v, c, e);
        c.push_bool(b);
        return R::kOk;
      }
      case Cat::kDate: {
        const char* p;
        std::size_t n;
        std::int32_t d;
        // The raw content: a date's text holds no backslash, so one with an escape fails here and
        // is read unescaped by temporal_miss, as before.
        if (raw_string(v, p, n) && text::parse_date_padded(p, n, d)) {
          c.push_value(d);
          return R::kOk;
        }
        return temporal_miss(v, c);
      }
      case Cat::kTimestamp: {
        const char* p;
        std::size_t n;
        if (raw_string(v, p, n) && n >= 10 && n <= 40) {  // escaped: no timestamp (see kDate)
          // The same reading as inference (ndjson/infer.hpp string_kind): a date first.
          std::int32_t d;
          if (text::parse_date_padded(p, n, d)) {
            std::int64_t ts;  // a date at midnight; the far dates a ns column cannot hold do not fit
            if (__builtin_mul_overflow(static_cast<std::int64_t>(d), 86400 * units_per_second(c.unit), &ts))
              return not_fit(v, c);
            c.push_value(ts);
            return R::kOk;
          }
          std::int64_t ts;
          text::TzKind tz;
          // An instant column takes instants; a local one takes local times (declared: both).
          if (text::parse_timestamp_padded(p, n, c.unit, ts, tz) && ((tz != text::TzKind::kNone) == c.zoned || c.declared)) {
            c.push_value(ts);
            return R::kOk;
          }
        }
        return temporal_miss(v, c);
      }
      default: return compound(v, c);
    }
  }

  [[gnu::noinline]] R compound(od::value& v, Col& c) {
    switch (c.cat) {
      case Cat::kStruct: {
        od::object o;
        const error_code e = v.get_object().get(o);
        if (e) return slow(v, c, e);
        const R r = object(o, c);
        if (r == R::kOk) c.set_valid();
        return r;
      }
      case Cat::kList: {
        od::array a;
        const error_code e = v.get_array().get(a);
        if (e) return slow(v, c, e);
        if (++depth > set.max_depth) return too_deep();
        Col& child = *c.children[0];
        for (auto er : a) {
          if (auto ee = er.error()) return invalid(ee);
          od::value& x = er.value_unsafe();
          if (R r = value(x, child); r != R::kOk) return r;
        }
        --depth;
        c.close_list();
        return R::kOk;
      }
      case Cat::kNull: return slow(v, c, simdjson::INCORRECT_TYPE);
      default: return declared_value(v, c);
    }
  }

  R temporal_miss(od::value& v, Col& c) {
    od::json_type t;
    if (auto e = v.type().get(t)) return invalid(e);
    if (t != od::json_type::string) return slow(v, c, simdjson::INCORRECT_TYPE);
    std::string_view s;
    if (auto e = v.get_string().get(s)) return invalid(e);
    if (!c.declared) return R::kMismatch;
    // Declared: escaped strings and other forms still convert when they read as the type.
    scratch.assign(s.data(), s.size());
    scratch.append(kPadding, '\0');
    if (c.cat == Cat::kDate) {
      std::int32_t d;
      if (text::parse_date(scratch.data(), s.size(), d)) {
        c.push_value(d);
        return R::kOk;
      }
    } else {
      std::int64_t ts;
      text::TzKind tz;
      if (text::parse_timestamp(scratch.data(), s.size(), c.type->unit, ts, tz)) {
        c.push_value(ts);
        return R::kOk;
      }
    }
    return bad("value \"" + std::string(s.substr(0, 64)) + "\" does not fit the declared type " + c.type->to_string(), ErrorCode::kTypeError);
  }

  // Declared types other than the inferred ones.
  R declared_value(od::value& v, Col& c) {
    switch (c.cat) {
      case Cat::kInt: case Cat::kUInt: case Cat::kFloat16: case Cat::kFloat32: case Cat::kDecimal: {
        od::json_type t;
        if (auto e = v.type().get(t)) return invalid(e);
        if (t != od::json_type::number) return slow(v, c, simdjson::INCORRECT_TYPE);
        const std::string_view tok = trim_token(v.raw_json_token());
        double d;
        if (auto e = v.get_double().get(d)) return invalid(e);  // validates the token
        if (c.cat == Cat::kFloat16 || c.cat == Cat::kFloat32) {
          put_double(c, d);
          return R::kOk;
        }
        if (c.cat == Cat::kUInt) {
          std::uint64_t u;
          if (v.get_uint64().get(u) == simdjson::SUCCESS && put_uint(c, u)) return R::kOk;
          return not_fit(v, c);
        }
        return put_number_text(c, tok.data(), tok.size()) ? R::kOk : not_fit(v, c);
      }
      case Cat::kTime: {
        const char* p;
        std::size_t n;
        std::string_view s;
        if (!plain_string(v, p, n)) {
          const error_code e = v.get_string().get(s);
          if (e) return slow(v, c, e);
          scratch.assign(s.data(), s.size());
          p = scratch.data();
          n = s.size();
        }
        std::int64_t x;
        if (!text::parse_time(p, n, c.type->unit, x)) return not_fit(v, c);
        if (c.width == 4) c.push_value(static_cast<std::int32_t>(x));
        else c.push_value(x);
        return R::kOk;
      }
      case Cat::kDuration: {
        std::int64_t x;
        const error_code e = v.get_int64().get(x);
        if (e) return slow(v, c, e);
        c.push_value(x);
        return R::kOk;
      }
      case Cat::kBinary: case Cat::kFixedBinary: {
        std::string_view s;
        const error_code e = v.get_string().get(s);
        if (e) return slow(v, c, e);
        if (c.uuid) {  // a UUID is its 8-4-4-4-12 text
          char b[16];
          if (!text::parse_uuid(s, b)) return not_fit(v, c);
          c.values.append(b, 16);
          c.set_valid();
          return R::kOk;
        }
        if (c.interval) {  // an INTERVAL is its text, as DuckDB prints it
          char b[12];
          if (!text::parse_interval(s, b)) return not_fit(v, c, s);
          c.values.append(b, 12);
          c.set_valid();
          return R::kOk;
        }
        if (c.geometry) {  // a geometry is its WKT, kept as WKB
          scratch.clear();
          if (!text::parse_wkt(s, &scratch)) return not_fit(v, c);
          c.push_string(scratch.data(), scratch.size());
          return R::kOk;
        }
        // Binary values are base64 text in JSON (as the writer writes them, and Spark).
        if (!base64_decode(s, scratch)) return not_fit(v, c);
        if (c.cat == Cat::kBinary) {
          c.push_string(scratch.data(), scratch.size());
          return R::kOk;
        }
        if (static_cast<int>(scratch.size()) != c.width) return not_fit(v, c);
        c.values.append(scratch.data(), scratch.size());
        c.set_valid();
        return R::kOk;
      }
      case Cat::kMap: {
        od::object o;
        const error_code e = v.get_object().get(o);
        if (e) return slow(v, c, e);
        if (++depth > set.max_depth) return too_deep();
        Col& keys = *c.children[0];
        Col& vals = *c.children[1];
        for (auto fr : o) {
          od::field f;
          if (auto fe = std::move(fr).get(f)) return invalid(fe);
          std::string_view k;
          if (auto ke = f.unescaped_key().get(k)) return invalid(ke);
          if (keys.cat == Cat::kString || keys.cat == Cat::kBinary) {
            keys.push_string(k.data(), k.size());
          } else {
            scratch.assign(k.data(), k.size());
            scratch.append(kPadding, '\0');
            if (!put_number_text(keys, scratch.data(), k.size()))
              return bad("map key \"" + std::string(k.substr(0, 64)) + "\" does not fit " + keys.type->to_string(), ErrorCode::kTypeError);
          }
          if (R r = value(f.value(), vals); r != R::kOk) return r;
        }
        --depth;
        if (c.children[0]->len > INT32_MAX) return bad("a map column holds more than 2^31 entries in one chunk", ErrorCode::kLimitExceeded);
        c.close_list();
        return R::kOk;
      }
      default: return not_fit(v, c);
    }
  }

  // The fields of an object into a struct column (the record itself for the root).
  R object(od::object& o, Col& c) {
    if (++depth > set.max_depth) return too_deep();
    const std::size_t nf = c.children.size();
    // `pos`: the column the next key most likely names (the one after the last key's). While every
    // key named exactly that column (`ordered`), the columns seen are 0..pos-1, once each, and no
    // stamps are needed; the first key out of that order stamps them and the stamps take over.
    std::size_t pos = 0, got = 0;
    bool ordered = true;
    for (auto fr : o) {
      if (auto e = fr.error()) return invalid(e);
      od::field& f = fr.value_unsafe();
      const char* k = f.key().raw();
      std::size_t i = SIZE_MAX;
      if (pos < nf) {
        const Col::KeyWords& kw = c.key_words[pos];
        std::uint64_t k0;
        std::memcpy(&k0, k, 8);
        if (kw.kind == Col::KeyWords::kOneWord) {
          if (((k0 & kw.m[0]) ^ kw.w[0]) == 0) i = pos;
        } else if (kw.kind == Col::KeyWords::kTwoWords) {
          std::uint64_t k1;
          std::memcpy(&k1, k + 8, 8);
          if ((((k0 & kw.m[0]) ^ kw.w[0]) | ((k1 & kw.m[1]) ^ kw.w[1])) == 0) i = pos;
        } else if (kw.kind == Col::KeyWords::kLong) {
          // Word by word up to the first difference: a plain name holds no '"', so the input's key
          // differs by its closing quote at the latest, and no word read starts past that quote (the
          // input's padding covers the rest of a word). memcmp may read the whole name's length past
          // a shorter key, beyond the input.
          const std::string& name = c.names[pos];
          const std::size_t n = name.size();
          std::size_t j = 0;
          for (; j + 8 <= n; j += 8) {
            std::uint64_t a, b;
            std::memcpy(&a, k + j, 8);
            std::memcpy(&b, name.data() + j, 8);
            if (a != b) break;
          }
          if (j + 8 > n) {
            while (j < n && k[j] == name[j]) ++j;
            if (j == n && k[n] == '"') i = pos;
          }
        }
      }
      if (i == SIZE_MAX) {
        std::string_view key;
        if (auto e = f.unescaped_key().get(key)) return invalid(e);
        i = c.find(key);
        if (i == SIZE_MAX) {
          if (set.unknown_fields == UnknownFields::kError)
            return bad("unknown field \"" + std::string(key.substr(0, 64)) + "\"", ErrorCode::kTypeError);
          if (c.declared || set.unknown_fields == UnknownFields::kIgnore) {
            // Dropped, but read: an invalid value makes the record invalid whatever the schema.
            if (R r = skip_value(f.value()); r != R::kOk) return r;
            continue;
          }
          return R::kMismatch;
        }
      }
      Col& child = *c.children[i];
      if (!ordered || i != pos) [[unlikely]] {
        if (ordered) {
          ordered = false;
          got = pos;
          if (++c.stamp == 0) {  // wrapped: forget old stamps
            std::fill(c.seen.begin(), c.seen.end(), 0);
            c.stamp = 1;
          }
          for (std::size_t j = 0; j < pos; ++j) c.seen[j] = c.stamp;
        }
        if (c.seen[i] == c.stamp) {
          child.truncate(child.len - 1);  // a repeated key: the last one wins
        } else {
          c.seen[i] = c.stamp;
          ++got;
        }
      }
      if (R r = value(f.value(), child); r != R::kOk) {
        if (&c == root_col && r == R::kBad && bad_column.empty()) bad_column = c.names[i];
        return r;
      }
      pos = i + 1;
    }
    if (ordered) {
      for (std::size_t i = pos; i < nf; ++i) c.children[i]->push_null();
    } else if (got < nf) {
      for (std::size_t i = 0; i < nf; ++i)
        if (c.seen[i] != c.stamp) c.children[i]->push_null();
    }
    --depth;
    return R::kOk;
  }

  // One record (a document) into the root.
  template <class Doc>
  R record(Doc& doc, Col& root) {
    depth = 0;
    root_col = &root;
    bad_column.clear();
    od::object o;
    if (auto e = doc.get_object().get(o)) {
      if (e == simdjson::INCORRECT_TYPE) return bad("a record is not a JSON object");
      return invalid(e);
    }
    R r = object(o, root);
    if (r == R::kOk) ++root.len;
    return r;
  }

  std::unique_ptr<Col> make_root(const TypePtr& type, std::size_t chunk_bytes) {
    auto root = std::make_unique<Col>(type, set.root_declared);
    // Declared columns keep their types; with a complete schema the root is fixed too.
    for (std::size_t i = 0; i < root->names.size(); ++i)
      for (const auto& d : set.declared)
        if (d.first == root->names[i]) root->children[i] = std::make_unique<Col>(root->children[i]->type, true);
    // Buffers sized from the previous chunk's shape (rows and string bytes per input byte), so they
    // rarely grow (each growth copies): capped, they grow if the guess is short.
    const double bytes = static_cast<double>(chunk_bytes);
    const auto rows = static_cast<std::int64_t>(std::min(bytes * rows_per_byte * 1.05 + 16, 4e6));
    for (std::size_t i = 0; i < root->children.size(); ++i) {
      const double cpb = i < chars_per_byte.size() ? chars_per_byte[i] : 0.0;
      root->children[i]->reserve_rows(rows, static_cast<std::int64_t>(std::min(bytes * cpb * 1.05 + 64, 64e6)));
    }
    return root;
  }

  // ---- One pass over the chunk ----------------------------------------------------------------

  struct PassResult {
    R r = R::kOk;
    std::size_t offset = 0;  // of the record that failed
  };

  // A record of NDJSON is one line. The document stream of the fast passes does not care where lines
  // end, so a record spanning lines ({"a":\n1}) read there as one record, while the line path (which
  // a bad record elsewhere in the chunk sends the chunk down) read its lines as two bad ones: its
  // validity depended on its neighbours, and an error could name a later line. Given the `records`
  // read in [from, end) (from: a line's start), each at the start of its line (checked as they are
  // read), returns where the first that spans lines starts, or SIZE_MAX. `newlines`: the chunk's
  // count of '\n' (-1: not counted yet). Records rewritten one per line (arrays, concatenated objects)
  // cannot span lines.
  std::size_t first_spanning(const Chunk& ch, std::size_t end, std::int64_t records, std::int64_t newlines,
                             std::size_t from = 0) {
    if (!ch.record_lines.empty() || records == 0) return SIZE_MAX;
    const char* d = ch.data();
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    // As many records as lines: none spans two. Else as many as lines holding more than blanks.
    if (newlines < 0 || end != ch.size || from != 0) newlines = count_lines(d + from, end - from);
    if (records >= newlines + (end > from && d[end - 1] != '\n' ? 1 : 0)) return SIZE_MAX;
    std::int64_t filled = 0;
    for (std::size_t at = from; at < end;) {
      const char* nl = static_cast<const char*>(std::memchr(d + at, '\n', end - at));
      const std::size_t e = nl ? static_cast<std::size_t>(nl - d) : end;
      while (at < e && blank(d[at])) ++at;
      filled += at < e ? 1 : 0;
      at = e + 1;
    }
    if (records >= filled) return SIZE_MAX;
    // One spans lines (rare): which one, from where the records start, each record's region (up to
    // the next one, trailing blanks left out) holding no line end.
    std::vector<std::size_t> starts;
    od::document_stream stream;
    const std::size_t n = ch.size - from;
    if (parser.iterate_many(ch.bytes->data() + from, n, std::max<std::size_t>(n, 1 << 16)).get(stream)) return SIZE_MAX;
    for (auto it = stream.begin(); it != stream.end() && from + it.current_index() < end; ++it)
      starts.push_back(from + it.current_index());
    for (std::size_t i = 0; i < starts.size(); ++i) {
      std::size_t b = starts[i];  // (the stream's first document starts at the blanks before it)
      std::size_t e = i + 1 < starts.size() ? starts[i + 1] : end;
      while (b < e && blank(d[b])) ++b;
      while (e > b && blank(d[e - 1])) --e;
      if (std::memchr(d + b, '\n', e - b) != nullptr) return b;
    }
    return SIZE_MAX;
  }

  // A record spanning lines found by first_spanning: the error its first line gives alone.
  PassResult spanning(const Chunk& ch, std::size_t at) {
    const char* nl = static_cast<const char*>(std::memchr(ch.data() + at, '\n', ch.size - at));
    const std::size_t e = nl ? static_cast<std::size_t>(nl - ch.data()) : ch.size;
    od::document_stream stream;
    error_code err = parser.iterate_many(ch.bytes->data() + at, e - at, std::max<std::size_t>(e - at, 4096)).get(stream);
    if (!err) {
      auto it = stream.begin();
      if (it != stream.end()) {
        od::document_reference doc;
        od::object o;
        if (!(err = (*it).get(doc))) err = doc.get_object().get(o);
      }
      if (!err && stream.truncated_bytes() != 0) err = simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    }
    // (No error: the line holds a whole record, and what follows on the next line is no record.)
    if (err) invalid(err);
    else bad("a record spans more than one line");
    return {R::kBad, at};
  }

  // Where the record at `at` begins: a stream's first document starts at the blanks (line ends too)
  // before it.
  static std::size_t past_blanks(const Chunk& ch, std::size_t at) {
    const char* d = ch.data();
    while (at < ch.size && (d[at] == ' ' || d[at] == '\t' || d[at] == '\r' || d[at] == '\n')) ++at;
    return at;
  }

  // All records with iterate_many (one batch: the chunk). Stops at the first record that fails.
  // `newlines`: the chunk's count of '\n' (-1: not counted). From `from` (a line's start) on, in
  // batches of `window` bytes (0: one batch; a record longer than a window fails here, and the line
  // path reads it), each record's start added to `starts` where given.
  PassResult fast_pass(const Chunk& ch, Col& root, std::int64_t newlines, std::size_t from = 0,
                       std::size_t window = 0, std::vector<std::size_t>* starts = nullptr) {
    const std::size_t n = ch.size - from;
    // (Rounded up to 64 KiB: the parser's buffers are allocated again whenever the batch size
    // changes, and chunks differ in size by a few bytes.)
    constexpr std::size_t kRound = std::size_t{1} << 16;
    const std::size_t batch = window > 0 ? std::max(window, kRound) : std::max(kRound, (n + kRound - 1) / kRound * kRound);
    od::document_stream stream;
    if (auto e = parser.iterate_many(ch.bytes->data() + from, n, batch).get(stream)) {
      invalid(e);
      return {R::kBad, from};
    }
    const char* data = ch.data();
    std::int64_t records = 0;
    // A record that fails may come after one spanning lines: that one is the first bad record.
    auto failed = [&](PassResult pr) {
      if (const std::size_t s = first_spanning(ch, pr.offset, records, -1, from); s != SIZE_MAX) return spanning(ch, s);
      return pr;
    };
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      const std::size_t at = from + it.current_index();
      od::document_reference doc;
      if (auto e = (*it).get(doc)) {
        invalid(e);
        return failed({R::kBad, at});
      }
      // Two values on one line are not NDJSON: the byte before a record (past blanks) is a line end.
      std::size_t b = at;
      while (b > 0 && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r')) --b;
      if (b > 0 && data[b - 1] != '\n') {
        bad("more than one JSON value on a line");
        return failed({R::kBad, at});
      }
      if (starts) starts->push_back(past_blanks(ch, at));
      R r = record(doc, root);
      if (r != R::kOk) return failed({r, at});
      ++records;
    }
    if (stream.truncated_bytes() != 0) {
      invalid(simdjson::INCOMPLETE_ARRAY_OR_OBJECT);
      return failed({R::kBad, ch.size - stream.truncated_bytes()});
    }
    if (const std::size_t s = first_spanning(ch, ch.size, records, from == 0 ? newlines : -1, from); s != SIZE_MAX)
      return spanning(ch, s);
    return {};
  }

  // Calls fn(begin, end) for every non-blank line of the chunk.
  template <class Fn>
  static void for_each_line(const Chunk& ch, Fn&& fn) {
    const char* d = ch.data();
    std::size_t i = 0;
    std::int64_t line = 0;
    while (i < ch.size) {
      const char* nl = static_cast<const char*>(std::memchr(d + i, '\n', ch.size - i));
      const std::size_t end = nl ? static_cast<std::size_t>(nl - d) : ch.size;
      std::size_t a = i;
      while (a < end && (d[a] == ' ' || d[a] == '\t' || d[a] == '\r')) ++a;
      if (a < end && !fn(i, end, line)) return;
      i = end + 1;
      ++line;
    }
  }

  // One line as one record: a value that fails is reported, and nothing of it stays in `root`.
  // `batch`: the stream's batch size at least (the parser's buffers are sized again whenever it
  // changes: keep it as the passes around it have it).
  R line_record(const Chunk& ch, std::size_t begin, std::size_t end, Col& root, std::size_t batch) {
    if (over_limit(begin, end)) return too_long();
    od::document_stream stream;
    if (auto e = parser.iterate_many(ch.bytes->data() + begin, end - begin, std::max(end - begin, batch)).get(stream))
      return invalid(e);
    int docs = 0;
    const std::int64_t rows = root.len;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      if (++docs > 1) {
        root.truncate(rows);
        return bad("more than one JSON value on a line");
      }
      od::document_reference doc;
      if (auto e = (*it).get(doc)) {
        root.truncate(rows);
        return invalid(e);
      }
      R r = record(doc, root);
      if (r != R::kOk) {
        root.truncate(rows);
        return r;
      }
    }
    if (stream.truncated_bytes() != 0) {
      root.truncate(rows);
      return invalid(simdjson::INCOMPLETE_ARRAY_OR_OBJECT);
    }
    return R::kOk;
  }

  BadRecord located(const Chunk& ch, std::size_t offset, std::int64_t line = -1) {
    BadRecord b;
    b.reason = reason;
    b.code = reason_code;
    b.column = bad_column;
    if (!ch.record_lines.empty()) {
      // Rewritten records: find the record by its line in the rewritten bytes.
      const std::int64_t k = line >= 0 ? line : count_lines(ch.data(), offset);
      const std::size_t idx = std::min<std::size_t>(static_cast<std::size_t>(k), ch.record_lines.size() - 1);
      b.line = ch.record_lines[idx];
      b.offset = ch.record_offsets[idx];
    } else {
      b.line = line >= 0 ? line : count_lines(ch.data(), offset);
      b.offset = offset;
    }
    return b;
  }

  // ---- Inference ------------------------------------------------------------------------------

  // A value of a column whose type is settled (declared, or string already): nothing to learn, but
  // it is converted into a scratch column, so that inference rejects exactly the records conversion
  // will (a record dropped under kSkip leaves no trace in the types of the others).
  R check_settled(od::value& v, Node& n) {
    std::unique_ptr<Col>& c = n.declared ? scratch_cols[&n] : scratch_string;
    if (!c) c = std::make_unique<Col>(n.declared ? n.declared : utf8(), true);
    const int d = depth;
    const R r = value(v, *c);
    depth = d;
    c->truncate(0);
    return r == R::kMismatch ? R::kOk : r;
  }

  R infer_value(od::value v, Node& n) {
    if (n.declared || n.kind == Kind::kString) return check_settled(v, n);
    od::json_type t;
    if (auto e = v.type().get(t)) return invalid(e);
    // Depth counts containers, as conversion does.
    const bool container = t == od::json_type::object || t == od::json_type::array;
    if (container) {
      // A container where the column holds something else: the column becomes a string (the JSON
      // text), and the value is checked as conversion will write it.
      if (n.kind != Kind::kNull && n.kind != (t == od::json_type::object ? Kind::kStruct : Kind::kList)) {
        n.to_string_kind();
        return check_settled(v, n);
      }
      if (++depth > set.max_depth) return too_deep();
    }
    const Leave leave{depth, container};
    switch (t) {
      case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o)) return invalid(e);
        if (!n.as_struct()) return R::kOk;
        return infer_object(o, n, false);
      }
      case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a)) return invalid(e);
        if (!n.as_list()) return R::kOk;
        for (auto er : a) {
          od::value x;
          if (auto e = std::move(er).get(x)) return invalid(e);
          if (R r = infer_value(x, *n.element); r != R::kOk) return r;
          if (n.kind != Kind::kList) return R::kOk;
        }
        return R::kOk;
      }
      case od::json_type::number: {
        std::int64_t i;
        const error_code e = v.get_int64().get(i);
        if (!e) {
          n.join(Kind::kInt);
          return R::kOk;
        }
        double d;
        if (auto de = v.get_double().get(d)) return invalid(de);
        // An integer beyond int64 (simdjson says out of range, or incorrect type past 2^63): the same
        // test as conversion's, on the token's text.
        if (set.big_integers == BigIntegers::kError && is_big_integer_text(trim_token(v.raw_json_token())))
          return bad("integer " + std::string(trim_token(v.raw_json_token())) + " is out of the int64 range", ErrorCode::kTypeError);
        n.join(Kind::kDouble);
        return R::kOk;
      }
      case od::json_type::string: {
        const char* p;
        std::size_t len;
        if (plain_string(v, p, len)) {
          n.join(string_kind(p, len, set.detect_temporal));
          return R::kOk;
        }
        std::string_view s;
        if (auto e = v.get_string().get(s)) return invalid(e);
        n.join(Kind::kString);
        return R::kOk;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return invalid(e);
        n.join(Kind::kBool);
        return R::kOk;
      }
      case od::json_type::null: {
        bool b;
        if (auto e = v.is_null().get(b); e || !b) return invalid(e ? e : simdjson::N_ATOM_ERROR);
        return R::kOk;
      }
    }
    return invalid(simdjson::INCORRECT_TYPE);
  }

  R infer_object(od::object& o, Node& n, bool root) {
    const bool fixed = root && set.root_declared;
    std::size_t pos = 0;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return invalid(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return invalid(e);
      // Keys mostly come in the order of the last record: try the next one first.
      std::size_t i = pos < n.names.size() && n.names[pos] == key ? pos : n.find(key);
      if (i == SIZE_MAX) {
        if (fixed || !adding_keys) {
          if (set.unknown_fields == UnknownFields::kError)
            return bad("unknown field \"" + std::string(key.substr(0, 64)) + "\"", ErrorCode::kTypeError);
          if (R r = skip_value(f.value()); r != R::kOk) return r;
          continue;
        }
        Node& added = n.add(std::string(key));
        i = n.children.size() - 1;
        if (root)
          for (const auto& d : set.declared)
            if (d.first == key) added.declared = d.second;
      }
      if (R r = infer_value(f.value(), *n.children[i]); r != R::kOk) {
        if (root && r == R::kBad && bad_column.empty()) bad_column = n.names[i];
        return r;
      }
      pos = i + 1;
    }
    return R::kOk;
  }

  // All records at once (one iterate_many over the chunk); false when one is invalid.
  bool fast_infer(const Chunk& ch, Node& n, std::int64_t max_records, std::int64_t& seen) {
    od::document_stream stream;
    if (parser.iterate_many(ch.bytes->data(), ch.size, std::max<std::size_t>(ch.size, 1 << 16)).get(stream)) return false;
    const char* data = ch.data();
    const std::int64_t seen_before = seen;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      const std::size_t at = it.current_index();
      std::size_t b = at;
      while (b > 0 && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r')) --b;
      if (b > 0 && data[b - 1] != '\n') return false;
      // The sample is full, and the last record in it ended its line (checked just above).
      if (max_records >= 0 && seen >= max_records) return first_spanning(ch, at, seen - seen_before, -1) == SIZE_MAX;
      od::document_reference doc;
      if ((*it).get(doc)) return false;
      od::object o;
      if (doc.get_object().get(o)) return false;
      depth = 1;
      bad_column.clear();
      if (infer_object(o, n, true) != R::kOk) return false;
      ++seen;
    }
    return stream.truncated_bytes() == 0 && first_spanning(ch, ch.size, seen - seen_before, -1) == SIZE_MAX;
  }

  // Joins the kinds of the chunk's first `max_records` records (all when negative) into `n`: all at
  // once, or line by line when one is invalid (`on_bad(begin, line)` is told of each; false stops).
  template <class OnBad>
  std::int64_t infer_records(const Chunk& ch, Node& n, std::int64_t max_records, OnBad&& on_bad, bool allow_fast = true) {
    scratch_cols.clear();
    Node saved = n.clone();
    std::int64_t seen = 0;
    if (allow_fast && fast_infer(ch, n, max_records, seen)) return seen;
    n = std::move(saved);
    scratch_cols.clear();
    seen = 0;
    for_each_line(ch, [&](std::size_t b, std::size_t e, std::int64_t line) {
      if (max_records >= 0 && seen >= max_records) return false;
      // A record that fails half way must not leave its first values' kinds behind. Only valid
      // records count towards the sample, as if the invalid ones were not there.
      Node before = n.clone();
      scratch_cols.clear();
      if (infer_line(ch, b, e, n) == R::kOk) {
        ++seen;
        return true;
      }
      n = std::move(before);
      scratch_cols.clear();
      return on_bad(b, line);
    });
    return seen;
  }

  R infer_line(const Chunk& ch, std::size_t begin, std::size_t end, Node& root) {
    bad_column.clear();
    if (over_limit(begin, end)) return too_long();
    od::document_stream stream;
    if (auto e = parser.iterate_many(ch.bytes->data() + begin, end - begin, std::max<std::size_t>(end - begin, 4096)).get(stream))
      return invalid(e);
    int docs = 0;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      if (++docs > 1) return bad("more than one JSON value on a line");
      od::document_reference doc;
      if (auto e = (*it).get(doc)) return invalid(e);
      od::object o;
      if (auto e = doc.get_object().get(o)) {
        if (e == simdjson::INCORRECT_TYPE) return bad("a record is not a JSON object");
        return invalid(e);
      }
      depth = 1;
      if (R r = infer_object(o, root, true); r != R::kOk) return r;
    }
    if (stream.truncated_bytes() != 0) return invalid(simdjson::INCOMPLETE_ARRAY_OR_OBJECT);
    return R::kOk;
  }

  // ---- The chunk ------------------------------------------------------------------------------

  ChunkOutput process(const Chunk& ch, const TypePtr& type) {
    ChunkOutput out;
    const std::int64_t newlines = ch.input_lines >= 0 ? -1 : count_lines(ch.data(), ch.size);
    out.lines = ch.input_lines >= 0 ? ch.input_lines : newlines;
    auto root = make_root(type, ch.size);
    std::int64_t long_line = -1;
    const std::size_t long_at = first_long_line(ch, long_line);
    const bool long_record = long_at != SIZE_MAX;
    PassResult pr;
    if (!long_record) {
      first_starts.clear();
      pr = fast_pass(ch, *root, newlines, 0, 0, &first_starts);
      if (pr.r == R::kOk) return finish(std::move(out), *root, ch.size);
    } else {
      // A record over the limit is a resource limit, not a bad record: fatal under kSkip too (the
      // producer cannot skip one that does not fit its buffer either).
      too_long();
      out.error = located(ch, long_at, ch.record_lines.empty() ? long_line : -1);
      return out;
    }

    const bool skip = set.bad_lines == BadLinePolicy::kSkip;
    // Only an invalid record stopped the pass (no value yet asked for a wider type): drop and report
    // the chunk's invalid records in one pass over its lines, with the same type. A value that does
    // need a wider type sends the chunk down the general path below, whose inference keeps a copy of
    // the schema per line (12 times slower on a chunk with a bad line, measured).
    if (skip && !set.root_declared && pr.r == R::kBad) {
      ChunkOutput tried = out;
      // (On from where the first pass failed: the rows before that line are done.)
      if (convert_lines(ch, *root, tried, /*stop_on_mismatch=*/true, &pr)) return finish(std::move(tried), *root, ch.size);
    }

    // Something did not fit or did not parse: learn the chunk's kinds (skipping invalid records),
    // widen, and convert again.
    TypePtr wider = type;
    bool invalid_seen = false;
    if (set.root_declared) {
      // A complete schema never widens: what failed is a bad record.
      if (!skip) {
        out.error = located(ch, pr.offset);
        return out;
      }
      invalid_seen = true;
    } else {
      adding_keys = set.unknown_fields == UnknownFields::kInfer;
      Node n;
      n.kind = Kind::kStruct;
      n.join_type(*type);
      for (std::size_t i = 0; i < n.names.size(); ++i)
        for (const auto& d : set.declared)
          if (d.first == n.names[i]) {
            n.children[i]->declared = d.second;
            n.children[i]->names.clear();
            n.children[i]->children.clear();
            n.children[i]->index.clear();
            n.children[i]->element.reset();
          }
      infer_records(
          ch, n, -1,
          [&](std::size_t b, std::int64_t line) {
            invalid_seen = true;
            if (!skip) {
              out.error = located(ch, b, ch.record_lines.empty() ? line : -1);
              return false;
            }
            return true;
          },
          /*allow_fast=*/!long_record);
      if (out.error) return out;
      wider = n.type();
    }
    if (!invalid_seen) {
      root = make_root(wider, ch.size);
      pr = fast_pass(ch, *root, newlines);
      if (pr.r == R::kOk) return finish(std::move(out), *root, ch.size);
      if (pr.r == R::kMismatch) {
        // Cannot happen when inference and conversion agree; say so rather than loop.
        reason = "internal: a value still does not fit after widening";
        reason_code = ErrorCode::kInternal;
      }
      if (!skip) {
        out.error = located(ch, pr.offset);
        return out;
      }
    }
    // Record by record, dropping (and reporting) those that fail. A complete schema never widened:
    // on from where the first pass failed.
    if (set.root_declared) {
      convert_lines(ch, *root, out, /*stop_on_mismatch=*/false, &pr);
    } else {
      root = make_root(wider, ch.size);
      convert_lines(ch, *root, out, /*stop_on_mismatch=*/false);
    }
    return finish(std::move(out), *root, ch.size);
  }

  // The chunk into `root` as the line path reads it (each line one record), the records that fail
  // dropped and reported in `out`. A record that needs a wider type stops it (false) with
  // `stop_on_mismatch`; else it is reported too, as an internal error (the type was already widened
  // for the chunk). The lines between bad ones go through fast passes: one from the start, and after
  // each bad line one from the next line, in windows of kRestartWindow bytes so that a restart
  // indexes little more than it reads, and a bad line is read alone in a batch of the same size (the
  // parser's buffers are allocated again whenever the batch size changes: alternating sizes cost two
  // allocations per bad record). (Line by line, an iterate_many per record, a file with a bad
  // line in a thousand read in 0.77 s against 0.33 for the same file without them, where DuckDB's
  // ignore_errors took 0.61; now 0.40, going on after the first pass.)
  // `first`: where the chunk's first pass into `root` (from an empty root, its record starts in
  // first_starts) failed; it goes on from there.
  bool convert_lines(const Chunk& ch, Col& root, ChunkOutput& out, bool stop_on_mismatch,
                     const PassResult* first = nullptr) {
    constexpr std::size_t kRestartWindow = 64 << 10;
    const char* d = ch.data();
    std::vector<std::size_t> restart_starts;
    std::size_t from = 0;
    std::int64_t line = 0;  // of `from`: '\n's before it, as for_each_line counts
    while (from < ch.size) {
      std::int64_t rows = root.len;
      PassResult pr;
      const std::vector<std::size_t>* starts = &restart_starts;
      if (first != nullptr && from == 0) {
        rows = 0;
        pr = *first;
        starts = &first_starts;
      } else {
        restart_starts.clear();
        pr = fast_pass(ch, root, -1, from, from == 0 ? 0 : kRestartWindow, &restart_starts);
      }
      if (pr.r == R::kOk) return true;
      // The records that start before the failing one's line stay: each was a line of its own.
      std::size_t b = past_blanks(ch, std::max(pr.offset, from));
      while (b > from && d[b - 1] != '\n') --b;
      root.truncate(rows + static_cast<std::int64_t>(std::lower_bound(starts->begin(), starts->end(), b) - starts->begin()));
      line += count_lines(d + from, b - from);
      const char* nl = static_cast<const char*>(std::memchr(d + b, '\n', ch.size - b));
      const std::size_t e = nl ? static_cast<std::size_t>(nl - d) : ch.size;
      // That line alone, as the line path reads it (a blank one: nothing).
      if (past_blanks(ch, b) < e) {
        const R r = line_record(ch, b, e, root, kRestartWindow);
        if (r == R::kMismatch) {
          if (stop_on_mismatch) return false;
          reason = "internal: a value still does not fit after widening";
          reason_code = ErrorCode::kInternal;
        }
        if (r != R::kOk) {
          ++out.bad_count;
          if (out.bad.size() < 10) out.bad.push_back(located(ch, b, ch.record_lines.empty() ? line : -1));
        }
      }
      from = e + 1;
      ++line;
    }
    return true;
  }

  ChunkOutput finish(ChunkOutput out, Col& root, std::size_t chunk_bytes) {
    if (chunk_bytes > 0 && root.len > 0) {
      const double bytes = static_cast<double>(chunk_bytes);
      rows_per_byte = static_cast<double>(root.len) / bytes;
      chars_per_byte.assign(root.children.size(), 0.0);
      for (std::size_t i = 0; i < root.children.size(); ++i)
        chars_per_byte[i] = static_cast<double>(root.children[i]->chars.size) / bytes;
    }
    out.type = root.type;
    out.rows = root.len;
    for (auto& c : root.children) out.columns.push_back(c->finish());
    return out;
  }

  std::int64_t infer(const Chunk& ch, Node& root, std::int64_t max_records, std::optional<BadRecord>* first_error) {
    adding_keys = true;
    std::int64_t long_line = -1;
    const bool long_record = first_long_line(ch, long_line) != SIZE_MAX;
    const std::int64_t seen = infer_records(
        ch, root, max_records,
        [&](std::size_t b, std::int64_t line) {
          if (first_error && !*first_error) *first_error = located(ch, b, ch.record_lines.empty() ? line : -1);
          return true;
        },
        /*allow_fast=*/!long_record);
    return seen;
  }
};

ChunkParser::ChunkParser(const Settings& settings) : impl_(std::make_unique<Impl>(settings)) {}
ChunkParser::~ChunkParser() = default;
ChunkOutput ChunkParser::process(const Chunk& chunk, const TypePtr& type) { return impl_->process(chunk, type); }
std::int64_t ChunkParser::infer(const Chunk& chunk, Node& root, std::int64_t max_records,
                                std::optional<BadRecord>* first_error) {
  return impl_->infer(chunk, root, max_records, first_error);
}

}  // namespace sluice::ndjson::detail
