// libFuzzer target for the dataset layer's path handling: globs, hive folder names, partition values.
// Errors are fine; crashes, hangs and these broken properties are bugs:
//   - a path a glob matches starts with the glob's literal prefix, and a pattern without wildcards
//     matches exactly its unescaped self (hidden names aside);
//   - an escaped partition value holds no '/', no control byte, is neither "." nor "..", and parses
//     back (hive_partitions) to the value it came from; null stays null;
//   - a partition value converts to int64, double, date, timestamp or bool, or is an error, never a
//     crash, and a value that converts to int64 prints back to a number equal to it.
//
// Input: [0] mode, then text. Mode bit 0..1: 0 glob ("pattern\npath"), 1 escape round trip (the
// text as one value), 2 hive_partitions of the text as a path, 3 partition values of every type.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sluice/dataset/discover.hpp"
#include "sluice/dataset/glob.hpp"
#include "sluice/dataset/hive.hpp"

namespace {

void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "dataset_paths_fuzz: %s: [%.*s]\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void glob_case(std::string_view text) {
  const auto nl = text.find('\n');
  const std::string_view pattern = text.substr(0, nl);
  const std::string_view path = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  if (pattern.size() > 256 || path.size() > 512) return;  // ** backtracking is polynomial; keep it quick
  const sluice::dataset::Glob g(pattern);
  const bool m = g.matches(path);
  const std::string prefix = sluice::dataset::glob_literal_prefix(pattern);
  if (m && path.substr(0, prefix.size()) != prefix) fail("a match without the literal prefix", text);
  if (!sluice::dataset::has_glob(pattern) && pattern.find('\\') == std::string_view::npos && m != (pattern == path))
    fail("a literal pattern matched something else", text);
  const std::string root = sluice::dataset::glob_root(pattern);
  if (prefix.substr(0, root.size()) != root) fail("the root is not a prefix of the literal prefix", text);
}

void escape_case(std::string_view value, bool null) {
  const std::optional<std::string_view> v = null ? std::nullopt : std::optional<std::string_view>(value);
  const std::string e = sluice::dataset::escape_partition_value(v);
  if (e.find('/') != std::string::npos || e == "." || e == "..") fail("an escaped value is a path step", e);
  for (unsigned char c : e)
    if (c < 0x20 || c == 0x7f) fail("a control byte in an escaped value", e);
  const auto parts = sluice::dataset::hive_partitions("k=" + e + "/f");
  if (parts.size() != 1 || parts[0].first != "k") fail("the folder does not parse back", e);
  if (null ? parts[0].second.has_value() : parts[0].second != std::optional<std::string>(std::string(value)))
    fail("the value does not come back", e);
}

void values_case(std::string_view text) {
  using namespace sluice;
  const std::optional<std::string> value = std::string(text);
  for (const TypePtr& t : {int64(), int32(), float64(), date32(), timestamp(TimeUnit::kMicro), boolean(), utf8()}) {
    auto a = dataset::partition_value_array(Field{"k", t, true}, value, "fuzz");
    if (!a.ok()) continue;
    if ((*a)->length != 1) fail("not one row", text);
    if (t->id == TypeId::kInt64 && !(*a)->is_null(0)) {
      const std::int64_t n = (*a)->value<std::int64_t>(0);
      if (std::strtod(std::string(text).c_str(), nullptr) != static_cast<double>(n) &&
          text.find_first_of("eE.") == std::string_view::npos)
        fail("an int64 partition value changed", text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] & 3) {
    case 0: glob_case(text); break;
    case 1: escape_case(text, (data[0] & 4) != 0); break;
    case 2: (void)sluice::dataset::hive_partitions(text); break;
    default: values_case(text.substr(0, 64)); break;
  }
  return 0;
}
