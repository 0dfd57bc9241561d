// Plain http(s) as a read-only Source: HEAD for the size (or a one-byte ranged GET where HEAD is not
// allowed), then ranged GETs; a bearer token or custom headers on every request.
#include <cstdlib>

#include "remote.hpp"
#include "s3_internal.hpp"

namespace sluice::io {

namespace {

struct HttpTarget {
  std::string url;
  std::string shown;  // the URL without its query (signatures, tokens)
  std::shared_ptr<http::Client> client;
  http::Headers headers;

  http::Signer signer() const {
    return [h = headers](http::Request& r) {
      for (const auto& kv : h) r.headers.push_back(kv);
      return ok_status();
    };
  }
};

}  // namespace

Result<SourcePtr> open_http_source(const std::string& url, const IoConfig& config) {
  auto target = std::make_shared<HttpTarget>();
  target->url = url;
  target->shown = http::redact_url(url);
  target->client = config.client ? config.client : http::Client::create(config.http);
  target->headers = config.http_source.headers;
  std::string token = config.http_source.bearer_token;
  if (!token.empty()) target->headers.emplace_back("Authorization", "Bearer " + token);

  std::int64_t size = -1;
  http::Request head;
  head.method = "HEAD";
  head.url = url;
  SLUICE_ASSIGN_OR_RETURN(auto r, target->client->send(head, target->signer(), "HEAD"));
  if (r.ok()) {
    if (auto cl = r.header("content-length")) size = std::strtoll(std::string(*cl).c_str(), nullptr, 10);
  } else if (r.status != 405 && r.status != 403 && r.status != 501) {
    return s3::response_error("HTTP", "HEAD", target->shown, r);
  }
  if (size < 0) {  // HEAD refused or without a length: ask for the first byte
    http::Request get;
    get.url = url;
    get.headers.emplace_back("Range", "bytes=0-0");
    get.max_body_bytes = 1;
    SLUICE_ASSIGN_OR_RETURN(auto g, target->client->send(get, target->signer(), "GET"));
    if (g.status == 416) {
      size = 0;
    } else if (g.status == 206) {
      if (auto cr = g.header("content-range")) size = remote::total_from_content_range(*cr);
    } else if (!g.ok()) {
      return s3::response_error("HTTP", "GET", target->shown, g);
    }
    if (size < 0)
      return Error(ErrorCode::kNotImplemented, "HTTP " + target->shown + ": the server gives neither a length nor ranges",
                   ErrorContext(target->shown));
  }
  auto getter = [target](std::uint64_t offset, std::span<std::byte> dst) {
    http::Request req;
    req.url = target->url;
    req.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + dst.size() - 1));
    req.body_into = dst;
    auto fut = target->client->send_async(std::move(req), target->signer(), "GET");
    return std::async(std::launch::deferred, [target, offset, f = std::move(fut)]() mutable -> Result<std::size_t> {
      auto r = f.get();
      if (!r.ok()) return std::move(r).error();
      if (r->status == 416) return std::size_t{0};
      if (r->status == 200 && offset != 0)
        return Error(ErrorCode::kNotImplemented, "HTTP " + target->shown + ": the server ignores ranged requests",
                     ErrorContext(target->shown));
      if (!r->ok()) return s3::response_error("HTTP", "GET", target->shown, *r);
      return r->body_bytes;
    });
  };
  return SourcePtr(std::make_unique<remote::RangeSource>(target->shown, static_cast<std::uint64_t>(size), std::move(getter),
                                                         config.transfer));
}

}  // namespace sluice::io
