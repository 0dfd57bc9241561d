// Where AWS credentials and the region come from, in the order AWS's own tools use: explicit
// configuration, the environment, the shared profile files (static keys, credential_process), web
// identity (STS AssumeRoleWithWebIdentity), ECS container credentials, and the instance metadata
// service (IMDSv2, short timeouts so that a laptop is never stalled probing it). Temporary
// credentials are refreshed before they expire.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sluice/io/http.hpp"
#include "sluice/io/sigv4.hpp"
#include "sluice/io/store.hpp"

namespace sluice::io::aws {

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Current credentials; temporary ones are fetched again when they expire within five minutes.
  // Thread-safe. Blocking (it may make HTTP requests): never call it from an http::Signer.
  virtual Result<Credentials> get() = 0;
  // Where the credentials come from ("explicit", "environment", "profile dev", "web identity",
  // "container", "instance metadata", "credential_process"), for messages; never the keys.
  virtual std::string source() const = 0;
};

using CredentialProviderPtr = std::shared_ptr<CredentialProvider>;

// Credentials that never change.
CredentialProviderPtr static_credentials(Credentials credentials, std::string source = "explicit");

// The default chain for `config` (explicit keys first). The first configured link answers, and its
// temporary credentials are fetched once here, so a broken link (a refused role, a failing
// credential_process) is reported now rather than at the first request; only the instance metadata
// service is probed and passed over when absent. kNotFound when no link of the chain has
// credentials, naming every place it looked. `client` (default_client() when null) carries the STS
// calls; the metadata services get their own short-timeout client.
Result<CredentialProviderPtr> default_credential_chain(const S3Config& config,
                                                       std::shared_ptr<http::Client> client);

// config.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else "us-east-1".
std::string resolve_region(const S3Config& config);

// config.endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else "" (AWS's own endpoints).
std::string resolve_s3_endpoint(const S3Config& config);

}  // namespace sluice::io::aws
