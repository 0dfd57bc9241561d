// OAuth2 access tokens for GCS: given directly, from a service account's JSON key (an RS256-signed
// JWT exchanged at the token endpoint), or from the metadata server. Tokens are cached and fetched
// again five minutes before they expire, by one caller at a time.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <vector>

#include "aws_support.hpp"
#include "crypto.hpp"
#include "s3_internal.hpp"

namespace sluice::io::s3 {

namespace {

constexpr std::string_view kScope = "https://www.googleapis.com/auth/devstorage.read_write";
constexpr std::string_view kDefaultTokenUri = "https://oauth2.googleapis.com/token";

std::string base64url(std::string_view bytes) {
  std::string s = crypto::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

std::string json_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + '"';
}

// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `data` with a PEM private key.
Result<std::string> rs256_sign(std::string_view data, const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return Error(ErrorCode::kInternal, "OpenSSL: BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                          EVP_PKEY_free);
  if (!key) return Error(ErrorCode::kInvalidArgument, "the service account's private_key is not a PEM private key");
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
    return Error(ErrorCode::kInvalidArgument, "the service account's private_key is not an RSA key");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return Error(ErrorCode::kInternal, "OpenSSL: cannot sign the JWT");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return Error(ErrorCode::kInternal, "OpenSSL: cannot sign the JWT");
  sig.resize(len);
  return sig;
}

using Cache = cred::RefreshCache<std::string>;

// {"access_token": ..., "expires_in": seconds} → a cache entry.
Result<Cache::Entry> token_entry(const http::Response& r, std::string_view what) {
  SLUICE_ASSIGN_OR_RETURN(cred::JsonFields f, cred::parse_json_object(r.body, what));
  const auto token = f.str("access_token");
  if (!token || token->empty()) return Error(ErrorCode::kParseError, std::string(what) + " has no \"access_token\"");
  if (token->find_first_of("\r\n") != std::string_view::npos)
    return Error(ErrorCode::kParseError, std::string(what) + ": \"access_token\" holds a line break");
  Cache::Entry e{std::string(*token), std::nullopt};
  const std::int64_t expires_in = f.integer("expires_in").value_or(3600);
  e.expires = cred::Clock::now() + std::chrono::seconds(std::max<std::int64_t>(0, expires_in));
  return e;
}

// The OAuth2 error of a token endpoint ({"error": ..., "error_description": ...}), without secrets.
std::string oauth_error(const http::Response& r) {
  std::string out = "HTTP status " + std::to_string(r.status);
  if (auto f = cred::parse_json_object(r.body, "error"); f.ok()) {
    if (auto e = f->str("error")) out += ", " + std::string(e->substr(0, 100));
    if (auto d = f->str("error_description")) out += ": " + std::string(d->substr(0, 300));
  }
  return out;
}

struct ServiceAccount {
  std::string path;
  std::string client_email;
  std::string private_key;
  std::string token_uri;
};

Result<Cache::Entry> service_account_token(http::Client& client, const ServiceAccount& sa) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(cred::Clock::now().time_since_epoch()).count();
  const std::string header = base64url(R"({"alg":"RS256","typ":"JWT"})");
  const std::string claims = base64url("{\"iss\":" + json_string(sa.client_email) + ",\"scope\":" + json_string(kScope) +
                                       ",\"aud\":" + json_string(sa.token_uri) + ",\"iat\":" + std::to_string(now) +
                                       ",\"exp\":" + std::to_string(now + 3600) + "}");
  const std::string signing_input = header + "." + claims;
  SLUICE_ASSIGN_OR_RETURN(std::string sig, rs256_sign(signing_input, sa.private_key));
  std::string body = "grant_type=" + cred::form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                     "&assertion=" + cred::form_encode(signing_input + "." + base64url(sig));
  http::Request req;
  req.method = "POST";
  req.url = sa.token_uri;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  req.body = {reinterpret_cast<const std::byte*>(body.data()), body.size()};
  req.max_body_bytes = 1 << 20;
  auto r = client.send(std::move(req), http::Signer(), "GCS service account token");
  crypto::cleanse(body);
  if (!r.ok()) return std::move(r).error();
  if (!r->ok())
    return Error(ErrorCode::kIoError, "GCS service account token " + http::redact_url(sa.token_uri) + " for " +
                                          sa.client_email + ": " + oauth_error(*r),
                 ErrorContext(sa.path));
  auto e = token_entry(*r, "the token endpoint's response");
  crypto::cleanse(r->body);
  return e;
}

Result<ServiceAccount> load_service_account(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(std::string text, cred::read_small_file(path, "GCS credentials file", 1 << 20));
  auto parsed = cred::parse_json_object(text, "GCS credentials file");
  crypto::cleanse(text);
  if (!parsed.ok()) return Error(parsed.error().code(), parsed.error().message(), ErrorContext(path));
  const cred::JsonFields& f = *parsed;
  const std::string type(f.str("type").value_or(""));
  if (type != "service_account")
    return Error(ErrorCode::kNotImplemented,
                 "GCS credentials file: type \"" + type.substr(0, 50) + "\" is not supported (only \"service_account\")",
                 ErrorContext(path));
  ServiceAccount sa;
  sa.path = path;
  sa.client_email = std::string(f.str("client_email").value_or(""));
  sa.private_key = std::string(f.str("private_key").value_or(""));
  sa.token_uri = std::string(f.str("token_uri").value_or(kDefaultTokenUri));
  if (sa.client_email.empty() || sa.private_key.empty())
    return Error(ErrorCode::kParseError, "GCS credentials file lacks \"client_email\" or \"private_key\"", ErrorContext(path));
  if (!sa.token_uri.starts_with("https://") && !sa.token_uri.starts_with("http://"))
    return Error(ErrorCode::kInvalidArgument, "GCS credentials file: \"token_uri\" is not an http(s) URL", ErrorContext(path));
  return sa;
}

Result<Cache::Entry> metadata_token(http::Client& client, const std::string& host) {
  http::Request req;
  req.url = "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token";
  req.headers = {{"Metadata-Flavor", "Google"}};
  req.max_body_bytes = 1 << 20;
  const std::string url = req.url;
  auto r = client.send(std::move(req), http::Signer(), "GCE metadata token");
  if (!r.ok()) return std::move(r).error();
  if (!r->ok()) return Error(ErrorCode::kIoError, "GCE metadata token " + url + ": HTTP status " + std::to_string(r->status));
  auto e = token_entry(*r, "the metadata server's token");
  crypto::cleanse(r->body);
  return e;
}

TokenSource from_cache(std::shared_ptr<Cache> cache) {
  return [cache = std::move(cache)] { return cache->get(); };
}

}  // namespace

Result<TokenSource> gcs_token_source(const GcsConfig& config, std::shared_ptr<http::Client> client) {
  if (!client) client = http::default_client();
  std::string token = config.bearer_token;
  if (token.empty()) token = cred::env("GOOGLE_OAUTH_ACCESS_TOKEN");
  if (!token.empty()) return TokenSource([token] { return Result<std::string>(token); });

  std::string path = config.credentials_file;
  if (path.empty()) path = cred::env("GOOGLE_APPLICATION_CREDENTIALS");
  if (!path.empty()) {
    SLUICE_ASSIGN_OR_RETURN(ServiceAccount sa, load_service_account(cred::expand_home(path)));
    auto cache = std::make_shared<Cache>([sa = std::move(sa), client] { return service_account_token(*client, sa); });
    SLUICE_TRY(cache->get());  // a bad key or a refused account shows when the store opens
    return from_cache(std::move(cache));
  }

  std::string host = cred::env("GCE_METADATA_HOST");
  if (host.empty()) host = "metadata.google.internal";
  auto cache = std::make_shared<Cache>([host] { return metadata_token(*cred::metadata_client(), host); });
  auto first = cache->get();
  if (first.ok()) return from_cache(std::move(cache));
  return Error(ErrorCode::kNotFound,
               "no GCS credentials found (looked at: HMAC keys GCS_HMAC_ACCESS_ID/GCS_HMAC_SECRET, a bearer token, "
               "GOOGLE_OAUTH_ACCESS_TOKEN, a service account file (GOOGLE_APPLICATION_CREDENTIALS), the metadata "
               "server at " + host + " (" + first.error().message() + "))");
}

}  // namespace sluice::io::s3
