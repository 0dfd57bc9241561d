#include "csv/convert.hpp"

#include <cstring>

#include "text/interval_parse.hpp"
#include "text/parse.hpp"
#include "text/wkt_parse.hpp"

namespace sluice::csv::detail {
namespace {

// Visits index rows [r0, r1): on_null(r) for nulls, on_value(r, p, n) for values (unquoted). Stops
// when on_value returns false.
template <class OnNull, class OnValue>
inline void visit(const ConvertInput& in, std::size_t col, std::string& scratch, std::int64_t r0, std::int64_t r1,
                  OnNull&& on_null, OnValue&& on_value) {
  const std::size_t nc = in.ncols;
  const std::uint32_t* starts = in.index.starts.data() + col;
  const std::uint32_t* ends = in.index.ends.data() + col;
  const std::int64_t first = in.index.first_row;
  const char* data = reinterpret_cast<const char*>(in.chunk.data());
  const char quote = in.dialect.quote;
  const bool only_empty = in.nulls.only_empty();
  const bool empty_null = in.nulls.empty_is_null;
  for (std::int64_t r = r0; r < r1; ++r) {
    const std::uint32_t s = starts[static_cast<std::size_t>(r - first) * nc];
    const std::uint32_t e = ends[static_cast<std::size_t>(r - first) * nc];
    const char* p = data + s;
    const std::size_t n = e - s;
    if (n == 0) {
      if (empty_null) {
        on_null(r);
        continue;
      }
    } else if (quote != '\0' && p[0] == quote) {
      auto v = unquote(in.chunk.data(), s, e, in.dialect, scratch);
      if (v.data() == scratch.data()) {  // parsers may read 8 bytes past a value: pad the copy too
        const std::size_t len = v.size();
        scratch.append(16, '\0');
        scratch.resize(len);
        v = {scratch.data(), len};
      }
      if (!on_value(r, v.data(), v.size())) return;
      continue;
    } else if (!only_empty && in.nulls.matches(p, n)) {
      on_null(r);
      continue;
    }
    if (!on_value(r, p, n)) return;
  }
}

// A validity bitmap materialised at the first null, grown with the column.
struct Validity {
  BufferPtr bits;
  std::int64_t nulls = 0;
  void reserve(std::int64_t rows) {
    if (!bits) return;
    const std::int64_t old = bits->size(), need = bit::bytes_for(rows);
    if (need <= old) return;
    bits->resize(std::max(need, old * 2), false);
    std::memset(bits->mutable_data() + old, 0xFF, static_cast<std::size_t>(bits->size() - old));
  }
  void set_null(std::int64_t r, std::int64_t capacity_rows) {
    if (!bits) {
      const std::int64_t n = bit::bytes_for(std::max(capacity_rows, r + 1));
      bits = Buffer::allocate(n, false);
      std::memset(bits->mutable_data(), 0xFF, static_cast<std::size_t>(n));
    }
    bit::clear(bits->mutable_data(), r);
    ++nulls;
  }
  BufferPtr take(std::int64_t rows) {
    if (bits) bits->resize(bit::bytes_for(rows));
    return std::move(bits);
  }
};

class ConverterBase : public ColumnConverter {
 protected:
  ConverterBase(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad)
      : ColumnConverter(std::move(type)), col_(col), bad_(bad) {}
  // Makes room for output rows up to `rows`.
  void grow_bad(std::int64_t rows) {
    if (bad_ && static_cast<std::int64_t>(bad_->size()) < rows) bad_->resize(static_cast<std::size_t>(rows), 0);
  }
  // A value that does not fit: with bad-row flags it is flagged and nulled and the conversion goes
  // on (true); otherwise the conversion stops at its row.
  bool reject(std::int64_t r, std::int64_t row0, std::int64_t capacity, std::int64_t& failed) {
    if (bad_ == nullptr) {
      failed = r;
      return false;
    }
    (*bad_)[static_cast<std::size_t>(r - row0)] = 1;
    validity_.set_null(r - row0, capacity);
    return true;
  }
  ArrayPtr make(std::vector<BufferPtr> rest) {
    auto a = std::make_shared<ArrayData>();
    a->type = type_;
    a->length = rows_;
    a->null_count = validity_.nulls;
    a->buffers.push_back(validity_.take(rows_));
    for (auto& b : rest) a->buffers.push_back(std::move(b));
    return a;
  }
  std::size_t col_;
  std::vector<std::uint8_t>* bad_;
  std::string scratch_;
  Validity validity_;
  std::int64_t rows_ = 0;  // output rows so far
  std::int64_t cap_ = 0;   // output rows the buffers hold
};

template <class T, class Parse>
class FixedConverter final : public ConverterBase {
 public:
  FixedConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad, std::int64_t expected, Parse parse)
      : ConverterBase(col, std::move(type), bad), parse_(std::move(parse)) {
    cap_ = std::max<std::int64_t>(expected, 16);
    values_ = Buffer::allocate(cap_ * static_cast<std::int64_t>(sizeof(T)), false);
  }
  std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) override {
    const std::int64_t row0 = in.row0;
    ensure(r1 - row0);
    T* out = values_->mutable_data_as<T>();
    std::int64_t failed = -1;
    const std::int64_t cap = cap_;
    visit(
        in, col_, scratch_, r0, r1,
        [&](std::int64_t r) {
          out[r - row0] = T{};
          validity_.set_null(r - row0, cap);
        },
        [&](std::int64_t r, const char* p, std::size_t n) {
          if (parse_(p, n, out[r - row0])) return true;
          out[r - row0] = T{};
          return reject(r, row0, cap, failed);
        });
    if (failed >= 0) return failed;
    rows_ = r1 - row0;
    return -1;
  }
  ArrayPtr finish() override {
    values_->resize(rows_ * static_cast<std::int64_t>(sizeof(T)));
    return make({std::move(values_)});
  }

