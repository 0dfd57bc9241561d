// Column data in Arrow's memory layout, and the Batch: a schema plus equal-length columns.
//
// Buffers per type (index 0 is always the validity bitmap, null when the column has no nulls):
//   null: none at all | bool: validity, bits | fixed width: validity, values
//   string/binary: validity, int64 offsets (length+1), bytes | list: validity, int64 offsets + child
//   struct: validity + children | map: validity, int32 offsets + child "entries" struct
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/types.hpp"

namespace sluice {

struct ArrayData;
using ArrayPtr = std::shared_ptr<ArrayData>;

struct ArrayData {
  TypePtr type;
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  std::int64_t offset = 0;  // logical start within the buffers (slices share buffers)
  std::vector<BufferPtr> buffers;
  std::vector<ArrayPtr> children;

  const std::uint8_t* validity() const {
    return buffers.empty() || !buffers[0] ? nullptr : buffers[0]->data();
  }
  bool is_valid(std::int64_t i) const {
    if (type->id == TypeId::kNull) return false;
    const auto* v = validity();
    return v == nullptr || bit::get(v, offset + i);
  }
  bool is_null(std::int64_t i) const { return !is_valid(i); }

  // Fixed-width values (i is relative to this array's offset).
  template <class T>
  const T* values() const { return buffers.at(1)->data_as<T>() + offset; }
  template <class T>
  T value(std::int64_t i) const { return values<T>()[i]; }
  bool bool_value(std::int64_t i) const { return bit::get(buffers.at(1)->data(), offset + i); }

  // String / binary.
  std::string_view string_at(std::int64_t i) const {
    const auto* offs = buffers.at(1)->data_as<std::int64_t>() + offset;
    const char* base = reinterpret_cast<const char*>(buffers.at(2)->data());
    return {base + offs[i], static_cast<std::size_t>(offs[i + 1] - offs[i])};
  }
  std::string_view fixed_binary_at(std::int64_t i) const {
    const int w = type->byte_width;
    return {reinterpret_cast<const char*>(buffers.at(1)->data()) + (offset + i) * w, static_cast<std::size_t>(w)};
  }
  // List: child range [begin, end) of element i.
  std::pair<std::int64_t, std::int64_t> list_range(std::int64_t i) const {
    const auto* offs = buffers.at(1)->data_as<std::int64_t>() + offset;
    return {offs[i], offs[i + 1]};
  }
  std::pair<std::int64_t, std::int64_t> map_range(std::int64_t i) const {
    const auto* offs = buffers.at(1)->data_as<std::int32_t>() + offset;
    return {offs[i], offs[i + 1]};
  }

  // A view of rows [start, start+len) sharing buffers. Children of structs are sliced too (as Arrow).
  ArrayPtr slice(std::int64_t start, std::int64_t len) const;

