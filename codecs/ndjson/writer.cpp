#include "sluice/codecs/ndjson/writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>
#include <memory>
#include <vector>

#include <simdjson.h>

#include "common/format_pipeline.hpp"
#include "ndjson/json_format.hpp"
#include "text/format.hpp"

namespace sluice::ndjson {
namespace detail {

// What a value is written as, decided once per column (and nested child) per batch.
enum class OutKind : std::uint8_t {
  kNull, kBool,
  kInt8, kInt16, kInt32, kInt64, kUInt8, kUInt16, kUInt32, kUInt64,
  kFloat16, kFloat32, kFloat64, kDecimal,
  kDate, kTime32, kTime64, kTimestamp, kTimestampUtc, kDuration,
  kString, kJson, kBinary, kGeometry, kFixedBinary, kUuid, kInterval,
  kList, kStruct,
  kMapObject,   // map<string, V>: {"k": v, ...}
  kMapEntries,  // any other key type: [{"key": k, "value": v}, ...]
};

// An array with its buffers resolved: fixed-width values, offsets and bytes point at its element 0.
struct OutNode {
  OutKind kind = OutKind::kNull;
  bool all_null = false;                   // the null type: no validity buffer, every value null
  const std::uint8_t* validity = nullptr;  // null when the array has no nulls
  std::int64_t offset = 0;                 // for validity and bool bits
  const std::uint8_t* values = nullptr;    // fixed width (bool: the bit buffer, not offset)
  const std::int64_t* offsets = nullptr;   // string, binary, list
  const std::int32_t* offsets32 = nullptr; // map
  const char* bytes = nullptr;             // string / binary data; fixed-size binary at element 0
  std::int32_t width = 0;                  // fixed-size binary
  std::int32_t scale = 0;                  // decimal
  TimeUnit unit = TimeUnit::kMicro;
  const DataType* type = nullptr;
  std::vector<OutNode> children;              // list: item; struct: fields; map: key, value
  FieldKeys keys;                          // struct

