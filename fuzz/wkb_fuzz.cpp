// libFuzzer target for the WKB reader behind a geometry column's text (text::append_wkt): arbitrary
// bytes as one WKB value. Errors are fine; crashes, hangs and these broken properties are bugs:
//   - on failure the text it appends to is left as it was;
//   - on success the text is not empty, starts with a geometry's name, has balanced parentheses, and
//     its length is bounded by the input's (no count in the input makes it write more than the bytes
//     it read justify);
//   - the same input gives the same text;
//   - its bounds (text::add_wkb_bounds) succeed exactly when the text does, with one type code and
//     no NaN.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/wkt.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "wkb_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string prefix = "prefix,";
  std::string out = prefix;
  const bool ok = sluice::text::append_wkt(out, in);
  // Its bounds (the Parquet writer's geospatial statistics) read the same bytes the same way.
  sluice::text::WkbBounds bounds;
  if (sluice::text::add_wkb_bounds(bounds, in) != ok) fail("bounds and text disagree on whether this is WKB", out);
  if (ok && bounds.types.size() != 1) fail("not one type code for one geometry", std::to_string(bounds.types.size()));
  for (int axis = 0; axis < 4; ++axis) {
    if (bounds.min[axis] != bounds.min[axis] || bounds.max[axis] != bounds.max[axis]) fail("NaN in the bounds", out);
  }
  if (!ok) {
    if (out != prefix) fail("a failed conversion changed its output", out);
    return 0;
  }
  if (out.compare(0, prefix.size(), prefix) != 0) fail("the text before was changed", out);
  const std::string_view wkt = std::string_view(out).substr(prefix.size());
  if (wkt.empty()) fail("empty text", "");
  static constexpr const char* kNames[] = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
                                           "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
  bool named = false;
  for (const char* n : kNames) named = named || wkt.starts_with(n);
  if (!named) fail("text that starts with no geometry's name", std::string(wkt));
  long depth = 0;
  for (char c : wkt) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth < 0) fail("unbalanced parentheses", std::string(wkt));
  }
  if (depth != 0) fail("unbalanced parentheses", std::string(wkt));
  // The most text per byte: a 5-byte header that names an empty GEOMETRYCOLLECTION ZM (28 chars for
  // 9 bytes), a coordinate of 8 bytes as up to 24 chars and a separator.
  if (wkt.size() > 4 * size + 32) fail("more text than the input justifies", std::to_string(wkt.size()) + " chars for " + std::to_string(size) + " bytes");
  std::string again;
  if (!sluice::text::append_wkt(again, in) || again != wkt) fail("not deterministic", std::string(wkt));
  return 0;
}
