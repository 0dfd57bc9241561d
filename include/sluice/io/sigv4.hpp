// AWS Signature Version 4: signs HTTP requests for S3 and other AWS services, in an Authorization
// header, in a presigned URL, or chunk by chunk for aws-chunked uploads. Pure computation, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice::io::aws {

// What signs: long-term keys, or temporary ones with their session token.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
  std::optional<std::chrono::system_clock::time_point> expiration;  // informational; signing ignores it
};

// An HTTP request as it will go on the wire. url is scheme://host[:port]/path?query with path and query
// already percent-encoded by the caller (for S3 keys: uri_encode(key, false)).
struct SignRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

struct SigV4Options {
  std::string region;
  std::string service = "s3";
  // Remove "." and ".." segments and empty segments from the path before signing (S3: false).
  bool normalize_path = false;
  // URI-encode the wire path once more for the canonical request (S3: false, other services: true).
  bool double_encode_path = false;
  // "UNSIGNED-PAYLOAD", the lowercase hex SHA-256 of the body, or kStreamingPayload for aws-chunked.
  std::string payload_hash = std::string(kUnsignedPayload);
  // Send (and sign) x-amz-content-sha256 with payload_hash (S3 requires it; header signing only).
  bool content_sha256_header = true;
  // Add the session token after signing instead of signing it (some services want that).
  bool omit_session_token = false;
  // The signing time; left at the epoch, the current time.
  std::chrono::system_clock::time_point now{};
};

// The intermediate steps of one signature, for tests and for debugging a SignatureDoesNotMatch.
// Never contains the secret key.
struct SigV4Trace {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // 64 lowercase hex digits
  std::string authorization;  // header signing: the Authorization value
  std::string url;            // query signing: the presigned URL
  // Header signing: the headers sign_request sets (replacing any of the same name), in this order.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Computes a signature. Without presign_expires: header signing (what sign_request applies). With it:
// query signing for a presigned URL valid that long (1 s to 7 days).
Result<SigV4Trace> sign_trace(const SignRequest& request, const Credentials& credentials,
                              const SigV4Options& options,
                              std::optional<std::chrono::seconds> presign_expires = std::nullopt);

// Signs request in its headers: sets host (when absent, from the URL; the port kept when not the
// scheme's default), x-amz-date, x-amz-security-token (with a session token), x-amz-content-sha256
// (when asked) and Authorization.
Status sign_request(SignRequest& request, const Credentials& credentials, const SigV4Options& options);

// The request's URL with X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
// -Security-Token and -Signature appended to its query. Headers of request other than host must be
// sent with the URL as they were signed.
Result<std::string> presign_url(const SignRequest& request, const Credentials& credentials,
                                const SigV4Options& options, std::chrono::seconds expires);

// AWS's URI encoding: every byte but A-Z a-z 0-9 - . _ ~ (and '/' unless encode_slash) becomes %XX,
// uppercase hex. uri_encode(key, false) is the wire path of an S3 object key.
std::string uri_encode(std::string_view s, bool encode_slash);

// Signs the chunks of an aws-chunked upload (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// Content-Encoding: aws-chunked, x-amz-decoded-content-length: payload size, Content-Length:
// encoded_length(...)). Each chunk goes out as chunk_header(chunk) + chunk + "\r\n"; the last one is
// empty. Signatures chain, so chunks must be signed in the order they are sent.
class ChunkSigner {
 public:
  // seed_signature: the signature of the request's headers (SigV4Trace::signature); credentials and
  // options as for that request.
  static Result<ChunkSigner> create(std::string seed_signature, const Credentials& credentials,
                                    const SigV4Options& options);

  // "<hex size>;chunk-signature=<signature>\r\n"
  std::string chunk_header(std::span<const std::byte> chunk);
  std::string chunk_header(std::string_view chunk);

  const std::string& previous_signature() const noexcept { return previous_; }

  // Bytes on the wire for payload_bytes sent in chunks of chunk_size (the last one shorter), plus
  // the empty final chunk. chunk_size 0 means one chunk for the whole payload.
  static std::uint64_t encoded_length(std::uint64_t payload_bytes, std::size_t chunk_size);

  ChunkSigner(ChunkSigner&&) noexcept = default;
  ChunkSigner& operator=(ChunkSigner&&) noexcept = default;
  ~ChunkSigner();  // wipes the derived key

 private:
  ChunkSigner() = default;
  std::string signing_key_;  // derived key, not the secret
  std::string amz_date_;
  std::string scope_;
  std::string previous_;
};

}  // namespace sluice::io::aws