  bool valid(std::int64_t i) const { return validity != nullptr ? bit::get(validity, offset + i) : !all_null; }
};

namespace {

void build(OutNode& n, const ArrayData& a) {
  const DataType& t = *a.type;
  n.type = &t;
  n.offset = a.offset;
  n.all_null = t.id == TypeId::kNull;
  n.validity = a.null_count != 0 ? a.validity() : nullptr;
  n.unit = t.unit;
  n.scale = t.scale;
  auto fixed = [&](OutKind k) {
    n.kind = k;
    n.values = a.buffers.at(1)->data() + a.offset * t.value_width();
  };
  switch (t.id) {
    case TypeId::kNull: n.kind = OutKind::kNull; break;
    case TypeId::kBool:
      n.kind = OutKind::kBool;
      n.values = a.buffers.at(1)->data();
      break;
    case TypeId::kInt8: fixed(OutKind::kInt8); break;
    case TypeId::kInt16: fixed(OutKind::kInt16); break;
    case TypeId::kInt32: fixed(OutKind::kInt32); break;
    case TypeId::kInt64: fixed(OutKind::kInt64); break;
    case TypeId::kUInt8: fixed(OutKind::kUInt8); break;
    case TypeId::kUInt16: fixed(OutKind::kUInt16); break;
    case TypeId::kUInt32: fixed(OutKind::kUInt32); break;
    case TypeId::kUInt64: fixed(OutKind::kUInt64); break;
    case TypeId::kFloat16: fixed(OutKind::kFloat16); break;
    case TypeId::kFloat32: fixed(OutKind::kFloat32); break;
    case TypeId::kFloat64: fixed(OutKind::kFloat64); break;
    case TypeId::kDecimal128: fixed(OutKind::kDecimal); break;
    case TypeId::kDate32: fixed(OutKind::kDate); break;
    case TypeId::kTime: fixed(t.value_width() == 4 ? OutKind::kTime32 : OutKind::kTime64); break;
    case TypeId::kTimestamp: fixed(t.timezone.empty() ? OutKind::kTimestamp : OutKind::kTimestampUtc); break;
    case TypeId::kDuration: fixed(OutKind::kDuration); break;
    case TypeId::kString:
    case TypeId::kBinary:
      n.kind = t.extension == Extension::kGeometry || t.extension == Extension::kGeography ? OutKind::kGeometry
               : t.id == TypeId::kBinary                                                    ? OutKind::kBinary
               : t.extension == Extension::kJson                                            ? OutKind::kJson
                                                                                            : OutKind::kString;
      n.offsets = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
      n.bytes = a.buffers.at(2) ? reinterpret_cast<const char*>(a.buffers[2]->data()) : "";
      break;
    case TypeId::kFixedSizeBinary:
      n.kind = t.extension == Extension::kUuid       ? OutKind::kUuid
               : t.extension == Extension::kInterval ? OutKind::kInterval
                                                     : OutKind::kFixedBinary;
      n.width = t.byte_width;
      n.bytes = a.buffers.at(1) ? reinterpret_cast<const char*>(a.buffers[1]->data()) + a.offset * t.byte_width : "";
      break;
    case TypeId::kList:
      n.kind = OutKind::kList;
      n.offsets = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
      n.children.resize(1);
      build(n.children[0], *a.children.at(0));
      break;
    case TypeId::kStruct:
      // Struct children are sliced with their parent: element i of the struct is element i of each.
      n.kind = OutKind::kStruct;
      n.children.resize(a.children.size());
      for (std::size_t f = 0; f < a.children.size(); ++f) build(n.children[f], *a.children[f]);
      n.keys.assign(t.children);
      break;
    case TypeId::kMap: {
      const ArrayData& entries = *a.children.at(0);
      n.offsets32 = a.buffers.at(1)->data_as<std::int32_t>() + a.offset;
      n.children.resize(2);
      build(n.children[0], *entries.children.at(0));
      build(n.children[1], *entries.children.at(1));
      n.kind = n.children[0].kind == OutKind::kString ? OutKind::kMapObject : OutKind::kMapEntries;
      break;
    }
  }
}

template <class T>
T load(const OutNode& n, std::int64_t i) {
  T v;
  std::memcpy(&v, n.values + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
  return v;
}

}  // namespace

// Writes values into an Out. Failures (only under NonFinite::kError / InvalidUtf8::kError) return
// false with the reason in `error`; the caller adds where.
class Emitter {
 public:
  Out out;
  bool nan_as_null = true;
  bool replace_utf8 = true;
  bool write_nulls = true;
  std::int64_t non_finite = 0;
  std::string error;
  std::unique_ptr<simdjson::dom::parser> validator;  // JSON columns only
  std::string wkt;                                    // a geometry's text

  void null() { out.put("null", 4); }

  bool value_or_null(const OutNode& n, std::int64_t i) {
    if (!n.valid(i)) return null(), true;
    return value(n, i);
  }