 private:
  void ensure(std::int64_t rows) {
    grow_bad(rows);
    if (rows <= cap_) return;
    cap_ = std::max(rows, cap_ * 2);
    values_->resize(cap_ * static_cast<std::int64_t>(sizeof(T)), false);
    validity_.reserve(cap_);
  }
  Parse parse_;
  BufferPtr values_;
};

class BoolConverter final : public ConverterBase {
 public:
  BoolConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad, std::int64_t expected)
      : ConverterBase(col, std::move(type), bad) {
    cap_ = std::max<std::int64_t>(expected, 64);
    bits_ = Buffer::allocate(bit::bytes_for(cap_), true);
  }
  std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) override {
    const std::int64_t row0 = in.row0;
    ensure(r1 - row0);
    std::uint8_t* out = bits_->mutable_data();
    std::int64_t failed = -1;
    const std::int64_t cap = cap_;
    visit(
        in, col_, scratch_, r0, r1,
        [&](std::int64_t r) {
          bit::clear(out, r - row0);
          validity_.set_null(r - row0, cap);
        },
        [&](std::int64_t r, const char* p, std::size_t n) {
          bool b;
          if (text::parse_bool_padded(p, n, b)) {
            bit::set_to(out, r - row0, b);
            return true;
          }
          bit::clear(out, r - row0);
          return reject(r, row0, cap, failed);
        });
    if (failed >= 0) return failed;
    rows_ = r1 - row0;
    return -1;
  }
  ArrayPtr finish() override {
    bits_->resize(bit::bytes_for(rows_));
    return make({std::move(bits_)});
  }

 private:
  void ensure(std::int64_t rows) {
    grow_bad(rows);
    if (rows <= cap_) return;
    cap_ = std::max(rows, cap_ * 2);
    bits_->resize(bit::bytes_for(cap_), true);
    validity_.reserve(cap_);
  }
  BufferPtr bits_;
};

