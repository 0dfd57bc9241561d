// Command-line parsing for `sluice`: flags of the form --name VALUE, --name=VALUE and switches.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Queries are safe from several threads at once: a dataset's files are opened 8 at a time, each
// reading its format's options (the record of which flags were asked for is behind a lock).
class Args {
 public:
  // `switches` take no value; every other --flag takes one.
  Args(int argc, char** argv, int first, const std::vector<std::string>& switches) {
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--") {
        for (++i; i < argc; ++i) positional_.push_back(argv[i]);
        break;
      }
      if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        bool has_value = false;
        if (eq != std::string::npos) {
          value = name.substr(eq + 1);
          name = name.substr(0, eq);
          has_value = true;
        }
        const bool is_switch = std::find(switches.begin(), switches.end(), name) != switches.end();
        if (is_switch) {
          if (has_value) throw UsageError("--" + name + " takes no value");
          values_[name].push_back("1");
          continue;
        }
        if (!has_value) {
          if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
          value = argv[++i];
        }
        values_[name].push_back(value);
      } else if (a.size() == 2 && a[0] == '-' && a[1] != '-' && a != "-") {
        // short flags: -n N, or a short switch (-l)
        const std::string name(1, a[1]);
        if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
          values_[name].push_back("1");
          continue;
        }
        if (i + 1 >= argc) throw UsageError("-" + name + " needs a value");
        values_[name].push_back(argv[++i]);
      } else {
        positional_.push_back(a);
      }
    }
  }

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    mark_used(name);
    return it->second.back();
  }
  std::vector<std::string> all(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return {};
    mark_used(name);
    return it->second;
  }
  bool flag(const std::string& name) const {
    mark_used(name);
    return values_.count(name) != 0;
  }
  // Throws on any flag nobody asked for (a typo must not be silently ignored).
  void reject_unknown() const {
    const std::lock_guard<std::mutex> lock(used_mu_);
    for (const auto& [name, v] : values_)
      if (used_.count(name) == 0)
        throw UsageError("unknown option --" + name + (name.size() == 1 ? " (or -" + name + ")" : ""));
  }

 private:
  void mark_used(const std::string& name) const {
    const std::lock_guard<std::mutex> lock(used_mu_);
    used_.insert(name);
  }

  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  mutable std::mutex used_mu_;
  mutable std::set<std::string> used_;
};

// "128MiB", "4M", "1GB", "512k", "1000" → bytes.
inline std::int64_t parse_size(const std::string& s) {
  std::size_t pos = 0;
  long double v;
  try {
    v = std::stold(s, &pos);
  } catch (...) {
    throw UsageError("not a size: '" + s + "'");
  }
  std::string unit = s.substr(pos);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  long double mult = 1;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kib") mult = 1024.0L;
  else if (unit == "kb") mult = 1000.0L;
  else if (unit == "m" || unit == "mib") mult = 1024.0L * 1024;
  else if (unit == "mb") mult = 1e6L;
  else if (unit == "g" || unit == "gib") mult = 1024.0L * 1024 * 1024;
  else if (unit == "gb") mult = 1e9L;
  else throw UsageError("unknown size unit in '" + s + "'");
  if (v < 0) throw UsageError("negative size: '" + s + "'");
  return static_cast<std::int64_t>(v * mult);
}

inline std::int64_t parse_int(const std::string& s, const std::string& what) {
  try {
    std::size_t pos = 0;
    const long long v = std::stoll(s, &pos);
    if (pos != s.size()) throw UsageError("");
    return v;
  } catch (...) {
    throw UsageError(what + " must be an integer, not '" + s + "'");
  }
}

// Splits on `sep` outside parentheses: "a=int64,d=decimal(18,3)" → "a=int64", "d=decimal(18,3)".
inline std::vector<std::string> split_top_level(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (c == sep && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

inline std::vector<std::string> split(const std::string& s, char sep) { return split_top_level(s, sep); }

}  // namespace sluice::cli
