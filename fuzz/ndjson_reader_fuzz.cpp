// libFuzzer target for the NDJSON reader: arbitrary bytes under options chosen by the input's first
// bytes. Crashes, hangs and undefined behaviour are bugs; errors are not. Properties checked:
//   - every Batch validates (Batch::validate: each column against the batch's schema, buffers and
//     offsets in range, null counts), has rows, and the schema only widens: a batch's column names
//     are a prefix of every later batch's and of the final schema's;
//   - threads=1 and threads=2 agree exactly, as ReadOptions::threads promises ("the output does not
//     depend on it"): both fail with the same message, or give the same rows, nulls per column, bad
//     record count, final schema, every value (an exact dump of the batches: types, nulls, value bits)
//     and the same NDJSON text when every batch is written by NdjsonWriter;
//   - the writer accepts every batch the reader makes (with default options nothing can fail);
//   - when every batch had the final schema and no column is binary (written as base64, read as raw
//     bytes), reading the written NDJSON back with that schema as a complete schema writes the same
//     text again;
//   - the block size does not change the result either: read again in one 1 MiB block (threads=1),
//     the input fails again (not always with the same message: an unterminated record longer than
//     max_record_bytes is "longer than the limit" or "the input ends inside a record") or gives the
//     same rows, bad records and final schema, and the same values when every batch of both reads
//     had the final schema;
//   - every line read as a record (one record per line) is a JSON object by simdjson's DOM parser,
//     which validates the whole grammar, and every undeclared column's values are the DOM's
//     (numbers bit for bit, strings, lists and structs; see check_lines_are_json);
//   - skipping bad records is the same as leaving them out: for one record per line and at most ten
//     bad ones (all named in BadLineReport::first_lines), the input without those lines reads with
//     BadLinePolicy::kError, without error, into the same rows and final schema (and values, as
//     above).
//
// Bugs these checks found, all fixed (fuzz/regressions/ndjson_reader/ holds a reproduction of each, and
// every reproduction passes, the two that depended on thread timing 40 times in a row on 2026-11-24):
//   - (found by CI) a key matched against a known column name of more than 16 bytes was compared
//     with memcmp over the name's whole length, reading past the end of the input when the record's key
//     was shorter and the record ended the input (ASan: heap-buffer-overflow in ChunkParser::object);
//   - ODR (the writer's is OutNode now): writer.cpp and infer.hpp both defined
//     sluice::ndjson::detail::Node; in clang builds the reader's inference and the writer called each
//     other's special members (ASan/UBSan crash);
//   - JSON arrays and concatenated objects longer than about two blocks failed with "invalid
//     JSON" where a block ended; max_record_bytes was not enforced inside the first block;
//   - BadLinePolicy::kSkip left the fields read before a bad value in their columns;
//   - BadLinePolicy::kSkip: a record dropped as invalid still adds its keys and the kinds of the values
//     read before the problem to the inferred schema ({"a":"x",} makes column a a string, so a later
//     {"a":1} comes out as "1"; a dropped record's unknown key becomes an all-null column); with two
//     threads whether such kinds stay depends on timing (column a int64 or string);
//   - max_fields counts the distinct keys of the type a chunk starts from; a worker thread may start
//     from an older, narrower type, so with threads=2 keys get in that threads=1 refuses (rows and
//     columns depend on timing; the regression fails about one run in ten);
//   - a date-only string in a declared timestamp[ns] column outside 1677..2262 overflows int64
//     (UBSan: signed integer overflow in convert.cpp; "2263-01-01" becomes 1678-06-12 00:25:26.29...);
//   - a timestamp with an offset that is in year 10000 in UTC (9999-12-31T23:00:00-05:00) is read,
//     written as "10000-01-01T04:00:00.000000Z", and that text does not read back;
//   - BadLinePolicy::kSkip with a record longer than max_record_bytes: skipped as a bad record when
//     it ends inside the block read, but a fatal error when it runs past it (depends on block_size);
//   - a string value followed by ':' ({"t":"u":[]}} with a brace too many) read as the string:
//     a string read in place was left unread, and On Demand's skip of it took it for a key (block_size
//     decided whether the line was read);
//   - (the DOM check) a record spanning two lines read as one record when its block held no
//     bad record, and as two bad lines when it did;
//   - an empty base64 value in a declared binary column appended nothing to a buffer not yet
//     allocated (UBSan: null pointer passed to memcpy).
// With -DSLUICE_NDJSON_FUZZ_NO_WRITER the writer is not used (nor linked) at all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "dump.hpp"
#include "sluice/codecs/ndjson.hpp"
#include "sluice/io/local.hpp"