// The offsets (int64, one per row and the first 0) of a string or binary column being converted.
class OffsetsConverter : public ConverterBase {
 protected:
  OffsetsConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad, std::int64_t expected)
      : ConverterBase(col, std::move(type), bad) {
    cap_ = std::max<std::int64_t>(expected, 16);
    offsets_ = Buffer::allocate((cap_ + 1) * 8, false);
    offsets_->mutable_data_as<std::int64_t>()[0] = 0;
  }
  void ensure(std::int64_t rows) {
    grow_bad(rows);
    if (rows <= cap_) return;
    cap_ = std::max(rows, cap_ * 2);
    offsets_->resize((cap_ + 1) * 8, false);
    validity_.reserve(cap_);
  }
  BufferPtr offsets_;
};

class StringConverter final : public OffsetsConverter {
 public:
  StringConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad, std::int64_t expected)
      : OffsetsConverter(col, std::move(type), bad, expected) {
    bytes_ = Buffer::allocate(std::max<std::int64_t>(expected * 8, 64), false);
  }
  std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) override {
    const std::int64_t row0 = in.row0;
    ensure(r1 - row0);
    // Room for every byte of these fields (unquoting only shrinks them).
    const std::size_t nc = in.ncols;
    const std::uint32_t* starts = in.index.starts.data() + col_;
    const std::uint32_t* ends = in.index.ends.data() + col_;
    const std::int64_t first = in.index.first_row;
    std::int64_t need = used_;
    for (std::int64_t r = r0; r < r1; ++r)
      need += ends[static_cast<std::size_t>(r - first) * nc] - starts[static_cast<std::size_t>(r - first) * nc];
    need += 32;  // slack for the fixed-size moves of short values
    if (need > bytes_->size()) bytes_->resize(std::max(need, bytes_->size() * 2), false);
    std::int64_t* off = offsets_->mutable_data_as<std::int64_t>() + 1;  // off[k]: end of output row k
    char* dst = reinterpret_cast<char*>(bytes_->mutable_data());
    std::int64_t pos = used_;
    const std::int64_t cap = cap_;
    visit(
        in, col_, scratch_, r0, r1,
        [&](std::int64_t r) {
          off[r - row0] = pos;
          validity_.set_null(r - row0, cap);
        },
        [&](std::int64_t r, const char* p, std::size_t n) {
          // Short values (most of them) in one or two 16-byte moves instead of a call to memcpy: the
          // source is padded and the destination has 32 bytes of slack.
          if (n <= 16) {
            std::memcpy(dst + pos, p, 16);
          } else if (n <= 32) {
            std::memcpy(dst + pos, p, 16);
            std::memcpy(dst + pos + 16, p + 16, 16);
          } else {
            std::memcpy(dst + pos, p, n);
          }
          pos += static_cast<std::int64_t>(n);
          off[r - row0] = pos;
          return true;
        });
    used_ = pos;
    rows_ = r1 - row0;
    return -1;
  }
  ArrayPtr finish() override {
    offsets_->resize((rows_ + 1) * 8);
    bytes_->resize(used_);
    return make({std::move(offsets_), std::move(bytes_)});
  }

 private:
  BufferPtr bytes_;
  std::int64_t used_ = 0;
};

class NullConverter final : public ConverterBase {
 public:
  NullConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad)
      : ConverterBase(col, std::move(type), bad) {}
  std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) override {
    const std::int64_t row0 = in.row0;
    grow_bad(r1 - row0);
    std::int64_t failed = -1;
    visit(
        in, col_, scratch_, r0, r1, [](std::int64_t) {},
        [&](std::int64_t r, const char*, std::size_t) {
          if (bad_ != nullptr) {
            (*bad_)[static_cast<std::size_t>(r - row0)] = 1;
            return true;
          }
          failed = r;
          return false;
        });
    if (failed >= 0) return failed;
    rows_ = r1 - row0;
    return -1;
  }
  ArrayPtr finish() override {
    auto a = std::make_shared<ArrayData>();
    a->type = type_;
    a->length = a->null_count = rows_;
    return a;
  }
};

