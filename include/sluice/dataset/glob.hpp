// Glob patterns over '/'-separated paths (local paths and object keys alike): `*` and `?` within one
// segment, `[abc]`, `[a-z]`, `[!a]` / `[^a]` classes, `\` escapes, and `**` as a whole segment for any
// number of segments (zero included). Wildcards never match a segment that starts with '.' or '_'
// (hidden files, `_SUCCESS`, staging folders); a literal segment may name one.
#pragma once

#include <fnmatch.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::dataset {

inline bool is_glob_char(char c) { return c == '*' || c == '?' || c == '['; }

// Whether `s` holds a wildcard (an escaped one does not count).
inline bool has_glob(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (is_glob_char(s[i])) return true;
  }
  return false;
}

// The longest prefix of `pattern` without a wildcard, unescaped: what a store lists under.
inline std::string glob_literal_prefix(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += pattern[++i];
      continue;
    }
    if (is_glob_char(pattern[i])) break;
    out += pattern[i];
  }
  return out;
}

// The folder part of the literal prefix (up to and including its last '/'): the root that a pattern's
// paths are relative to, for hive partitions.
inline std::string glob_root(std::string_view pattern) {
  std::size_t cut = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (is_glob_char(pattern[i])) break;
    if (pattern[i] == '/') cut = i + 1;
  }
  return glob_literal_prefix(pattern.substr(0, cut));
}

inline std::vector<std::string_view> split_segments(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

class Glob {
 public:
  explicit Glob(std::string_view pattern) : pattern_(pattern) {
    for (auto seg : split_segments(pattern_)) segments_.emplace_back(seg);
  }
  const std::string& pattern() const { return pattern_; }
  // Whether the pattern can match below `depth` segments (a `**` somewhere), so a walk must recurse.
  bool recursive() const {
    for (const auto& s : segments_)
      if (s == "**") return true;
    return false;
  }
  std::size_t segment_count() const { return segments_.size(); }

  bool matches(std::string_view path) const {
    const auto parts = split_segments(path);
    // Whether segments_[p..] match parts[i..], each (p, i) decided once: several ** cannot make the
    // search exponential.
    std::vector<std::int8_t> memo((segments_.size() + 1) * (parts.size() + 1), -1);
    return match_from(0, parts, 0, memo);
  }

 private:
  static bool hidden(std::string_view seg) { return !seg.empty() && (seg[0] == '.' || seg[0] == '_'); }

  static bool segment_matches(const std::string& pat, std::string_view seg) {
    if (!has_glob(pat)) return glob_literal_prefix(pat) == seg;
    if (hidden(seg)) return false;
    // fnmatch reads C strings: no name holds a NUL byte, and no pattern that holds one matches.
    if (pat.find('\0') != std::string::npos || seg.find('\0') != std::string_view::npos) return false;
    const std::string s(seg);
    return ::fnmatch(pat.c_str(), s.c_str(), FNM_PATHNAME) == 0;
  }

  bool match_from(std::size_t p, const std::vector<std::string_view>& parts, std::size_t i,
                  std::vector<std::int8_t>& memo) const {
    std::int8_t& known = memo[p * (parts.size() + 1) + i];
    if (known >= 0) return known != 0;
    bool result = false;
    if (p == segments_.size()) {
      result = i == parts.size();
    } else if (segments_[p] == "**" && p + 1 == segments_.size()) {
      // A final **: one segment or more, none hidden.
      result = i < parts.size();
      for (std::size_t k = i; k < parts.size(); ++k) result = result && !hidden(parts[k]);
    } else if (segments_[p] == "**") {
      // Zero segments, or one more (not a hidden one) and still inside the **.
      result = match_from(p + 1, parts, i, memo) ||
               (i < parts.size() && !hidden(parts[i]) && match_from(p, parts, i + 1, memo));
    } else {
      result = i < parts.size() && segment_matches(segments_[p], parts[i]) && match_from(p + 1, parts, i + 1, memo);
    }
    known = result ? 1 : 0;
    return result;
  }

  std::string pattern_;
  std::vector<std::string> segments_;
};

}  // namespace sluice::dataset
