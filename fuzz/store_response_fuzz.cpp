// libFuzzer target for what stores and credential endpoints send back and what users type: S3
// ListObjectsV2 pages (the XML reader under it), store error bodies turned into messages, URIs, the
// JSON of credential_process / ECS / IMDS / OAuth2 token endpoints, AWS profile files and
// credential_process command lines, RFC 3339 expirations. Crashes, hangs, unbounded
// allocation and undefined behaviour are bugs; errors are not. Checked properties:
//   - a parsed listing's entries are in key order and every object has a key;
//   - escape() of any text parses back to the same text inside an element;
//   - a parsed URI's with_key(key) parses back to the same scheme, bucket and key.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws_profile.hpp"
#include "aws_support.hpp"
#include "s3_internal.hpp"
#include "sluice/io/http.hpp"
#include "sluice/io/uri.hpp"
#include "xml.hpp"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::io;
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0: {  // a listing page
      auto page = s3::parse_list_page(all);
      if (page.ok()) {
        for (std::size_t i = 0; i < page->entries.size(); ++i) {
          require(!page->entries[i].key.empty() || page->entries[i].is_prefix, "an object without a key");
          if (i > 0) require(page->entries[i - 1].key <= page->entries[i].key, "entries out of order");
        }
      }
      break;
    }
    case 1: {  // an error body
      http::Response r;
      r.status = 400 + static_cast<long>(size % 200);
      r.body = std::string(all);
      r.attempts = 1 + static_cast<int>(size % 3);
      auto e = s3::response_error("S3", "GetObject", "s3://b/k", r);
      require(!e.message().empty(), "an empty error message");
      break;
    }
    case 2: {  // escape round trip
      std::string text(all);
      for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') c = ' ';
      auto doc = xml::parse("<x>" + xml::escape(text) + "</x>");
      require(doc.ok(), "escaped text does not parse");
      require(doc->text == text, "escaped text does not round-trip");
      break;
    }
    case 4: {  // JSON from credential endpoints
      (void)cred::parse_json_object(all, "fuzz");
      (void)aws::detail::parse_process_credentials(all);
      break;
    }
    case 5: {  // profile files
      (void)aws::detail::parse_ini(all);
      break;
    }
    case 6: {  // credential_process command lines (split, never run)
      (void)aws::detail::split_command(all);
      break;
    }
    case 7: {
      (void)cred::parse_rfc3339(all);
      break;
    }
    case 3: {  // URIs
      auto u = parse_uri(all);
      (void)http::redact_url(all);
      if (u.ok() && (u->scheme == Scheme::kS3 || u->scheme == Scheme::kGcs || u->scheme == Scheme::kAzure)) {
        auto again = parse_uri(u->with_key(u->key));
        require(again.ok(), "with_key does not parse");
        require(again->scheme == u->scheme && again->bucket == u->bucket && again->key == u->key, "with_key changes the URI");
      }
      break;
    }
  }
  return 0;
}
