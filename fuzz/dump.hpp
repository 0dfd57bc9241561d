// Exact texts of the values of batches, for the fuzz targets' comparisons (two reads of the same input
// must give the same bits, not only the same row and null counts).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sluice/core/array.hpp"

namespace sluice::fuzz {

// An exact text of value i of `a` (relative to its offset): its bits (bytes of a string), lists,
// maps and structs element by element; a null is "n".
inline void dump_value(std::string& out, const sluice::ArrayData& a, std::int64_t i) {
  using sluice::TypeId;
  if (!a.is_valid(i)) {
    out += 'n';
    return;
  }
  char buf[64];
  auto hex = [&](const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::size_t k = 0; k < n; ++k) {
      std::snprintf(buf, sizeof buf, "%02x", b[k]);
      out += buf;
    }
  };
  const sluice::DataType& t = *a.type;
  switch (t.id) {
    case TypeId::kNull: out += 'n'; return;
    case TypeId::kBool: out += a.bool_value(i) ? 'T' : 'F'; return;
    case TypeId::kString:
    case TypeId::kBinary: {
      const auto* offs = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
      const char* base = a.buffers.at(2) ? reinterpret_cast<const char*>(a.buffers[2]->data()) : "";
      out += std::to_string(offs[i + 1] - offs[i]) + ':';
      out.append(base + offs[i], static_cast<std::size_t>(offs[i + 1] - offs[i]));
      return;
    }
    case TypeId::kList: {
      const auto [b, e] = a.list_range(i);
      out += '[';
      for (std::int64_t k = b; k < e; ++k) {
        if (k != b) out += ',';
        dump_value(out, *a.children.at(0), k);
      }
      out += ']';
      return;
    }
    case TypeId::kMap: {
      const auto [b, e] = a.map_range(i);
      const sluice::ArrayData& entries = *a.children.at(0);
      out += "<";
      for (std::int64_t k = b; k < e; ++k) {
        if (k != b) out += ',';
        dump_value(out, *entries.children.at(0), k);
        out += '=';
        dump_value(out, *entries.children.at(1), k);
      }
      out += '>';
      return;
    }
    case TypeId::kStruct:
      out += '{';
      for (std::size_t f = 0; f < a.children.size(); ++f) {
        if (f) out += ',';
        dump_value(out, *a.children[f], i);
      }
      out += '}';
      return;
    default: {
      const int w = t.value_width();
      hex(a.buffers.at(1)->data() + (a.offset + i) * w, static_cast<std::size_t>(w));
      return;
    }
  }
}

// The rows of a batch, after its schema when that differs from the previous batch's (so that where
// batches are cut does not show).
inline std::string dump_batch(const sluice::Batch& b, std::string& last_schema) {
  std::string out;
  if (std::string s = b.schema->to_string(); s != last_schema) {
    out = s;
    last_schema = std::move(s);
  }
  for (std::int64_t r = 0; r < b.num_rows; ++r) {
    for (std::size_t c = 0; c < b.num_columns(); ++c) {
      if (c) out += '|';
      dump_value(out, *b.columns[c], r);
    }
    out += '\n';
  }
  return out;
}

// Every column's values over all batches, by column name, each column's type written where it
// changes: where batches are cut does not show, and one read's column compares with another's
// (a projection's, another thread count's).
struct ColumnDumps {
  std::vector<std::string> names, types, text;

  // (A name a batch repeats is kept apart by its occurrence: "ns", then "ns#2".)
  void add(const Batch& b) {
    for (std::size_t c = 0; c < b.num_columns(); ++c) {
      std::string name = b.schema->fields[c].name;
      int seen = 0;
      for (std::size_t j = 0; j < c; ++j) seen += b.schema->fields[j].name == name ? 1 : 0;
      if (seen) name += "#" + std::to_string(seen + 1);
      std::size_t k = 0;
      while (k < names.size() && names[k] != name) ++k;
      if (k == names.size()) {
        names.push_back(name);
        types.emplace_back();
        text.emplace_back();
      }
      if (std::string t = b.schema->fields[c].type->to_string(); t != types[k]) {
        text[k] += "<" + t + ">";
        types[k] = std::move(t);
      }
      for (std::int64_t r = 0; r < b.num_rows; ++r) {
        dump_value(text[k], *b.columns[c], r);
        text[k] += '\n';
      }
    }
  }
  // The text of the column named `name`, or null.
  const std::string* find(const std::string& name) const {
    for (std::size_t k = 0; k < names.size(); ++k)
      if (names[k] == name) return &text[k];
    return nullptr;
  }
  bool operator==(const ColumnDumps& o) const { return names == o.names && text == o.text; }
};

}  // namespace sluice::fuzz
