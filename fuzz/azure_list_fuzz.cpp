// libFuzzer target for Azure List Blobs pages (azure::parse_list_page and the XML reader under it).
// Crashes, hangs, unbounded allocation and undefined behaviour are bugs; errors are not. Checked
// properties of a page that parses:
//   - every entry has a name; folders (BlobPrefix) have size 0;
//   - written back as a listing (names and marker escaped), the page parses to the same entries and
//     the same NextMarker.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "azure_internal.hpp"
#include "xml.hpp"

namespace {

namespace azure = sluice::io::azure;
namespace xml = sluice::io::xml;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "azure_list_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1 << 20)) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = azure::parse_list_page(body);
  if (!page.ok()) return 0;
  std::string again = "<EnumerationResults><Blobs>";
  for (const auto& e : page->entries) {
    if (e.key.empty()) broken("an entry without a name");
    if (e.is_prefix) {
      if (e.size != 0) broken("a folder with a size");
      again += "<BlobPrefix><Name>" + xml::escape(e.key) + "</Name></BlobPrefix>";
    } else {
      again += "<Blob><Name>" + xml::escape(e.key) + "</Name><Properties><Content-Length>" + std::to_string(e.size) +
               "</Content-Length><Etag>" + xml::escape(e.etag) + "</Etag></Properties></Blob>";
    }
  }
  again += "</Blobs><NextMarker>" + xml::escape(page->next_marker) + "</NextMarker></EnumerationResults>";
  auto back = azure::parse_list_page(again);
  if (!back.ok()) broken("a page written back does not parse");
  if (back->entries.size() != page->entries.size() || back->next_marker != page->next_marker) broken("the page written back differs");
  for (std::size_t i = 0; i < page->entries.size(); ++i) {
    const auto& a = page->entries[i];
    const auto& b = back->entries[i];
    if (a.key != b.key || a.size != b.size || a.is_prefix != b.is_prefix || a.etag != b.etag) broken("an entry written back differs");
  }
  return 0;
}