// A binary column whose values are parsed from their text: a BLOB's (text::parse_blob_text, \xHH
// escapes as DuckDB prints and reads them) or a geometry's WKT (text::parse_wkt, kept as the WKB a
// Parquet GEOMETRY column holds).
class ParsedBinaryConverter final : public OffsetsConverter {
 public:
  using Parse = bool (*)(std::string_view, std::string*);
  ParsedBinaryConverter(std::size_t col, TypePtr type, std::vector<std::uint8_t>* bad, std::int64_t expected, Parse parse)
      : OffsetsConverter(col, std::move(type), bad, expected), parse_(parse) {}
  std::int64_t convert(const ConvertInput& in, std::int64_t r0, std::int64_t r1) override {
    const std::int64_t row0 = in.row0;
    ensure(r1 - row0);
    std::int64_t* off = offsets_->mutable_data_as<std::int64_t>() + 1;  // off[k]: end of output row k
    std::int64_t failed = -1;
    const std::int64_t cap = cap_;
    visit(
        in, col_, scratch_, r0, r1,
        [&](std::int64_t r) {
          off[r - row0] = static_cast<std::int64_t>(bytes_.size());
          validity_.set_null(r - row0, cap);
        },
        [&](std::int64_t r, const char* p, std::size_t n) {
          const bool ok = parse_({p, n}, &bytes_);
          off[r - row0] = static_cast<std::int64_t>(bytes_.size());
          return ok || reject(r, row0, cap, failed);
        });
    if (failed >= 0) return failed;
    rows_ = r1 - row0;
    return -1;
  }
  ArrayPtr finish() override {
    offsets_->resize((rows_ + 1) * 8);
    auto bytes = Buffer::allocate(static_cast<std::int64_t>(bytes_.size()), false);
    if (!bytes_.empty()) std::memcpy(bytes->mutable_data(), bytes_.data(), bytes_.size());
    return make({std::move(offsets_), std::move(bytes)});
  }

 private:
  Parse parse_;
  std::string bytes_;
};

template <class T, class Parse>
std::unique_ptr<ColumnConverter> fixed(std::size_t col, const TypePtr& type, std::vector<std::uint8_t>* bad,
                                       std::int64_t expected, Parse parse) {
  return std::make_unique<FixedConverter<T, Parse>>(col, type, bad, expected, std::move(parse));
}

}  // namespace

bool csv_supports(const DataType& t) {
  switch (t.id) {
    case TypeId::kFixedSizeBinary:  // from their text
      return t.extension == Extension::kUuid || t.extension == Extension::kInterval;
    case TypeId::kList: case TypeId::kStruct: case TypeId::kMap:
    case TypeId::kFloat16: case TypeId::kDuration:
      return false;
    default:
      return true;
  }
}

std::string_view field_text(const ConvertInput& in, std::int64_t row, std::size_t col, std::string& scratch,
                            bool* quoted) {
  const std::uint32_t s = in.index.start(row, col, in.ncols), e = in.index.end(row, col, in.ncols);
  if (quoted) *quoted = in.dialect.quote != '\0' && e > s && in.chunk.data()[s] == static_cast<std::uint8_t>(in.dialect.quote);
  return unquote(in.chunk.data(), s, e, in.dialect, scratch);
}

