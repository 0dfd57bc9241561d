// Azure Blob storage, the parts that need no server: connection strings, where the account's blob
// service is and how requests to it are authorised (SharedKey, SAS, bearer), block ids, and reading a
// List Blobs page. io/azure.cpp builds the store on these; tests and the fuzzer call them directly.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/io/http.hpp"
#include "sluice/io/store.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::io::azure {

// The service version every request names (x-ms-version). 2021-08-06 is recent enough for bearer
// tokens (2017-11-09+) and old enough for every azurite of the last years.
inline constexpr std::string_view kServiceVersion = "2021-08-06";

// The storage emulator's public, documented account and key (UseDevelopmentStorage=true).
inline constexpr std::string_view kDevAccount = "devstoreaccount1";
inline constexpr std::string_view kDevKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
inline constexpr std::string_view kDevBlobEndpoint = "http://127.0.0.1:10000/devstoreaccount1";

// "AccountName=...;AccountKey=...;BlobEndpoint=...": the fields sluice uses (the others, such as
// QueueEndpoint, are accepted and ignored). Field names are matched case-insensitively.
struct ConnectionString {
  std::string account_name;
  std::string account_key;     // base64, as given
  std::string blob_endpoint;
  std::string sas;             // SharedAccessSignature, without a leading '?'
  std::string protocol;        // DefaultEndpointsProtocol
  std::string endpoint_suffix; // EndpointSuffix
  bool development_storage = false;  // UseDevelopmentStorage=true (azurite's defaults filled in)
};

// Errors never quote the string: it holds the account key.
Result<ConnectionString> parse_connection_string(std::string_view text);

enum class AuthKind { kAnonymous, kSharedKey, kSas, kBearer };

struct Credentials {
  AuthKind kind = AuthKind::kAnonymous;
  std::string account;
  std::string key;     // SharedKey: the decoded key bytes
  std::string sas;     // SAS token, no leading '?'
  std::string bearer;  // OAuth2 access token
};

struct Settings {
  // The account's blob service, no trailing '/': https://ACCOUNT.blob.core.windows.net, or a
  // path-style endpoint such as http://127.0.0.1:10000/devstoreaccount1 (azurite).
  std::string endpoint;
  std::string account;
  Credentials credentials;
};

using EnvLookup = std::function<std::string(const char* name)>;

// Where the container of `uri` lives and how to authorise requests to it. Each setting comes from
// AzureConfig, else from the connection string (config, else AZURE_STORAGE_CONNECTION_STRING), else
// from AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN. A URI that names its
// account (abfss://c@ACCOUNT.dfs.core.windows.net/...) wins over the configured one. `env` defaults
// to std::getenv.
Result<Settings> resolve_settings(const Uri& uri, const AzureConfig& config, const EnvLookup& env = {});

// Signs requests with `credentials`: x-ms-date (now, per attempt), then an Authorization header
// (SharedKey, Bearer) or the SAS token appended to the query. Requests carry x-ms-version already.
http::Signer make_signer(Credentials credentials);

// The SharedKey string-to-sign of a request (Blob service, version 2009-09-19 and later): the verb,
// eleven standard headers, the canonicalized x-ms-* headers and the canonicalized resource (the
// account, the URL path as sent, then each query parameter lower-cased, decoded and sorted).
std::string string_to_sign(const http::Request& request, std::string_view account);
// "SharedKey ACCOUNT:SIGNATURE" for `request` as it stands.
std::string shared_key_authorization(const http::Request& request, std::string_view account, std::string_view key);

// "Sun, 06 Nov 1994 08:49:37 GMT" for ms since the epoch.
std::string http_date(std::int64_t ms);

// Block ids: base64 of the part number in six digits, so that every block of a blob has an id of
// the same length, as Put Block requires.
std::string block_id(int part_number);

// One List Blobs page: blobs and (with a delimiter) blob prefixes in the order given, and the
// marker of the next page ("" on the last one). kParseError for a body that is not a listing.
struct ListPage {
  std::vector<ObjectInfo> entries;
  std::string next_marker;
};
Result<ListPage> parse_list_page(std::string_view body);

// Percent-decoding of a query value ('+' stays '+'); malformed escapes are kept as they are.
using io::percent_decode;  // (sluice/io/uri.hpp)

}  // namespace sluice::io::azure
