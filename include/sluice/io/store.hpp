// Object stores (S3 and S3-compatible stores, GCS through its XML API, Azure Blob) behind one
// interface, and the settings they take. Sources read with ranged GETs (coalesced, split and run
// concurrently; read-ahead for sequential readers); sinks upload parts from a fixed pool of buffers,
// a few in flight, and commit on finish() or leave nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/io/http.hpp"
#include "sluice/io/sink.hpp"
#include "sluice/io/source.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::io {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::int64_t mtime_ms = -1;  // milliseconds since the epoch, -1 when unknown
  std::string etag;
  bool is_prefix = false;      // a "folder" (common prefix) in a non-recursive listing
};

struct TransferOptions {
  // Uploads: parts start at part_size (at least 5 MiB) and, unless equal_parts, double every 1,000
  // parts, so that 10,000 parts reach S3's 5 TiB object limit. An output smaller than one part goes
  // up in a single PUT, unless staged (Sink::stage()): then it is a one-part upload. A sink's first
  // buffer starts at 64 KiB and doubles up to part_size.
  std::size_t part_size = std::size_t{8} << 20;
  bool equal_parts = false;
  int parts_in_flight = 4;
  // Downloads: a sequential reader keeps `read_ahead` GETs of `read_block` bytes in flight (after a
  // start of one 256 KiB GET and one ahead, doubling and deepening as blocks are consumed); large
  // random reads are split into read_block pieces fetched concurrently; ranges closer than
  // coalesce_gap are fetched by one GET.
  std::size_t read_block = std::size_t{8} << 20;
  int read_ahead = 4;
  std::uint64_t coalesce_gap = std::uint64_t{1} << 20;
  // Keys asked for per listing page (stores cap it at 1,000 / 5,000).
  int list_page_size = 1000;
};

struct S3Config {
  std::string region;        // empty: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1
  std::string endpoint_url;  // empty: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS's
  std::optional<bool> path_style;  // default: path-style for a custom endpoint, virtual-hosted for AWS
  std::string access_key_id, secret_access_key, session_token;  // explicit credentials
  std::string profile;       // empty: AWS_PROFILE, "default"
  bool anonymous = false;    // unsigned requests (public buckets)
  // How request bodies are signed: kUnsigned (UNSIGNED-PAYLOAD; data bodies carry a Content-MD5 the
  // store checks), kSigned (the SHA-256 of each body in the signature), kStreaming (aws-chunked: the
  // body goes in 64 KiB chunks, each signed, chained from the request's signature).
  enum class PayloadSigning { kUnsigned, kSigned, kStreaming };
  PayloadSigning payload_signing = PayloadSigning::kUnsigned;
  // The checksum each uploaded body (PutObject, UploadPart) carries for the store to check:
  // kCrc32c (x-amz-checksum-crc32c, the multipart upload created with that algorithm and each part's
  // value repeated in CompleteMultipartUpload: what AWS SDKs send by default since 2025; costs ~0.1
  // CPU-s per GiB; stores that predate flexible checksums, such as Ceph 16, ignore it) or kMd5
  // (Content-MD5, which every S3 store checks; ~1.5 CPU-s per GiB). GCS always gets Content-MD5.
  enum class Checksum { kCrc32c, kMd5 };
  Checksum checksum = Checksum::kCrc32c;
};

struct GcsConfig {
  std::string endpoint_url;  // default https://storage.googleapis.com
  std::string hmac_access_id, hmac_secret;  // HMAC keys: requests signed with SigV4, region "auto"
  std::string bearer_token;  // an OAuth2 access token given directly
  std::string credentials_file;  // service-account JSON; empty: GOOGLE_APPLICATION_CREDENTIALS
};

struct AzureConfig {
  std::string account;            // empty: AZURE_STORAGE_ACCOUNT
  std::string key;                // SharedKey (base64); empty: AZURE_STORAGE_KEY
  std::string sas_token;          // empty: AZURE_STORAGE_SAS_TOKEN
  std::string bearer_token;
  std::string connection_string;  // empty: AZURE_STORAGE_CONNECTION_STRING
  std::string endpoint_url;       // empty: https://ACCOUNT.blob.core.windows.net (or the connection string's)
};

struct HttpSourceConfig {
  std::string bearer_token;
  http::Headers headers;  // added to every request
};

struct IoConfig {
  S3Config s3;
  GcsConfig gcs;
  AzureConfig azure;
  HttpSourceConfig http_source;
  TransferOptions transfer;
  http::ClientOptions http;
  // Shared by every store opened with this configuration; created from `http` when null.
  std::shared_ptr<http::Client> client;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // "s3://bucket/key" etc. for a key of this store's bucket.
  virtual std::string uri_of(std::string_view key) const = 0;
  virtual Result<ObjectInfo> head(std::string_view key) = 0;
  // Every object under `prefix` in key order, fetched page by page; when !recursive, keys are cut at
  // the next '/' after the prefix and given once as is_prefix entries. `each` may stop the listing by
  // returning an error (passed through).
  virtual Status list(std::string_view prefix, bool recursive,
                      const std::function<Status(const ObjectInfo&)>& each) = 0;
  virtual Result<SourcePtr> open_source(std::string_view key) = 0;
  // The same with the object's size already known (from a listing): no HEAD first. A read that finds
  // the object's size changed since is an error. Default: the size is not used.
  virtual Result<SourcePtr> open_source(std::string_view key, std::uint64_t size) {
    (void)size;
    return open_source(key);
  }
  virtual Result<SinkPtr> open_sink(std::string_view key) = 0;
  virtual Status remove(std::string_view key) = 0;
  // Requests sent so far by this store's client (tests count them).
  virtual std::uint64_t requests_sent() const = 0;
};

using ObjectStorePtr = std::unique_ptr<ObjectStore>;

// The store that holds `uri`'s bucket or container (kS3, kGcs, kAzure).
Result<ObjectStorePtr> open_store(const Uri& uri, const IoConfig& config = {});

// A read-only Source over http(s): HEAD for the size, ranged GETs.
Result<SourcePtr> open_http_source(const std::string& url, const IoConfig& config = {});

}  // namespace sluice::io
