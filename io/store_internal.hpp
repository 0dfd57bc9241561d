// The factories of each store, for open.cpp.
#pragma once

#include "s3_internal.hpp"
#include "sluice/io/store.hpp"

namespace sluice::io::azure {
Result<ObjectStorePtr> open_azure_store(const Uri& uri, const IoConfig& config);
}  // namespace sluice::io::azure