  // The value at i, which is not null. Scalars inline, nested values out of line.
  [[gnu::always_inline]] bool value(const OutNode& n, std::int64_t i) {
    switch (n.kind) {
      case OutKind::kNull: null(); return true;
      case OutKind::kBool:
        if (bit::get(n.values, n.offset + i)) out.put("true", 4);
        else out.put("false", 5);
        return true;
      case OutKind::kInt8: return integer(load<std::int8_t>(n, i));
      case OutKind::kInt16: return integer(load<std::int16_t>(n, i));
      case OutKind::kInt32: return integer(load<std::int32_t>(n, i));
      case OutKind::kInt64: return integer(load<std::int64_t>(n, i));
      case OutKind::kUInt8: return integer(load<std::uint8_t>(n, i));
      case OutKind::kUInt16: return integer(load<std::uint16_t>(n, i));
      case OutKind::kUInt32: return integer(load<std::uint32_t>(n, i));
      case OutKind::kUInt64: return integer(load<std::uint64_t>(n, i));
      case OutKind::kDuration: return integer(load<std::int64_t>(n, i));
      case OutKind::kFloat16: {
        const auto h = load<std::uint16_t>(n, i);
        if ((h & 0x7c00) == 0x7c00) return not_finite(n, half_bits_to_double(h));
        char* p = out.reserve(32);
        out.commit(format_half(p, h));
        return true;
      }
      case OutKind::kFloat32: {
        const auto v = load<float>(n, i);
        if (!std::isfinite(v)) return not_finite(n, v);
        char* p = out.reserve(32);
        out.commit(format_float(p, v));
        return true;
      }
      case OutKind::kFloat64: {
        const auto v = load<double>(n, i);
        if (!std::isfinite(v)) return not_finite(n, v);
        char* p = out.reserve(32);
        out.commit(format_float(p, v));
        return true;
      }
      case OutKind::kDecimal: {
        char* p = out.reserve(64);
        const auto v = load<__int128>(n, i);
        out.commit(text::format_decimal(p, v, n.scale));  // any scale, exact
        return true;
      }
      case OutKind::kDate: {
        char* p = out.reserve(32);
        *p++ = '"';
        p = temporal::format_date(p, load<std::int32_t>(n, i));
        *p++ = '"';
        out.commit(p);
        return true;
      }
      case OutKind::kTime32:
      case OutKind::kTime64: {
        const std::int64_t v = n.kind == OutKind::kTime32 ? load<std::int32_t>(n, i) : load<std::int64_t>(n, i);
        char* p = out.reserve(32);
        *p++ = '"';
        p = temporal::format_time_of_day(p, v, n.unit);
        *p++ = '"';
        out.commit(p);
        return true;
      }
      case OutKind::kTimestamp:
      case OutKind::kTimestampUtc: {
        char* p = out.reserve(64);
        *p++ = '"';
        p = format_timestamp(p, load<std::int64_t>(n, i), n.unit, n.kind == OutKind::kTimestampUtc);
        *p++ = '"';
        out.commit(p);
        return true;
      }
      case OutKind::kString: return string(n, i);
      case OutKind::kJson: return json_text(n, i);
      case OutKind::kBinary:
        write_base64(out, n.bytes + n.offsets[i], static_cast<std::size_t>(n.offsets[i + 1] - n.offsets[i]));
        return true;
      case OutKind::kGeometry: {
        // Its WKT (letters, digits, signs, points, commas, spaces, parentheses: nothing to escape);
        // bytes that are not WKB in base64, as binary is written.
        const std::string_view b(n.bytes + n.offsets[i], static_cast<std::size_t>(n.offsets[i + 1] - n.offsets[i]));
        wkt.clear();
        if (!text::append_wkt(wkt, b)) {
          write_base64(out, b.data(), b.size());
          return true;
        }
        out.put('"');
        out.put(wkt.data(), wkt.size());
        out.put('"');
        return true;
      }
      case OutKind::kFixedBinary:
        write_base64(out, n.bytes + i * n.width, static_cast<std::size_t>(n.width));
        return true;
      case OutKind::kUuid: {
        char* p = out.reserve(40);
        *p++ = '"';
        p = text::format_uuid(p, {n.bytes + i * n.width, static_cast<std::size_t>(n.width)});
        *p++ = '"';
        out.commit(p);
        return true;
      }
      case OutKind::kInterval: {
        char* p = out.reserve(64);
        *p++ = '"';
        p = text::format_interval(p, {n.bytes + i * n.width, static_cast<std::size_t>(n.width)});
        *p++ = '"';
        out.commit(p);
        return true;
      }
      case OutKind::kList:
      case OutKind::kStruct:
      case OutKind::kMapObject:
      case OutKind::kMapEntries:
        return nested(n, i);
    }
    return true;
  }

