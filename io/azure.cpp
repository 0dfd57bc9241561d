// Azure Blob storage: Get Blob Properties, ranged Get Blob, List Blobs, Put Blob, Put Block + Put
// Block List, Delete Blob; each request signed with SharedKey, a SAS token or a bearer token
// (azure_auth.cpp).
//
// Uploads and abort: blocks staged with Put Block stay invisible until Put Block List commits them
// (a staged sink is its blocks; its finish() is the one Put Block List); blocks never committed
// are discarded by the service (after a week, or when the blob is next committed). So an aborted
// upload leaves nothing to see and needs no request: there is no call that removes uncommitted
// blocks without touching a committed blob of the same name, which must stay as it was.
#include <algorithm>
#include <mutex>
#include <set>

#include "azure_internal.hpp"
#include "crypto.hpp"
#include "remote.hpp"
#include "sluice/io/sigv4.hpp"
#include "store_internal.hpp"
#include "xml.hpp"

namespace sluice::io::azure {

namespace {

constexpr std::string_view kStore = "Azure";

class AzureStore;

class AzureUploader final : public remote::PartUploader {
 public:
  AzureUploader(AzureStore& store, std::string key) : store_(store), key_(std::move(key)) {}
  Status put_whole(std::span<const std::byte> data) override;
  Status begin() override { return ok_status(); }  // blocks need no upload id
  std::future<Status> upload_part(int number, std::span<const std::byte> data) override;
  Status complete() override;
  void abort() override {}  // uncommitted blocks are invisible and expire: see the top of this file

 private:
  AzureStore& store_;
  std::string key_;
  std::mutex mu_;
  std::set<int> parts_;
};

// The service's error as sluice's: status, x-ms-error-code or <Code>, <Message>. Azure's messages
// end with "\nRequestId:...\nTime:..." lines: kept (support asks for the id), on one line.
Error response_error(std::string_view operation, const std::string& uri, const http::Response& r) {
  Error e = s3::response_error(kStore, operation, uri, r);
  std::string text = e.message();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return Error(e.code(), std::move(text), e.context());
}

std::string md5_of(std::span<const std::byte> data) {
  return crypto::md5_base64({reinterpret_cast<const char*>(data.data()), data.size()});
}

class AzureStore final : public remote::RangedStore<AzureStore> {
 public:
  AzureStore(Uri uri, Settings settings, std::shared_ptr<http::Client> client, TransferOptions transfer)
      : uri_(std::move(uri)), settings_(std::move(settings)), client_(std::move(client)), transfer_(transfer),
        signer_(make_signer(settings_.credentials)) {}

  std::string uri_of(std::string_view key) const override { return uri_.with_key(key); }

  // The wire URL of blob `key` (empty: the container) with an already encoded query.
  std::string url(std::string_view key, std::string_view query = {}) const {
    std::string u = settings_.endpoint + "/" + uri_.bucket;
    if (!key.empty()) u += "/" + aws::uri_encode(key, false);
    if (!query.empty()) u += "?" + std::string(query);
    return u;
  }

  http::Request request(std::string method, std::string url) const {
    http::Request r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers.emplace_back("x-ms-version", std::string(kServiceVersion));
    return r;
  }

  std::future<Result<http::Response>> send(http::Request req, std::string operation) {
    return client_->send_async(std::move(req), signer_, std::move(operation));
  }

  Result<http::Response> send_ok(http::Request req, const std::string& operation, std::string_view key) {
    auto r = send(std::move(req), operation).get();
    if (!r.ok()) return std::move(r).error();
    if (!r->ok()) return response_error(operation, uri_of(key), *r);
    return r;
  }

  Result<ObjectInfo> head(std::string_view key) override {
    if (key.empty() || key.back() == '/')
      return Error(ErrorCode::kInvalidArgument, "'" + uri_of(key) + "' names a container or folder, not a blob");
    SLUICE_ASSIGN_OR_RETURN(auto r, send_ok(request("HEAD", url(key)), "GetBlobProperties", key));
    ObjectInfo info;
    info.key = std::string(key);
    if (auto cl = r.header("content-length")) info.size = std::strtoull(std::string(*cl).c_str(), nullptr, 10);
    if (auto lm = r.header("last-modified")) info.mtime_ms = s3::parse_http_date_ms(*lm);
    if (auto et = r.header("etag")) info.etag = std::string(*et);
    return info;
  }

