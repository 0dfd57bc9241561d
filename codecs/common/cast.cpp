// unify_types() and cast_array(): the widening conversions that reading many files as one table needs.
// Casts write fresh buffers starting at offset 0 (the validity bits copied); a cast to the same type
// returns the input.
#include "sluice/codecs/cast.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "sluice/core/builder.hpp"
#include "text/format.hpp"

namespace sluice {
namespace {

Error invalid(std::string msg) { return Error(ErrorCode::kInvalidArgument, std::move(msg)); }

int int_width(TypeId id) {
  switch (id) {
    case TypeId::kInt8: case TypeId::kUInt8: return 8;
    case TypeId::kInt16: case TypeId::kUInt16: return 16;
    case TypeId::kInt32: case TypeId::kUInt32: return 32;
    default: return 64;
  }
}

TypePtr signed_of(int width) {
  switch (width) {
    case 8: return int8();
    case 16: return int16();
    case 32: return int32();
    default: return int64();
  }
}
TypePtr unsigned_of(int width) {
  switch (width) {
    case 8: return uint8();
    case 16: return uint16();
    case 32: return uint32();
    default: return uint64();
  }
}

// Decimal digits an integer type needs.
int int_digits(const DataType& t) {
  switch (t.id) {
    case TypeId::kInt8: case TypeId::kUInt8: return 3;
    case TypeId::kInt16: case TypeId::kUInt16: return 5;
    case TypeId::kInt32: case TypeId::kUInt32: return 10;
    case TypeId::kInt64: return 19;
    default: return 20;
  }
}

TypePtr unify_decimal(int int_digits_a, int scale_a, int int_digits_b, int scale_b) {
  const int scale = std::max(scale_a, scale_b);
  const int whole = std::max(int_digits_a, int_digits_b);
  if (whole + scale > 38) return float64();
  return decimal128(whole + scale, scale);
}

bool scalar(const DataType& t) { return !t.is_nested(); }

}  // namespace

TypePtr unify_types(const TypePtr& a, const TypePtr& b, const UnifyOptions& options) {
  if (!a || !b) return nullptr;
  if (*a == *b) return a;
  // A UUID beside plain 16-byte binary, JSON beside a string: the storage types, unified. A geometry
  // beside a geography: none (planar and spherical edges), strings (WKT) on request.
  const auto geo = [](const DataType& t) { return t.extension == Extension::kGeometry || t.extension == Extension::kGeography; };
  if (geo(*a) && geo(*b) && a->extension != b->extension) return options.to_string ? utf8() : nullptr;
  if (a->extension != b->extension)
    return unify_types(with_extension(a, Extension::kNone), with_extension(b, Extension::kNone), options);
  if (a->id == TypeId::kNull) return b;
  if (b->id == TypeId::kNull) return a;
  const DataType& x = *a;
  const DataType& y = *b;
  auto fallback = [&]() -> TypePtr {
    return options.to_string && scalar(x) && scalar(y) ? utf8() : nullptr;
  };
  if (geo(x)) {
    // Geometries in two CRSs (or geographies with two edge algorithms) have no common type: their
    // coordinates mean different places. No CRS and OGC:CRS84 are the same one (Parquet's default,
    // which GeoParquet readers name): the named one. Strings (WKT) with union_to_string.
    const auto named = [](const DataType& t) { return t.crs.empty() ? std::string(kDefaultCrs) : t.crs; };
    if (x.edges == y.edges && named(x) == named(y)) return x.crs.empty() ? b : a;
    return fallback();
  }
  if (x.is_integer() && y.is_integer()) {
    const int wx = int_width(x.id), wy = int_width(y.id);
    if (x.is_signed_integer() == y.is_signed_integer())
      return x.is_signed_integer() ? signed_of(std::max(wx, wy)) : unsigned_of(std::max(wx, wy));
    const int us = x.is_signed_integer() ? wy : wx;  // the unsigned one's width
    const int s = x.is_signed_integer() ? wx : wy;
    if (us == 64) return float64();
    return signed_of(std::max(s, us * 2));
  }
  if (x.id == TypeId::kDecimal128 || y.id == TypeId::kDecimal128) {
    if (x.is_floating() || y.is_floating()) return float64();
    if (x.id == TypeId::kDecimal128 && y.id == TypeId::kDecimal128)
      return unify_decimal(x.precision - x.scale, x.scale, y.precision - y.scale, y.scale);
    if (x.is_integer()) return unify_decimal(int_digits(x), 0, y.precision - y.scale, y.scale);
    if (y.is_integer()) return unify_decimal(x.precision - x.scale, x.scale, int_digits(y), 0);
    return fallback();
  }
  if ((x.is_integer() || x.is_floating()) && (y.is_integer() || y.is_floating())) {
    if (x.id == TypeId::kFloat32 && (y.id == TypeId::kFloat32 || y.id == TypeId::kFloat16)) return a;
    if (y.id == TypeId::kFloat32 && x.id == TypeId::kFloat16) return b;
    return float64();
  }
  auto finer = [](TimeUnit u, TimeUnit v) { return units_per_second(u) >= units_per_second(v) ? u : v; };
  if (x.id == TypeId::kTimestamp && y.id == TypeId::kTimestamp) {
    if (x.timezone.empty() != y.timezone.empty()) return fallback();
    return timestamp(finer(x.unit, y.unit), x.timezone.empty() ? std::string() : x.timezone);
  }
  if (x.id == TypeId::kDate32 && y.id == TypeId::kTimestamp) return b;
  if (y.id == TypeId::kDate32 && x.id == TypeId::kTimestamp) return a;
  if (x.id == TypeId::kTime && y.id == TypeId::kTime) return time_type(finer(x.unit, y.unit));
  if (x.id == TypeId::kDuration && y.id == TypeId::kDuration) return duration(finer(x.unit, y.unit));
  if (x.is_binary_like() && y.is_binary_like()) return binary();
  if (x.id == TypeId::kStruct && y.id == TypeId::kStruct) {
    std::vector<Field> fields = x.children;
    for (const Field& f : y.children) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const Field& g) { return g.name == f.name; });
      if (it == fields.end()) {
        Field g = f;
        g.nullable = true;
        fields.push_back(std::move(g));
        continue;
      }
      TypePtr t = unify_types(it->type, f.type, options);
      if (!t) return nullptr;
      it->type = std::move(t);
      it->nullable = it->nullable || f.nullable;
    }
    for (auto& f : fields)
      if (std::none_of(y.children.begin(), y.children.end(), [&](const Field& g) { return g.name == f.name; }))
        f.nullable = true;
    return struct_(std::move(fields));
  }
  if (x.id == TypeId::kList && y.id == TypeId::kList) {
    TypePtr item = unify_types(x.children[0].type, y.children[0].type, options);
    if (!item) return nullptr;
    Field f = x.children[0];
    f.type = std::move(item);
    f.nullable = x.children[0].nullable || y.children[0].nullable;
    return list(std::move(f));
  }
  if (x.id == TypeId::kMap && y.id == TypeId::kMap) {
    const auto& ex = x.children[0].type->children;
    const auto& ey = y.children[0].type->children;
    TypePtr key = unify_types(ex[0].type, ey[0].type, options);
    TypePtr value = unify_types(ex[1].type, ey[1].type, options);
    if (!key || !value) return nullptr;
    return map(std::move(key), std::move(value));
  }
  return fallback();
}