  [[gnu::noinline]] bool nested(const OutNode& n, std::int64_t i) {
    switch (n.kind) {
      case OutKind::kList: {
        const OutNode& item = n.children[0];
        const std::int64_t b = n.offsets[i], e = n.offsets[i + 1];
        out.put('[');
        for (std::int64_t k = b; k < e; ++k) {
          if (k != b) out.put(',');
          if (!value_or_null(item, k)) return false;
        }
        out.put(']');
        return true;
      }
      case OutKind::kStruct: {
        out.put('{');
        bool first = true;
        for (std::size_t f = 0; f < n.children.size(); ++f) {
          const OutNode& c = n.children[f];
          const bool valid = c.valid(i);
          if (!valid && !write_nulls) continue;
          n.keys.put(out, f, first);
          first = false;
          if (!valid) null();
          else if (!value(c, i)) return false;
        }
        out.put('}');
        return true;
      }
      case OutKind::kMapObject: {
        const OutNode& key = n.children[0];
        const OutNode& val = n.children[1];
        const std::int64_t b = n.offsets32[i], e = n.offsets32[i + 1];
        out.put('{');
        for (std::int64_t k = b; k < e; ++k) {
          if (k != b) out.put(',');
          if (key.valid(k)) {
            if (!string(key, k)) return false;
          } else {
            out.put("\"\"", 2);  // keys are never null in valid data; keep the object well-formed
          }
          out.put(':');
          if (!value_or_null(val, k)) return false;
        }
        out.put('}');
        return true;
      }
      case OutKind::kMapEntries: {
        const OutNode& key = n.children[0];
        const OutNode& val = n.children[1];
        const std::int64_t b = n.offsets32[i], e = n.offsets32[i + 1];
        out.put('[');
        for (std::int64_t k = b; k < e; ++k) {
          out.put(k != b ? ",{\"key\":" : "{\"key\":", k != b ? 8 : 7);
          if (!value_or_null(key, k)) return false;
          out.put(",\"value\":", 9);
          if (!value_or_null(val, k)) return false;
          out.put('}');
        }
        out.put(']');
        return true;
      }
      default: return value(n, i);
    }
  }

 private:
  template <class T>
  bool integer(T v) {
    char* p = out.reserve(24);
    out.commit(std::to_chars(p, p + 24, v).ptr);
    return true;
  }

  bool not_finite(const OutNode& n, double v) {
    if (nan_as_null) {
      ++non_finite;
      null();
      return true;
    }
    error = std::string("the ") + n.type->to_string() + " value " + (std::isnan(v) ? "NaN" : v < 0 ? "-Infinity" : "Infinity") +
            " has no JSON number (non-finite values are refused: NonFinite::kError, --non-finite error)";
    return false;
  }

  // A JSON column's value goes out as the JSON it holds when it is one valid JSON value (line breaks,
  // whitespace between its tokens, become spaces: one record per line); other text as a string, so
  // the output stays JSON whatever the column holds.
  [[gnu::noinline]] bool json_text(const OutNode& n, std::int64_t i) {
    const std::int64_t b = n.offsets[i];
    const auto len = static_cast<std::size_t>(n.offsets[i + 1] - b);
    const char* p = n.bytes + b;
    if (!validator) validator = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element parsed;
    if (len == 0 || validator->parse(p, len, true).get(parsed) != simdjson::SUCCESS) return string(n, i);
    char* d = out.reserve(len);
    for (std::size_t k = 0; k < len; ++k) d[k] = (p[k] == '\n' || p[k] == '\r') ? ' ' : p[k];
    out.commit(d + len);
    return true;
  }

  bool string(const OutNode& n, std::int64_t i) {
    const std::int64_t b = n.offsets[i];
    std::size_t bad_at = 0;
    if (write_string(out, n.bytes + b, static_cast<std::size_t>(n.offsets[i + 1] - b), replace_utf8, bad_at))
      return true;
    error = "invalid UTF-8 at byte " + std::to_string(bad_at) + " of a string value (refused: InvalidUtf8::kError, --invalid-utf8 error)";
    return false;
  }
};

JsonValueFormatter::JsonValueFormatter(const ArrayData& array) : root_(std::make_unique<OutNode>()) {
  build(*root_, array);
}
JsonValueFormatter::~JsonValueFormatter() = default;

void JsonValueFormatter::append(std::string& out, std::int64_t i) {
  Emitter em;  // default options: nothing can fail
  em.out.bind(out);
  (void)em.value_or_null(*root_, i);
  em.out.release();
}

}  // namespace detail

void append_json_value(std::string& out, const ArrayData& array, std::int64_t i) {
  detail::JsonValueFormatter(array).append(out, i);
}

namespace {

// A batch resolved for writing: its columns' buffers and kinds, its keys' text, and where its rows
// fall in the output. Shared by the batch's row ranges on the threaded path.
struct Plan {
  Batch batch;  // held: on the threaded path ranges are formatted after write() returned
  std::vector<detail::OutNode> columns;
  detail::FieldKeys keys;
  std::int64_t first_row = 0;  // rows written before this batch
  bool array = false;
  bool write_nulls = true;
  const std::string* path = nullptr;

