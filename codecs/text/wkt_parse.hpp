// Well-known text (WKT) read into ISO well-known binary (WKB), as DuckDB's cast of text to GEOMETRY
// reads it: a CSV or NDJSON column declared `geometry` holds WKT, and its values are kept as the WKB
// a Parquet GEOMETRY column holds.
//
// Accepted: POINT, LINESTRING, POLYGON, MULTIPOINT (its points bare or in parentheses), MULTILINESTRING,
// MULTIPOLYGON and GEOMETRYCOLLECTION, keywords in any case; a Z, M or ZM tag after the keyword
// (with or without a space: "POINT Z (1 2 3)", "POINTZ(1 2 3)"), which sets how many numbers each
// coordinate has (two without one); EMPTY for a whole geometry or for a part of a multi-geometry; an
// EWKT "SRID=n;" prefix (the SRID is dropped: the column's type holds the CRS); numbers as C's strtod
// reads them without a leading '+' or hex ("1e3", "1.", "nan", "inf", "-infinity"; beyond the double
// range: infinity; every NaN the one quiet NaN). A geometry collection's parts have its Z / M tag. Refused (false): anything else,
// text after the geometry included, and nesting deeper than kMaxWkbDepth.
//
// Output: little-endian ISO WKB (type + 1000 Z, + 2000 M, + 3000 ZM); an empty point is a point whose
// coordinates are all NaN, as WKB writers (and DuckDB) write one. Input is untrusted: the output grows
// with the text read (at most 8 bytes of WKB per byte of text, 21 bytes for "POINT EMPTY"), never by
// a count the text gives.
#pragma once

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "text/wkt.hpp"

namespace sluice::text {

namespace wkt_detail {

class WktParser {
 public:
  WktParser(std::string_view in, std::string* out) : s_(in), out_(out) {}

  bool parse() {
    ws();
    if (keyword_prefix("SRID")) {  // EWKT: "SRID=4326;POINT (1 2)"
      ws();
      if (!eat('=')) return false;
      ws();
      const std::size_t digits = p_;
      while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_;
      if (p_ == digits) return false;
      ws();
      if (!eat(';')) return false;
    }
    if (!geometry(0, -1)) return false;
    ws();
    return p_ == s_.size();
  }

 private:
  // One tagged geometry. `dims`: the Z / M tag its parent (a collection) has, which it must have too;
  // -1 for a top-level geometry.
  bool geometry(int depth, int parent_dims) {
    if (depth > kMaxWkbDepth) return false;
    ws();
    int type = 0;
    static constexpr std::string_view kNames[] = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                                                  "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    // Names are matched whole (up to a letter that is not a Z / M tag): "MULTIPOINT" is no "POINT".
    for (int i = 6; i >= 0 && type == 0; --i)
      if (keyword_prefix(kNames[i])) type = i + 1;
    if (type == 0) return false;
    const int dims = tag();  // 0 XY, 1 Z, 2 M, 3 ZM
    if (dims < 0 || (parent_dims >= 0 && dims != parent_dims)) return false;
    header(type, dims);
    ws();
    if (keyword("EMPTY")) return empty_body(type, dims);
    if (!eat('(')) return false;
    switch (type) {
      case 1:
        if (!coordinate(dims)) return false;
        break;
      case 2: return coordinates(dims);  // (each reads its closing parenthesis)
      case 3: return rings(dims);
      default: {
        // The parts, each a geometry of its own with a header; their count goes before them.
        const std::size_t count_at = counter();
        std::uint32_t n = 0;
        do {
          ws();
          ++n;
          if (type == 7) {
            if (!geometry(depth + 1, dims)) return false;
            continue;
          }
          const int part = type - 3;  // 4 → POINT, 5 → LINESTRING, 6 → POLYGON
          header(part, dims);
          if (keyword("EMPTY")) {
            if (!empty_body(part, dims)) return false;
            continue;
          }
          if (part == 1) {
            // A MULTIPOINT's point: bare ("1 2") or in parentheses ("(1 2)").
            const bool paren = eat('(');
            if (!coordinate(dims) || (paren && !close())) return false;
          } else {
            if (!eat('(')) return false;
            if (!(part == 2 ? coordinates(dims) : rings(dims))) return false;
          }
        } while (comma());
        set_count(count_at, n);
        break;
      }
    }
    return close();
  }

  // After "(": ")" with optional space before it.
  bool close() {
    ws();
    return eat(')');
  }
  bool comma() {
    ws();
    return eat(',');
  }

  // An EMPTY geometry's body: no coordinates (a point's are NaN), no parts, no rings.
  bool empty_body(int type, int dims) {
    if (type == 1) {
      for (int d = 0; d < ndims(dims); ++d) put_double(std::numeric_limits<double>::quiet_NaN());
    } else {
      put_u32(0);
    }
    return true;
  }

