// A lean HTTP client on libcurl: one event loop per client drives a curl multi handle (connections
// reused across requests, many transfers in flight on one thread), retries with capped exponential
// backoff and jitter, and re-signs every attempt. Stores (S3, GCS, Azure, plain HTTP) sit on top.
//
// Credentials never reach an error text: messages name the method, the URL without its query string
// (presigned URLs and SAS tokens carry signatures there), the status and the store's error code.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice::io::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header named `name`.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;  // percent-encoded as it goes on the wire
  Headers headers;
  // The body, borrowed: it must outlive the request (retries send it again).
  std::span<const std::byte> body;
  // Where the response body goes: into `body_into` when set (a ranged GET straight into the caller's
  // buffer; more bytes than it holds is an error), else into Response::body, up to max_body_bytes.
  std::span<std::byte> body_into;
  std::size_t max_body_bytes = std::size_t{64} << 20;
  // A body made while it is sent (aws-chunked signing: each chunk's signature chains from the
  // attempt's). Set by a Signer; when set it goes on the wire instead of `body`, body_length bytes
  // long. Called on the loop thread with the bytes this attempt has produced so far (0: start over).
  std::function<std::size_t(std::uint64_t produced, std::span<std::byte> out)> body_producer;
  std::uint64_t body_length = 0;
};

struct Response {
  long status = 0;
  Headers headers;  // names lower-cased
  std::string body;
  std::size_t body_bytes = 0;  // bytes received (into body_into or body)
  int attempts = 0;
  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
  bool ok() const { return status >= 200 && status < 300; }
};

// Called before every attempt, on the client's loop thread: sets dates, tokens and signatures. It must
// not block (credentials are resolved before the request is sent; refreshing them is the caller's job).
using Signer = std::function<Status(Request&)>;

struct RetryPolicy {
  int max_attempts = 6;  // first try included
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};
};

// Statuses worth another attempt: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(long status);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10000};
  // A transfer that moves no byte for this long fails (and is retried).
  std::chrono::milliseconds idle_timeout{60000};
  // Whole-request cap (0: none).
  std::chrono::milliseconds request_timeout{0};
  long max_connections = 16;
  RetryPolicy retry;
  bool verify_tls = true;
  // CA bundle; empty: from SSL_CERT_FILE, CURL_CA_BUNDLE or AWS_CA_BUNDLE, else libcurl's default.
  std::string ca_bundle;
  std::string user_agent = "sluice/0.1";
};

// The URL with its query string and any user info left out (for messages).
std::string redact_url(std::string_view url);

class Client {
 public:
  static std::shared_ptr<Client> create(ClientOptions options = {});
  virtual ~Client() = default;

  // Sends the request, retrying connection errors and retryable statuses. The result is the last
  // response, whatever its status (the caller turns a non-2xx into its store's error), or a transport
  // error after the last attempt (kIoError naming `operation`, the method and the redacted URL).
  virtual std::future<Result<Response>> send_async(Request request, Signer signer, std::string operation) = 0;
  Result<Response> send(Request request, Signer signer, std::string operation) {
    return send_async(std::move(request), std::move(signer), std::move(operation)).get();
  }

  const ClientOptions& options() const { return options_; }

  // Counters (tests count requests; benchmarks report retries).
  virtual std::uint64_t requests_sent() const = 0;
  virtual std::uint64_t retries() const = 0;

 protected:
  explicit Client(ClientOptions options) : options_(std::move(options)) {}
  ClientOptions options_;
};

// The client most callers share: created on first use with default options.
std::shared_ptr<Client> default_client();

}  // namespace sluice::io::http
