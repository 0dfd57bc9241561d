#include "csv/convert.hpp"

#include <cstring>

#include "text/parse.hpp"

namespace sluice::csv::detail {
namespace {

struct Ctx {
  const ConvertInput& in;
  std::size_t col;
  const std::uint32_t* starts;
  const std::uint32_t* ends;
  const char* data;
  char quote;
  bool plain;  // no escape character: a field needs work only if it starts with the quote
  std::string scratch;

  Ctx(const ConvertInput& i, std::size_t c)
      : in(i),
        col(c),
        starts(i.index.starts.data() + c),
        ends(i.index.ends.data() + c),
        data(reinterpret_cast<const char*>(i.chunk.data())),
        quote(i.dialect.quote),
        plain(i.dialect.escape == '\0') {}
};

// Visits each row: on_null(r) for nulls, on_value(r, p, n) for values (unquoted).
template <class OnNull, class OnValue>
inline void visit(Ctx& c, std::int64_t rows, OnNull&& on_null, OnValue&& on_value) {
  const std::size_t nc = c.in.ncols;
  const bool only_empty = c.in.nulls.only_empty();
  const bool empty_null = c.in.nulls.empty_is_null;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::uint32_t s = c.starts[static_cast<std::size_t>(r) * nc];
    const std::uint32_t e = c.ends[static_cast<std::size_t>(r) * nc];
    const char* p = c.data + s;
    std::size_t n = e - s;
    if (n == 0) {
      if (empty_null) {
        on_null(r);
        continue;
      }
    } else if (c.quote != '\0' && p[0] == c.quote) {
      auto v = unquote(c.in.chunk.data(), s, e, c.in.dialect, c.scratch);
      if (!on_value(r, v.data(), v.size())) return;
      continue;
    } else if (!c.plain && std::memchr(p, c.in.dialect.escape, n) != nullptr) {
      auto v = unquote(c.in.chunk.data(), s, e, c.in.dialect, c.scratch);
      if (!on_value(r, v.data(), v.size())) return;
      continue;
    } else if (!only_empty && c.in.nulls.matches(p, n)) {
      on_null(r);
      continue;
    }
    if (!on_value(r, p, n)) return;
  }
}

struct Validity {
  BufferPtr bits;
  std::int64_t nulls = 0;
  std::int64_t rows;
  explicit Validity(std::int64_t n) : rows(n) {}
  void set_null(std::int64_t r) {
    if (!bits) {
      bits = Buffer::allocate(bit::bytes_for(rows), false);
      std::memset(bits->mutable_data(), 0xFF, static_cast<std::size_t>(bit::bytes_for(rows)));
    }
    bit::clear(bits->mutable_data(), r);
    ++nulls;
  }
};

ArrayPtr make_array(const TypePtr& type, std::int64_t rows, Validity& v, std::vector<BufferPtr> rest) {
  auto a = std::make_shared<ArrayData>();
  a->type = type;
  a->length = rows;
  a->null_count = v.nulls;
  a->buffers.push_back(std::move(v.bits));
  for (auto& b : rest) a->buffers.push_back(std::move(b));
  return a;
}

template <class T, class Parse>
ColumnResult convert_fixed(Ctx& c, const TypePtr& type, std::vector<std::uint8_t>* bad, Parse&& parse) {
  const std::int64_t rows = c.in.index.rows;
  auto values = Buffer::allocate(rows * static_cast<std::int64_t>(sizeof(T)), false);
  T* out = values->mutable_data_as<T>();
  Validity v(rows);
  std::int64_t failed = -1;
  visit(
      c, rows,
      [&](std::int64_t r) {
        out[r] = T{};
        v.set_null(r);
      },
      [&](std::int64_t r, const char* p, std::size_t n) {
        if (parse(p, n, out[r])) return true;
        if (bad != nullptr) {
          (*bad)[static_cast<std::size_t>(r)] = 1;
          out[r] = T{};
          v.set_null(r);
          return true;
        }
        failed = r;
        return false;
      });
  if (failed >= 0) return {nullptr, failed};
  return {make_array(type, rows, v, {std::move(values)}), -1};
}

ColumnResult convert_bool(Ctx& c, const TypePtr& type, std::vector<std::uint8_t>* bad) {
  const std::int64_t rows = c.in.index.rows;
  auto values = Buffer::allocate(bit::bytes_for(rows), true);
  std::uint8_t* out = values->mutable_data();
  Validity v(rows);
  std::int64_t failed = -1;
  visit(
      c, rows, [&](std::int64_t r) { v.set_null(r); },
      [&](std::int64_t r, const char* p, std::size_t n) {
        bool b;
        if (text::parse_bool(p, n, b)) {
          if (b) bit::set(out, r);
          return true;
        }
        if (bad != nullptr) {
          (*bad)[static_cast<std::size_t>(r)] = 1;
          v.set_null(r);
          return true;
        }
        failed = r;
        return false;
      });
  if (failed >= 0) return {nullptr, failed};
  return {make_array(type, rows, v, {std::move(values)}), -1};
}

ColumnResult convert_string(Ctx& c, const TypePtr& type) {
  const std::int64_t rows = c.in.index.rows;
  const std::size_t nc = c.in.ncols;
  std::int64_t total = 0;
  for (std::int64_t r = 0; r < rows; ++r)
    total += c.ends[static_cast<std::size_t>(r) * nc] - c.starts[static_cast<std::size_t>(r) * nc];
  auto offsets = Buffer::allocate((rows + 1) * 8, false);
  auto bytes = Buffer::allocate(total, false);
  auto* off = offsets->mutable_data_as<std::int64_t>();
  char* dst = reinterpret_cast<char*>(bytes->mutable_data());
  std::int64_t pos = 0;
  off[0] = 0;
  Validity v(rows);
  visit(
      c, rows,
      [&](std::int64_t r) {
        off[r + 1] = pos;
        v.set_null(r);
      },
      [&](std::int64_t r, const char* p, std::size_t n) {
        std::memcpy(dst + pos, p, n);
        pos += static_cast<std::int64_t>(n);
        off[r + 1] = pos;
        return true;
      });
  bytes->resize(pos);
  return {make_array(type, rows, v, {std::move(offsets), std::move(bytes)}), -1};
}

ColumnResult convert_null(Ctx& c, const TypePtr& type, std::vector<std::uint8_t>* bad) {
  const std::int64_t rows = c.in.index.rows;
  std::int64_t failed = -1;
  visit(
      c, rows, [](std::int64_t) {},
      [&](std::int64_t r, const char*, std::size_t) {
        if (bad != nullptr) {
          (*bad)[static_cast<std::size_t>(r)] = 1;
          return true;
        }
        failed = r;
        return false;
      });
  if (failed >= 0) return {nullptr, failed};
  auto a = std::make_shared<ArrayData>();
  a->type = type;
  a->length = a->null_count = rows;
  return {a, -1};
}

}  // namespace

