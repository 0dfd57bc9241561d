// The aligned table `sluice head` prints for people.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "sluice/codecs/ndjson/writer.hpp"
#include "sluice/core/array.hpp"
#include "text/format.hpp"

namespace sluice::cli {

// Width of a UTF-8 string in terminal columns (code points; wide characters are counted once).
inline std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

inline std::string cell_text(const ArrayData& a, std::int64_t r) {
  if (a.is_null(r)) return "NULL";
  std::string s;
  if (!text::append_value(s, a, r)) ndjson::append_json_value(s, a, r);  // nested: its JSON text
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  constexpr std::size_t kMax = 40;
  if (display_width(out) > kMax) {
    std::size_t cut = 0, w = 0;
    while (cut < out.size() && w < kMax - 1) {
      ++cut;
      while (cut < out.size() && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) ++cut;
      ++w;
    }
    out = out.substr(0, cut) + "…";
  }
  return out;
}

inline void print_table(std::ostream& os, const Schema& schema, const std::vector<Batch>& batches) {
  const std::size_t nc = schema.num_fields();
  std::vector<std::vector<std::string>> cols(nc);
  std::vector<std::size_t> width(nc);
  std::vector<bool> right(nc);
  for (std::size_t c = 0; c < nc; ++c) {
    cols[c].push_back(schema.fields[c].name);
    cols[c].push_back(schema.fields[c].type->to_string());
    right[c] = schema.fields[c].type->is_numeric();
  }
  for (const auto& b : batches)
    for (std::size_t c = 0; c < nc && c < b.num_columns(); ++c)
      for (std::int64_t r = 0; r < b.num_rows; ++r) cols[c].push_back(cell_text(*b.columns[c], r));
  for (std::size_t c = 0; c < nc; ++c)
    for (const auto& s : cols[c]) width[c] = std::max(width[c], display_width(s));
  const std::size_t rows = nc ? cols[0].size() : 0;
  auto rule = [&] {
    for (std::size_t c = 0; c < nc; ++c) os << (c ? "-+-" : "") << std::string(width[c], '-');
    os << "\n";
  };
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < nc; ++c) {
      const std::string& s = cols[c][r];
      const std::size_t pad = width[c] - display_width(s);
      if (c) os << " | ";
      if (right[c] && r >= 2) os << std::string(pad, ' ') << s;
      else os << s << (c + 1 < nc ? std::string(pad, ' ') : "");
    }
    os << "\n";
    if (r == 1) rule();
  }
}

}  // namespace sluice::cli
