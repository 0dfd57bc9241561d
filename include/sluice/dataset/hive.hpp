// Hive partitioning: `key=value` folders in a path. Values are percent-encoded when written (so that no
// value can leave its folder or make an invalid name) and percent-decoded when read;
// `__HIVE_DEFAULT_PARTITION__` stands for null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/error.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::dataset {

inline constexpr std::string_view kHiveNull = "__HIVE_DEFAULT_PARTITION__";

// Length of the valid UTF-8 sequence starting at s[i] (1-4), or 0 when the bytes there are not one.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// A partition value as a folder name's value part: control characters, DEL, bytes that are not valid
// UTF-8, and / \ : * ? " < > | % # = [ ] { } ^ ' ` (which file systems, shells and stores treat
// specially) are written %XX; "." and ".." are written %2E and %2E%2E, so that no value is a path
// step. Valid UTF-8 beyond ASCII is kept. The null value is __HIVE_DEFAULT_PARTITION__ (and a value
// equal to that text is escaped so it stays a value).
inline std::string escape_partition_value(std::optional<std::string_view> value) {
  if (!value) return std::string(kHiveNull);
  const std::string_view v = *value;
  static constexpr std::string_view kSpecial = "/\\:*?\"<>|%#=[]{}^'`";
  std::string out;
  out.reserve(v.size());
  auto put_hex = [&](unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  for (std::size_t i = 0; i < v.size();) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(v, i);
      if (n == 0) {
        put_hex(c);
        ++i;
      } else {
        out.append(v.substr(i, n));
        i += n;
      }
      continue;
    }
    if (c < 0x20 || c == 0x7F || kSpecial.find(static_cast<char>(c)) != std::string_view::npos) put_hex(c);
    else out += static_cast<char>(c);
    ++i;
  }
  if (v == "." || v == "..") return v.size() == 1 ? "%2E" : "%2E%2E";
  if (v == kHiveNull) return "%5F" + out.substr(1);
  return out;
}

// The `key=value` folders of a relative path (its last segment, the file name, excluded), in order;
// values decoded, null for __HIVE_DEFAULT_PARTITION__. Segments without '=' are skipped.
inline std::vector<std::pair<std::string, std::optional<std::string>>> hive_partitions(std::string_view relative) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = relative.find('/', start);
    if (slash == std::string_view::npos) break;  // the file name
    const std::string_view seg = relative.substr(start, slash - start);
    const auto eq = seg.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      std::string key = io::percent_decode(seg.substr(0, eq));
      const std::string_view raw = seg.substr(eq + 1);
      if (raw == kHiveNull) out.emplace_back(std::move(key), std::nullopt);
      else out.emplace_back(std::move(key), io::percent_decode(raw));
    }
    start = slash + 1;
  }
  return out;
}

// The longest name a folder may have on common file systems and in the stores' keys.
inline constexpr std::size_t kMaxSegmentBytes = 255;

}  // namespace sluice::dataset
