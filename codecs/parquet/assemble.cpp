#include "parquet/assemble.hpp"

#include <cstring>
#include <limits>

namespace sluice::parquet {
namespace {

using format::Type;

Error level_error(const std::string& column, std::string message) {
  ErrorContext ctx;
  ctx.column_name = column;
  return Error(ErrorCode::kParseError, std::move(message), ctx);
}

// Entry indices of one leaf's levels that are the slots of the node being built, or all entries
// [0, n) when `identity` (a flat column: every entry is a row).
struct Slots {
  bool identity = false;
  std::int64_t n = 0;
  std::vector<std::int64_t> idx;
  std::int64_t size() const { return identity ? n : static_cast<std::int64_t>(idx.size()); }
  std::int64_t at(std::int64_t i) const { return identity ? i : idx[static_cast<std::size_t>(i)]; }
};

using SlotMap = std::vector<Slots>;  // by leaf index (only the leaves under the node are set)

int first_leaf(const FieldNode& n) {
  const FieldNode* p = &n;
  while (p->kind != FieldNode::Kind::kLeaf) p = &p->children.front();
  return p->leaf;
}
void leaves_under(const FieldNode& n, std::vector<int>* out) {
  if (n.kind == FieldNode::Kind::kLeaf) out->push_back(n.leaf);
  for (const auto& c : n.children) leaves_under(c, out);
}

// Validity of slots: present where def reaches `def`. Null (no bitmap) when all are present.
BufferPtr validity_of(const LeafChunk& c, const Slots& s, std::int16_t def, std::int64_t* nulls) {
  *nulls = 0;
  const std::int64_t n = s.size();
  if (def == 0 || c.def.empty()) return nullptr;
  const std::int16_t* d = c.def.data();
  std::int64_t absent = 0;
  for (std::int64_t i = 0; i < n; ++i) absent += d[s.at(i)] < def;
  if (absent == 0) return nullptr;
  auto bits = Buffer::allocate(bit::bytes_for(n), true);
  std::uint8_t* b = bits->mutable_data();
  for (std::int64_t i = 0; i < n; ++i)
    if (d[s.at(i)] >= def) bit::set(b, i);
  *nulls = absent;
  return bits;
}

// Dense physical values converted to the output type's fixed-width values (nullptr: kept as they are).
Result<BufferPtr> convert_fixed(const LeafInfo& leaf, const LeafChunk& c) {
  const std::int64_t n = c.values;
  switch (leaf.conversion) {
    case Conversion::kInt32ToInt8:
    case Conversion::kInt32ToInt16: {
      const int w = leaf.conversion == Conversion::kInt32ToInt8 ? 1 : 2;
      auto out = Buffer::allocate(n * w, false);
      const auto* in = c.fixed->data_as<std::int32_t>();
      if (w == 1) {
        auto* o = out->mutable_data_as<std::int8_t>();
        for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<std::int8_t>(in[i]);
      } else {
        auto* o = out->mutable_data_as<std::int16_t>();
        for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<std::int16_t>(in[i]);
      }
      return out;
    }
    case Conversion::kDecimalInt32:
    case Conversion::kDecimalInt64: {
      auto out = Buffer::allocate(n * 16, false);
      auto* o = out->mutable_data_as<__int128>();
      if (leaf.conversion == Conversion::kDecimalInt32) {
        const auto* in = c.fixed->data_as<std::int32_t>();
        for (std::int64_t i = 0; i < n; ++i) o[i] = in[i];
      } else {
        const auto* in = c.fixed->data_as<std::int64_t>();
        for (std::int64_t i = 0; i < n; ++i) o[i] = in[i];
      }
      return out;
    }
    case Conversion::kDecimalFixed: {
      const int w = leaf.type_length;
      auto out = Buffer::allocate(n * 16, false);
      auto* o = out->mutable_data_as<__int128>();
      const std::uint8_t* in = c.fixed ? c.fixed->data() : nullptr;
      for (std::int64_t i = 0; i < n; ++i)
        if (!big_endian_int128(in + i * w, static_cast<std::size_t>(w), &o[i]))
          return level_error(leaf.dotted, "a decimal value of " + std::to_string(w) + " bytes does not fit 128 bits");
      return out;
    }
    case Conversion::kInt96: {
      const TimeUnit unit = leaf.type->unit;
      const std::int64_t per_s = units_per_second(unit);
      const std::int64_t ns_per_unit = 1000000000 / per_s;
      auto out = Buffer::allocate(n * 8, false);
      auto* o = out->mutable_data_as<std::int64_t>();
      const std::uint8_t* in = c.fixed->data();
      constexpr std::int64_t kJulianEpoch = 2440588;
      for (std::int64_t i = 0; i < n; ++i) {
        std::int64_t nanos;
        std::int32_t day;
        std::memcpy(&nanos, in + i * 12, 8);
        std::memcpy(&day, in + i * 12 + 8, 4);
        if (unit == TimeUnit::kMicro) {
          // Spark derives the two fields from microseconds in wrapping 64-bit arithmetic (the time of
          // day may come out negative); the same arithmetic backwards gives every value it wrote,
          // years beyond the nanosecond range included.
          const std::uint64_t days = static_cast<std::uint64_t>(static_cast<std::int64_t>(day) - kJulianEpoch);
          o[i] = static_cast<std::int64_t>(days * 86400000000ULL + static_cast<std::uint64_t>(nanos / 1000));
          continue;
        }
        const __int128 v = static_cast<__int128>(day - kJulianEpoch) * 86400 * per_s +
                           static_cast<__int128>(nanos) / ns_per_unit;  // exact: out of range is an error
        if (v > std::numeric_limits<std::int64_t>::max() || v < std::numeric_limits<std::int64_t>::min())
          return level_error(leaf.dotted, "an INT96 timestamp (Julian day " + std::to_string(day) +
                                              ") is out of the range of timestamp[" + std::string(unit_name(unit)) +
                                              "]; read INT96 as microseconds instead");
        o[i] = static_cast<std::int64_t>(v);
      }
      return out;
    }
    default: return BufferPtr();
  }
}

// Decimal from BYTE_ARRAY values (big-endian two's complement of any length).
Result<BufferPtr> convert_decimal_bytes(const LeafInfo& leaf, LeafChunk& c) {
  const std::int64_t n = c.values;
  auto bufs = c.binary.finish();
  auto out = Buffer::allocate(n * 16, false);
  auto* o = out->mutable_data_as<__int128>();
  const auto* offs = bufs.offsets->data_as<std::int64_t>();
  const std::uint8_t* data = bufs.data ? bufs.data->data() : nullptr;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t w = offs[i + 1] - offs[i];
    if (!big_endian_int128(data + offs[i], static_cast<std::size_t>(w), &o[i]))
      return level_error(leaf.dotted, "a decimal value of " + std::to_string(w) + " bytes does not fit 128 bits");
  }
  return out;
}

Result<ArrayPtr> build_leaf(const FieldNode& node, const LeafInfo& leaf, LeafChunk& c, const Slots& s) {
  auto a = std::make_shared<ArrayData>();
  a->type = node.field.type;
  const std::int64_t n = s.size();
  a->length = n;
  if (leaf.conversion == Conversion::kNull) {
    a->null_count = n;
    a->buffers = {nullptr};
    return a;
  }
  std::int64_t nulls = 0;
  BufferPtr validity;
  if (c.validity) {
    // A flat optional column: its bitmap, one bit per row.
    nulls = c.nulls;
    if (nulls > 0) validity = c.validity;
  } else {
    validity = validity_of(c, s, leaf.max_def, &nulls);
  }
  if (n - nulls != c.values)
    return level_error(leaf.dotted, "the definition levels give " + std::to_string(n - nulls) +
                                        " values where the pages hold " + std::to_string(c.values));
  a->null_count = nulls;
  const std::uint8_t* vbits = validity ? validity->data() : nullptr;
  if (leaf.conversion == Conversion::kBool) {
    BufferPtr bits;
    if (!vbits) {
      bits = c.bits ? c.bits : Buffer::allocate(bit::bytes_for(n), true);
    } else {
      bits = Buffer::allocate(bit::bytes_for(n), true);
      if (!c.bits) c.bits = Buffer::allocate(8, true);  // every value null: no value bits were decoded
      std::uint8_t* o = bits->mutable_data();
      const std::uint8_t* in = c.bits->data();
      std::int64_t j = 0;
      for (std::int64_t i = 0; i < n; ++i)
        if (bit::get(vbits, i)) {
          if (bit::get(in, j)) bit::set(o, i);
          ++j;
        }
    }
    a->buffers = {validity, bits};
    return a;
  }
  if (leaf.conversion == Conversion::kByteArray) {
    auto bufs = c.binary.finish();
    if (!vbits) {
      a->buffers = {nullptr, bufs.offsets, bufs.data};
      return a;
    }
    auto offs = Buffer::allocate((n + 1) * 8, false);
    auto* o = offs->mutable_data_as<std::int64_t>();
    const auto* in = bufs.offsets->data_as<std::int64_t>();
    std::int64_t j = 0;
    o[0] = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      if (bit::get(vbits, i)) ++j;
      o[i + 1] = in[j];
    }
    a->buffers = {validity, offs, bufs.data};
    return a;
  }
  // Fixed width. A batch whose values are all null decoded no value bytes at all.
  if (!c.fixed) c.fixed = Buffer::allocate(0);
  BufferPtr dense;
  if (leaf.conversion == Conversion::kDecimalByteArray) {
    SLUICE_ASSIGN_OR_RETURN(dense, convert_decimal_bytes(leaf, c));
  } else {
    SLUICE_ASSIGN_OR_RETURN(dense, convert_fixed(leaf, c));
    if (!dense) dense = c.fixed;
  }
  const int w = node.field.type->value_width();
  if (!dense) dense = Buffer::allocate(0);
  if (!vbits) {
    a->buffers = {nullptr, dense};
    return a;
  }
  auto spread = Buffer::allocate(n * w, true);
  std::uint8_t* o = spread->mutable_data();
  const std::uint8_t* in = dense->data();
  std::int64_t j = 0;
  switch (w) {
    case 4:
      for (std::int64_t i = 0; i < n; ++i)
        if (bit::get(vbits, i)) std::memcpy(o + i * 4, in + 4 * j++, 4);
      break;
    case 8:
      for (std::int64_t i = 0; i < n; ++i)
        if (bit::get(vbits, i)) std::memcpy(o + i * 8, in + 8 * j++, 8);
      break;
    default:
      for (std::int64_t i = 0; i < n; ++i)
        if (bit::get(vbits, i)) std::memcpy(o + i * w, in + static_cast<std::int64_t>(w) * j++, static_cast<std::size_t>(w));
  }
  a->buffers = {validity, spread};
  return a;
}