namespace {

namespace nd = sluice::ndjson;
using sluice::fuzz::dump_batch;
using sluice::fuzz::dump_value;

// The first kOptionBytes bytes pick the options; the rest is the JSON:
//   [0] format (2 bits), bad lines skip, unknown fields (2 bits), big integers error, no temporal
//       detection, a complete schema
//   [1] block_size 4..64 KiB, batch_rows, infer_rows (low 2 bits)
//   [2] a declared column type: on, name (2 bits), type (5 bits)
//   [3] another one
//   [4] repeat the body up to 63 times; how: as it is, one per line, as the elements of one array,
//       or as it is after a byte order mark
//   [5] infer_rows (high 2 bits), a small limit (max_record_bytes, max_depth or max_fields), CRLF
//       line ends, which complete schema
constexpr std::size_t kOptionBytes = 6;
// Inputs are repeated up to this size so the reader cuts several blocks (block_size is >= 4096).
constexpr std::size_t kMaxExpanded = 256 << 10;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ndjson_reader_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Declared types: the ones inference makes, narrower and wider ones, nested ones.
sluice::TypePtr pick_type(unsigned k) {
  using namespace sluice;
  if (k >= 32) {  // the extension types, when o[5] asks for them
    switch (k - 32) {
      case 0: return uuid_type();
      case 1: return json_type();
      case 2: return list(json_type());
      case 3: return struct_({Field{"u", uuid_type(), true}, Field{"j", json_type(), true}});
      default: k -= 32;
    }
  }
  switch (k % 32) {
    case 0: return int64();
    case 1: return float64();
    case 2: return utf8();
    case 3: return boolean();
    case 4: return date32();
    case 5: return timestamp(TimeUnit::kMicro);
    case 6: return timestamp(TimeUnit::kMicro, "UTC");
    case 7: return int8();
    case 8: return uint16();
    case 9: return decimal128(9, 2);
    case 10: return decimal128(38, 10);
    case 11: return list(int64());
    case 12: return list(utf8());
    case 13: return struct_({Field{"x", int64(), true}, Field{"y", utf8(), true}});
    case 14: return map(utf8(), int64());
    case 15: return time_type(TimeUnit::kMicro);
    case 16: return binary();
    case 17: return float32();
    case 18: return null_type();
    case 19: return duration(TimeUnit::kMicro);
    case 20: return fixed_size_binary(4);
    case 21: return timestamp(TimeUnit::kNano);
    case 22: return list(struct_({Field{"x", int64(), true}}));
    case 23: return struct_({Field{"a", list(float64()), true}});
    case 24: return time_type(TimeUnit::kMilli);
    case 25: return map(int32(), utf8());
    case 26: return float16();
    case 27: return uint64();
    case 28: return timestamp(TimeUnit::kSecond, "UTC");
    case 29: return list(list(int64()));
    case 30: return struct_({});
    default: return int32();
  }
}

sluice::SchemaPtr pick_schema(unsigned k) {
  using namespace sluice;
  auto s = std::make_shared<Schema>();
  switch (k % 4) {
    case 0:
      s->fields = {Field{"a", int64(), true}, Field{"b", utf8(), true}, Field{"c", float64(), true}};
      break;
    case 1:
      s->fields = {Field{"a", struct_({Field{"x", int64(), true}, Field{"y", list(utf8()), true}}), true},
                   Field{"b", list(int64()), true}, Field{"s", timestamp(TimeUnit::kMicro, "UTC"), true}};
      break;
    case 2:
      s->fields = {Field{"a", map(utf8(), int64()), true}, Field{"b", boolean(), true}, Field{"c", date32(), true},
                   Field{"s", decimal128(9, 2), true}};
      break;
    case 3: break;  // no columns at all
  }
  return s;
}

nd::ReadOptions make_options(const std::uint8_t* o) {
  nd::ReadOptions opt;
  static constexpr nd::Format kFormats[] = {nd::Format::kAuto, nd::Format::kLines, nd::Format::kArray,
                                            nd::Format::kConcatenated};
  opt.format = kFormats[o[0] & 3];
  opt.bad_lines = (o[0] & 4) ? nd::BadLinePolicy::kSkip : nd::BadLinePolicy::kError;
  static constexpr nd::UnknownFields kUnknown[] = {nd::UnknownFields::kInfer, nd::UnknownFields::kIgnore,
                                                   nd::UnknownFields::kError, nd::UnknownFields::kInfer};
  opt.unknown_fields = kUnknown[(o[0] >> 3) & 3];
  if (o[0] & 0x20) opt.big_integers = nd::BigIntegers::kError;
  if (o[0] & 0x40) opt.detect_temporal = false;
  if (o[0] & 0x80) opt.schema = pick_schema(o[5] >> 6);

  // o[1]: streaming. block_size 4096..65536, batch_rows small or not.
  opt.block_size = 4096 * (1 + (o[1] & 15));
  static constexpr std::int64_t kBatchRows[] = {1 << 17, 1, 3, 1000};
  opt.batch_rows = kBatchRows[(o[1] >> 4) & 3];
  static constexpr std::int64_t kInferRows[] = {16384, 0, 1, 2, 3, 5, 10, 100, -1, 1, 2, 16384, 0, 7, 50, -1};
  opt.infer_rows = kInferRows[((o[1] >> 6) & 3) | ((o[5] & 3) << 2)];

  // o[2], o[3]: declared types, for names that may or may not exist.
  static const char* const kNames[] = {"a", "b", "c", "s"};
  for (int k = 2; k <= 3; ++k)
    if (o[k] & 1) opt.column_types.emplace_back(kNames[(o[k] >> 1) & 3], pick_type((o[k] >> 3) + ((o[5] & 0x10) ? 32u : 0u)));

  // o[5]: a small limit.
  switch ((o[5] >> 2) & 3) {
    case 0: break;
    case 1: opt.max_record_bytes = 200; break;
    case 2: opt.max_depth = 3; break;
    case 3: opt.max_fields = 4; break;
  }
  return opt;
}

#ifdef SLUICE_NDJSON_FUZZ_NO_WRITER
constexpr bool kWriterChecks = false;
#else
constexpr bool kWriterChecks = true;
#endif

struct Outcome {
  bool ok = false;
  std::string error;  // when !ok, for the report
  std::int64_t rows = 0;
  std::vector<std::int64_t> nulls;  // per column of the final schema
  std::int64_t bad = 0;
  std::vector<std::int64_t> bad_lines;  // the first few
  std::string schema;  // the schema after the end
  std::string text;    // every batch written by NdjsonWriter
  std::string dump;    // every value of every batch, exactly
  bool uniform = true;      // every batch had the final schema
  bool has_binary = false;  // the final schema holds a binary or fixed-size binary type
  sluice::SchemaPtr final_schema;
  nd::Format format = nd::Format::kAuto;  // as detected
  std::vector<sluice::Batch> batches;
};

bool holds_binary(const sluice::DataType& t) {
  if (t.id == sluice::TypeId::kBinary || t.id == sluice::TypeId::kFixedSizeBinary) return true;
  for (const auto& c : t.children)
    if (holds_binary(*c.type)) return true;
  return false;
}

Outcome read(const std::string& data, nd::ReadOptions opt, int threads) {
  opt.threads = threads;
  Outcome out;
  auto reader = nd::NdjsonReader::open(std::make_unique<sluice::io::MemorySource>(data), opt);
  if (!reader.ok()) {
    out.error = reader.error().to_string();
    return out;
  }
  auto& r = **reader;
  if (!r.schema()) fail("open() succeeded without a schema", "");
  out.format = r.format();
  sluice::io::MemorySink sink;
#ifndef SLUICE_NDJSON_FUZZ_NO_WRITER
  auto writer = nd::NdjsonWriter::open(sink);
  if (!writer.ok()) fail("NdjsonWriter::open failed", writer.error().to_string());
#endif
  std::vector<std::string> names;  // of the last batch
  std::vector<std::string> schemas;
  std::string last_schema;
  while (true) {
    auto b = r.next();
    if (!b.ok()) {
      out.error = b.error().to_string();
      return out;
    }
    if (!*b) break;
    const sluice::Batch& batch = **b;
    if (auto s = batch.validate(); !s.ok()) fail("a batch does not validate", s.error().to_string());
    if (batch.num_rows <= 0) fail("an empty batch was returned", "");
    const sluice::Schema& bs = *batch.schema;
    if (bs.num_fields() < names.size()) fail("the schema lost columns between batches", bs.to_string());
    for (std::size_t i = 0; i < names.size(); ++i)
      if (bs.fields[i].name != names[i]) fail("the schema renamed or reordered columns between batches", bs.to_string());
    names.clear();
    for (const auto& f : bs.fields) names.push_back(f.name);
    schemas.push_back(bs.to_string());
    out.rows += batch.num_rows;
    if (out.nulls.size() < batch.num_columns()) out.nulls.resize(batch.num_columns(), 0);
    for (std::size_t c = 0; c < batch.num_columns(); ++c) out.nulls[c] += batch.columns[c]->null_count;
    out.dump += dump_batch(batch, last_schema);
    out.batches.push_back(batch);
#ifndef SLUICE_NDJSON_FUZZ_NO_WRITER
    if (auto s = (*writer)->write(batch); !s.ok()) fail("NdjsonWriter rejected a batch", s.error().to_string());
#endif
  }
#ifndef SLUICE_NDJSON_FUZZ_NO_WRITER
  if (auto s = (*writer)->finish(); !s.ok()) fail("NdjsonWriter::finish failed", s.error().to_string());
#endif
  if (auto s = sink.finish(); !s.ok()) fail("MemorySink::finish failed", s.error().to_string());
  const sluice::Schema& fs = *r.schema();
  if (fs.num_fields() < names.size()) fail("the final schema has fewer columns than the last batch", fs.to_string());
  for (std::size_t i = 0; i < names.size(); ++i)
    if (fs.fields[i].name != names[i]) fail("the final schema renamed or reordered columns", fs.to_string());
  out.ok = true;
  out.bad = r.bad_lines().count;
  out.bad_lines = r.bad_lines().first_lines;
  out.schema = fs.to_string();
  out.final_schema = r.schema();
  out.text = sink.data();
  for (const auto& s : schemas) out.uniform = out.uniform && s == out.schema;
  for (const auto& f : fs.fields) out.has_binary = out.has_binary || holds_binary(*f.type);
  return out;
}

std::string describe(const Outcome& o) {
  if (!o.ok) return "error: " + o.error;
  std::string s = "rows " + std::to_string(o.rows) + ", bad records " + std::to_string(o.bad) + ", nulls [";
  for (std::size_t i = 0; i < o.nulls.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(o.nulls[i]);
  }
  s += "]\nschema:\n" + o.schema + "text (first 2000 bytes):\n" + o.text.substr(0, 2000) +
       "\ndump (first 2000 bytes):\n" + o.dump.substr(0, 2000);
  return s;
}

// The value of the last field named `key` in `o` (a repeated key: the last one wins, as in the
// reader), or false.
bool last_value(simdjson::dom::object o, std::string_view key, simdjson::dom::element& out) {
  bool found = false;
  for (auto field : o)
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  return found;
}

// Whether value r of `a` is the DOM's value `v` (`found`: the key was there), for the types inference
// makes from JSON types: int64, float64, bool, string, list and struct. Others (dates and timestamps
// read from strings, a string column's JSON text of a non-string) are not compared: true.
bool same_as_dom(const sluice::ArrayData& a, std::int64_t r, bool found, simdjson::dom::element v) {
  using sluice::TypeId;
  if (!found || v.is_null()) return !a.is_valid(r);
  const TypeId t = a.type->id;
  if (t != TypeId::kInt64 && t != TypeId::kFloat64 && t != TypeId::kBool && t != TypeId::kString &&
      t != TypeId::kList && t != TypeId::kStruct)
    return true;
  if (!a.is_valid(r)) return false;
  switch (t) {
    case TypeId::kInt64: {
      std::int64_t x;
      return v.get_int64().get(x) == simdjson::SUCCESS && x == a.value<std::int64_t>(r);
    }
    case TypeId::kFloat64: {
      // Bit for bit, but for an integer's text (the DOM keeps -0 as the integer 0; the reader,
      // reading the column's numbers as doubles, as -0.0).
      double x;
      const double y = a.value<double>(r);
      return v.get_double().get(x) == simdjson::SUCCESS && (v.is_int64() || v.is_uint64() ? x == y : std::memcmp(&x, &y, 8) == 0);
    }
    case TypeId::kBool: {
      bool x;
      return v.get_bool().get(x) == simdjson::SUCCESS && x == a.bool_value(r);
    }
    case TypeId::kString: {
      std::string_view x;
      return v.get_string().get(x) != simdjson::SUCCESS || x == a.string_at(r);
    }
    case TypeId::kList: {
      simdjson::dom::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
      const auto [b, e] = a.list_range(r);
      if (static_cast<std::size_t>(e - b) != arr.size()) return false;
      std::int64_t k = b;
      for (simdjson::dom::element x : arr)
        if (!same_as_dom(*a.children.at(0), k++, true, x)) return false;
      return true;
    }
    default: {  // a struct: each field the last value of its key
      simdjson::dom::object o;
      if (v.get_object().get(o) != simdjson::SUCCESS) return false;
      for (std::size_t f = 0; f < a.children.size(); ++f) {
        simdjson::dom::element x;
        const bool has = last_value(o, a.type->children[f].name, x);
        if (!same_as_dom(*a.children[f], r, has, x)) return false;
      }
      return true;
    }
  }
}

// Every line the reader took as a record is a JSON object: simdjson's DOM parser, which validates the
// whole grammar, parses it. The reader's On Demand parsing checks what it reads: the skip of a value
// left unread once let `"u":[]` through after a string, and its document stream a record spanning
// two lines. Integers beyond 64 bits are the one difference: the DOM parser refuses them, the reader
// reads them as doubles (or refuses them itself under BigIntegers::kError).
// And the values read are the DOM's (same_as_dom), in every column not declared (`declared`): a
// row's value is the last value of its key in the DOM's object (null where the key is absent), the
// same number exactly (the reader's own fast paths for short numbers included), the same unescaped
// string, for a string the DOM also reads as one, lists and structs element by element. `bad`: the
// lines the reader dropped (1-based); the rows are the other non-blank lines in order.
void check_lines_are_json(const std::string& body, const std::vector<std::int64_t>& bad,
                          const std::vector<sluice::Batch>& batches, const std::vector<std::string>& declared) {
  static simdjson::dom::parser dom;
  std::size_t at = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  std::size_t next_bad = 0, batch = 0;
  std::int64_t row = 0;
  for (std::int64_t line = 1; at <= body.size(); ++line) {
    const std::size_t nl = body.find('\n', at);
    const std::size_t end = nl == std::string::npos ? body.size() : nl;
    const std::string_view text(body.data() + at, end - at);
    at = end + 1;
    while (next_bad < bad.size() && bad[next_bad] < line) ++next_bad;
    if (next_bad < bad.size() && bad[next_bad] == line) continue;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::element e;
    const simdjson::error_code err = dom.parse(text.data(), text.size(), true).get(e);
    // (An integer beyond 64 bits: the line's row is not compared; the next lines' are.)
    const bool beyond_64_bits = err == simdjson::NUMBER_ERROR;
    if (!beyond_64_bits && (err || !e.is_object())) {
      fail("a line that is not a JSON object was read as a record",
           "line " + std::to_string(line) + " (" + (err ? simdjson::error_message(err) : "not an object") +
               "): " + std::string(text.substr(0, 2000)));
    }
    while (batch < batches.size() && row >= batches[batch].num_rows) {
      ++batch;
      row = 0;
    }
    if (batch == batches.size()) fail("fewer rows than records", "line " + std::to_string(line));
    const sluice::Batch& b = batches[batch];
    const std::int64_t r = row++;
    if (beyond_64_bits) continue;
    const simdjson::dom::object o = e.get_object().value_unsafe();
    for (std::size_t c = 0; c < b.num_columns(); ++c) {
      const std::string& name = b.schema->fields[c].name;
      if (std::find(declared.begin(), declared.end(), name) != declared.end()) continue;
      simdjson::dom::element v;
      const bool found = last_value(o, name, v);
      const sluice::ArrayData& a = *b.columns[c];
      if (!same_as_dom(a, r, found, v)) {
        std::string d;
        dump_value(d, a, r);
        fail("a value differs from the DOM parser's",
             "line " + std::to_string(line) + ", column " + name + ": " + std::string(text.substr(0, 500)) + "\nread: " + d);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kOptionBytes) return 0;
  const nd::ReadOptions opt = make_options(data);
  std::string body(reinterpret_cast<const char*>(data) + kOptionBytes, size - kOptionBytes);
  if (data[5] & 0x10) {  // CRLF line ends
    std::string crlf;
    for (char ch : body) {
      if (ch == '\n') crlf += '\r';
      crlf += ch;
    }
    body = std::move(crlf);
  }
  // o[4]: repeat the body so that small inputs span several blocks (with threads: several chunks).
  const std::size_t repeat = std::max<std::size_t>(1, data[4] & 0x3F);
  const unsigned how = data[4] >> 6;
  std::string grown;
  if (how == 2) grown += '[';
  for (std::size_t k = 0; k < repeat && grown.size() + body.size() + 2 <= kMaxExpanded; ++k) {
    if (k && how == 1) grown += '\n';
    if (k && how == 2) grown += ',';
    grown += body;
  }
  if (how == 2) grown += ']';
  if (how == 3) grown.insert(0, "\xEF\xBB\xBF");  // a byte order mark
  body = std::move(grown);

  const Outcome one = read(body, opt, 1);
  const Outcome two = read(body, opt, 2);
  if (one.ok != two.ok || (!one.ok && one.error != two.error) ||
      (one.ok && (one.rows != two.rows || one.nulls != two.nulls || one.bad != two.bad || one.schema != two.schema ||
                  one.dump != two.dump || one.text != two.text)))
    fail("threads=1 and threads=2 disagree", "threads=1: " + describe(one) + "\nthreads=2: " + describe(two));

  if (one.ok && one.format == nd::Format::kLines && static_cast<std::int64_t>(one.bad_lines.size()) == one.bad) {
    std::vector<std::string> declared;
    for (const auto& [name, type] : opt.column_types) declared.push_back(name);
    if (opt.schema)
      for (const auto& f : opt.schema->fields) declared.push_back(f.name);
    check_lines_are_json(body, one.bad_lines, one.batches, declared);
  }

  // One big block: the same result.
  {
    nd::ReadOptions big = opt;
    big.block_size = 1 << 20;
    const Outcome whole = read(body, big, 1);
    if (one.ok != whole.ok ||
        (one.ok && (one.rows != whole.rows || one.bad != whole.bad || one.schema != whole.schema ||
                    (one.uniform && whole.uniform && one.dump != whole.dump))))
      fail("block_size changes the result", "block_size " + std::to_string(opt.block_size) + ": " + describe(one) +
                                                "\nblock_size 1 MiB: " + describe(whole));
  }

  // Skipped records: as if they were not there.
  if (one.ok && opt.bad_lines == nd::BadLinePolicy::kSkip && one.bad > 0 && one.bad <= 10 &&
      one.format == nd::Format::kLines) {
    if (static_cast<std::int64_t>(one.bad_lines.size()) != one.bad || !std::is_sorted(one.bad_lines.begin(), one.bad_lines.end()))
      fail("BadLineReport::first_lines does not list the bad records in order", describe(one));
    std::string kept;  // bad lines blanked (blank lines are skipped; the line numbers stay)
    std::int64_t line = 1;
    std::size_t next_bad = 0;
    for (std::size_t at = 0; at < body.size(); ++line) {
      const std::size_t nl = body.find('\n', at);
      const std::size_t end = nl == std::string::npos ? body.size() : nl + 1;
      while (next_bad < one.bad_lines.size() && one.bad_lines[next_bad] < line) ++next_bad;
      if (next_bad < one.bad_lines.size() && one.bad_lines[next_bad] == line) {
        if (nl != std::string::npos) kept += '\n';
      } else {
        kept.append(body, at, end - at);
      }
      at = end;
    }
    nd::ReadOptions strict = opt;
    strict.bad_lines = nd::BadLinePolicy::kError;
    strict.format = nd::Format::kLines;
    const Outcome good = read(kept, strict, 1);
    if (!good.ok || good.rows != one.rows || good.schema != one.schema || (one.uniform && good.uniform && one.dump != good.dump))
      fail("skipping bad records differs from leaving them out", "skipped: " + describe(one) +
                                                                  "\nleft out: " + describe(good));
  }

  // What the writer wrote reads back as the same values (as far as the text tells).
  if (kWriterChecks && one.ok && one.uniform && !one.has_binary && one.rows > 0) {
    nd::ReadOptions again;
    again.format = nd::Format::kLines;
    again.schema = one.final_schema;
    again.unknown_fields = nd::UnknownFields::kError;
    again.big_integers = opt.big_integers;
    again.detect_temporal = opt.detect_temporal;
    again.max_depth = 4096;
    const Outcome back = read(one.text, again, 1);
    // (Null counts may differ: a value that became NaN or an infinity, such as 1e39 in a declared
    // float32 column, is written as null.)
    if (!back.ok || back.text != one.text || back.rows != one.rows)
      fail("the written NDJSON does not read back the same", "first: " + describe(one) + "\nread back: " + describe(back));
  }
  return 0;
}
