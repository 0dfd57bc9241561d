// Opening a Source or Sink from what a user typed: a path, file:// URI, "-" for stdin/stdout, or an
// object-store URI (s3://, gs://, az://, abfs[s]://; http(s):// for reading).
#pragma once

#include <string>

#include "sluice/io/local.hpp"
#include "sluice/io/store.hpp"

namespace sluice::io {

Result<SourcePtr> open_source(const std::string& uri, const IoConfig& config = {});
Result<SinkPtr> open_sink(const std::string& uri, const LocalSinkOptions& options = {}, const IoConfig& config = {});

}  // namespace sluice::io
