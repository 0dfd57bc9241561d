// S3 and the stores that speak its protocol (MinIO, Ceph radosgw, GCS's XML API): HEAD, ranged GET,
// ListObjectsV2, PUT, multipart upload, DELETE, each request signed with SigV4 (or a bearer token, or
// nothing for public buckets).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include "crypto.hpp"
#include "remote.hpp"
#include "s3_internal.hpp"
#include "sluice/core/temporal.hpp"
#include "sluice/io/aws_credentials.hpp"
#include "sluice/io/sigv4.hpp"
#include "xml.hpp"

namespace sluice::io::s3 {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}


}  // namespace

// "2026-11-22T15:42:13.000Z" → ms since the epoch; -1 when it is not that shape.
std::int64_t parse_iso8601_ms(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  std::int64_t ms = 0;
  if (s.size() > 20 && s[19] == '.') {
    int scale = 100;
    for (std::size_t i = 20; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) ms += (s[i] - '0') * scale;
  }
  return (temporal::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec) * 1000 + ms;
}

// "Sun, 22 Nov 2026 15:42:13 GMT" → ms since the epoch; -1 when it is not that shape.
std::int64_t parse_http_date_ms(std::string_view s) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char mon[4] = {0};
  int d, y, h, mi, sec;
  if (std::sscanf(std::string(s).c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &h, &mi, &sec) != 6) return -1;
  for (unsigned m = 0; m < 12; ++m)
    if (std::string_view(mon) == kMonths[m])
      return (temporal::days_from_civil(y, m + 1, static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
  return -1;
}

Error response_error(std::string_view store, std::string_view operation, std::string_view uri, const http::Response& r) {
  std::string code, message;
  if (!r.body.empty()) {
    if (auto doc = xml::parse(r.body); doc.ok()) {
      code = std::string(doc->child_text("Code"));
      message = std::string(doc->child_text("Message"));
    }
  }
  if (code.empty()) {
    if (auto c = r.header("x-amz-error-code")) code = std::string(*c);
    else if (auto c2 = r.header("x-ms-error-code")) code = std::string(*c2);
  }
  ErrorCode ec = ErrorCode::kIoError;
  if (r.status == 404) ec = ErrorCode::kNotFound;
  if (r.status == 412 || r.status == 409) ec = ErrorCode::kAlreadyExists;
  // The URI goes into the context (printed first), not into the text again.
  std::string text = std::string(store) + " " + std::string(operation) + ": HTTP " + std::to_string(r.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  if (code.empty() && message.empty()) {
    if (r.status == 404) text += " (no such object or bucket)";
    if (r.status == 403) text += " (access denied: check the credentials and the clock)";
  }
  if (r.attempts > 1) text += " (after " + std::to_string(r.attempts) + " attempts)";
  return Error(ec, std::move(text), ErrorContext(std::string(uri)));
}

Result<ListPage> parse_list_page(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(xml::Element doc, xml::parse(body));
  if (doc.name != "ListBucketResult")
    return Error(ErrorCode::kParseError, "expected <ListBucketResult>, got <" + doc.name + ">");
  ListPage page;
  for (const auto* c : doc.all("Contents")) {
    ObjectInfo o;
    o.key = std::string(c->child_text("Key"));
    if (o.key.empty()) return Error(ErrorCode::kParseError, "an object without a key in a listing");
    o.size = std::strtoull(std::string(c->child_text("Size")).c_str(), nullptr, 10);
    o.mtime_ms = parse_iso8601_ms(c->child_text("LastModified"));
    o.etag = std::string(c->child_text("ETag"));
    page.entries.push_back(std::move(o));
  }
  for (const auto* c : doc.all("CommonPrefixes")) {
    ObjectInfo o;
    o.key = std::string(c->child_text("Prefix"));
    o.is_prefix = true;
    page.entries.push_back(std::move(o));
  }
  std::sort(page.entries.begin(), page.entries.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  page.truncated = doc.child_text("IsTruncated") == "true";
  page.next_token = std::string(doc.child_text("NextContinuationToken"));
  return page;
}

namespace {

class S3Store;

class S3Uploader final : public remote::PartUploader {
 public:
  S3Uploader(S3Store& store, std::string key) : store_(store), key_(std::move(key)) {}
  Status put_whole(std::span<const std::byte> data) override;
  Status begin() override;
  std::future<Status> upload_part(int number, std::span<const std::byte> data) override;
  Status complete() override;
  void abort() override;

 private:
  S3Store& store_;
  std::string key_;
  std::string upload_id_;
  std::mutex mu_;
  std::map<int, std::string> etags_;
  std::map<int, std::string> crcs_;  // kCrc32c: each part's x-amz-checksum-crc32c, for Complete
};

class S3Store final : public remote::RangedStore<S3Store> {
 public:
  S3Store(Endpoint endpoint, std::string bucket, std::shared_ptr<http::Client> client, Auth auth, TransferOptions transfer)
      : ep_(std::move(endpoint)), bucket_(std::move(bucket)), client_(std::move(client)), auth_(std::move(auth)),
        transfer_(transfer) {}

  std::string uri_of(std::string_view key) const override {
    return ep_.scheme_name + "://" + bucket_ + "/" + std::string(key);
  }

  // The wire URL of `key` (empty: the bucket) with an already encoded query.
  std::string url(std::string_view key, std::string_view query = {}) const {
    std::string u;
    const std::string encoded = aws::uri_encode(key, false);
    if (ep_.path_style) {
      u = ep_.base + "/" + bucket_;
      if (!key.empty()) u += "/" + encoded;
      else if (query.empty()) u += "/";
    } else {
      u = ep_.scheme + "://" + bucket_ + "." + ep_.host + "/" + encoded;
    }
    if (!query.empty()) u += "?" + std::string(query);
    return u;
  }

  // Sends a request signed for its body (small bodies hashed; large ones UNSIGNED-PAYLOAD).
  std::future<Result<http::Response>> send(http::Request req, std::string operation) {
    auto signer = auth_.make_signer(req.body, req.method == "PUT");
    if (!signer.ok()) {
      std::promise<Result<http::Response>> p;
      p.set_value(std::move(signer).error());
      return p.get_future();
    }
    return client_->send_async(std::move(req), std::move(*signer), std::move(operation));
  }

  Result<http::Response> send_ok(http::Request req, const std::string& operation, std::string_view key) {
    auto r = send(std::move(req), operation).get();
    if (!r.ok()) return std::move(r).error();
    if (!r->ok()) return response_error(ep_.store_name, operation, uri_of(key), *r);
    return r;
  }

  Result<ObjectInfo> head(std::string_view key) override {
    http::Request req;
    req.method = "HEAD";
    req.url = url(key);
    auto r = send(std::move(req), "HeadObject").get();
    if (!r.ok()) return std::move(r).error();
    if (r->status == 404)
      return Error(ErrorCode::kNotFound, ep_.store_name + " HeadObject: no such object (HTTP 404)",
                   ErrorContext(uri_of(key)));
    if (!r->ok()) return response_error(ep_.store_name, "HeadObject", uri_of(key), *r);
    ObjectInfo info;
    info.key = std::string(key);
    if (auto cl = r->header("content-length")) info.size = std::strtoull(std::string(*cl).c_str(), nullptr, 10);
    if (auto lm = r->header("last-modified")) info.mtime_ms = parse_http_date_ms(*lm);
    if (auto et = r->header("etag")) info.etag = std::string(*et);
    return info;
  }

  // listed >= 0: the size the object was opened with, checked against each response.
  std::future<Result<std::size_t>> get_range(std::string key, std::uint64_t offset, std::span<std::byte> dst,
                                             std::int64_t listed = -1) {
    http::Request req;
    req.method = "GET";
    req.url = url(key);
    req.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + dst.size() - 1));
    req.body_into = dst;
    auto fut = send(std::move(req), "GetObject");
    return std::async(std::launch::deferred, [this, key = std::move(key), f = std::move(fut), listed]() mutable -> Result<std::size_t> {
      auto r = f.get();
      if (!r.ok()) return std::move(r).error();
      if (r->status == 416) return std::size_t{0};
      if (!r->ok()) return response_error(ep_.store_name, "GetObject", uri_of(key), *r);
      if (listed >= 0)
        SLUICE_TRY(remote::check_listed_size(r->header("content-range"), static_cast<std::uint64_t>(listed), uri_of(key)));
      return r->body_bytes;
    });
  }

  Status list(std::string_view prefix, bool recursive, const std::function<Status(const ObjectInfo&)>& each) override {
    std::string token;
    for (int page = 0;; ++page) {
      std::string q = "list-type=2&max-keys=" + std::to_string(std::clamp(transfer_.list_page_size, 1, 1000)) + "&prefix=" + aws::uri_encode(prefix, true);
      if (!recursive) q += "&delimiter=%2F";
      if (!token.empty()) q += "&continuation-token=" + aws::uri_encode(token, true);
      http::Request req;
      req.url = url("", q);
      SLUICE_ASSIGN_OR_RETURN(auto r, send_ok(std::move(req), "ListObjectsV2", prefix));
      auto page_r = parse_list_page(r.body);
      if (!page_r.ok()) {
        return Error(ErrorCode::kParseError, ep_.store_name + " ListObjectsV2: " + page_r.error().message(),
                     ErrorContext(uri_of(prefix)));
      }
      for (const auto& e : page_r->entries) SLUICE_TRY(each(e));
      if (!page_r->truncated) return ok_status();
      std::string next = std::move(page_r->next_token);
      if (next.empty() || next == token || page > 1'000'000) {
        return Error(ErrorCode::kParseError,
                     ep_.store_name + " ListObjectsV2: a truncated listing without a new continuation token",
                     ErrorContext(uri_of(prefix)));
      }
      token = std::move(next);
    }
  }

  const TransferOptions& transfer_options() const { return transfer_; }

  Result<SinkPtr> open_sink(std::string_view key) override {
    if (key.empty() || key.back() == '/')
      return Error(ErrorCode::kInvalidArgument, "cannot write to " + uri_of(key) + ": it names a folder, not an object");
    return SinkPtr(std::make_unique<remote::MultipartSink>(uri_of(key), std::make_unique<S3Uploader>(*this, std::string(key)),
                                                           transfer_));
  }

  Status remove(std::string_view key) override {
    http::Request req;
    req.method = "DELETE";
    req.url = url(key);
    SLUICE_ASSIGN_OR_RETURN(auto r, send_ok(std::move(req), "DeleteObject", key));
    (void)r;
    return ok_status();
  }

  std::uint64_t requests_sent() const override { return client_->requests_sent(); }

  const Endpoint& endpoint() const { return ep_; }
  S3Config::Checksum checksum() const { return auth_.checksum; }
  // The body's checksum header; returns the CRC-32C's base64 (kCrc32c), else "".
  std::string add_checksum(http::Request& req, std::span<const std::byte> data) const {
    const std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
    if (auth_.checksum == S3Config::Checksum::kMd5) {
      req.headers.emplace_back("Content-MD5", crypto::md5_base64(bytes));
      return {};
    }
    std::string crc = crypto::crc32c_base64(bytes);
    req.headers.emplace_back("x-amz-checksum-crc32c", crc);
    return crc;
  }

 private:
  Endpoint ep_;
  std::string bucket_;
  std::shared_ptr<http::Client> client_;
  Auth auth_;
  TransferOptions transfer_;
};

Status S3Uploader::put_whole(std::span<const std::byte> data) {
  http::Request req;
  req.method = "PUT";
  req.url = store_.url(key_);
  req.body = data;
  store_.add_checksum(req, data);
  SLUICE_ASSIGN_OR_RETURN(auto r, store_.send_ok(std::move(req), "PutObject", key_));
  (void)r;
  return ok_status();
}

Status S3Uploader::begin() {
  http::Request req;
  req.method = "POST";
  req.url = store_.url(key_, "uploads=");
  if (store_.checksum() == S3Config::Checksum::kCrc32c) req.headers.emplace_back("x-amz-checksum-algorithm", "CRC32C");
  SLUICE_ASSIGN_OR_RETURN(auto r, store_.send_ok(std::move(req), "CreateMultipartUpload", key_));
  auto doc = xml::parse(r.body);
  if (doc.ok()) upload_id_ = std::string(doc->child_text("UploadId"));
  if (upload_id_.empty())
    return Error(ErrorCode::kParseError, store_.endpoint().store_name + " CreateMultipartUpload: no UploadId in the response",
                 ErrorContext(store_.uri_of(key_)));
  return ok_status();
}

std::future<Status> S3Uploader::upload_part(int number, std::span<const std::byte> data) {
  http::Request req;
  req.method = "PUT";
  req.url = store_.url(key_, "partNumber=" + std::to_string(number) + "&uploadId=" + aws::uri_encode(upload_id_, true));
  req.body = data;
  std::string crc = store_.add_checksum(req, data);
  auto fut = store_.send(std::move(req), "UploadPart");
  return std::async(std::launch::deferred, [this, number, crc = std::move(crc), f = std::move(fut)]() mutable -> Status {
    auto r = f.get();
    if (!r.ok()) return std::move(r).error();
    if (!r->ok()) return response_error(store_.endpoint().store_name, "UploadPart " + std::to_string(number), store_.uri_of(key_), *r);
    auto etag = r->header("etag");
    if (!etag) return Error(ErrorCode::kIoError, store_.endpoint().store_name + " UploadPart " + std::to_string(number) + ": no ETag in the response",
                   ErrorContext(store_.uri_of(key_)));
    // A store that checked the CRC-32C echoes it; one that echoes another value got other bytes.
    if (auto echoed = r->header("x-amz-checksum-crc32c"); echoed && !crc.empty() && *echoed != crc)
      return Error(ErrorCode::kIoError,
                   store_.endpoint().store_name + " UploadPart " + std::to_string(number) + ": the store's CRC-32C " +
                       std::string(*echoed) + " is not the part's " + crc,
                   ErrorContext(store_.uri_of(key_)));
    std::lock_guard lock(mu_);
    etags_[number] = std::string(*etag);
    if (!crc.empty()) crcs_[number] = std::move(crc);
    return ok_status();
  });
}

Status S3Uploader::complete() {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  {
    std::lock_guard lock(mu_);
    for (const auto& [n, etag] : etags_) {
      body += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + xml::escape(etag) + "</ETag>";
      if (auto c = crcs_.find(n); c != crcs_.end()) body += "<ChecksumCRC32C>" + c->second + "</ChecksumCRC32C>";
      body += "</Part>";
    }
  }
  body += "</CompleteMultipartUpload>";
  http::Request req;
  req.method = "POST";
  req.url = store_.url(key_, "uploadId=" + aws::uri_encode(upload_id_, true));
  req.body = std::as_bytes(std::span(body.data(), body.size()));
  req.headers.emplace_back("Content-Type", "application/xml");
  SLUICE_ASSIGN_OR_RETURN(auto r, store_.send_ok(std::move(req), "CompleteMultipartUpload", key_));
  // A 200 can still carry an error (S3 reports late failures in the body).
  auto doc = xml::parse(r.body);
  if (!doc.ok() || doc->name == "Error") {
    http::Response bad = r;
    bad.status = 500;
    return response_error(store_.endpoint().store_name, "CompleteMultipartUpload", store_.uri_of(key_), bad);
  }
  upload_id_.clear();
  return ok_status();
}

void S3Uploader::abort() {
  if (upload_id_.empty()) return;
  http::Request req;
  req.method = "DELETE";
  req.url = store_.url(key_, "uploadId=" + aws::uri_encode(upload_id_, true));
  (void)store_.send(std::move(req), "AbortMultipartUpload").get();
  upload_id_.clear();
}

}  // namespace

namespace {

// aws-chunked: the body as `hex(size);chunk-signature=SIG\r\n DATA \r\n` pieces of kChunk bytes and
// a final empty one, made while curl sends it. Each attempt signs the request afresh and restarts the
// chain from that signature.
class ChunkedBody {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;

  ChunkedBody(aws::Credentials creds, aws::SigV4Options opts, std::span<const std::byte> payload)
      : creds_(std::move(creds)), opts_(std::move(opts)), payload_(payload) {}

  void start(std::string seed) {
    seed_ = std::move(seed);
    signer_.reset();
  }

  std::size_t produce(std::uint64_t produced, std::span<std::byte> out) {
    if (produced == 0 || !signer_) restart();
    if (!signer_) return 0;  // cannot happen: the seed was signed with these options
    std::size_t n = 0;
    while (n < out.size()) {
      if (pending_pos_ < pending_.size()) {
        const std::size_t k = std::min(out.size() - n, pending_.size() - pending_pos_);
        std::memcpy(out.data() + n, pending_.data() + pending_pos_, k);
        pending_pos_ += k;
        n += k;
        continue;
      }
      if (data_pos_ < data_end_) {
        const std::size_t k = std::min(out.size() - n, data_end_ - data_pos_);
        std::memcpy(out.data() + n, payload_.data() + data_pos_, k);
        data_pos_ += k;
        n += k;
        if (data_pos_ == data_end_) next("\r\n");
        continue;
      }
      if (done_) break;
      // The next chunk's header (the final one is empty).
      const std::size_t begin = data_end_;
      const std::size_t end = std::min(payload_.size(), begin + kChunk);
      next(signer_->chunk_header(payload_.subspan(begin, end - begin)));
      data_pos_ = begin;
      data_end_ = end;
      if (begin == end) {
        pending_ += "\r\n";
        done_ = true;
      }
    }
    return n;
  }

 private:
  void next(std::string s) {
    pending_ = std::move(s);
    pending_pos_ = 0;
  }
  void restart() {
    auto s = aws::ChunkSigner::create(seed_, creds_, opts_);
    if (!s.ok()) return;
    signer_.emplace(std::move(*s));
    pending_.clear();
    pending_pos_ = 0;
    data_pos_ = data_end_ = 0;
    done_ = false;
  }

  aws::Credentials creds_;
  aws::SigV4Options opts_;
  std::span<const std::byte> payload_;
  std::string seed_;
  std::optional<aws::ChunkSigner> signer_;
  std::string pending_;
  std::size_t pending_pos_ = 0, data_pos_ = 0, data_end_ = 0;
  bool done_ = false;
};

}  // namespace

Result<http::Signer> Auth::streaming_signer(aws::Credentials creds, aws::SigV4Options opts, std::span<const std::byte> body) {
  opts.payload_hash = std::string(aws::kStreamingPayload);
  return http::Signer([creds = std::move(creds), opts = std::move(opts), body](http::Request& r) -> Status {
    aws::SigV4Options o = opts;
    o.now = std::chrono::system_clock::now();  // the chunk signatures need the request's own time
    r.headers.emplace_back("Content-Encoding", "aws-chunked");
    r.headers.emplace_back("x-amz-decoded-content-length", std::to_string(body.size()));
    aws::SignRequest s{r.method, r.url, r.headers};
    SLUICE_ASSIGN_OR_RETURN(aws::SigV4Trace trace, aws::sign_trace(s, creds, o));
    for (auto& header : trace.headers) {
      const std::string& name = header.first;  // not a structured binding: clang 14 cannot capture one
      std::erase_if(r.headers, [&](const auto& h) {
        return h.first.size() == name.size() &&
               std::equal(h.first.begin(), h.first.end(), name.begin(), [](char a, char b) {
                 return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               });
      });
      r.headers.emplace_back(name, header.second);
    }
    auto chunked = std::make_shared<ChunkedBody>(creds, o, body);
    chunked->start(trace.signature);
    r.body_producer = [chunked](std::uint64_t produced, std::span<std::byte> out) { return chunked->produce(produced, out); };
    r.body_length = aws::ChunkSigner::encoded_length(body.size(), ChunkedBody::kChunk);
    return ok_status();
  });
}

Result<http::Signer> Auth::make_signer(std::span<const std::byte> body, bool data) const {
  if (bearer) {
    SLUICE_ASSIGN_OR_RETURN(std::string token, bearer());
    return http::Signer([token = std::move(token)](http::Request& r) {
      r.headers.emplace_back("Authorization", "Bearer " + token);
      return ok_status();
    });
  }
  if (!credentials) return http::Signer();  // anonymous
  SLUICE_ASSIGN_OR_RETURN(aws::Credentials creds, credentials->get());
  aws::SigV4Options opts;
  opts.region = region;
  opts.service = "s3";
  using PS = S3Config::PayloadSigning;
  if (payload_signing == PS::kStreaming && data && !body.empty()) return streaming_signer(std::move(creds), std::move(opts), body);
  // Small bodies (XML documents) are hashed; data bodies go UNSIGNED-PAYLOAD with their checksum,
  // unless every body is to be signed.
  if (body.size() <= 64 * 1024 || payload_signing == PS::kSigned)
    opts.payload_hash = crypto::sha256_hex({reinterpret_cast<const char*>(body.data()), body.size()});
  return http::Signer([creds = std::move(creds), opts = std::move(opts)](http::Request& r) -> Status {
    aws::SignRequest s{r.method, r.url, std::move(r.headers)};
    Status st = aws::sign_request(s, creds, opts);
    r.headers = std::move(s.headers);
    return st;
  });
}

Result<Endpoint> make_endpoint(std::string_view store_name, std::string_view scheme_name, std::string url,
                               std::optional<bool> path_style, std::string_view bucket) {
  Endpoint ep;
  ep.store_name = std::string(store_name);
  ep.scheme_name = std::string(scheme_name);
  url = strip_slashes(std::move(url));
  const auto sep = url.find("://");
  if (sep == std::string::npos) return Error(ErrorCode::kInvalidArgument, "endpoint URL '" + url + "' has no scheme (http:// or https://)");
  ep.scheme = url.substr(0, sep);
  if (ep.scheme != "http" && ep.scheme != "https")
    return Error(ErrorCode::kInvalidArgument, "endpoint URL '" + url + "': only http and https are supported");
  ep.host = url.substr(sep + 3);
  if (ep.host.find('/') != std::string::npos) ep.host = ep.host.substr(0, ep.host.find('/'));
  if (ep.host.empty()) return Error(ErrorCode::kInvalidArgument, "endpoint URL '" + url + "' has no host");
  ep.base = ep.scheme + "://" + ep.host;
  // Dots in a bucket name break TLS for virtual-hosted names: those go path-style.
  ep.path_style = path_style.value_or(false) || bucket.find('.') != std::string_view::npos;
  return ep;
}

Result<ObjectStorePtr> open_s3_store(const Uri& uri, const IoConfig& config) {
  auto client = config.client ? config.client : http::Client::create(config.http);
  Auth auth;
  std::string endpoint;
  std::optional<bool> path_style;
  Endpoint ep;
  if (uri.scheme == Scheme::kS3) {
    auth.region = aws::resolve_region(config.s3);
    endpoint = aws::resolve_s3_endpoint(config.s3);
    path_style = config.s3.path_style;
    if (endpoint.empty()) {
      endpoint = "https://s3." + auth.region + ".amazonaws.com";
    } else if (!path_style) {
      path_style = true;  // a custom endpoint (MinIO, radosgw, an IP address): path-style, as botocore does
    }
    if (!config.s3.anonymous) {
      SLUICE_ASSIGN_OR_RETURN(auth.credentials, aws::default_credential_chain(config.s3, client));
    }
    auth.payload_signing = config.s3.payload_signing;
    auth.checksum = config.s3.checksum;
    SLUICE_ASSIGN_OR_RETURN(ep, make_endpoint("S3", "s3", endpoint, path_style, uri.bucket));
  } else {
    auth.region = "auto";
    endpoint = config.gcs.endpoint_url.empty() ? env("SLUICE_GCS_ENDPOINT") : config.gcs.endpoint_url;
    if (endpoint.empty()) endpoint = "https://storage.googleapis.com";
    std::string id = config.gcs.hmac_access_id, secret = config.gcs.hmac_secret;
    if (id.empty()) id = env("GCS_HMAC_ACCESS_ID");
    if (secret.empty()) secret = env("GCS_HMAC_SECRET");
    if (!id.empty() && !secret.empty()) {
      auth.credentials = aws::static_credentials({id, secret, "", std::nullopt}, "GCS HMAC key");
    } else {
      SLUICE_ASSIGN_OR_RETURN(auth.bearer, gcs_token_source(config.gcs, client));
    }
    SLUICE_ASSIGN_OR_RETURN(ep, make_endpoint("GCS", "gs", endpoint, true, uri.bucket));
  }
  return ObjectStorePtr(std::make_unique<S3Store>(std::move(ep), uri.bucket, std::move(client), std::move(auth), config.transfer));
}

}  // namespace sluice::io::s3
