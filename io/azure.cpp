// Azure Blob storage: Put Blob, Put Block + Put Block List, ranged Get Blob, List Blobs, Delete Blob,
// signed with SharedKey, a SAS token or a bearer token.
#include "store_internal.hpp"

namespace sluice::io::azure {

Result<ObjectStorePtr> open_azure_store(const Uri& uri, const IoConfig&) {
  return Error(ErrorCode::kNotImplemented, "Azure Blob storage is not available yet: " + uri.original);
}

}  // namespace sluice::io::azure