bool csv_supports(const DataType& t) {
  switch (t.id) {
    case TypeId::kList: case TypeId::kStruct: case TypeId::kMap: case TypeId::kFixedSizeBinary:
    case TypeId::kFloat16: case TypeId::kDuration:
      return false;
    default:
      return true;
  }
}

std::string_view field_text(const ConvertInput& in, std::int64_t row, std::size_t col, std::string& scratch,
                            bool* quoted) {
  const std::size_t i = static_cast<std::size_t>(row) * in.ncols + col;
  const std::uint32_t s = in.index.starts[i], e = in.index.ends[i];
  if (quoted) *quoted = in.dialect.quote != '\0' && e > s && in.chunk.data()[s] == static_cast<std::uint8_t>(in.dialect.quote);
  return unquote(in.chunk.data(), s, e, in.dialect, scratch);
}

ColumnResult convert_column(const ConvertInput& in, std::size_t col, const TypePtr& type,
                            std::vector<std::uint8_t>* bad) {
  Ctx c(in, col);
  switch (type->id) {
    case TypeId::kNull: return convert_null(c, type, bad);
    case TypeId::kBool: return convert_bool(c, type, bad);
    case TypeId::kInt8: return convert_fixed<std::int8_t>(c, type, bad, text::parse_integer<std::int8_t>);
    case TypeId::kInt16: return convert_fixed<std::int16_t>(c, type, bad, text::parse_integer<std::int16_t>);
    case TypeId::kInt32: return convert_fixed<std::int32_t>(c, type, bad, text::parse_integer<std::int32_t>);
    case TypeId::kInt64: return convert_fixed<std::int64_t>(c, type, bad, text::parse_int64);
    case TypeId::kUInt8: return convert_fixed<std::uint8_t>(c, type, bad, text::parse_integer<std::uint8_t>);
    case TypeId::kUInt16: return convert_fixed<std::uint16_t>(c, type, bad, text::parse_integer<std::uint16_t>);
    case TypeId::kUInt32: return convert_fixed<std::uint32_t>(c, type, bad, text::parse_integer<std::uint32_t>);
    case TypeId::kUInt64: return convert_fixed<std::uint64_t>(c, type, bad, text::parse_uint64);
    case TypeId::kFloat32: return convert_fixed<float>(c, type, bad, text::parse_float);
    case TypeId::kFloat64: return convert_fixed<double>(c, type, bad, text::parse_double);
    case TypeId::kDate32: return convert_fixed<std::int32_t>(c, type, bad, text::parse_date);
    case TypeId::kTimestamp: {
      const TimeUnit unit = type->unit;
      return convert_fixed<std::int64_t>(c, type, bad, [unit](const char* p, std::size_t n, std::int64_t& v) {
        text::TzKind tz;
        return text::parse_timestamp(p, n, unit, v, tz);
      });
    }
    case TypeId::kTime: {
      const TimeUnit unit = type->unit;
      if (type->value_width() == 4)
        return convert_fixed<std::int32_t>(c, type, bad, [unit](const char* p, std::size_t n, std::int32_t& v) {
          std::int64_t t;
          if (!text::parse_time(p, n, unit, t)) return false;
          v = static_cast<std::int32_t>(t);
          return true;
        });
      return convert_fixed<std::int64_t>(c, type, bad, [unit](const char* p, std::size_t n, std::int64_t& v) {
        return text::parse_time(p, n, unit, v);
      });
    }
    case TypeId::kDecimal128: {
      const int prec = type->precision, scale = type->scale;
      return convert_fixed<__int128>(c, type, bad, [prec, scale](const char* p, std::size_t n, __int128& v) {
        return text::parse_decimal(p, n, prec, scale, v);
      });
    }
    case TypeId::kString:
    case TypeId::kBinary:
      return convert_string(c, type);
    default:
      return {nullptr, 0};
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
  BufferPtr validity;
  std::int64_t nulls = 0;
  auto keep_validity = [&](std::int64_t src, std::int64_t dst) {
    if (a.is_valid(src)) return;
    if (!validity) {
      validity = Buffer::allocate(bit::bytes_for(kept), false);
      std::memset(validity->mutable_data(), 0xFF, static_cast<std::size_t>(bit::bytes_for(kept)));
    }
    bit::clear(validity->mutable_data(), dst);
    ++nulls;
  };
  if (a.type->id == TypeId::kBool) {
    auto bits = Buffer::allocate(bit::bytes_for(kept), true);
    std::int64_t j = 0;
    for (std::int64_t i = 0; i < a.length; ++i) {
      if (drop[static_cast<std::size_t>(i)]) continue;
      keep_validity(i, j);
      if (a.bool_value(i)) bit::set(bits->mutable_data(), j);
      ++j;
    }
    out->buffers = {validity, bits};
  } else if (a.type->is_binary_like()) {
    auto offs = Buffer::allocate((kept + 1) * 8, false);
    auto bytes = Buffer::allocate(a.buffers[2]->size(), false);
    auto* o = offs->mutable_data_as<std::int64_t>();
    std::int64_t j = 0, pos = 0;
    o[0] = 0;
    for (std::int64_t i = 0; i < a.length; ++i) {
      if (drop[static_cast<std::size_t>(i)]) continue;
      keep_validity(i, j);
      const auto s = a.string_at(i);
      std::memcpy(bytes->mutable_data() + pos, s.data(), s.size());
      pos += static_cast<std::int64_t>(s.size());
      o[++j] = pos;
    }
    bytes->resize(pos);
    out->buffers = {validity, offs, bytes};
  } else {
    const int w = a.type->value_width();
    auto vals = Buffer::allocate(kept * w, false);
    std::int64_t j = 0;
    for (std::int64_t i = 0; i < a.length; ++i) {
      if (drop[static_cast<std::size_t>(i)]) continue;
      keep_validity(i, j);
      std::memcpy(vals->mutable_data() + j * w, a.buffers[1]->data() + (a.offset + i) * w, static_cast<std::size_t>(w));
      ++j;
    }
    out->buffers = {validity, vals};
  }
  out->buffers[0] = validity;
  out->null_count = nulls;
  return out;
}

}  // namespace sluice::csv::detail
