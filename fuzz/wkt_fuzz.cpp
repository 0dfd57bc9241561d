// libFuzzer target for the WKT reader behind a CSV / NDJSON column declared geometry
// (text::parse_wkt): arbitrary bytes as one WKT value. A refusal is fine; crashes, hangs and these
// broken properties are bugs:
//   - on failure the WKB it appends to is left as it was;
//   - on success the WKB is one whole geometry to the WKB reader (its WKT text and its bounds), and
//     no larger than the input justifies (8 bytes per byte of text, plus a point's 37);
//   - that WKT text, read again, gives the same WKB (the text is DuckDB's, which reads back as it was).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/wkt_parse.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "wkt_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string wkb = "keep";
  if (!sluice::text::parse_wkt(in, &wkb)) {
    if (wkb != "keep") fail("a refusal changed the output", hex(wkb));
    return 0;
  }
  wkb.erase(0, 4);
  if (wkb.size() > 8 * size + 37) fail("more WKB than the text justifies", std::string(in) + "\n" + hex(wkb));
  std::string text;
  if (!sluice::text::append_wkt(text, wkb)) fail("the WKB it made is not WKB", std::string(in) + "\n" + hex(wkb));
  sluice::text::WkbBounds bounds;
  if (!sluice::text::add_wkb_bounds(bounds, wkb)) fail("the WKB it made has no bounds", std::string(in) + "\n" + hex(wkb));
  std::string again;
  if (!sluice::text::parse_wkt(text, &again)) fail("its own WKT text is refused", std::string(in) + "\n" + text);
  if (again != wkb) fail("its own WKT text reads back as other WKB", std::string(in) + "\n" + text + "\n" + hex(wkb) + "\n" + hex(again));
  return 0;
}
