// What a user typed, taken apart: a local path, "-", file://, s3://, gs://, az://, abfs[s]://,
// http(s)://. Object keys are kept as typed (no percent-decoding), as the clouds' own tools do.
#pragma once

#include <string>
#include <string_view>

#include "sluice/core/error.hpp"

namespace sluice::io {

enum class Scheme { kLocal, kStdio, kS3, kGcs, kAzure, kHttp };

std::string_view to_string(Scheme scheme);

struct Uri {
  Scheme scheme = Scheme::kLocal;
  std::string original;
  // kLocal: the file system path (file:// stripped). kHttp: the whole URL.
  std::string path;
  // kS3 / kGcs: bucket; kAzure: container.
  std::string bucket;
  // Object key or blob name (may be empty: the bucket itself, or a prefix ending in '/').
  std::string key;
  // kAzure: the storage account when the URI names it (abfs[s]://container@account.dfs.core.windows.net/…,
  // az://account/container/… is not used: az://container/path takes the account from the configuration).
  std::string account;
  // kAzure: the host the URI names (account.blob.core.windows.net), if any.
  std::string host;

  bool is_remote() const { return scheme == Scheme::kS3 || scheme == Scheme::kGcs || scheme == Scheme::kAzure || scheme == Scheme::kHttp; }
  // The URI of another key in the same bucket/container, in this URI's spelling.
  std::string with_key(std::string_view other_key) const;
};

// Errors (kInvalidArgument) name the URI and what is wrong with it: an empty bucket, a bucket name
// that cannot be one, a scheme sluice does not know, control characters.
Result<Uri> parse_uri(std::string_view text);

// %XX sequences decoded; a '%' not followed by two hex digits stays as written, and '+' is not a space.
std::string percent_decode(std::string_view s);

}  // namespace sluice::io