  // listed >= 0: the size the object was opened with, checked against each response.
  std::future<Result<std::size_t>> get_range(std::string key, std::uint64_t offset, std::span<std::byte> dst,
                                             std::int64_t listed = -1) {
    auto req = request("GET", url(key));
    req.headers.emplace_back("x-ms-range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + dst.size() - 1));
    req.body_into = dst;
    auto fut = send(std::move(req), "GetBlob");
    return std::async(std::launch::deferred, [this, key = std::move(key), f = std::move(fut), listed]() mutable -> Result<std::size_t> {
      auto r = f.get();
      if (!r.ok()) return std::move(r).error();
      if (r->status == 416) return std::size_t{0};  // InvalidRange: at or past the end
      if (!r->ok()) return response_error("GetBlob", uri_of(key), *r);
      if (listed >= 0)
        SLUICE_TRY(remote::check_listed_size(r->header("content-range"), static_cast<std::uint64_t>(listed), uri_of(key)));
      return r->body_bytes;
    });
  }

  Status list(std::string_view prefix, bool recursive, const std::function<Status(const ObjectInfo&)>& each) override {
    std::string marker;
    for (int page = 0;; ++page) {
      std::string q = "restype=container&comp=list&maxresults=" + std::to_string(std::clamp(transfer_.list_page_size, 1, 5000));
      if (!prefix.empty()) q += "&prefix=" + aws::uri_encode(prefix, true);
      if (!recursive) q += "&delimiter=%2F";
      if (!marker.empty()) q += "&marker=" + aws::uri_encode(marker, true);
      SLUICE_ASSIGN_OR_RETURN(auto r, send_ok(request("GET", url("", q)), "ListBlobs", prefix));
      auto parsed = parse_list_page(r.body);
      if (!parsed.ok()) return Error(ErrorCode::kParseError, "Azure " + parsed.error().message(), ErrorContext(uri_of(prefix)));
      auto& entries = parsed->entries;
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
      for (const auto& e : entries) SLUICE_TRY(each(e));
      if (parsed->next_marker.empty()) return ok_status();
      if (parsed->next_marker == marker || page > 1'000'000)
        return Error(ErrorCode::kParseError, "Azure ListBlobs: the same NextMarker twice", ErrorContext(uri_of(prefix)));
      marker = std::move(parsed->next_marker);
    }
  }

  const TransferOptions& transfer_options() const { return transfer_; }

  Result<SinkPtr> open_sink(std::string_view key) override {
    if (key.empty() || key.back() == '/')
      return Error(ErrorCode::kInvalidArgument, "cannot write to " + uri_of(key) + ": it names a folder, not a blob");
    return SinkPtr(std::make_unique<remote::MultipartSink>(uri_of(key), std::make_unique<AzureUploader>(*this, std::string(key)),
                                                           transfer_));
  }

  Status remove(std::string_view key) override {
    SLUICE_ASSIGN_OR_RETURN(auto r, send_ok(request("DELETE", url(key)), "DeleteBlob", key));
    (void)r;
    return ok_status();
  }

  std::uint64_t requests_sent() const override { return client_->requests_sent(); }

 private:
  Uri uri_;
  Settings settings_;
  std::shared_ptr<http::Client> client_;
  TransferOptions transfer_;
  http::Signer signer_;
};

Status AzureUploader::put_whole(std::span<const std::byte> data) {
  auto req = store_.request("PUT", store_.url(key_));
  req.body = data;
  req.headers.emplace_back("x-ms-blob-type", "BlockBlob");
  req.headers.emplace_back("Content-MD5", md5_of(data));
  SLUICE_ASSIGN_OR_RETURN(auto r, store_.send_ok(std::move(req), "PutBlob", key_));
  (void)r;
  return ok_status();
}

std::future<Status> AzureUploader::upload_part(int number, std::span<const std::byte> data) {
  if (data.empty()) {
    // An empty output staged: the service refuses an empty Put Block (azurite alone takes one:
    // Azurite issue 329), and an empty block list commits an empty blob. So the block is left out.
    std::promise<Status> none;
    none.set_value(ok_status());
    return none.get_future();
  }
  auto req = store_.request("PUT", store_.url(key_, "comp=block&blockid=" + aws::uri_encode(block_id(number), true)));
  req.body = data;
  req.headers.emplace_back("Content-MD5", md5_of(data));
  auto fut = store_.send(std::move(req), "PutBlock");
  return std::async(std::launch::deferred, [this, number, f = std::move(fut)]() mutable -> Status {
    auto r = f.get();
    if (!r.ok()) return std::move(r).error();
    if (!r->ok()) return response_error("PutBlock " + std::to_string(number), store_.uri_of(key_), *r);
    std::lock_guard lock(mu_);
    parts_.insert(number);
    return ok_status();
  });
}

Status AzureUploader::complete() {
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  {
    std::lock_guard lock(mu_);
    // The sink calls complete() only when every part it submitted succeeded: parts_ is 1..N.
    int expect = 1;
    for (int n : parts_) {
      if (n != expect++)
        return Error(ErrorCode::kInternal, "Azure PutBlockList: block " + std::to_string(expect - 1) + " is missing",
                     ErrorContext(store_.uri_of(key_)));
      body += "<Latest>" + block_id(n) + "</Latest>";
    }
  }
  body += "</BlockList>";
  auto req = store_.request("PUT", store_.url(key_, "comp=blocklist"));
  req.body = std::as_bytes(std::span(body.data(), body.size()));
  req.headers.emplace_back("Content-Type", "application/xml");
  req.headers.emplace_back("Content-MD5", crypto::md5_base64(body));
  SLUICE_ASSIGN_OR_RETURN(auto r, store_.send_ok(std::move(req), "PutBlockList", key_));
  (void)r;
  return ok_status();
}

}  // namespace

Result<ObjectStorePtr> open_azure_store(const Uri& uri, const IoConfig& config) {
  SLUICE_ASSIGN_OR_RETURN(Settings settings, resolve_settings(uri, config.azure));
  auto client = config.client ? config.client : http::Client::create(config.http);
  return ObjectStorePtr(std::make_unique<AzureStore>(uri, std::move(settings), std::move(client), config.transfer));
}

}  // namespace sluice::io::azure
