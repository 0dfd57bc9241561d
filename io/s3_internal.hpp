// Shared between the S3-protocol store (s3.cpp), GCS authentication and the store factory.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "sluice/io/aws_credentials.hpp"
#include "sluice/io/http.hpp"
#include "sluice/io/store.hpp"

namespace sluice::io::s3 {

struct Endpoint {
  std::string store_name = "S3";   // in messages: "S3", "GCS"
  std::string scheme_name = "s3";  // in URIs: "s3", "gs"
  std::string scheme;              // http or https
  std::string host;                // host[:port]
  std::string base;                // scheme://host[:port]
  bool path_style = false;
};

// Returns a current OAuth2 access token (refreshing it when needed). Blocking.
using TokenSource = std::function<Result<std::string>()>;

struct Auth {
  std::string region;
  aws::CredentialProviderPtr credentials;  // SigV4 when set
  TokenSource bearer;                      // else a bearer token when set; else anonymous
  S3Config::PayloadSigning payload_signing = S3Config::PayloadSigning::kUnsigned;
  S3Config::Checksum checksum = S3Config::Checksum::kMd5;
  // A signer for one request with this body (credentials resolved now, on the caller's thread).
  // `data` says the body is object data (PUT Object, UploadPart), which kStreaming sends aws-chunked;
  // other bodies (XML documents) are always hashed.
  Result<http::Signer> make_signer(std::span<const std::byte> body, bool data = false) const;
  static Result<http::Signer> streaming_signer(aws::Credentials creds, aws::SigV4Options opts,
                                               std::span<const std::byte> body);
};

Result<Endpoint> make_endpoint(std::string_view store_name, std::string_view scheme_name, std::string url,
                               std::optional<bool> path_style, std::string_view bucket);

Result<ObjectStorePtr> open_s3_store(const Uri& uri, const IoConfig& config);

// GCS bearer tokens: config.bearer_token, GOOGLE_OAUTH_ACCESS_TOKEN, a service-account JSON
// (config.credentials_file or GOOGLE_APPLICATION_CREDENTIALS) exchanged for a token, the metadata
// server. kNotFound when none is available.
Result<TokenSource> gcs_token_source(const GcsConfig& config, std::shared_ptr<http::Client> client);

// A store's error response as an Error: status, the store's code and message, the attempts.
Error response_error(std::string_view store, std::string_view operation, std::string_view uri, const http::Response& r);

// One page of a ListObjectsV2 response: entries (objects and common prefixes) in key order.
struct ListPage {
  std::vector<ObjectInfo> entries;
  bool truncated = false;
  std::string next_token;
};
Result<ListPage> parse_list_page(std::string_view body);

std::int64_t parse_iso8601_ms(std::string_view s);
std::int64_t parse_http_date_ms(std::string_view s);

}  // namespace sluice::io::s3
