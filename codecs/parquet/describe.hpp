// Text views of a file's metadata, for `sluice schema` and `sluice inspect`.
#pragma once

#include <string>

#include "parquet/metadata.hpp"
#include "parquet/schema.hpp"

namespace sluice::parquet {

// The schema tree as parquet-cli prints it ("message schema { optional int32 a (INTEGER(8,true)); }").
std::string describe_schema(const format::FileMetaData& md);

// created_by, key-value metadata, then every row group and column chunk: encodings, codec, value
// count, sizes, page offsets and statistics (decoded by the column's type).
std::string describe_footer(const format::FileMetaData& md, const ParquetSchema& schema);

}  // namespace sluice::parquet