  // After "(": coordinates up to the closing ")", their count first.
  bool coordinates(int dims) {
    const std::size_t count_at = counter();
    std::uint32_t n = 0;
    do {
      if (!coordinate(dims)) return false;
      ++n;
    } while (comma());
    set_count(count_at, n);
    return close();
  }
  // After a polygon's "(": its rings, each "(" coordinates ")".
  bool rings(int dims) {
    const std::size_t count_at = counter();
    std::uint32_t n = 0;
    do {
      ws();
      if (!eat('(') || !coordinates(dims)) return false;
      ++n;
    } while (comma());
    set_count(count_at, n);
    return close();
  }

  bool coordinate(int dims) {
    for (int d = 0; d < ndims(dims); ++d) {
      ws();
      double v = 0;
      if (!number(&v)) return false;
      put_double(v);
    }
    return true;
  }

  // A number as strtod reads it, but no leading '+', no hex and no leading space; "nan", "inf" and
  // "infinity" in any case, signed or not. Beyond the double range: infinity (or zero), as strtod.
  bool number(double* v) {
    const char* b = s_.data() + p_;
    const char* e = s_.data() + s_.size();
    auto r = std::from_chars(b, e, *v, std::chars_format::general);
    if (r.ec == std::errc::result_out_of_range) {
      const std::string copy(b, static_cast<std::size_t>(r.ptr - b));
      *v = std::strtod(copy.c_str(), nullptr);
    } else if (r.ec != std::errc()) {
      return false;
    }
    p_ = static_cast<std::size_t>(r.ptr - s_.data());
    if (std::isnan(*v)) *v = std::numeric_limits<double>::quiet_NaN();  // "-nan" too: one NaN, as it prints
    // A number ends at space, ',' or ')': "1e" or "1x" is not one.
    return p_ == s_.size() || std::isspace(static_cast<unsigned char>(s_[p_])) || s_[p_] == ',' || s_[p_] == ')';
  }

  // The Z / M tag after a keyword, with or without a space: 0 none, 1 Z, 2 M, 3 ZM; -1 a letter run
  // that is none of them.
  int tag() {
    ws();
    if (p_ == s_.size() || !std::isalpha(static_cast<unsigned char>(s_[p_]))) return 0;
    std::size_t end = p_;
    const int dims = tag_at(p_, &end);
    if (dims > 0) p_ = end;
    else if (keyword_at(p_, "EMPTY")) return 0;  // read by the caller
    return dims;
  }
  // The letter run at `at` as a Z / M tag (1 Z, 2 M, 3 ZM; -1 another word), its end in *end.
  int tag_at(std::size_t at, std::size_t* end) const {
    std::size_t q = at;
    while (q < s_.size() && std::isalpha(static_cast<unsigned char>(s_[q]))) ++q;
    *end = q;
    std::string word(s_.substr(at, q - at));
    for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return word == "Z" ? 1 : word == "M" ? 2 : word == "ZM" ? 3 : -1;
  }
  // Whether `k` (upper case) is at `at`, in any case.
  bool keyword_at(std::size_t at, std::string_view k) const {
    if (s_.size() - at < k.size()) return false;
    for (std::size_t i = 0; i < k.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(s_[at + i])) != k[i]) return false;
    return true;
  }

  // The keyword `k` in any case, as a whole word, or followed directly by a Z / M tag ("POINTZ").
  bool keyword_prefix(std::string_view k) {
    if (!keyword_at(p_, k)) return false;
    const std::size_t q = p_ + k.size();
    std::size_t end = q;
    // Only a Z / M tag may follow without a space.
    if (q < s_.size() && std::isalpha(static_cast<unsigned char>(s_[q])) && tag_at(q, &end) < 0) return false;
    p_ = q;
    return true;
  }
  // The keyword `k` in any case, as a whole word.
  bool keyword(std::string_view k) {
    if (!keyword_at(p_, k)) return false;
    const std::size_t q = p_ + k.size();
    if (q < s_.size() && std::isalnum(static_cast<unsigned char>(s_[q]))) return false;
    p_ = q;
    return true;
  }

  void ws() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool eat(char c) {
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }

  static int ndims(int dims) { return dims == 0 ? 2 : dims == 3 ? 4 : 3; }
  void header(int type, int dims) {
    out_->push_back('\x01');
    put_u32(static_cast<std::uint32_t>(type + 1000 * dims));
  }
  std::size_t counter() {
    const std::size_t at = out_->size();
    put_u32(0);
    return at;
  }
  void set_count(std::size_t at, std::uint32_t n) {
    for (int i = 0; i < 4; ++i) (*out_)[at + static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  void put_u32(std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    out_->append(b, 4);
  }
  void put_double(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
    out_->append(b, 8);
  }

  std::string_view s_;
  std::size_t p_ = 0;
  std::string* out_;
};

}  // namespace wkt_detail

// The WKB of the WKT `text`, appended to *wkb; false (and *wkb as it was) where the text is not one
// geometry as the header describes.
inline bool parse_wkt(std::string_view text, std::string* wkb) {
  const std::size_t size = wkb->size();
  wkt_detail::WktParser p(text, wkb);
  if (p.parse()) return true;
  wkb->resize(size);
  return false;
}

}  // namespace sluice::text
