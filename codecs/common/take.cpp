// take(): rows of an array gathered by index into fresh buffers starting at offset 0, for every type.
// Lists and maps gather their children through the element ranges of the rows taken; structs gather
// every child with the same indices (sluice slices struct children with their parent).
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "sluice/codecs/filter.hpp"

namespace sluice {
namespace {

using Indices = std::span<const std::int64_t>;

Error invalid(std::string msg) { return Error(ErrorCode::kInvalidArgument, std::move(msg)); }

// The validity bits of the rows taken, or null when none of them is null.
BufferPtr take_validity(const ArrayData& a, Indices idx, std::int64_t& nulls) {
  nulls = 0;
  const std::uint8_t* v = a.validity();
  if (v == nullptr) return nullptr;
  const auto n = static_cast<std::int64_t>(idx.size());
  BufferPtr out = Buffer::allocate(bit::bytes_for(n));
  std::uint8_t* bits = out->mutable_data();
  for (std::int64_t k = 0; k < n; ++k) {
    if (bit::get(v, a.offset + idx[static_cast<std::size_t>(k)])) bit::set(bits, k);
    else ++nulls;
  }
  return nulls == 0 ? nullptr : out;
}

template <int kWidth>
void gather(const std::uint8_t* src, std::uint8_t* dst, Indices idx) {
  for (std::size_t k = 0; k < idx.size(); ++k) std::memcpy(dst + k * kWidth, src + idx[k] * kWidth, kWidth);
}

BufferPtr take_fixed(const ArrayData& a, Indices idx, int width) {
  const auto n = static_cast<std::int64_t>(idx.size());
  BufferPtr out = Buffer::allocate(n * width, false);
  const std::uint8_t* src = a.buffers.at(1)->data() + a.offset * width;
  std::uint8_t* dst = out->mutable_data();
  switch (width) {
    case 1: gather<1>(src, dst, idx); break;
    case 2: gather<2>(src, dst, idx); break;
    case 4: gather<4>(src, dst, idx); break;
    case 8: gather<8>(src, dst, idx); break;
    case 16: gather<16>(src, dst, idx); break;
    default:
      for (std::size_t k = 0; k < idx.size(); ++k)
        std::memcpy(dst + static_cast<std::int64_t>(k) * width, src + idx[k] * width, static_cast<std::size_t>(width));
  }
  return out;
}

Result<ArrayPtr> take_checked(const ArrayData& a, Indices idx);

// Lists (int64 offsets) and maps (int32): new offsets over the element ranges of the rows taken (none
// for a null row), and the child gathered through them.
template <class Offset>
Status take_ranges(const ArrayData& a, Indices idx, ArrayData& out) {
  const auto n = static_cast<std::int64_t>(idx.size());
  if (a.children.size() != 1 || !a.children[0]) return invalid("take: list or map array without its child");
  const ArrayData& child = *a.children[0];
  const Offset* offs = a.buffers.at(1)->data_as<Offset>() + a.offset;
  BufferPtr out_offsets = Buffer::allocate((n + 1) * static_cast<std::int64_t>(sizeof(Offset)));
  Offset* o = out_offsets->mutable_data_as<Offset>();
  std::vector<std::int64_t> child_idx;
  std::int64_t total = 0;
  o[0] = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t row = idx[static_cast<std::size_t>(k)];
    if (a.is_valid(row)) {
      const std::int64_t b = offs[row], e = offs[row + 1];
      if (b < 0 || b > e || e > child.length) return invalid("take: list or map offsets out of range");
      total += e - b;
      if (total > std::numeric_limits<Offset>::max())
        return Error(ErrorCode::kLimitExceeded, "take: the rows taken hold more than " +
                                                    std::to_string(std::numeric_limits<Offset>::max()) +
                                                    " elements, more than the type's offsets can address");
      for (std::int64_t j = b; j < e; ++j) child_idx.push_back(j);
    }
    o[k + 1] = static_cast<Offset>(total);
  }
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr taken, take_checked(child, child_idx));
  out.buffers.push_back(std::move(out_offsets));
  out.children.push_back(std::move(taken));
  return ok_status();
}

