// JSON text written by hand where sluice puts a little JSON into metadata (GeoArrow's extension
// metadata, GeoParquet's "geo"): a string quoted and escaped.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace sluice {

// `s` as a JSON string: quotes and backslashes escaped, control characters as \u00XX, other bytes
// (UTF-8) as they are.
inline void json_quote(std::string_view s, std::string* out) {
  *out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      *out += b;
    } else {
      *out += c;
    }
  }
  *out += '"';
}

}  // namespace sluice