std::unique_ptr<ColumnConverter> make_converter(std::size_t col, const TypePtr& type, std::vector<std::uint8_t>* bad,
                                                std::int64_t expected) {
  switch (type->id) {
    case TypeId::kNull: return std::make_unique<NullConverter>(col, type, bad);
    case TypeId::kBool: return std::make_unique<BoolConverter>(col, type, bad, expected);
    // Parsers are wrapped in lambdas so each converter inlines its parser (a function pointer would not).
    // Values are padded (chunk bytes, or the padded scratch copy), so the SWAR parsers may be used.
#define SLUICE_PARSER(T, fn) [](const char* p, std::size_t n, T& v) { return fn(p, n, v); }
    case TypeId::kInt8: return fixed<std::int8_t>(col, type, bad, expected, SLUICE_PARSER(std::int8_t, text::parse_integer_padded<std::int8_t>));
    case TypeId::kInt16: return fixed<std::int16_t>(col, type, bad, expected, SLUICE_PARSER(std::int16_t, text::parse_integer_padded<std::int16_t>));
    case TypeId::kInt32: return fixed<std::int32_t>(col, type, bad, expected, SLUICE_PARSER(std::int32_t, text::parse_integer_padded<std::int32_t>));
    case TypeId::kInt64: return fixed<std::int64_t>(col, type, bad, expected, SLUICE_PARSER(std::int64_t, text::parse_int64_padded));
    case TypeId::kUInt8: return fixed<std::uint8_t>(col, type, bad, expected, SLUICE_PARSER(std::uint8_t, text::parse_integer_padded<std::uint8_t>));
    case TypeId::kUInt16: return fixed<std::uint16_t>(col, type, bad, expected, SLUICE_PARSER(std::uint16_t, text::parse_integer_padded<std::uint16_t>));
    case TypeId::kUInt32: return fixed<std::uint32_t>(col, type, bad, expected, SLUICE_PARSER(std::uint32_t, text::parse_integer_padded<std::uint32_t>));
    case TypeId::kUInt64: return fixed<std::uint64_t>(col, type, bad, expected, SLUICE_PARSER(std::uint64_t, text::parse_integer_padded<std::uint64_t>));
    case TypeId::kFloat32: return fixed<float>(col, type, bad, expected, SLUICE_PARSER(float, text::parse_float));
    case TypeId::kFloat64: return fixed<double>(col, type, bad, expected, SLUICE_PARSER(double, text::parse_double_padded));
    case TypeId::kDate32: return fixed<std::int32_t>(col, type, bad, expected, SLUICE_PARSER(std::int32_t, text::parse_date_padded));
#undef SLUICE_PARSER
    case TypeId::kTimestamp: {
      const TimeUnit unit = type->unit;
      return fixed<std::int64_t>(col, type, bad, expected, [unit](const char* p, std::size_t n, std::int64_t& v) {
        text::TzKind tz;
        return text::parse_timestamp_padded(p, n, unit, v, tz);
      });
    }
    case TypeId::kTime: {
      const TimeUnit unit = type->unit;
      if (type->value_width() == 4)
        return fixed<std::int32_t>(col, type, bad, expected, [unit](const char* p, std::size_t n, std::int32_t& v) {
          std::int64_t t;
          if (!text::parse_time(p, n, unit, t)) return false;
          v = static_cast<std::int32_t>(t);
          return true;
        });
      return fixed<std::int64_t>(col, type, bad, expected, [unit](const char* p, std::size_t n, std::int64_t& v) {
        return text::parse_time(p, n, unit, v);
      });
    }
    case TypeId::kDecimal128: {
      const int prec = type->precision, scale = type->scale;
      return fixed<__int128>(col, type, bad, expected, [prec, scale](const char* p, std::size_t n, __int128& v) {
        return text::parse_decimal(p, n, prec, scale, v);
      });
    }
    case TypeId::kString:
      return std::make_unique<StringConverter>(col, type, bad, expected);
    case TypeId::kBinary:
      if (type->extension == Extension::kGeometry || type->extension == Extension::kGeography)
        return std::make_unique<ParsedBinaryConverter>(col, type, bad, expected, &text::parse_wkt);
      return std::make_unique<ParsedBinaryConverter>(col, type, bad, expected, &text::parse_blob_text);
    case TypeId::kFixedSizeBinary: {
      if (type->extension == Extension::kInterval) {
        struct Interval12 {
          char bytes[12];
        };
        static_assert(sizeof(Interval12) == 12);
        return fixed<Interval12>(col, type, bad, expected, [](const char* p, std::size_t n, Interval12& v) {
          return text::parse_interval({p, n}, v.bytes);
        });
      }
      if (type->extension != Extension::kUuid) return nullptr;
      struct Uuid16 {
        char bytes[16];
      };
      static_assert(sizeof(Uuid16) == 16);
      return fixed<Uuid16>(col, type, bad, expected, [](const char* p, std::size_t n, Uuid16& v) {
        return text::parse_uuid({p, n}, v.bytes);
      });
    }
    default:
      return nullptr;
  }
}

