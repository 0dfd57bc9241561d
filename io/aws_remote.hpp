// Temporary AWS credentials fetched over HTTP: STS AssumeRoleWithWebIdentity, the ECS/EKS container
// endpoint and the EC2 instance metadata service (IMDSv2). Private to sluice_io; tests include it.
#pragma once

#include <string>

#include "sluice/io/http.hpp"
#include "sluice/io/sigv4.hpp"

namespace sluice::io::aws::detail {

struct WebIdentity {
  std::string role_arn;
  std::string token_file;    // read again on every call: the platform rotates it
  std::string session_name;  // empty: "sluice-" and the time
  std::string sts_endpoint;  // scheme://host[:port][/path]
};

// AWS_ENDPOINT_URL_STS, else https://sts.REGION.amazonaws.com.
std::string sts_endpoint(const std::string& region);

// An unsigned POST of Action=AssumeRoleWithWebIdentity to the STS endpoint; the XML answer's
// Credentials. STS's own error code and message on failure; never the token.
Result<Credentials> assume_role_with_web_identity(http::Client& client, const WebIdentity& w);

struct Container {
  std::string url;
  std::string authorization;       // sent as Authorization when not empty
  std::string authorization_file;  // read on every call; wins over `authorization`
};

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or _FULL_URI (https anywhere;
// http only to a loopback address or the ECS/EKS agents' link-local ones), with
// AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE). nullopt when neither variable is set.
Result<std::optional<Container>> container_from_env();

Result<Credentials> container_credentials(http::Client& client, const Container& c);

// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254.
std::string imds_endpoint();

// IMDSv2: PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds), then with the token
// GET /latest/meta-data/iam/security-credentials/ for the role and /…/ROLE for its credentials.
Result<Credentials> imds_credentials(http::Client& client, const std::string& endpoint);

}  // namespace sluice::io::aws::detail
