// The default AWS credential chain. Order (the AWS SDKs' order, which the CLI shares in all but
// putting web identity before the profile): explicit configuration → AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY → the profile (static keys, role_arn + web_identity_token_file,
// credential_process) → web identity from the environment → ECS/EKS container credentials → IMDSv2.
//
// The chain picks its link once, when it is built: the first link that is configured answers, and a
// configured link that fails (an unreadable token file, STS refusing the role, a credential_process
// that exits non-zero) is an error rather than a silent fall-through to the next one, so that a user
// does not end up with an instance role they did not mean to use. Only the instance metadata service
// is probed, since nothing says whether it exists but asking it.
#include "sluice/io/aws_credentials.hpp"

#include <cstdlib>
#include <vector>

#include "aws_profile.hpp"
#include "aws_remote.hpp"
#include "aws_support.hpp"

namespace sluice::io::aws {

namespace {

class StaticProvider final : public CredentialProvider {
 public:
  StaticProvider(Credentials c, std::string source) : c_(std::move(c)), source_(std::move(source)) {}
  Result<Credentials> get() override { return c_; }
  std::string source() const override { return source_; }

 private:
  Credentials c_;
  std::string source_;
};

// Temporary credentials from `fetch`, kept until five minutes before they expire.
class RefreshingProvider final : public CredentialProvider {
 public:
  RefreshingProvider(std::function<Result<Credentials>()> fetch, std::string source)
      : source_(std::move(source)),
        cache_([fetch = std::move(fetch), source = source_]() -> Result<cred::RefreshCache<Credentials>::Entry> {
          auto c = fetch();
          if (!c.ok()) {
            Error e = std::move(c).error();
            return Error(e.code(), source + ": " + e.message(), e.context());
          }
          auto expires = c->expiration;
          return cred::RefreshCache<Credentials>::Entry{std::move(c).value(), expires};
        }) {}
  Result<Credentials> get() override { return cache_.get(); }
  std::string source() const override { return source_; }

