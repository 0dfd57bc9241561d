#include "sluice/io/aws_credentials.hpp"

#include <cstdlib>

namespace sluice::io::aws {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

class StaticProvider final : public CredentialProvider {
 public:
  StaticProvider(Credentials c, std::string source) : c_(std::move(c)), source_(std::move(source)) {}
  Result<Credentials> get() override { return c_; }
  std::string source() const override { return source_; }

 private:
  Credentials c_;
  std::string source_;
};

}  // namespace

CredentialProviderPtr static_credentials(Credentials credentials, std::string source) {
  return std::make_shared<StaticProvider>(std::move(credentials), std::move(source));
}

Result<CredentialProviderPtr> default_credential_chain(const S3Config& config, std::shared_ptr<http::Client>) {
  if (!config.access_key_id.empty() || !config.secret_access_key.empty()) {
    if (config.access_key_id.empty() || config.secret_access_key.empty())
      return Error(ErrorCode::kInvalidArgument, "AWS credentials: an access key id needs its secret key and the other way round");
    return static_credentials({config.access_key_id, config.secret_access_key, config.session_token, std::nullopt},
                              "explicit");
  }
  const std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty())
    return static_credentials({id, secret, env("AWS_SESSION_TOKEN"), std::nullopt}, "environment");
  return Error(ErrorCode::kNotFound,
               "no AWS credentials found (looked at: explicit configuration, AWS_ACCESS_KEY_ID and "
               "AWS_SECRET_ACCESS_KEY)");
}

std::string resolve_region(const S3Config& config) {
  if (!config.region.empty()) return config.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = env(name);
    if (!v.empty()) return v;
  }
  return "us-east-1";
}

std::string resolve_s3_endpoint(const S3Config& config) {
  if (!config.endpoint_url.empty()) return config.endpoint_url;
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    std::string v = env(name);
    if (!v.empty()) return v;
  }
  return "";
}

}  // namespace sluice::io::aws