  void resolve(const Batch& b) {
    const std::size_t nc = b.num_columns();
    columns.resize(nc);
    for (std::size_t c = 0; c < nc; ++c) {
      columns[c] = detail::OutNode{};
      detail::build(columns[c], *b.columns[c]);
    }
    keys.assign(b.schema->fields);
  }
};

// Rows [begin, end) of the plan's batch (`b`, the batch itself) into em.out; `after_row()` runs after
// every row and may fail (the one-thread path flushes there). A value that cannot be written rewinds
// its row (no half record) and fails with the row and column; `done` counts the rows written whole.
template <class AfterRow>
[[gnu::always_inline]] inline Status format_rows(const Plan& p, const Batch& b, detail::Emitter& em, std::int64_t begin,
                                                 std::int64_t end, std::int64_t& done, AfterRow&& after_row) {
  const std::size_t nc = p.columns.size();
  detail::Out& out = em.out;
  for (std::int64_t r = begin; r < end; ++r) {
    const std::size_t row_start = out.size();
    if (p.array) {
      if (p.first_row + r == 0) out.put('[');
      else out.put(",\n", 2);
    }
    out.put('{');
    bool first = true;
    for (std::size_t c = 0; c < nc; ++c) {
      const detail::OutNode& n = p.columns[c];
      const bool valid = n.valid(r);
      if (!valid && !p.write_nulls) continue;
      p.keys.put(out, c, first);
      first = false;
      if (!valid) {
        em.null();
      } else if (!em.value(n, r)) {
        out.rewind(row_start);
        ErrorContext ctx{*p.path};
        ctx.row = p.first_row + r;
        ctx.column = static_cast<std::int64_t>(c) + 1;
        ctx.column_name = b.schema->fields[c].name;
        done = r - begin;
        return Error(ErrorCode::kInvalidArgument, std::move(em.error), std::move(ctx));
      }
    }
    if (p.array) out.put('}');
    else out.put("}\n", 2);
    SLUICE_TRY(after_row());
  }
  done = end - begin;
  return ok_status();
}

}  // namespace

class NdjsonWriter::Impl {
 public:
  using Formatter = pipeline::OrderedFormatter<Plan>;

  io::Sink* sink = nullptr;
  WriteOptions opt;
  std::string buf;
  detail::Emitter em;
  Plan plan;  // the one-thread path's, reused batch after batch
  std::unique_ptr<Formatter> threaded;  // threads > 1
  std::int64_t rows = 0;
  bool finished = false;

  Status flush() {
    if (em.out.size() == 0) return ok_status();
    Status s = sink->write(em.out.data(), em.out.size());
    em.out.rewind(0);
    return s;
  }

  Status check(const Batch& b) const {
    if (finished) return Error(ErrorCode::kInvalidArgument, "write after finish", ErrorContext{sink->path()});
    const std::size_t nc = b.num_columns();
    if (!b.schema || b.schema->num_fields() != nc)
      return Error(ErrorCode::kInvalidArgument, "the batch's schema does not match its columns",
                   ErrorContext{sink->path()});
    for (std::size_t c = 0; c < nc; ++c)
      if (!b.columns[c] || !b.columns[c]->type || b.columns[c]->length < b.num_rows)
        return Error(ErrorCode::kInvalidArgument, "column " + std::to_string(c) + " is shorter than the batch",
                     ErrorContext{sink->path()});
    return ok_status();
  }

  void start_plan(Plan& p) const {
    p.first_row = rows;
    p.array = opt.array;
    p.write_nulls = opt.write_nulls;
    p.path = &sink->path();
  }