ArrayPtr null_array(const TypePtr& type, std::int64_t length) {
  auto builder = make_builder(type);
  for (std::int64_t i = 0; i < length; ++i) builder->append_null();
  return builder->finish();
}

namespace {

// The validity bits of `a` from offset 0 (null when it has no nulls).
BufferPtr validity_of(const ArrayData& a) {
  if (a.null_count == 0 || a.validity() == nullptr) return nullptr;
  if (a.offset == 0) return a.buffers[0];
  auto out = Buffer::allocate(bit::bytes_for(a.length));
  for (std::int64_t i = 0; i < a.length; ++i)
    if (bit::get(a.validity(), a.offset + i)) bit::set(out->mutable_data(), i);
  return out;
}

ArrayPtr fixed(const TypePtr& to, const ArrayData& a, BufferPtr values) {
  auto out = std::make_shared<ArrayData>();
  out->type = to;
  out->length = a.length;
  out->null_count = a.null_count;
  out->buffers = {validity_of(a), std::move(values)};
  return out;
}

// Reads value i of any integer, float, date, time, timestamp or duration array as a double / int64.
double as_double(const ArrayData& a, std::int64_t i) {
  switch (a.type->id) {
    case TypeId::kInt8: return a.value<std::int8_t>(i);
    case TypeId::kInt16: return a.value<std::int16_t>(i);
    case TypeId::kInt32: return a.value<std::int32_t>(i);
    case TypeId::kInt64: return static_cast<double>(a.value<std::int64_t>(i));
    case TypeId::kUInt8: return a.value<std::uint8_t>(i);
    case TypeId::kUInt16: return a.value<std::uint16_t>(i);
    case TypeId::kUInt32: return a.value<std::uint32_t>(i);
    case TypeId::kUInt64: return static_cast<double>(a.value<std::uint64_t>(i));
    case TypeId::kFloat16: return text::half_to_double(a.value<std::uint16_t>(i));
    case TypeId::kFloat32: return a.value<float>(i);
    case TypeId::kFloat64: return a.value<double>(i);
    case TypeId::kDecimal128: {
      const __int128 v = a.value<__int128>(i);
      return static_cast<double>(v) / std::pow(10.0, a.type->scale);
    }
    default: return 0;
  }
}

// Integers (and date32, time32) widened to int64; uint64 values above int64 are reported by the caller.
__int128 as_int(const ArrayData& a, std::int64_t i) {
  switch (a.type->id) {
    case TypeId::kInt8: return a.value<std::int8_t>(i);
    case TypeId::kInt16: return a.value<std::int16_t>(i);
    case TypeId::kInt32: case TypeId::kDate32: return a.value<std::int32_t>(i);
    case TypeId::kUInt8: return a.value<std::uint8_t>(i);
    case TypeId::kUInt16: return a.value<std::uint16_t>(i);
    case TypeId::kUInt32: return a.value<std::uint32_t>(i);
    case TypeId::kUInt64: return a.value<std::uint64_t>(i);
    case TypeId::kTime: return a.type->value_width() == 4 ? a.value<std::int32_t>(i) : a.value<std::int64_t>(i);
    default: return a.value<std::int64_t>(i);
  }
}

template <class T>
Result<ArrayPtr> to_integer(const ArrayData& a, const TypePtr& to, __int128 multiplier) {
  auto values = Buffer::allocate(a.length * static_cast<std::int64_t>(sizeof(T)));
  T* out = values->mutable_data_as<T>();
  for (std::int64_t i = 0; i < a.length; ++i) {
    if (a.is_null(i)) continue;
    const __int128 v = as_int(a, i);
    const __int128 r = v * multiplier;
    if ((multiplier != 0 && r / multiplier != v) || r < static_cast<__int128>(std::numeric_limits<T>::min()) ||
        r > static_cast<__int128>(std::numeric_limits<T>::max()))
      return invalid("cast from " + a.type->to_string() + " to " + to->to_string() + ": the value in row " +
                     std::to_string(i) + " does not fit");
    out[i] = static_cast<T>(r);
  }
  return fixed(to, a, std::move(values));
}

__int128 pow10(int n) {
  __int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

Result<ArrayPtr> to_decimal(const ArrayData& a, const TypePtr& to) {
  auto values = Buffer::allocate(a.length * 16);
  auto* out = values->mutable_data_as<__int128>();
  const int from_scale = a.type->id == TypeId::kDecimal128 ? a.type->scale : 0;
  const __int128 mul = pow10(to->scale - from_scale);
  const __int128 limit = pow10(to->precision);
  for (std::int64_t i = 0; i < a.length; ++i) {
    if (a.is_null(i)) continue;
    const __int128 v = a.type->id == TypeId::kDecimal128 ? a.value<__int128>(i) : as_int(a, i);
    const __int128 r = v * mul;
    if (r >= limit || r <= -limit)
      return invalid("cast to " + to->to_string() + ": the value in row " + std::to_string(i) + " does not fit");
    out[i] = r;
  }
  return fixed(to, a, std::move(values));
}

Result<ArrayPtr> to_string(const ArrayData& a, const TypePtr& to) {
  auto offsets = Buffer::allocate((a.length + 1) * 8);
  auto* offs = offsets->mutable_data_as<std::int64_t>();
  std::string data;
  for (std::int64_t i = 0; i < a.length; ++i) {
    offs[i] = static_cast<std::int64_t>(data.size());
    if (a.is_null(i)) continue;
    if (!text::append_value(data, a, i))
      return invalid("cast from " + a.type->to_string() + " to " + to->to_string() + " is not supported");
  }
  offs[a.length] = static_cast<std::int64_t>(data.size());
  auto bytes = Buffer::allocate(static_cast<std::int64_t>(data.size()), false);
  if (!data.empty()) std::memcpy(bytes->mutable_data(), data.data(), data.size());
  auto out = std::make_shared<ArrayData>();
  out->type = to;
  out->length = a.length;
  out->null_count = a.null_count;
  out->buffers = {validity_of(a), std::move(offsets), std::move(bytes)};
  return out;
}

}  // namespace

Result<ArrayPtr> cast_array(const ArrayPtr& array, const TypePtr& to) {
  const ArrayData& a = *array;
  const DataType& from = *a.type;
  if (from == *to) return array;
  if (from.id == TypeId::kNull) return null_array(to, a.length);
  if (from.extension != to->extension) {
    // Where only the meaning differs (a UUID to its 16 bytes, JSON to a string): the same buffers.
    const auto relabel = [&](TypePtr t) {
      auto out = std::make_shared<ArrayData>(a);
      out->type = std::move(t);
      return out;
    };
    const TypePtr from_storage = with_extension(a.type, Extension::kNone);
    if (*from_storage == *with_extension(to, Extension::kNone)) return ArrayPtr(relabel(to));
    // A UUID, an INTERVAL or a geometry cast to a string is its text (text::append_value knows it);
    // else the storage is cast.
    const bool as_text = extension_has_text(from.extension) && to->id == TypeId::kString;
    if (from.extension != Extension::kNone && !as_text)
      return cast_array(relabel(from_storage), to);
  }
  const auto unsupported = [&] {
    return invalid("cast from " + from.to_string() + " to " + to->to_string() + " is not supported");
  };
  switch (to->id) {
    case TypeId::kInt8: case TypeId::kInt16: case TypeId::kInt32: case TypeId::kInt64:
    case TypeId::kUInt8: case TypeId::kUInt16: case TypeId::kUInt32: case TypeId::kUInt64: {
      if (!from.is_integer()) return unsupported();
      switch (to->id) {
        case TypeId::kInt8: return to_integer<std::int8_t>(a, to, 1);
        case TypeId::kInt16: return to_integer<std::int16_t>(a, to, 1);
        case TypeId::kInt32: return to_integer<std::int32_t>(a, to, 1);
        case TypeId::kInt64: return to_integer<std::int64_t>(a, to, 1);
        case TypeId::kUInt8: return to_integer<std::uint8_t>(a, to, 1);
        case TypeId::kUInt16: return to_integer<std::uint16_t>(a, to, 1);
        case TypeId::kUInt32: return to_integer<std::uint32_t>(a, to, 1);
        default: return to_integer<std::uint64_t>(a, to, 1);
      }
    }
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      if (!from.is_numeric()) return unsupported();
      const bool f32 = to->id == TypeId::kFloat32;
      auto values = Buffer::allocate(a.length * (f32 ? 4 : 8));
      for (std::int64_t i = 0; i < a.length; ++i) {
        if (a.is_null(i)) continue;
        const double v = as_double(a, i);
        if (f32) values->mutable_data_as<float>()[i] = static_cast<float>(v);
        else values->mutable_data_as<double>()[i] = v;
      }
      return fixed(to, a, std::move(values));
    }
    case TypeId::kDecimal128:
      if (from.id != TypeId::kDecimal128 && !from.is_integer()) return unsupported();
      if (from.id == TypeId::kDecimal128 && from.scale > to->scale) return unsupported();
      return to_decimal(a, to);
    case TypeId::kTimestamp:
      if (from.id == TypeId::kDate32)
        return to_integer<std::int64_t>(a, to, static_cast<__int128>(86400) * units_per_second(to->unit));
      if (from.id == TypeId::kTimestamp && units_per_second(to->unit) >= units_per_second(from.unit))
        return to_integer<std::int64_t>(a, to, units_per_second(to->unit) / units_per_second(from.unit));
      return unsupported();
    case TypeId::kTime:
    case TypeId::kDuration:
      if (from.id != to->id || units_per_second(to->unit) < units_per_second(from.unit)) return unsupported();
      if (to->value_width() == 4)
        return to_integer<std::int32_t>(a, to, units_per_second(to->unit) / units_per_second(from.unit));
      return to_integer<std::int64_t>(a, to, units_per_second(to->unit) / units_per_second(from.unit));
    case TypeId::kBinary:
      if (from.id == TypeId::kString) {
        auto out = std::make_shared<ArrayData>(a);
        out->type = to;
        return ArrayPtr(std::move(out));
      }
      return to_string(a, to);
    case TypeId::kString:
      if (from.is_nested()) return unsupported();
      return to_string(a, to);
    case TypeId::kStruct: {
      if (from.id != TypeId::kStruct) return unsupported();
      auto out = std::make_shared<ArrayData>();
      out->type = to;
      out->length = a.length;
      out->null_count = a.null_count;
      out->buffers = {validity_of(a)};
      // Children are sliced with their parent, so child row i is the struct's row i.
      for (const Field& f : to->children) {
        const auto it = std::find_if(from.children.begin(), from.children.end(),
                                     [&](const Field& g) { return g.name == f.name; });
        if (it == from.children.end()) {
          out->children.push_back(null_array(f.type, a.length));
          continue;
        }
        const auto& child = a.children[static_cast<std::size_t>(it - from.children.begin())];
        auto c = cast_array(child, f.type);
        if (!c.ok()) return std::move(c).error();
        out->children.push_back(std::move(c).value());
      }
      return ArrayPtr(std::move(out));
    }
    case TypeId::kList:
    case TypeId::kMap: {
      if (from.id != to->id) return unsupported();
      auto out = std::make_shared<ArrayData>(a);
      out->type = to;
      TypePtr child_type = to->children[0].type;
      auto c = cast_array(a.children[0], child_type);
      if (!c.ok()) return std::move(c).error();
      out->children[0] = std::move(c).value();
      return ArrayPtr(std::move(out));
    }
    default: return unsupported();
  }
}

}  // namespace sluice
