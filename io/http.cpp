// The HTTP client: one thread per Client runs a curl multi handle. Requests arrive through a queue,
// each attempt is signed on the loop thread just before it starts, finished transfers either complete
// their promise or wait on a timer for their next attempt. Easy handles are kept and reused; the multi
// handle's connection cache keeps connections alive between requests.
//
// libcurl is opened with dlopen on a client's first request, not linked: its dependencies (TLS,
// Kerberos, LDAP, SSH, HTTP/2, IDN, ... some 25 libraries) cost ~3 ms of loading on every start of the
// CLI, and most runs read local files only. The headers still give the types and constants; without
// curl's type-checking macros a call through a function pointer compiles like a call to the function.
#include "sluice/io/http.hpp"

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace sluice::io::http {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool is_retryable_curl(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The libcurl functions the client calls, bound by curl(). When the library or one of its functions is
// missing, `error` says so and nothing may be called: every request fails with it.
struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  decltype(&curl_multi_init) multi_init = nullptr;
  decltype(&curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&curl_multi_setopt) multi_setopt = nullptr;
  decltype(&curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&curl_multi_perform) multi_perform = nullptr;
  decltype(&curl_multi_info_read) multi_info_read = nullptr;
  decltype(&curl_multi_timeout) multi_timeout = nullptr;
  decltype(&curl_multi_poll) multi_poll = nullptr;
  decltype(&curl_multi_wakeup) multi_wakeup = nullptr;
  std::string error;
};

std::string dl_error() {
  const char* e = dlerror();
  return e ? e : "unknown error";
}

// SLUICE_LIBCURL names the library to open instead (a libcurl outside the loader's path; tests make the
// load fail with it). Otherwise libcurl.so.4, the ABI the headers describe, then libcurl.so, the name a
// development package alone installs.
CurlApi load_curl() {
  const char* chosen = std::getenv("SLUICE_LIBCURL");
  const std::string name = chosen && *chosen ? chosen : "libcurl.so.4";
  auto failed = [&](const std::string& why) {
    CurlApi api;
    api.error = "libcurl (" + name + ") could not be loaded: " + why;
    return api;
  };
  void* lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const std::string why = dl_error();
    if (chosen && *chosen) return failed(why);
    lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return failed(why);
  }
  CurlApi api;
  auto bind = [lib](auto& fn, const char* symbol) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, symbol));
    return fn != nullptr;
  };
  const bool bound =
      bind(api.global_init, "curl_global_init") && bind(api.easy_init, "curl_easy_init") &&
      bind(api.easy_reset, "curl_easy_reset") && bind(api.easy_cleanup, "curl_easy_cleanup") &&
      bind(api.easy_setopt, "curl_easy_setopt") && bind(api.easy_getinfo, "curl_easy_getinfo") &&
      bind(api.easy_strerror, "curl_easy_strerror") && bind(api.slist_append, "curl_slist_append") &&
      bind(api.slist_free_all, "curl_slist_free_all") && bind(api.multi_init, "curl_multi_init") &&
      bind(api.multi_cleanup, "curl_multi_cleanup") && bind(api.multi_setopt, "curl_multi_setopt") &&
      bind(api.multi_add_handle, "curl_multi_add_handle") &&
      bind(api.multi_remove_handle, "curl_multi_remove_handle") &&
      bind(api.multi_perform, "curl_multi_perform") && bind(api.multi_info_read, "curl_multi_info_read") &&
      bind(api.multi_timeout, "curl_multi_timeout") && bind(api.multi_poll, "curl_multi_poll") &&
      bind(api.multi_wakeup, "curl_multi_wakeup");
  if (!bound) {  // an older libcurl (curl_multi_poll is 7.66, curl_multi_wakeup 7.68) or not libcurl at all
    const std::string why = dl_error();
    dlclose(lib);
    return failed(why);
  }
  // Before any other call, and once: curl_global_init is not thread-safe (curl() serialises this).
  if (const CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK)
    return failed(std::string("curl_global_init: ") + api.easy_strerror(code));
  return api;
}

// Loaded on first use, then kept. Never destroyed: a client in static storage (default_client()) is
// destroyed at exit after this would be, and still calls into libcurl.
const CurlApi& curl() {
  static const CurlApi* api = new CurlApi(load_curl());
  return *api;
}

// Error bodies (XML or JSON from a store) are kept up to this size, never more.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

struct Transfer {
  Request request;  // as given; every attempt signs a fresh copy
  Request attempt;
  Signer signer;
  std::string operation;
  std::promise<Result<Response>> promise;
  Response response;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::size_t upload_pos = 0;
  bool overflow = false;
  int attempts = 0;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::chrono::steady_clock::time_point due;