 private:
  std::string source_;
  cred::RefreshCache<Credentials> cache_;
};

// A refreshing provider that has fetched once (so that a broken link shows up when the store opens).
Result<CredentialProviderPtr> primed(std::function<Result<Credentials>()> fetch, std::string source) {
  auto p = std::make_shared<RefreshingProvider>(std::move(fetch), std::move(source));
  SLUICE_TRY(p->get());
  return CredentialProviderPtr(std::move(p));
}

Result<CredentialProviderPtr> web_identity_provider(detail::WebIdentity w, std::shared_ptr<http::Client> client,
                                                    std::string source) {
  return primed([w = std::move(w), client = std::move(client)] { return detail::assume_role_with_web_identity(*client, w); },
                std::move(source));
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

CredentialProviderPtr static_credentials(Credentials credentials, std::string source) {
  return std::make_shared<StaticProvider>(std::move(credentials), std::move(source));
}

Result<CredentialProviderPtr> default_credential_chain(const S3Config& config, std::shared_ptr<http::Client> client) {
  using cred::env;
  if (!client) client = http::default_client();
  std::vector<std::string> looked;

  // 1. Explicit configuration.
  if (!config.access_key_id.empty() || !config.secret_access_key.empty()) {
    if (config.access_key_id.empty() || config.secret_access_key.empty())
      return Error(ErrorCode::kInvalidArgument, "AWS credentials: an access key id needs its secret key and the other way round");
    return static_credentials({config.access_key_id, config.secret_access_key, config.session_token, std::nullopt},
                              "explicit");
  }
  looked.push_back("explicit configuration");

  // 2. The environment.
  {
    const std::string id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
    if (!id.empty() && !secret.empty())
      return static_credentials({id, secret, env("AWS_SESSION_TOKEN"), std::nullopt}, "environment");
    if (!id.empty() || !secret.empty())
      return Error(ErrorCode::kInvalidArgument, id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                                                           : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    looked.push_back("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
  }

  // 3. The profile.
  {
    bool named = false;
    const std::string name = detail::profile_name(config, &named);
    SLUICE_ASSIGN_OR_RETURN(detail::Profile p, detail::load_profile(name));
    const std::string where = "profile '" + name + "' in " + p.config_path + " and " + p.credentials_path;
    if (!p.found && named)
      return Error(ErrorCode::kNotFound, "AWS profile '" + name + "' is in neither " + p.config_path + " nor " +
                                             p.credentials_path);
    if (p.found) {
      const std::string source = "profile " + name;
      const auto role_arn = p.get("role_arn");
      if (role_arn && p.get("web_identity_token_file")) {
        detail::WebIdentity w;
        w.role_arn = std::string(*role_arn);
        w.token_file = cred::expand_home(*p.get("web_identity_token_file"));
        w.session_name = std::string(p.get("role_session_name").value_or(""));
        w.sts_endpoint = detail::sts_endpoint(resolve_region(config));
        return web_identity_provider(std::move(w), client, source + " (web identity)");
      }
      if (role_arn)
        return Error(ErrorCode::kNotImplemented,
                     "AWS " + source + ": role_arn with source_profile or credential_source (sts:AssumeRole) is not "
                     "supported; use credential_process or static keys");
      const auto id = p.get("aws_access_key_id"), secret = p.get("aws_secret_access_key");
      if (id && secret)
        return static_credentials({std::string(*id), std::string(*secret), std::string(p.get("aws_session_token").value_or("")),
                                   std::nullopt},
                                  source);
      if (id || secret)
        return Error(ErrorCode::kInvalidArgument, "AWS " + source + " has " +
                                                      (id ? "aws_access_key_id without aws_secret_access_key"
                                                          : "aws_secret_access_key without aws_access_key_id"));
      if (auto process = p.get("credential_process")) {
        return primed([command = std::string(*process)] { return detail::credential_process(command); },
                      source + " (credential_process)");
      }
      if (named)
        return Error(ErrorCode::kNotFound, "AWS profile '" + name + "' has no credentials (no aws_access_key_id, "
                                           "credential_process or role_arn with web_identity_token_file)");
    }
    looked.push_back(where);
  }

  // 4. Web identity from the environment (EKS IRSA and the like).
  {
    const std::string token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE"), role = env("AWS_ROLE_ARN");
    if (!token_file.empty() && !role.empty()) {
      detail::WebIdentity w;
      w.role_arn = role;
      w.token_file = token_file;
      w.session_name = env("AWS_ROLE_SESSION_NAME");
      w.sts_endpoint = detail::sts_endpoint(resolve_region(config));
      return web_identity_provider(std::move(w), client, "web identity");
    }
    looked.push_back("AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN");
  }

  // 5. ECS/EKS container credentials.
  {
    SLUICE_ASSIGN_OR_RETURN(std::optional<detail::Container> c, detail::container_from_env());
    if (c) {
      return primed([c = std::move(*c)] { return detail::container_credentials(*cred::container_client(), c); },
                    "container");
    }
    looked.push_back("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI");
  }

  // 6. The instance metadata service.
  if (cred::env_true("AWS_EC2_METADATA_DISABLED")) {
    looked.push_back("instance metadata (disabled by AWS_EC2_METADATA_DISABLED)");
  } else {
    const std::string endpoint = detail::imds_endpoint();
    auto p = std::make_shared<RefreshingProvider>(
        [endpoint] { return detail::imds_credentials(*cred::metadata_client(), endpoint); }, "instance metadata");
    auto first = p->get();
    if (first.ok()) return CredentialProviderPtr(std::move(p));
    std::string_view why = first.error().message();
    if (why.starts_with("instance metadata: ")) why.remove_prefix(19);
    looked.push_back("instance metadata at " + http::redact_url(endpoint) + " (" + std::string(why) + ")");
  }
  return Error(ErrorCode::kNotFound, "no AWS credentials found (looked at: " + join(looked) + ")");
}

std::string resolve_region(const S3Config& config) {
  if (!config.region.empty()) return config.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string v = cred::env(name);
    if (!v.empty()) return v;
  }
  if (auto p = detail::load_profile(detail::profile_name(config)); p.ok()) {
    if (auto region = p->get("region")) return std::string(*region);
  }
  return "us-east-1";
}

std::string resolve_s3_endpoint(const S3Config& config) {
  if (!config.endpoint_url.empty()) return config.endpoint_url;
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    std::string v = cred::env(name);
    if (!v.empty()) return v;
  }
  return "";
}

}  // namespace sluice::io::aws
