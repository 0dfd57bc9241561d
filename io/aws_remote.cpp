#include "aws_remote.hpp"

#include <chrono>
#include <cstddef>

#include "aws_support.hpp"
#include "crypto.hpp"
#include "xml.hpp"

namespace sluice::io::aws::detail {

namespace {

std::span<const std::byte> bytes_of(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

std::string strip_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string trim_ws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// The JSON shape the ECS agent and IMDS share: AccessKeyId, SecretAccessKey, Token, Expiration.
Result<Credentials> parse_json_credentials(std::string_view body, std::string_view what) {
  SLUICE_ASSIGN_OR_RETURN(cred::JsonFields f, cred::parse_json_object(body, what));
  if (auto code = f.str("Code"); code && *code != "Success")
    return Error(ErrorCode::kIoError, std::string(what) + " reports \"Code\": \"" + std::string(code->substr(0, 100)) + "\"");
  const auto id = f.str("AccessKeyId"), secret = f.str("SecretAccessKey");
  if (!id || id->empty() || !secret || secret->empty())
    return Error(ErrorCode::kParseError, std::string(what) + " lacks \"AccessKeyId\" or \"SecretAccessKey\"");
  Credentials c;
  c.access_key_id = std::string(*id);
  c.secret_access_key = std::string(*secret);
  if (auto t = f.str("Token")) c.session_token = std::string(*t);
  if (auto exp = f.str("Expiration")) {
    c.expiration = cred::parse_rfc3339(*exp);
    if (!c.expiration) return Error(ErrorCode::kParseError, std::string(what) + ": \"Expiration\" is not an RFC 3339 time");
  }
  return c;
}

// "OPERATION: status N" plus a short, secret-free excerpt of what the service said.
Error status_error(std::string_view operation, const std::string& url, const http::Response& r) {
  return Error(ErrorCode::kIoError, std::string(operation) + " " + http::redact_url(url) + ": HTTP status " +
                                        std::to_string(r.status));
}

}  // namespace

std::string sts_endpoint(const std::string& region) {
  std::string e = cred::env("AWS_ENDPOINT_URL_STS");
  if (!e.empty()) return strip_trailing_slashes(e);
  // China's partition lives under amazonaws.com.cn.
  return "https://sts." + region + (region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
}

Result<Credentials> assume_role_with_web_identity(http::Client& client, const WebIdentity& w) {
  SLUICE_ASSIGN_OR_RETURN(std::string token, cred::read_small_file(w.token_file, "web identity token file", 64 * 1024));
  token = trim_ws(token);
  if (token.empty()) return Error(ErrorCode::kInvalidArgument, "the web identity token file is empty", ErrorContext(w.token_file));
  std::string session = w.session_name;
  if (session.empty()) {
    session = "sluice-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count());
  }
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + cred::form_encode(w.role_arn) +
                     "&RoleSessionName=" + cred::form_encode(session) +
                     "&WebIdentityToken=" + cred::form_encode(token);
  crypto::cleanse(token);
  http::Request req;
  req.method = "POST";
  req.url = w.sts_endpoint + "/";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Accept", "application/xml"}};
  req.body = bytes_of(body);
  req.max_body_bytes = 1 << 20;
  const std::string url = req.url;
  auto r = client.send(std::move(req), http::Signer(), "STS AssumeRoleWithWebIdentity");
  crypto::cleanse(body);
  if (!r.ok()) return std::move(r).error();
  auto doc = xml::parse(r->body);
  if (!r->ok()) {
    std::string msg = "STS AssumeRoleWithWebIdentity " + http::redact_url(url) + " for role " + w.role_arn +
                      ": HTTP status " + std::to_string(r->status);
    if (doc.ok()) {
      const xml::Element* e = doc->child("Error") ? doc->child("Error") : &*doc;
      if (!e->child_text("Code").empty()) msg += ", " + std::string(e->child_text("Code"));
      if (!e->child_text("Message").empty()) msg += ": " + std::string(e->child_text("Message").substr(0, 300));
    }
    return Error(ErrorCode::kIoError, std::move(msg));
  }
  if (!doc.ok()) return Error(ErrorCode::kParseError, "STS AssumeRoleWithWebIdentity: the response is not XML");
  const xml::Element* result = doc->child("AssumeRoleWithWebIdentityResult");
  const xml::Element* creds = result ? result->child("Credentials") : nullptr;
  if (!creds || creds->child_text("AccessKeyId").empty() || creds->child_text("SecretAccessKey").empty())
    return Error(ErrorCode::kParseError, "STS AssumeRoleWithWebIdentity: the response has no Credentials");
  Credentials c;
  c.access_key_id = std::string(creds->child_text("AccessKeyId"));
  c.secret_access_key = std::string(creds->child_text("SecretAccessKey"));
  c.session_token = std::string(creds->child_text("SessionToken"));
  c.expiration = cred::parse_rfc3339(creds->child_text("Expiration"));
  if (!c.expiration) return Error(ErrorCode::kParseError, "STS AssumeRoleWithWebIdentity: Expiration is not an RFC 3339 time");
  return c;
}

namespace {

// ECS's rule for _FULL_URI over plain http: only hosts that cannot be someone else's.
bool allowed_http_host(std::string_view url) {
  std::string_view rest = url.substr(7);  // after "http://"
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') - 1);
    return host == "::1" || host == "fd00:ec2::23";
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.starts_with("127.") || host == "169.254.170.2" || host == "169.254.170.23";
}

}  // namespace

Result<std::optional<Container>> container_from_env() {
  Container c;
  const std::string relative = cred::env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const std::string full = cred::env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative.empty()) {
    c.url = "http://169.254.170.2" + (relative.starts_with("/") ? relative : "/" + relative);
  } else if (!full.empty()) {
    if (full.starts_with("http://")) {
      if (!allowed_http_host(full))
        return Error(ErrorCode::kInvalidArgument,
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI " + http::redact_url(full) +
                         ": plain http is only allowed to a loopback address or the ECS/EKS agent");
    } else if (!full.starts_with("https://")) {
      return Error(ErrorCode::kInvalidArgument, "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http(s) URL");
    }
    c.url = full;
  } else {
    return std::optional<Container>();
  }
  c.authorization = cred::env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  c.authorization_file = cred::env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  return std::optional<Container>(std::move(c));
}

Result<Credentials> container_credentials(http::Client& client, const Container& c) {
  http::Request req;
  req.url = c.url;
  req.max_body_bytes = 1 << 20;
  std::string auth = c.authorization;
  if (!c.authorization_file.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auth, cred::read_small_file(c.authorization_file, "container authorization token file", 16 * 1024));
    auth = trim_ws(auth);
  }
  if (auth.find_first_of("\r\n") != std::string::npos)
    return Error(ErrorCode::kInvalidArgument, "the container authorization token holds a line break");
  if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
  crypto::cleanse(auth);
  req.headers.emplace_back("Accept", "application/json");
  auto r = client.send(std::move(req), http::Signer(), "container credentials");
  if (!r.ok()) return std::move(r).error();
  if (!r->ok()) return status_error("container credentials GET", c.url, *r);
  auto creds = parse_json_credentials(r->body, "the container credentials response");
  crypto::cleanse(r->body);
  return creds;
}

std::string imds_endpoint() {
  std::string e = cred::env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  return e.empty() ? std::string("http://169.254.169.254") : strip_trailing_slashes(e);
}

Result<Credentials> imds_credentials(http::Client& client, const std::string& endpoint) {
  http::Request put;
  put.method = "PUT";
  put.url = endpoint + "/latest/api/token";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  put.max_body_bytes = 16 * 1024;
  auto token = client.send(std::move(put), http::Signer(), "instance metadata token");
  if (!token.ok()) return std::move(token).error();
  if (!token->ok()) return status_error("instance metadata token PUT", endpoint + "/latest/api/token", *token);
  const std::string session = trim_ws(token->body);
  if (session.empty() || session.find_first_of("\r\n") != std::string::npos)
    return Error(ErrorCode::kParseError, "instance metadata: the session token is empty or malformed");

  auto get = [&](const std::string& path, std::string_view operation) -> Result<http::Response> {
    http::Request req;
    req.url = endpoint + path;
    req.headers = {{"X-aws-ec2-metadata-token", session}};
    req.max_body_bytes = 1 << 20;
    auto r = client.send(std::move(req), http::Signer(), std::string(operation));
    if (!r.ok()) return std::move(r).error();
    if (r->status == 404)
      return Error(ErrorCode::kNotFound, "instance metadata: no IAM role is attached to this instance");
    if (!r->ok()) return status_error(operation, endpoint + path, *r);
    return std::move(r).value();
  };
  const std::string base = "/latest/meta-data/iam/security-credentials/";
  SLUICE_ASSIGN_OR_RETURN(http::Response roles, get(base, "instance metadata role"));
  std::string role = trim_ws(std::string_view(roles.body).substr(0, roles.body.find('\n')));
  if (role.empty()) return Error(ErrorCode::kNotFound, "instance metadata: no IAM role is attached to this instance");
  if (role.find_first_of("/?#% ") != std::string::npos)
    return Error(ErrorCode::kParseError, "instance metadata: the role name is malformed");
  SLUICE_ASSIGN_OR_RETURN(http::Response creds, get(base + role, "instance metadata credentials"));
  auto c = parse_json_credentials(creds.body, "the instance metadata credentials");
  crypto::cleanse(creds.body);
  return c;
}

}  // namespace sluice::io::aws::detail