  ~Transfer() {
    if (header_list) curl().slist_free_all(header_list);
  }
};

long response_status(Transfer* t) {
  long status = 0;
  curl().easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

std::size_t on_write(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  const long status = response_status(t);
  const bool success = status >= 200 && status < 300;
  if (success && !t->attempt.body_into.empty()) {
    auto& dst = t->attempt.body_into;
    if (t->response.body_bytes + n > dst.size()) {
      t->overflow = true;
      return 0;  // aborts the transfer: the server sent more than was asked for
    }
    std::memcpy(dst.data() + t->response.body_bytes, data, n);
    t->response.body_bytes += n;
    return n;
  }
  const std::size_t limit = success ? t->attempt.max_body_bytes : kMaxErrorBody;
  if (t->response.body.size() + n > limit) {
    if (!success) {  // an error body is only for the message: keep its start, drop the rest
      t->response.body.append(data, limit - t->response.body.size());
      t->response.body_bytes += n;
      return n;
    }
    t->overflow = true;
    return 0;
  }
  t->response.body.append(data, n);
  t->response.body_bytes += n;
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * nmemb;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new status line (after 100 Continue or a redirect): start over
    t->response.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(trim(line.substr(0, colon)));
  for (char& c : name) c = lower(c);
  if (t->response.headers.size() < 1000) t->response.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return n;
}

std::uint64_t body_size(const Request& r) { return r.body_producer ? r.body_length : r.body.size(); }

std::size_t on_read(char* buffer, std::size_t size, std::size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->attempt.body_producer) {
    const std::size_t n = t->attempt.body_producer(t->upload_pos, {reinterpret_cast<std::byte*>(buffer), size * nitems});
    t->upload_pos += n;
    return n;
  }
  const auto body = t->attempt.body;
  const std::size_t n = std::min(size * nitems, body.size() - t->upload_pos);
  std::memcpy(buffer, body.data() + t->upload_pos, n);
  t->upload_pos += n;
  return n;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > body_size(t->attempt))
    return CURL_SEEKFUNC_CANTSEEK;
  if (t->attempt.body_producer && offset != 0) return CURL_SEEKFUNC_CANTSEEK;  // it can only start over
  t->upload_pos = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(ClientOptions options) : Client(std::move(options)) {
    // OpenSSL frees a thread's state (its error queue, used by the signing on the loop thread) when
    // the thread ends, through a key its atexit handler deletes. Initialised here, before a client in
    // static storage (default_client()) is complete, that handler runs after the client's destructor
    // has joined the loop thread; initialised at the first request (libcurl's global init, the first
    // HMAC), it would run before, and the thread's state would be lost (LeakSanitizer says so).
    // Options 0 return at once without initialising; ATFORK (fork handlers, harmless) is the
    // cheapest that runs the base initialisation: ~10 us.
    OPENSSL_init_crypto(OPENSSL_INIT_ATFORK, nullptr);
    if (options_.ca_bundle.empty()) {
      for (const char* name : {"SSL_CERT_FILE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE"}) {
        options_.ca_bundle = env_or_empty(name);
        if (!options_.ca_bundle.empty()) break;
      }
    }
  }

  ~CurlClient() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    if (!multi_) return;  // never sent a request: no loop, and libcurl may not even be loaded
    curl().multi_wakeup(multi_);
    loop_.join();
    for (CURL* e : idle_) curl().easy_cleanup(e);
    curl().multi_cleanup(multi_);
  }

  std::future<Result<Response>> send_async(Request request, Signer signer, std::string operation) override {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->signer = std::move(signer);
    t->operation = std::move(operation);
    auto future = t->promise.get_future();
    {
      std::lock_guard lock(mu_);
      if (stop_) {
        t->promise.set_value(Error(ErrorCode::kCancelled, "HTTP client is shutting down"));
        return future;
      }
      if (!multi_) {
        if (std::string why = start_loop(); !why.empty()) {
          t->promise.set_value(Error(ErrorCode::kIoError, t->operation + " " + t->request.method + " " +
                                                              redact_url(t->request.url) + ": " + why));
          return future;
        }
      }
      incoming_.push_back(std::move(t));
    }
    curl().multi_wakeup(multi_);
    return future;
  }

  std::uint64_t requests_sent() const override { return sent_.load(); }
  std::uint64_t retries() const override { return retries_.load(); }

 private:
  void run() {
    std::vector<std::unique_ptr<Transfer>> fresh;
    for (;;) {
      bool stopping;
      {
        std::lock_guard lock(mu_);
        stopping = stop_;
        for (auto& t : incoming_) fresh.push_back(std::move(t));
        incoming_.clear();
      }
      if (stopping) {
        cancel_all(fresh);
        return;
      }
      for (auto& t : fresh) start(std::move(t));
      fresh.clear();
      const auto now = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < waiting_.size();) {
        if (waiting_[i]->due <= now) {
          auto t = std::move(waiting_[i]);
          waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
          start(std::move(t));
        } else {
          ++i;
        }
      }
      int running = 0;
      curl().multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl().multi_info_read(multi_, &left)) {
        if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
      }
      int timeout_ms = 1000;
      const auto after = std::chrono::steady_clock::now();
      for (const auto& w : waiting_) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(w->due - after).count();
        timeout_ms = std::clamp(static_cast<int>(ms), 0, timeout_ms);
      }
      if (!active_.empty()) {
        long curl_timeout = -1;
        curl().multi_timeout(multi_, &curl_timeout);
        if (curl_timeout >= 0) timeout_ms = std::min(timeout_ms, static_cast<int>(curl_timeout));
      }
      curl().multi_poll(multi_, nullptr, 0, timeout_ms, nullptr);
    }
  }

  // On the first request, under mu_: the CLI makes a client on every run, most never send anything, and
  // those load no libcurl and start no thread. Returns why it cannot, or empty; on failure multi_ stays
  // null, so every request fails alike.
  std::string start_loop() {
    const CurlApi& api = curl();
    if (!api.error.empty()) return api.error;
    CURLM* multi = api.multi_init();
    if (!multi) return "cannot create a curl multi handle";
    api.multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_connections);
    api.multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_connections);
    api.multi_setopt(multi, CURLMOPT_MAXCONNECTS, options_.max_connections);
    multi_ = multi;
    loop_ = std::thread([this] { run(); });
    return {};
  }

  void cancel_all(std::vector<std::unique_ptr<Transfer>>& fresh) {
    auto cancel = [](Transfer& t) {
      t.promise.set_value(Error(ErrorCode::kCancelled, t.operation + ": cancelled, the HTTP client was closed"));
    };
    for (auto& t : fresh) cancel(*t);
    for (auto& t : waiting_) cancel(*t);
    waiting_.clear();
    for (auto& [easy, t] : active_) {
      curl().multi_remove_handle(multi_, easy);
      curl().easy_cleanup(easy);
      cancel(*t);
    }
    active_.clear();
  }

  CURL* take_easy() {
    if (!idle_.empty()) {
      CURL* e = idle_.back();
      idle_.pop_back();
      curl().easy_reset(e);
      return e;
    }
    return curl().easy_init();
  }

  // By reference: an argument built from *t must not see t already moved from (argument order is
  // unspecified; clang moves first).
  void fail(const std::unique_ptr<Transfer>& t, Error error) { t->promise.set_value(std::move(error)); }

  void start(std::unique_ptr<Transfer> t) {
    t->attempt = t->request;
    if (t->signer) {
      Status st = t->signer(t->attempt);
      if (!st.ok()) return fail(t, std::move(st).error());
    }
    t->response = Response{};
    t->upload_pos = 0;
    t->overflow = false;
    t->errbuf[0] = 0;
    if (t->header_list) {
      curl().slist_free_all(t->header_list);
      t->header_list = nullptr;
    }
    CURL* e = take_easy();
    if (!e) return fail(t, Error(ErrorCode::kIoError, t->operation + ": cannot create a curl handle"));
    t->easy = e;
    const auto& a = t->attempt;
    curl().easy_setopt(e, CURLOPT_URL, a.url.c_str());
    curl().easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl().easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl().easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl().easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl().easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl().easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl().easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl().easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    const long idle_s = std::max<long>(1, static_cast<long>(options_.idle_timeout.count() / 1000));
    curl().easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl().easy_setopt(e, CURLOPT_LOW_SPEED_TIME, idle_s);
    if (options_.request_timeout.count() > 0)
      curl().easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl().easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl().easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty()) curl().easy_setopt(e, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl().easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl().easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl().easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl().easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    // A body is sent from the borrowed span; `Expect: 100-continue` would cost a round trip per part.
    const bool has_body = body_size(a) > 0;
    const auto wire_size = static_cast<curl_off_t>(body_size(a));
    bool has_content_type = false;
    for (const auto& [name, value] : a.headers) {
      if (iequals(name, "content-type")) has_content_type = true;
      std::string line = name + ": " + value;
      if (value.empty()) line = name + ";";  // curl's way of sending a header with an empty value
      t->header_list = curl().slist_append(t->header_list, line.c_str());
    }
    t->header_list = curl().slist_append(t->header_list, "Expect:");
    if (a.method == "GET") {
      curl().easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (a.method == "HEAD") {
      curl().easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (a.method == "PUT") {
      curl().easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl().easy_setopt(e, CURLOPT_INFILESIZE_LARGE, wire_size);
    } else if (a.method == "POST") {
      curl().easy_setopt(e, CURLOPT_POST, 1L);
      curl().easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, wire_size);
      if (!has_content_type) t->header_list = curl().slist_append(t->header_list, "Content-Type:");
    } else {
      curl().easy_setopt(e, CURLOPT_CUSTOMREQUEST, a.method.c_str());
      if (has_body) {
        curl().easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl().easy_setopt(e, CURLOPT_INFILESIZE_LARGE, wire_size);
      }
    }
    curl().easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl().easy_setopt(e, CURLOPT_READDATA, t.get());
    curl().easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
    curl().easy_setopt(e, CURLOPT_SEEKDATA, t.get());
    curl().easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
    ++sent_;
    if (curl().multi_add_handle(multi_, e) != CURLM_OK) {
      idle_.push_back(e);
      return fail(t, Error(ErrorCode::kIoError, t->operation + ": cannot start the transfer"));
    }
    active_.emplace(e, std::move(t));
  }

  std::chrono::milliseconds backoff(int attempt, const Response* response) {
    const auto& r = options_.retry;
    const double cap = static_cast<double>(r.max_delay.count());
    const double exp = std::min(cap, static_cast<double>(r.base_delay.count()) * static_cast<double>(1u << std::min(attempt, 20)));
    std::uniform_real_distribution<double> jitter(exp / 2, exp);  // "equal jitter": never a hot loop
    auto delay = std::chrono::milliseconds(static_cast<long>(jitter(rng_)));
    if (response) {
      if (auto ra = response->header("retry-after")) {  // seconds, honoured up to the cap
        char* end = nullptr;
        const std::string s(*ra);
        const long secs = std::strtol(s.c_str(), &end, 10);
        if (end && *end == 0 && secs > 0)
          delay = std::max(delay, std::min(std::chrono::milliseconds(secs * 1000), r.max_delay));
      }
    }
    return delay;
  }

  void finish(CURL* easy, CURLcode code) {
    curl().multi_remove_handle(multi_, easy);
    auto it = active_.find(easy);
    if (it == active_.end()) {
      curl().easy_cleanup(easy);
      return;
    }
    auto t = std::move(it->second);
    active_.erase(it);
    idle_.push_back(easy);
    t->easy = nullptr;
    const int attempts = ++t->attempts;
    t->response.attempts = attempts;
    const bool more = attempts < options_.retry.max_attempts;
    if (code == CURLE_OK) {
      curl().easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &t->response.status);
      if (is_retryable_status(t->response.status) && more) return retry(std::move(t), true);
      return t->promise.set_value(std::move(t->response));
    }
    if (t->overflow) {
      return fail(t, Error(ErrorCode::kIoError,
                                      t->operation + " " + t->request.method + " " + redact_url(t->request.url) +
                                          ": the response is larger than expected"));
    }
    if (is_retryable_curl(code) && more) return retry(std::move(t), false);
    std::string detail = t->errbuf[0] ? std::string(t->errbuf) : std::string(curl().easy_strerror(code));
    fail(t, Error(ErrorCode::kIoError, t->operation + " " + t->request.method + " " +
                                                      redact_url(t->request.url) + ": " + detail + " (after " +
                                                      std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)")));
  }

  void retry(std::unique_ptr<Transfer> t, bool has_response) {
    ++retries_;
    t->due = std::chrono::steady_clock::now() + backoff(t->attempts - 1, has_response ? &t->response : nullptr);
    waiting_.push_back(std::move(t));
  }

  CURLM* multi_ = nullptr;
  std::thread loop_;
  std::mutex mu_;
  bool stop_ = false;
  std::deque<std::unique_ptr<Transfer>> incoming_;
  std::vector<std::unique_ptr<Transfer>> waiting_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<std::uint64_t> sent_{0}, retries_{0};
};

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string redact_url(std::string_view url) {
  std::string_view s = url.substr(0, url.find_first_of("?#"));
  const auto scheme = s.find("://");
  if (scheme != std::string_view::npos) {
    const auto host_start = scheme + 3;
    const auto path_start = s.find('/', host_start);
    const auto at = s.substr(0, path_start).find('@', host_start);
    if (at != std::string_view::npos) return std::string(s.substr(0, host_start)) + std::string(s.substr(at + 1));
  }
  return std::string(s);
}

std::shared_ptr<Client> Client::create(ClientOptions options) {
  return std::make_shared<CurlClient>(std::move(options));
}

std::shared_ptr<Client> default_client() {
  static std::shared_ptr<Client> client = Client::create();
  return client;
}

}  // namespace sluice::io::http
