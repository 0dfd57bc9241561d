// libFuzzer target for the GeoArrow metadata an Arrow C import reads (geoarrow.wkb's
// ARROW:extension:metadata, JSON from another producer): arbitrary bytes as that metadata. A
// refusal (nullptr: the column imports as binary) is fine; crashes, hangs and these broken
// properties are bugs:
//   - what is accepted is a geometry or a geography over binary;
//   - its metadata as sluice exports it reads back as the same type (CRS text and edges).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sluice/core/arrow_c.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "geoarrow_metadata_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cdata = sluice::detail::cdata;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const sluice::TypePtr t = cdata::type_from_geoarrow(in);
  if (!t) return 0;
  if (t->id != sluice::TypeId::kBinary ||
      (t->extension != sluice::Extension::kGeometry && t->extension != sluice::Extension::kGeography))
    fail("accepted as something else than a geometry or geography", t->to_string());
  const std::string again = cdata::geoarrow_metadata(*t);
  const sluice::TypePtr back = cdata::type_from_geoarrow(again);
  if (!back) fail("its own metadata is refused", again);
  if (!(*back == *t)) fail("its own metadata reads back as another type", t->to_string() + "\n" + back->to_string() + "\n" + again);
  return 0;
}