ArrayPtr filter_rows(const ArrayData& a, const std::vector<std::uint8_t>& drop, std::int64_t kept) {
  auto out = std::make_shared<ArrayData>();
  out->type = a.type;
  out->length = kept;
  if (a.type->id == TypeId::kNull) {
    out->null_count = kept;
    return out;
  }
  // The rows kept come in runs between the dropped ones (few): each run is copied whole. (Row by
  // row, with a validity check per row, this took a third of a scan with a bad row in a thousand.)
  auto for_each_run = [&](auto&& copy) {  // copy(first source row, first output row, rows)
    const std::uint8_t* d = drop.data();
    const std::int64_t n = a.length;
    std::int64_t i = 0, j = 0;
    while (i < n) {
      const void* hit = std::memchr(d + i, 1, static_cast<std::size_t>(n - i));
      const std::int64_t e = hit ? static_cast<const std::uint8_t*>(hit) - d : n;
      if (e > i) {
        copy(i, j, e - i);
        j += e - i;
      }
      i = e;
      while (i < n && d[i]) ++i;
    }
  };
  BufferPtr validity;
  std::int64_t nulls = 0;
  if (a.null_count > 0 && a.validity() != nullptr) {
    for_each_run([&](std::int64_t src, std::int64_t dst, std::int64_t len) {
      for (std::int64_t k = 0; k < len; ++k) {
        if (a.is_valid(src + k)) continue;
        if (!validity) {
          validity = Buffer::allocate(bit::bytes_for(kept), false);
          std::memset(validity->mutable_data(), 0xFF, static_cast<std::size_t>(bit::bytes_for(kept)));
        }
        bit::clear(validity->mutable_data(), dst + k);
        ++nulls;
      }
    });
  }
  if (a.type->id == TypeId::kBool) {
    auto bits = Buffer::allocate(bit::bytes_for(kept), true);
    for_each_run([&](std::int64_t src, std::int64_t dst, std::int64_t len) {
      for (std::int64_t k = 0; k < len; ++k)
        if (a.bool_value(src + k)) bit::set(bits->mutable_data(), dst + k);
    });
    out->buffers = {validity, bits};
  } else if (a.type->is_binary_like()) {
    auto offs = Buffer::allocate((kept + 1) * 8, false);
    auto bytes = Buffer::allocate(a.buffers[2]->size(), false);
    auto* o = offs->mutable_data_as<std::int64_t>();
    const auto* src_offs = a.buffers[1]->data_as<std::int64_t>() + a.offset;
    const std::uint8_t* src_bytes = a.buffers[2]->data();
    std::int64_t pos = 0;
    o[0] = 0;
    for_each_run([&](std::int64_t src, std::int64_t dst, std::int64_t len) {
      const std::int64_t from = src_offs[src], to = src_offs[src + len];
      std::memcpy(bytes->mutable_data() + pos, src_bytes + from, static_cast<std::size_t>(to - from));
      for (std::int64_t k = 1; k <= len; ++k) o[dst + k] = pos + (src_offs[src + k] - from);
      pos += to - from;
    });
    bytes->resize(pos);
    out->buffers = {validity, offs, bytes};
  } else {
    const int w = a.type->value_width();
    auto vals = Buffer::allocate(kept * w, false);
    const std::uint8_t* src_vals = a.buffers[1]->data();
    for_each_run([&](std::int64_t src, std::int64_t dst, std::int64_t len) {
      std::memcpy(vals->mutable_data() + dst * w, src_vals + (a.offset + src) * w, static_cast<std::size_t>(len * w));
    });
    out->buffers = {validity, vals};
  }
  out->buffers[0] = validity;
  out->null_count = nulls;
  return out;
}

}  // namespace sluice::csv::detail