  Status write(const Batch& b) {
    SLUICE_TRY(check(b));
    if (threaded) return write_threaded(b);
    start_plan(plan);
    plan.resolve(b);
    std::int64_t done = 0;
    Status s = format_rows(plan, b, em, 0, b.num_rows, done, [&]() -> Status {
      if (static_cast<std::int64_t>(em.out.size()) >= opt.buffer_size) [[unlikely]]
        return flush();
      return ok_status();
    });
    rows += s.ok() ? b.num_rows : done;
    return s;
  }

  Status write_threaded(const Batch& b) {
    if (threaded->failed_job()) sync_failed();
    auto p = std::make_shared<Plan>();
    start_plan(*p);
    p->batch = b;
    p->resolve(b);
    rows += b.num_rows;
    Status s = threaded->add(std::move(p), b.num_rows);
    if (threaded->failed_job()) sync_failed();
    return s;
  }

  // The row count as the one-thread writer leaves it after a bad value: the rows before it.
  void sync_failed() {
    const auto* job = threaded->failed_job();
    rows = job->plan->first_row + job->begin + job->rows_done;
  }

  // One range, on any thread: its own buffer and emitter, the writer's options.
  void format_range(Formatter::Job& job) const {
    detail::Emitter e;
    e.nan_as_null = em.nan_as_null;
    e.replace_utf8 = em.replace_utf8;
    e.write_nulls = em.write_nulls;
    e.out.bind(job.text);
    e.out.rewind(0);
    Status s = format_rows(*job.plan, job.plan->batch, e, job.begin, job.end, job.rows_done, [] { return ok_status(); });
    job.size = e.out.size();
    job.non_finite = e.non_finite;
    if (!s.ok()) job.error = std::move(s).error();
  }

  Status finish() {
    if (finished) return ok_status();
    finished = true;
    if (threaded) {
      Status s = threaded->drain();
      if (threaded->failed_job()) sync_failed();
      SLUICE_TRY(s);  // an error write() returned already is not returned again (as with one thread)
    }
    if (opt.array) {
      if (rows == 0) em.out.put("[]\n", 3);
      else em.out.put("]\n", 2);
    }
    return flush();
  }

  std::int64_t non_finite() const { return em.non_finite + (threaded ? threaded->non_finite() : 0); }
};

NdjsonWriter::NdjsonWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NdjsonWriter::~NdjsonWriter() = default;

Result<std::unique_ptr<NdjsonWriter>> NdjsonWriter::open(io::Sink& sink, WriteOptions options) {
  if (options.buffer_size < 1)
    return Error(ErrorCode::kInvalidArgument, "buffer_size must be at least 1 byte", ErrorContext{sink.path()});
  auto impl = std::make_unique<Impl>();
  impl->sink = &sink;
  impl->opt = std::move(options);
  // Flushing happens after the record that passes buffer_size: room for it up front (capped, a
  // huge buffer_size grows as it fills).
  impl->buf.resize(static_cast<std::size_t>(std::min<std::int64_t>(impl->opt.buffer_size, 64 << 20)) + (64 << 10));
  impl->em.out.bind(impl->buf);
  impl->em.out.rewind(0);
  impl->em.nan_as_null = impl->opt.non_finite == NonFinite::kNull;
  impl->em.replace_utf8 = impl->opt.invalid_utf8 == InvalidUtf8::kReplace;
  impl->em.write_nulls = impl->opt.write_nulls;
  if (impl->opt.threads > 1) {
    Impl* self = impl.get();
    impl->threaded = std::make_unique<Impl::Formatter>(
        impl->opt.threads, sink, impl->opt.buffer_size, [self](Impl::Formatter::Job& job) { self->format_range(job); });
  }
  return std::unique_ptr<NdjsonWriter>(new NdjsonWriter(std::move(impl)));
}

Status NdjsonWriter::write(const Batch& batch) { return impl_->write(batch); }
Status NdjsonWriter::finish() { return impl_->finish(); }
std::int64_t NdjsonWriter::rows_written() const { return impl_->rows; }
std::int64_t NdjsonWriter::buffered_bytes() const { return static_cast<std::int64_t>(impl_->em.out.size()); }
std::int64_t NdjsonWriter::non_finite_count() const { return impl_->non_finite(); }

}  // namespace sluice::ndjson
