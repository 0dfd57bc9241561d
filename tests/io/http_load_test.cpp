// libcurl is opened with dlopen on a client's first request, not linked. Each test runs in a process of
// its own (a death test, re-executed): the library is loaded, or found missing, once per process.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sluice/io/http.hpp"

namespace sluice::io {
namespace {

bool curl_loaded() { return dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD) != nullptr; }

http::Request refused() {
  http::Request req;
  req.url = "http://127.0.0.1:1/bucket/key?X-Amz-Signature=secret";
  return req;
}

http::ClientOptions one_attempt() {
  http::ClientOptions o;
  o.retry.max_attempts = 1;
  return o;
}

// Runs `check` in a fresh process; it returns what went wrong, or empty.
template <typename Check>
void in_own_process(Check check) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-executed, not forked: nothing loaded yet
  EXPECT_EXIT(
      {
        const std::string problem = check();
        if (!problem.empty()) std::fprintf(stderr, "%s\n", problem.c_str());
        std::fflush(stderr);
        std::exit(problem.empty() ? 0 : 1);  // static destructors run: default_client() too
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(HttpLoad, LibcurlIsLoadedByTheFirstRequestOnly) {
  in_own_process([]() -> std::string {
    if (curl_loaded()) return "libcurl is loaded at start";
    {
      auto unused = http::Client::create();
    }
    auto client = http::Client::create(one_attempt());
    if (curl_loaded()) return "creating a client loads libcurl";
    auto r = client->send(refused(), {}, "GetObject");
    if (!curl_loaded()) return "a request did not load libcurl";
    if (r.ok()) return "a request to port 1 succeeded";
    const std::string text = r.error().to_string();
    if (text.find("could not be loaded") != std::string::npos) return "libcurl did not load: " + text;
    if (client->requests_sent() != 1) return "requests_sent " + std::to_string(client->requests_sent());
    return {};
  });
}

TEST(HttpLoad, AMissingLibcurlFailsEveryRequestAndNamesIt) {
  in_own_process([]() -> std::string {
    setenv("SLUICE_LIBCURL", "/nonexistent/libcurl.so.4", 1);
    auto unused = http::Client::create();
    auto client = http::Client::create(one_attempt());
    for (int i = 0; i < 2; ++i) {  // the failure is kept: the second request fails alike
      auto r = client->send(refused(), {}, "GetObject");
      if (r.ok()) return "a request without libcurl succeeded";
      const std::string text = r.error().to_string();
      if (r.error().code() != ErrorCode::kIoError) return "not an I/O error: " + text;
      for (const char* part : {"GetObject GET http://127.0.0.1:1/bucket/key: ",
                               "libcurl (/nonexistent/libcurl.so.4) could not be loaded: ",
                               "cannot open shared object file"})
        if (text.find(part) == std::string::npos) return "'" + std::string(part) + "' is not in: " + text;
      if (text.find("secret") != std::string::npos) return "the query string is in: " + text;
    }
    auto shared = http::default_client()->send(refused(), {}, "HeadObject");
    if (shared.ok() || shared.error().message().find("could not be loaded") == std::string::npos)
      return "the default client: " + (shared.ok() ? std::string("ok") : shared.error().to_string());
    if (client->requests_sent() != 0) return "requests_sent " + std::to_string(client->requests_sent());
    return {};
  });
}

TEST(HttpLoad, ALibraryWithoutCurlsFunctionsIsNamed) {
  in_own_process([]() -> std::string {
    setenv("SLUICE_LIBCURL", "libz.so.1", 1);  // loads, but has no curl_global_init
    auto r = http::Client::create(one_attempt())->send(refused(), {}, "GetObject");
    if (r.ok()) return "a request through zlib succeeded";
    const std::string text = r.error().to_string();
    for (const char* part : {"libcurl (libz.so.1) could not be loaded: ", "curl_global_init"})
      if (text.find(part) == std::string::npos) return "'" + std::string(part) + "' is not in: " + text;
    return {};
  });
}

}  // namespace
}  // namespace sluice::io