// Indices known to be in [0, a.length).
Result<ArrayPtr> take_checked(const ArrayData& a, Indices idx) {
  const auto n = static_cast<std::int64_t>(idx.size());
  auto out = std::make_shared<ArrayData>();
  out->type = a.type;
  out->length = n;
  const DataType& t = *a.type;
  if (t.id == TypeId::kNull) {
    out->null_count = n;
    return out;
  }
  out->buffers.push_back(take_validity(a, idx, out->null_count));
  switch (t.id) {
    case TypeId::kBool: {
      BufferPtr bits = Buffer::allocate(bit::bytes_for(n));
      const std::uint8_t* src = a.buffers.at(1)->data();
      for (std::int64_t k = 0; k < n; ++k)
        if (bit::get(src, a.offset + idx[static_cast<std::size_t>(k)])) bit::set(bits->mutable_data(), k);
      out->buffers.push_back(std::move(bits));
      break;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      const std::int64_t* offs = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
      BufferPtr out_offsets = Buffer::allocate((n + 1) * 8);
      std::int64_t* o = out_offsets->mutable_data_as<std::int64_t>();
      o[0] = 0;
      for (std::int64_t k = 0; k < n; ++k) {
        const std::int64_t row = idx[static_cast<std::size_t>(k)];
        o[k + 1] = o[k] + (offs[row + 1] - offs[row]);
      }
      BufferPtr data = Buffer::allocate(o[n], false);
      if (o[n] > 0) {
        const std::uint8_t* src = a.buffers.at(2)->data();
        for (std::int64_t k = 0; k < n; ++k) {
          const std::int64_t row = idx[static_cast<std::size_t>(k)];
          std::memcpy(data->mutable_data() + o[k], src + offs[row], static_cast<std::size_t>(o[k + 1] - o[k]));
        }
      }
      out->buffers.push_back(std::move(out_offsets));
      out->buffers.push_back(std::move(data));
      break;
    }
    case TypeId::kList: SLUICE_TRY(take_ranges<std::int64_t>(a, idx, *out)); break;
    case TypeId::kMap: SLUICE_TRY(take_ranges<std::int32_t>(a, idx, *out)); break;
    case TypeId::kStruct:
      if (a.children.size() != t.children.size()) return invalid("take: struct array with the wrong number of children");
      for (const auto& child : a.children) {
        if (!child || child->length < a.length) return invalid("take: struct child shorter than the struct");
        SLUICE_ASSIGN_OR_RETURN(ArrayPtr taken, take_checked(*child, idx));
        out->children.push_back(std::move(taken));
      }
      break;
    default: {
      const int w = t.value_width();
      if (w <= 0) return invalid("take: unsupported type " + t.to_string());
      out->buffers.push_back(take_fixed(a, idx, w));
      break;
    }
  }
  return out;
}

Status check_indices(Indices idx, std::int64_t length) {
  for (const std::int64_t i : idx)
    if (i < 0 || i >= length)
      return invalid("take: index " + std::to_string(i) + " is outside the " + std::to_string(length) + " rows");
  return ok_status();
}

}  // namespace

Result<ArrayPtr> take(const ArrayData& array, std::span<const std::int64_t> indices) {
  if (!array.type) return invalid("take: array without a type");
  SLUICE_TRY(check_indices(indices, array.length));
  return take_checked(array, indices);
}

Result<Batch> take(const Batch& batch, std::span<const std::int64_t> indices) {
  SLUICE_TRY(check_indices(indices, batch.num_rows));
  Batch out{batch.schema, {}, static_cast<std::int64_t>(indices.size())};
  out.columns.reserve(batch.columns.size());
  for (const auto& c : batch.columns) {
    if (!c || !c->type || c->length < batch.num_rows) return invalid("take: batch column shorter than the batch");
    SLUICE_ASSIGN_OR_RETURN(ArrayPtr taken, take_checked(*c, indices));
    out.columns.push_back(std::move(taken));
  }
  return out;
}

}  // namespace sluice
