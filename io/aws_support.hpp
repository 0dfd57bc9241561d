// Pieces shared by the credential sources (AWS's chain in aws_*.cpp, GCS's tokens in gcs_auth.cpp):
// the environment, small files, a cache that refreshes short-lived secrets once for all callers, the
// short-timeout client for metadata services, JSON fields and RFC 3339 times. Private to sluice_io.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/error.hpp"
#include "sluice/io/http.hpp"

namespace sluice::io::cred {

using Clock = std::chrono::system_clock;

// The variable's value, or "" when unset.
std::string env(const char* name);
// "true"/"1"/"yes" (any case).
bool env_true(const char* name);
// $HOME, else the password database's home directory, else "".
std::string home_dir();
// "~/x" with the home directory in place of "~".
std::string expand_home(std::string_view path);

// The whole file, refused past max_bytes. `what` names it in errors ("web identity token file").
Result<std::string> read_small_file(const std::string& path, std::string_view what,
                                    std::size_t max_bytes = std::size_t{1} << 20);

// application/x-www-form-urlencoded value (RFC 3986 unreserved bytes kept, the rest %XX).
std::string form_encode(std::string_view value);

// "2024-05-26T12:34:56Z", with optional fraction and a Z or ±hh:mm offset; nullopt when malformed.
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);

// A client for link-local metadata services (EC2 IMDS, ECS, GCE): 1 s to connect, 1 s per request,
// one retry, so that probing them where they do not exist costs about two seconds at most.
std::shared_ptr<http::Client> metadata_client();
// A client for the ECS/EKS container agent: local too, but it may fetch the role's credentials
// before it answers, so 2 s to connect and 5 s per request, one retry.
std::shared_ptr<http::Client> container_client();

// The top-level string fields of a JSON object (other fields, nested values included, are skipped).
// Errors never quote the document (it carries secrets); `what` names it.
struct JsonFields {
  std::vector<std::pair<std::string, std::string>> strings;
  std::vector<std::pair<std::string, std::int64_t>> integers;
  std::optional<std::string_view> str(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
};
Result<JsonFields> parse_json_object(std::string_view document, std::string_view what);

// A value that expires (credentials, access tokens), fetched again when it expires within `margin`.
// One caller refreshes at a time; the others keep using the current value while it is still valid, or
// wait for the refresh when it is not. A failed refresh keeps a still-valid value.
template <class T>
class RefreshCache {
 public:
  struct Entry {
    T value;
    std::optional<Clock::time_point> expires;  // nullopt: never
  };
  using Fetch = std::function<Result<Entry>()>;

  explicit RefreshCache(Fetch fetch, std::chrono::seconds margin = std::chrono::minutes(5))
      : fetch_(std::move(fetch)), margin_(margin) {}

  Result<T> get() {
    std::unique_lock lock(mu_);
    for (;;) {
      const auto now = Clock::now();
      if (have_ && (!entry_.expires || *entry_.expires - margin_ > now)) return entry_.value;
      if (!refreshing_) break;
      if (have_ && *entry_.expires > now) return entry_.value;  // another caller is refreshing it
      cv_.wait(lock);
    }
    refreshing_ = true;
    lock.unlock();
    Result<Entry> fetched = Error(ErrorCode::kInternal, "credential refresh failed");
    try {
      fetched = fetch_();
    } catch (const std::exception& e) {  // keep refreshing_ honest: waiters must not hang
      fetched = Error(ErrorCode::kInternal, std::string("credential refresh failed: ") + e.what());
    }
    lock.lock();
    refreshing_ = false;
    cv_.notify_all();
    if (fetched.ok()) {
      entry_ = std::move(fetched).value();
      have_ = true;
      ++fetches_;
      return entry_.value;
    }
    if (have_ && entry_.expires && *entry_.expires > Clock::now()) return entry_.value;
    return std::move(fetched).error();
  }

  // Successful fetches so far (tests).
  std::uint64_t fetches() const {
    std::lock_guard lock(mu_);
    return fetches_;
  }

 private:
  Fetch fetch_;
  std::chrono::seconds margin_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool refreshing_ = false;
  bool have_ = false;
  Entry entry_{};
  std::uint64_t fetches_ = 0;
};

}  // namespace sluice::io::cred
