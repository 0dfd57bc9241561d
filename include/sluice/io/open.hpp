// Opening a Source or Sink from what a user typed: a path, file:// URI, or "-" for stdin/stdout.
// Object-store schemes (s3://, gs://, az://, http(s)://) resolve here too once their stores exist.
#pragma once

#include <string>

#include "sluice/io/local.hpp"

namespace sluice::io {

Result<SourcePtr> open_source(const std::string& uri);
Result<SinkPtr> open_sink(const std::string& uri, const LocalSinkOptions& options = {});

}  // namespace sluice::io