  // Checks that buffers and children are consistent with the type and length (sizes, offsets
  // monotonic and in range, null_count matching the bitmap). Used on imported data.
  Status validate() const;
};

inline std::int64_t count_nulls(const std::uint8_t* validity, std::int64_t offset, std::int64_t length) {
  if (validity == nullptr) return 0;
  std::int64_t set = 0;
  for (std::int64_t i = 0; i < length; ++i) set += bit::get(validity, offset + i);
  return length - set;
}

inline ArrayPtr ArrayData::slice(std::int64_t start, std::int64_t len) const {
  auto out = std::make_shared<ArrayData>(*this);
  out->offset = offset + start;
  out->length = len;
  if (type->id == TypeId::kNull) {
    out->null_count = len;
  } else {
    out->null_count = validity() ? count_nulls(validity(), out->offset, len) : 0;
  }
  if (type->id == TypeId::kStruct) {
    for (auto& c : out->children) c = c->slice(start, len);
  }
  return out;
}

namespace detail {
inline Status invalid(std::string msg) { return Error(ErrorCode::kInvalidArgument, std::move(msg)); }
inline bool buffer_holds(const BufferPtr& b, std::int64_t bytes) { return b && b->size() >= bytes; }
}  // namespace detail

inline Status ArrayData::validate() const {
  if (!type) return detail::invalid("array without a type");
  if (length < 0 || offset < 0 || null_count < 0 || null_count > length)
    return detail::invalid("array with negative length, offset or null count");
  const std::int64_t end = offset + length;
  auto need_validity = [&]() -> Status {
    if (buffers.empty()) return detail::invalid("array without a validity slot");
    if (buffers[0]) {
      if (!detail::buffer_holds(buffers[0], bit::bytes_for(end))) return detail::invalid("validity bitmap too small");
      if (count_nulls(buffers[0]->data(), offset, length) != null_count)
        return detail::invalid("null count disagrees with the validity bitmap");
    } else if (null_count != 0) {
      return detail::invalid("nulls without a validity bitmap");
    }
    return ok_status();
  };
  switch (type->id) {
    case TypeId::kNull:
      if (null_count != length) return detail::invalid("null array with non-null values");
      return ok_status();
    case TypeId::kBool:
      SLUICE_TRY(need_validity());
      if (buffers.size() < 2 || !detail::buffer_holds(buffers[1], bit::bytes_for(end)))
        return detail::invalid("bool values buffer too small");
      return ok_status();
    case TypeId::kString:
    case TypeId::kBinary: {
      SLUICE_TRY(need_validity());
      if (buffers.size() < 3 || !detail::buffer_holds(buffers[1], (end + 1) * 8))
        return detail::invalid("offsets buffer too small");
      const auto* offs = buffers[1]->data_as<std::int64_t>();
      const std::int64_t data_size = buffers[2] ? buffers[2]->size() : 0;
      for (std::int64_t i = offset; i < end; ++i)
        if (offs[i] < 0 || offs[i] > offs[i + 1] || offs[i + 1] > data_size)
          return detail::invalid("string offsets out of order or out of range");
      return ok_status();
    }
    case TypeId::kList:
    case TypeId::kMap: {
      SLUICE_TRY(need_validity());
      const int w = type->id == TypeId::kList ? 8 : 4;
      if (buffers.size() < 2 || !detail::buffer_holds(buffers[1], (end + 1) * w))
        return detail::invalid("offsets buffer too small");
      if (children.size() != 1 || !children[0]) return detail::invalid("list/map needs one child");
      for (std::int64_t i = offset; i < end; ++i) {
        std::int64_t a, b;
        if (w == 8) {
          a = buffers[1]->data_as<std::int64_t>()[i];
          b = buffers[1]->data_as<std::int64_t>()[i + 1];
        } else {
          a = buffers[1]->data_as<std::int32_t>()[i];
          b = buffers[1]->data_as<std::int32_t>()[i + 1];
        }
        if (a < 0 || a > b || b > children[0]->length) return detail::invalid("list offsets out of range");
      }
      return children[0]->validate();
    }
    case TypeId::kStruct: {
      SLUICE_TRY(need_validity());
      if (children.size() != type->children.size()) return detail::invalid("struct child count mismatch");
      for (const auto& c : children) {
        if (!c || c->length < length) return detail::invalid("struct child shorter than the struct");
        SLUICE_TRY(c->validate());
      }
      return ok_status();
    }
    default: {
      SLUICE_TRY(need_validity());
      const int w = type->value_width();
      if (buffers.size() < 2 || !detail::buffer_holds(buffers[1], end * w))
        return detail::invalid("values buffer too small for " + type->to_string());
      return ok_status();
    }
  }
}

// A schema plus equal-length columns. Copying a Batch shares its buffers.
struct Batch {
  SchemaPtr schema;
  std::vector<ArrayPtr> columns;
  std::int64_t num_rows = 0;

  std::size_t num_columns() const { return columns.size(); }
  const ArrayData& column(std::size_t i) const { return *columns.at(i); }

  Batch slice(std::int64_t start, std::int64_t len) const {
    Batch out{schema, {}, len};
    for (const auto& c : columns) out.columns.push_back(c->slice(start, len));
    return out;
  }

  Status validate() const {
    if (!schema || schema->num_fields() != columns.size())
      return detail::invalid("batch has " + std::to_string(columns.size()) + " columns but its schema has " +
                             std::to_string(schema ? schema->num_fields() : 0));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i] || columns[i]->length != num_rows)
        return detail::invalid("column " + std::to_string(i) + " length differs from the batch's rows");
      if (!(*columns[i]->type == *schema->fields[i].type))
        return detail::invalid("column " + std::to_string(i) + " type differs from the schema");
      SLUICE_TRY(columns[i]->validate());
    }
    return ok_status();
  }
};

}  // namespace sluice