Result<ArrayPtr> build(const FieldNode& node, const std::vector<LeafChunk*>& chunks,
                       const std::vector<LeafInfo>& leaves, SlotMap& slots);

// The slots of a list's (or map's) elements, for one leaf: each of the list's slots that holds an
// element starts one, and so does every later entry at the list's repetition level before the next
// entry of a lower level. Offsets (when asked) count them per list slot.
Slots element_slots(const LeafChunk& c, const Slots& s, const FieldNode& node, std::vector<std::int64_t>* offsets) {
  Slots out;
  const std::int64_t total = c.entries;
  const std::int16_t* d = c.def.data();
  const std::int16_t* r = c.rep.data();
  const std::int64_t n = s.size();
  if (offsets) {
    offsets->resize(static_cast<std::size_t>(n + 1));
    (*offsets)[0] = 0;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t e = s.at(i);
    if (d[e] >= node.elem_def) {
      out.idx.push_back(e);
      for (std::int64_t j = e + 1; j < total && r[j] >= node.rep; ++j)
        if (r[j] == node.rep) out.idx.push_back(j);
    }
    if (offsets) (*offsets)[static_cast<std::size_t>(i + 1)] = static_cast<std::int64_t>(out.idx.size());
  }
  return out;
}

Result<ArrayPtr> build(const FieldNode& node, const std::vector<LeafChunk*>& chunks,
                       const std::vector<LeafInfo>& leaves, SlotMap& slots) {
  const int first = first_leaf(node);
  const Slots& s0 = slots[static_cast<std::size_t>(first)];
  const std::int64_t n = s0.size();
  if (node.kind == FieldNode::Kind::kLeaf) {
    return build_leaf(node, leaves[static_cast<std::size_t>(node.leaf)], *chunks[static_cast<std::size_t>(node.leaf)], s0);
  }
  std::vector<int> under;
  leaves_under(node, &under);
  auto a = std::make_shared<ArrayData>();
  a->type = node.field.type;
  a->length = n;
  std::int64_t nulls = 0;
  BufferPtr validity = node.field.nullable ? validity_of(*chunks[static_cast<std::size_t>(first)], s0, node.def, &nulls) : nullptr;
  a->null_count = nulls;
  if (node.kind == FieldNode::Kind::kStruct) {
    a->buffers = {validity};
    for (const auto& child : node.children) {
      SLUICE_ASSIGN_OR_RETURN(ArrayPtr ca, build(child, chunks, leaves, slots));
      if (ca->length != n)
        return level_error(leaves[static_cast<std::size_t>(first)].dotted,
                           "the columns of struct '" + node.field.name + "' disagree on its number of values");
      a->children.push_back(std::move(ca));
    }
    return a;
  }
  // List or map: element slots for every leaf under it, offsets from the first.
  std::vector<std::int64_t> offsets;
  SlotMap inner(slots.size());
  for (int l : under) {
    const auto li = static_cast<std::size_t>(l);
    inner[li] = element_slots(*chunks[li], slots[li], node, l == first ? &offsets : nullptr);
    if (inner[li].size() != inner[static_cast<std::size_t>(first)].size())
      return level_error(leaves[li].dotted, "the columns of '" + node.field.name + "' disagree on its elements");
  }
  const std::int64_t elements = offsets.back();
  if (node.kind == FieldNode::Kind::kList) {
    auto offs = Buffer::allocate((n + 1) * 8, false);
    std::memcpy(offs->mutable_data(), offsets.data(), static_cast<std::size_t>(n + 1) * 8);
    a->buffers = {validity, offs};
    SLUICE_ASSIGN_OR_RETURN(ArrayPtr ca, build(node.children[0], chunks, leaves, inner));
    if (ca->length != elements)
      return level_error(leaves[static_cast<std::size_t>(first)].dotted, "list '" + node.field.name + "' lost elements");
    a->children.push_back(std::move(ca));
    return a;
  }
  // Map: int32 offsets, one child "entries" (struct<key, value>, never null).
  if (elements > std::numeric_limits<std::int32_t>::max())
    return level_error(leaves[static_cast<std::size_t>(first)].dotted, "a batch of more than 2^31 map entries");
  auto offs = Buffer::allocate((n + 1) * 4, false);
  auto* o32 = offs->mutable_data_as<std::int32_t>();
  for (std::int64_t i = 0; i <= n; ++i) o32[i] = static_cast<std::int32_t>(offsets[static_cast<std::size_t>(i)]);
  a->buffers = {validity, offs};
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr key, build(node.children[0], chunks, leaves, inner));
  SLUICE_ASSIGN_OR_RETURN(ArrayPtr value, build(node.children[1], chunks, leaves, inner));
  if (key->null_count != 0)
    return level_error(leaves[static_cast<std::size_t>(first_leaf(node.children[0]))].dotted,
                       "map '" + node.field.name + "' has a null key");
  const auto& entries_field = node.field.type->children.at(0);
  // The output type's key and value types (names "key" / "value"), whatever the file calls them.
  key->type = entries_field.type->children.at(0).type;
  value->type = entries_field.type->children.at(1).type;
  auto entries = std::make_shared<ArrayData>();
  entries->type = entries_field.type;
  entries->length = elements;
  entries->buffers = {nullptr};
  entries->children = {std::move(key), std::move(value)};
  a->children.push_back(std::move(entries));
  return a;
}

}  // namespace

Result<ArrayPtr> assemble(const FieldNode& field, const std::vector<LeafChunk*>& chunks,
                          const std::vector<LeafInfo>& leaves, std::int64_t rows) {
  std::vector<int> under;
  leaves_under(field, &under);
  SlotMap slots(leaves.size());
  for (int l : under) {
    const auto li = static_cast<std::size_t>(l);
    const LeafChunk& c = *chunks[li];
    Slots& s = slots[li];
    if (c.rep.empty()) {
      s.identity = true;
      s.n = c.entries;
    } else {
      for (std::int64_t e = 0; e < c.entries; ++e)
        if (c.rep[static_cast<std::size_t>(e)] == 0) s.idx.push_back(e);
    }
    if (s.size() != rows)
      return level_error(leaves[li].dotted, "the column has " + std::to_string(s.size()) + " rows where " +
                                                std::to_string(rows) + " were expected");
  }
  return build(field, chunks, leaves, slots);
}

}  // namespace sluice::parquet
