// The AWS credential chain and GCS OAuth2 tokens. HTTP flows run against cred_endpoint.mjs (node), which
// this process starts on a free port and stops by PID.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <simdjson.h>
#include <string>
#include <thread>
#include <vector>

#include "aws_profile.hpp"
#include "aws_remote.hpp"
#include "aws_support.hpp"
#include "crypto.hpp"
#include "s3_internal.hpp"
#include "sluice/io/aws_credentials.hpp"

extern char** environ;

namespace sluice::io {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kVars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", "GOOGLE_OAUTH_ACCESS_TOKEN",
    "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST"};

struct Recorded {
  std::string method, url, body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return "";
  }
};

// cred_endpoint.mjs, one per test process.
class Endpoint {
 public:
  bool start() {
    const std::string node = SLUICE_NODE;
    if (node.empty() || node.ends_with("NOTFOUND")) return false;
    int out[2], in[2];
    if (::pipe(out) != 0) return false;
    if (::pipe(in) != 0) return false;
    // stdout: the port; stdin: a pipe we hold, so the endpoint exits when this process dies however
    // it dies; stderr: not the test's (CTest waits for every holder of its pipes to close them).
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    std::string script = SLUICE_CRED_ENDPOINT;
    char* argv[] = {const_cast<char*>(node.c_str()), const_cast<char*>(script.c_str()), nullptr};
    const int rc = ::posix_spawn(&pid_, node.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(in[0]);
    ::fcntl(in[1], F_SETFD, FD_CLOEXEC);
    stdin_ = in[1];
    if (rc != 0) {
      ::close(out[0]);
      return false;
    }
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    port_ = std::atoi(line.c_str());
    client_ = http::Client::create();
    return port_ > 0;
  }
  void stop() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st;
      ::waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }
  ~Endpoint() { stop(); }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  void configure(const std::string& json) {
    http::Request r;
    r.method = "PUT";
    r.url = base() + "/__config";
    r.body = {reinterpret_cast<const std::byte*>(json.data()), json.size()};
    auto resp = client_->send(std::move(r), {}, "config");
    ASSERT_TRUE(resp.ok() && resp->ok());
  }

  void reset() {
    http::Request r;
    r.method = "POST";
    r.url = base() + "/__reset";
    auto resp = client_->send(std::move(r), {}, "reset");
    ASSERT_TRUE(resp.ok() && resp->ok());
  }

  std::vector<Recorded> requests() {
    http::Request r;
    r.url = base() + "/__requests";
    auto resp = client_->send(std::move(r), {}, "requests");
    std::vector<Recorded> out;
    if (!resp.ok()) return out;
    // On-Demand, field by field (what the library itself uses); the requests are an array of
    // {"method", "url", "body", "headers": {...}} objects.
    simdjson::ondemand::parser parser;
    simdjson::padded_string doc(resp->body);
    simdjson::ondemand::document d;
    simdjson::ondemand::array arr;
    if (parser.iterate(doc).get(d) || d.get_array().get(arr)) return out;
    for (auto item : arr) {
      simdjson::ondemand::object o;
      if (item.get_object().get(o)) return out;
      Recorded rec;
      for (auto field : o) {
        std::string_view k;
        if (field.unescaped_key().get(k)) return out;
        const std::string key(k);
        std::string_view v;
        if (key == "headers") {
          simdjson::ondemand::object h;
          if (field.value().get_object().get(h)) return out;
          for (auto hf : h) {
            std::string_view hk;
            if (hf.unescaped_key().get(hk)) return out;
            const std::string name(hk);
            if (!hf.value().get_string().get(v)) rec.headers.emplace_back(name, std::string(v));
          }
        } else if (!field.value().get_string().get(v)) {
          if (key == "method") rec.method = std::string(v);
          else if (key == "url") rec.url = std::string(v);
          else if (key == "body") rec.body = std::string(v);
        }
      }
      out.push_back(std::move(rec));
    }
    return out;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int stdin_ = -1;
  std::shared_ptr<http::Client> client_;
};

void write_file(const fs::path& p, const std::string& text, bool executable = false) {
  std::ofstream(p, std::ios::binary) << text;
  if (executable) fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string iso_in(std::chrono::seconds from_now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A form field's value, percent-decoded.
std::string form_field(std::string_view body, std::string_view name) {
  const std::string key = std::string(name) + "=";
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('&', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view part = body.substr(pos, end - pos);
    if (part.starts_with(key)) {
      std::string out;
      for (std::size_t i = key.size(); i < part.size(); ++i) {
        if (part[i] == '%' && i + 2 < part.size()) {
          out += static_cast<char>(std::stoi(std::string(part.substr(i + 1, 2)), nullptr, 16));
          i += 2;
        } else {
          out += part[i] == '+' ? ' ' : part[i];
        }
      }
      return out;
    }
    pos = end + 1;
  }
  return "";
}

class CredentialChain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {
    if (endpoint_) endpoint_->stop();
    endpoint_.reset();
  }

  void SetUp() override {
    for (const char* v : kVars) ::unsetenv(v);
    char tmpl[] = "/tmp/sluice-cred-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ::setenv("HOME", dir_.c_str(), 1);
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    ::setenv("GCE_METADATA_HOST", "127.0.0.1:1", 1);  // nothing listens there: fails at once
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The shared endpoint, started on first use; nullptr (and the test skipped) without node.
  Endpoint* endpoint() {
    if (!endpoint_) {
      endpoint_ = std::make_unique<Endpoint>();
      if (!endpoint_->start()) endpoint_.reset();
    }
    if (endpoint_) {
      endpoint_->configure(
          R"({"expires_in":3600,"delay_ms":0,"sts_status":200,"ecs_authorization":"","token_status":200,"imds_role":"test-role"})");
      endpoint_->reset();
    }
    return endpoint_.get();
  }

  Result<aws::CredentialProviderPtr> chain(const S3Config& config = {}) {
    return aws::default_credential_chain(config, http::Client::create());
  }

  fs::path dir_;
  static inline std::unique_ptr<Endpoint> endpoint_;
};

#define NEED_ENDPOINT(ep)                                              \
  Endpoint* ep = endpoint();                                           \
  if (!ep) GTEST_SKIP() << "node is not available for cred_endpoint.mjs"

// ---- explicit configuration and the environment -------------------------------------------------

TEST_F(CredentialChain, ExplicitConfigurationComesFirst) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  S3Config c;
  c.access_key_id = "AKIAEXPLICIT";
  c.secret_access_key = "explicit-secret";
  c.session_token = "explicit-token";
  auto p = chain(c);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "explicit");
  auto creds = (*p)->get();
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->access_key_id, "AKIAEXPLICIT");
  EXPECT_EQ(creds->session_token, "explicit-token");
}

TEST_F(CredentialChain, HalfExplicitKeysAreAnError) {
  S3Config c;
  c.access_key_id = "AKIAEXPLICIT";
  auto p = chain(c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CredentialChain, EnvironmentComesBeforeTheProfile) {
  write_file(dir_ / "credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n");
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  ::setenv("AWS_SESSION_TOKEN", "env-token", 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "environment");
  auto creds = (*p)->get();
  EXPECT_EQ(creds->access_key_id, "AKIAENV");
  EXPECT_EQ(creds->secret_access_key, "env-secret");
  EXPECT_EQ(creds->session_token, "env-token");
}

TEST_F(CredentialChain, HalfTheEnvironmentIsAnErrorWithoutTheSecret) {
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value-xyz", 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(p.error().to_string().find("env-secret-value-xyz"), std::string::npos);
}

// ---- profiles ------------------------------------------------------------------------------------

TEST_F(CredentialChain, DefaultProfileFromHomeDotAws) {
  fs::create_directories(dir_ / ".aws");
  write_file(dir_ / ".aws" / "credentials",
             "# comment\n[default]\naws_access_key_id=AKIADEFAULT\naws_secret_access_key = default-secret \n"
             "aws_session_token = default-token\n\n[other]\naws_access_key_id = AKIAOTHER\n");
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "profile default");
  auto creds = (*p)->get();
  EXPECT_EQ(creds->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(creds->secret_access_key, "default-secret");
  EXPECT_EQ(creds->session_token, "default-token");
}

TEST_F(CredentialChain, NamedProfileMergesConfigAndCredentialsFiles) {
  write_file(dir_ / "config",
             "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\naws_access_key_id = AKIACONFIG\n"
             "aws_secret_access_key = config-secret\ns3 =\n  max_concurrent_requests = 20\n[dev]\n"
             "aws_access_key_id = AKIAIGNORED\n");
  write_file(dir_ / "creds", "[dev]\naws_access_key_id = AKIACREDS\n");
  ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "creds").c_str(), 1);
  ::setenv("AWS_PROFILE", "dev", 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "profile dev");
  auto creds = (*p)->get();
  EXPECT_EQ(creds->access_key_id, "AKIACREDS");  // the credentials file wins key by key
  EXPECT_EQ(creds->secret_access_key, "config-secret");
  EXPECT_EQ(aws::resolve_region({}), "ap-south-1");

  S3Config c;
  c.profile = "default";  // the configuration beats AWS_PROFILE
  EXPECT_EQ(aws::resolve_region(c), "eu-west-1");
  ::setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
  EXPECT_EQ(aws::resolve_region(c), "us-west-2");
  ::setenv("AWS_REGION", "sa-east-1", 1);
  EXPECT_EQ(aws::resolve_region(c), "sa-east-1");
  c.region = "me-south-1";
  EXPECT_EQ(aws::resolve_region(c), "me-south-1");
}

TEST_F(CredentialChain, RegionDefaultsToUsEast1) { EXPECT_EQ(aws::resolve_region({}), "us-east-1"); }

TEST_F(CredentialChain, ANamedProfileThatIsMissingIsNotFound) {
  S3Config c;
  c.profile = "nope";
  auto p = chain(c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(p.error().message().find("nope"), std::string::npos);
  EXPECT_NE(p.error().message().find(".aws/config"), std::string::npos);
  EXPECT_NE(p.error().message().find(".aws/credentials"), std::string::npos);
}

TEST_F(CredentialChain, IniParsing) {
  auto s = aws::detail::parse_ini(
      "orphan = 1\n; semicolon comment\n[ profile   spaced ]\n key = value = with equals \n"
      "nested =\n    a = 1\n    b = 2\nafter = 3\n[broken\nx = 1\n[default]\r\nk=v\r\n");
  ASSERT_TRUE(s.count("profile spaced"));
  EXPECT_EQ(s["profile spaced"]["key"], "value = with equals");
  EXPECT_EQ(s["profile spaced"]["nested"], "");
  EXPECT_FALSE(s["profile spaced"].count("a"));
  EXPECT_EQ(s["profile spaced"]["after"], "3");
  EXPECT_EQ(s["default"]["k"], "v");
  EXPECT_FALSE(s.count("orphan"));
  for (const auto& [name, section] : s) EXPECT_FALSE(section.count("x")) << name;
}

TEST_F(CredentialChain, ProfileWithAssumeRoleIsNotSupportedYetAndSaysSo) {
  write_file(dir_ / "config", "[profile r]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n");
  ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  S3Config c;
  c.profile = "r";
  auto p = chain(c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotImplemented);
}

// ---- credential_process --------------------------------------------------------------------------

TEST_F(CredentialChain, SplitCommandLikeTheCli) {
  auto a = aws::detail::split_command(R"(  "/opt/my tools/creds" --user 'helen smith' a\ b "q\"x" $HOME;rm )");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (std::vector<std::string>{"/opt/my tools/creds", "--user", "helen smith", "a b", "q\"x", "$HOME;rm"}));
  EXPECT_FALSE(aws::detail::split_command("'open").ok());
  EXPECT_FALSE(aws::detail::split_command("   ").ok());
}

class CredentialProcess : public CredentialChain {
 protected:
  // A script that counts its runs in `count`, and a profile that runs it with `args`.
  void script(const std::string& body, const std::string& args = "") {
    write_file(dir_ / "proc.sh",
               "#!/bin/sh\nn=$(cat \"" + (dir_ / "count").string() + "\" 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > \"" +
                   (dir_ / "count").string() + "\"\n" + body,
               true);
    write_file(dir_ / "config", "[profile proc]\nregion = eu-north-1\ncredential_process = \"" + (dir_ / "proc.sh").string() +
                                    "\" " + args + "\n");
    ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
    ::setenv("AWS_PROFILE", "proc", 1);
  }
  int runs() { return std::atoi(read_file(dir_ / "count").c_str()); }
};

TEST_F(CredentialProcess, Success) {
  script("printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC%s\", \"SecretAccessKey\": \"proc-secret\", "
         "\"SessionToken\": \"proc-token\", \"Expiration\": \"" + iso_in(3600s) + "\"}' $n\n");
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "profile proc (credential_process)");
  auto c1 = (*p)->get();
  ASSERT_TRUE(c1.ok()) << c1.error().to_string();
  EXPECT_EQ(c1->access_key_id, "AKIAPROC1");
  EXPECT_EQ(c1->secret_access_key, "proc-secret");
  EXPECT_EQ(c1->session_token, "proc-token");
  ASSERT_TRUE(c1->expiration.has_value());
  auto c2 = (*p)->get();
  EXPECT_EQ(c2->access_key_id, "AKIAPROC1");  // an hour left: cached
  EXPECT_EQ(runs(), 1);
}

TEST_F(CredentialProcess, WithoutExpirationRunsOnce) {
  script("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIASTATIC\", \"SecretAccessKey\": \"s\"}'\n");
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*p)->get()->access_key_id, "AKIASTATIC");
  EXPECT_EQ(runs(), 1);
}

TEST_F(CredentialProcess, ExpiringSoonIsFetchedAgain) {
  script("printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC%s\", \"SecretAccessKey\": \"s\", \"Expiration\": \"" +
         iso_in(60s) + "\"}' $n\n");
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->get()->access_key_id, "AKIAPROC2");  // the chain's own first fetch was run 1
  EXPECT_EQ((*p)->get()->access_key_id, "AKIAPROC3");
  EXPECT_EQ(runs(), 3);
}

TEST_F(CredentialProcess, ArgumentsAreNotInterpretedByAShell) {
  script("for a in \"$@\"; do echo \"$a\" >> \"" + (dir_ / "args").string() +
             "\"; done\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'\n",
         "'two words' $HOME ;touch " + (dir_ / "pwned").string());
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(read_file(dir_ / "args"), "two words\n$HOME\n;touch\n" + (dir_ / "pwned").string() + "\n");
  EXPECT_FALSE(fs::exists(dir_ / "pwned"));
}

TEST_F(CredentialProcess, FailureGivesTheFirstLineOfStderr) {
  script("echo '{\"AccessKeyId\": \"AKIALEAK\", \"SecretAccessKey\": \"stdout-secret-123\"}'\n"
         "echo '' >&2\necho 'token expired: run sso login' >&2\necho 'second line' >&2\nexit 3\n");
  auto p = chain();
  ASSERT_FALSE(p.ok());
  const std::string msg = p.error().to_string();
  EXPECT_EQ(p.error().code(), ErrorCode::kIoError);
  EXPECT_NE(msg.find("exit status 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("token expired: run sso login"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("second line"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("stdout-secret-123"), std::string::npos) << msg;
  EXPECT_NE(msg.find("profile proc"), std::string::npos) << msg;
}

TEST_F(CredentialProcess, BadOutputNeverQuotesTheSecret) {
  for (const std::string& out :
       {std::string(R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "json-secret-456"})"),
        std::string(R"({"Version": 1, "SecretAccessKey": "json-secret-456"})"),
        std::string(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "json-secret-456", "Expiration": "soon"})"),
        std::string(R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "json-secret-456")")}) {
    fs::remove(dir_ / "count");
    script("cat <<'EOF'\n" + out + "\nEOF\n");
    auto p = chain();
    ASSERT_FALSE(p.ok()) << out;
    EXPECT_EQ(p.error().to_string().find("json-secret-456"), std::string::npos) << p.error().to_string();
  }
}

TEST_F(CredentialProcess, StdoutIsBounded) {
  script("head -c 3000000 /dev/zero | tr '\\0' 'x'\n");
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kLimitExceeded) << p.error().to_string();
}

TEST_F(CredentialProcess, MissingProgram) {
  write_file(dir_ / "config", "[default]\ncredential_process = /nonexistent/creds --x\n");
  ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("/nonexistent/creds"), std::string::npos) << p.error().to_string();
}

// ---- STS web identity ----------------------------------------------------------------------------

TEST_F(CredentialChain, WebIdentityFromTheEnvironment) {
  NEED_ENDPOINT(ep);
  write_file(dir_ / "token", "eyJ.web-identity-token.sig\n");
  ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", (dir_ / "token").c_str(), 1);
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/reader", 1);
  ::setenv("AWS_ROLE_SESSION_NAME", "my session", 1);
  ::setenv("AWS_ENDPOINT_URL_STS", (ep->base() + "/sts").c_str(), 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "web identity");
  auto c = (*p)->get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIASTS1");
  EXPECT_EQ(c->secret_access_key, "sts-secret-1");
  EXPECT_EQ(c->session_token, "sts-session-1");
  ASSERT_TRUE(c->expiration);
  EXPECT_GT(*c->expiration, std::chrono::system_clock::now() + 50min);
  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].header("authorization"), "");  // unsigned
  EXPECT_EQ(form_field(reqs[0].body, "Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form_field(reqs[0].body, "Version"), "2011-06-15");
  EXPECT_EQ(form_field(reqs[0].body, "RoleArn"), "arn:aws:iam::123456789012:role/reader");
  EXPECT_EQ(form_field(reqs[0].body, "RoleSessionName"), "my session");
  EXPECT_EQ(form_field(reqs[0].body, "WebIdentityToken"), "eyJ.web-identity-token.sig");
}

TEST_F(CredentialChain, WebIdentityFromAProfileAndRefresh) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"expires_in":60})");
  write_file(dir_ / "token", "tok");
  write_file(dir_ / "config", "[profile w]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = " +
                                  (dir_ / "token").string() + "\n");
  ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  ::setenv("AWS_ENDPOINT_URL_STS", (ep->base() + "/sts/").c_str(), 1);
  S3Config cfg;
  cfg.profile = "w";
  auto p = chain(cfg);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "profile w (web identity)");
  // One minute left each time: every get() asks STS again.
  EXPECT_EQ((*p)->get()->access_key_id, "ASIASTS2");
  EXPECT_EQ((*p)->get()->access_key_id, "ASIASTS3");
  ep->configure(R"({"expires_in":3600})");
  EXPECT_EQ((*p)->get()->access_key_id, "ASIASTS4");
  EXPECT_EQ((*p)->get()->access_key_id, "ASIASTS4");
  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_TRUE(form_field(reqs[0].body, "RoleSessionName").starts_with("sluice-"));
}

TEST_F(CredentialChain, WebIdentityRefusedSaysWhyWithoutTheToken) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"sts_status":403})");
  write_file(dir_ / "token", "secret-oidc-token-789");
  ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", (dir_ / "token").c_str(), 1);
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/x", 1);
  ::setenv("AWS_ENDPOINT_URL_STS", (ep->base() + "/sts").c_str(), 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  const std::string msg = p.error().to_string();
  EXPECT_NE(msg.find("AccessDenied"), std::string::npos) << msg;
  EXPECT_NE(msg.find("403"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("secret-oidc-token-789"), std::string::npos) << msg;
}

TEST_F(CredentialChain, StsEndpointDefaultsToTheRegion) {
  EXPECT_EQ(aws::detail::sts_endpoint("eu-central-1"), "https://sts.eu-central-1.amazonaws.com");
  ::setenv("AWS_ENDPOINT_URL_STS", "http://localhost:4566/", 1);
  EXPECT_EQ(aws::detail::sts_endpoint("eu-central-1"), "http://localhost:4566");
}

// ---- ECS container credentials --------------------------------------------------------------------

TEST_F(CredentialChain, ContainerFullUriWithAuthorizationToken) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"ecs_authorization":"Basic ecs-auth-token"})");
  ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", (ep->base() + "/ecs/v2/credentials").c_str(), 1);
  ::setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic ecs-auth-token", 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "container");
  auto c = (*p)->get();
  EXPECT_EQ(c->access_key_id, "ASIAECS1");
  EXPECT_EQ(c->session_token, "ecs-session-1");
  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].url, "/ecs/v2/credentials");
  EXPECT_EQ(reqs[0].header("authorization"), "Basic ecs-auth-token");
}

TEST_F(CredentialChain, ContainerTokenFileWinsAndAWrongTokenFails) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"ecs_authorization":"from-file"})");
  write_file(dir_ / "ecs-token", "from-file\n");
  ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", (ep->base() + "/ecs").c_str(), 1);
  ::setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env", 1);
  ::setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir_ / "ecs-token").c_str(), 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  ::unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  auto q = chain();
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().message().find("401"), std::string::npos) << q.error().to_string();
  EXPECT_EQ(q.error().to_string().find("from-env"), std::string::npos);
}

TEST_F(CredentialChain, ContainerFullUriOverPlainHttpMustBeLocal) {
  ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
  ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
  EXPECT_TRUE(aws::detail::container_from_env().ok());
  ::unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  ::setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
  auto c = aws::detail::container_from_env();
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->url, "http://169.254.170.2/v2/credentials/abc");
}

// ---- IMDSv2 ---------------------------------------------------------------------------------------

TEST_F(CredentialChain, InstanceMetadataV2) {
  NEED_ENDPOINT(ep);
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", (ep->base() + "/").c_str(), 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->source(), "instance metadata");
  auto c = (*p)->get();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS1");
  EXPECT_EQ(c->secret_access_key, "imds-secret-1");
  EXPECT_EQ(c->session_token, "imds-session-1");
  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].url, "/latest/api/token");
  EXPECT_EQ(reqs[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[1].url, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(reqs[1].header("x-aws-ec2-metadata-token"), "imds-session-token");
  EXPECT_EQ(reqs[2].url, "/latest/meta-data/iam/security-credentials/test-role");
  EXPECT_EQ(reqs[2].header("x-aws-ec2-metadata-token"), "imds-session-token");
}

TEST_F(CredentialChain, InstanceMetadataRefreshesExpiringCredentials) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"expires_in":60})");
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep->base().c_str(), 1);
  auto p = chain();
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->get()->access_key_id, "ASIAIMDS2");
  EXPECT_EQ(ep->requests().size(), 6u);  // token, role, credentials; twice
}

TEST_F(CredentialChain, InstanceMetadataWithoutARole) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"imds_role":""})");
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep->base().c_str(), 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(p.error().message().find("no IAM role"), std::string::npos) << p.error().to_string();
  ep->configure(R"({"imds_role":"test-role"})");
}

TEST_F(CredentialChain, SlowInstanceMetadataIsAbandonedQuickly) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"delay_ms":10000})");
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep->base().c_str(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto p = chain();
  const auto took = std::chrono::steady_clock::now() - t0;
  ep->configure(R"({"delay_ms":0})");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(p.error().message().find("instance metadata"), std::string::npos);
  EXPECT_LT(took, 3500ms);
  EXPECT_GE(took, 1500ms);  // one attempt and one retry of a second each
}

TEST_F(CredentialChain, UnreachableInstanceMetadataIsAbandonedQuickly) {
  ::unsetenv("AWS_EC2_METADATA_DISABLED");
  ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://192.0.2.1", 1);  // TEST-NET-1: nobody answers
  const auto t0 = std::chrono::steady_clock::now();
  auto p = chain();
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  EXPECT_LT(took, 3500ms);
}

TEST_F(CredentialChain, NothingFoundNamesEveryPlace) {
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  const std::string& m = p.error().message();
  for (const char* place : {"explicit configuration", "AWS_ACCESS_KEY_ID", "profile 'default'", ".aws/config",
                            ".aws/credentials", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS",
                            "instance metadata"})
    EXPECT_NE(m.find(place), std::string::npos) << place << " in " << m;
}

TEST_F(CredentialChain, AProfileWithOnlyARegionFallsThrough) {
  write_file(dir_ / "config", "[default]\nregion = eu-west-3\n");
  ::setenv("AWS_CONFIG_FILE", (dir_ / "config").c_str(), 1);
  auto p = chain();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(aws::resolve_region({}), "eu-west-3");
}

// ---- the refresh cache -----------------------------------------------------------------------------

TEST_F(CredentialChain, ConcurrentCallersRefreshOnce) {
  std::atomic<int> fetches{0};
  cred::RefreshCache<std::string> cache([&]() -> Result<cred::RefreshCache<std::string>::Entry> {
    const int n = ++fetches;
    std::this_thread::sleep_for(100ms);
    return cred::RefreshCache<std::string>::Entry{"v" + std::to_string(n), cred::Clock::now() + 1h};
  });
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto v = cache.get();
      if (v.ok() && *v == "v1") ++good;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(good.load(), 8);
}

TEST_F(CredentialChain, WhileOneRefreshesOthersUseStillValidCredentials) {
  std::atomic<int> fetches{0};
  std::atomic<bool> slow{false};
  cred::RefreshCache<std::string> cache([&]() -> Result<cred::RefreshCache<std::string>::Entry> {
    const int n = ++fetches;
    if (slow) std::this_thread::sleep_for(500ms);
    return cred::RefreshCache<std::string>::Entry{"v" + std::to_string(n), cred::Clock::now() + 2min};  // within 5 min
  });
  EXPECT_EQ(*cache.get(), "v1");
  slow = true;
  std::thread refresher([&] { EXPECT_EQ(*cache.get(), "v2"); });
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(*cache.get(), "v1");  // does not wait for the refresh
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 300ms);
  refresher.join();
  EXPECT_EQ(fetches.load(), 2);
}

TEST_F(CredentialChain, AFailedRefreshKeepsStillValidCredentials) {
  int calls = 0;
  cred::RefreshCache<std::string> cache([&]() -> Result<cred::RefreshCache<std::string>::Entry> {
    if (++calls > 1) return Error(ErrorCode::kIoError, "down");
    return cred::RefreshCache<std::string>::Entry{"v1", cred::Clock::now() + 1min};
  });
  EXPECT_EQ(*cache.get(), "v1");
  EXPECT_EQ(*cache.get(), "v1");
  EXPECT_EQ(calls, 2);
}

TEST_F(CredentialChain, Rfc3339) {
  using cred::parse_rfc3339;
  auto a = parse_rfc3339("2024-05-26T12:34:56Z");
  ASSERT_TRUE(a);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(a->time_since_epoch()).count(), 1716726896);
  auto b = parse_rfc3339("2024-05-26T14:34:56.500+02:00");
  ASSERT_TRUE(b);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(b->time_since_epoch()).count(), 1716726896500);
  EXPECT_FALSE(parse_rfc3339("2024-05-26 12:34"));
  EXPECT_FALSE(parse_rfc3339("1013-11-22T16:00:00Z"));  // past what the clock holds: no expiry, never an overflow
  EXPECT_FALSE(parse_rfc3339("2024-05-26T12:34:56"));
  EXPECT_FALSE(parse_rfc3339("2024-05-26T12:34:56Zjunk"));
}

// ---- GCS --------------------------------------------------------------------------------------------

std::string base64url_decode(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (s.size() % 4) s += '=';
  auto r = crypto::base64_decode(s);
  return r.ok() ? *r : std::string("<bad base64>");
}

struct RsaKey {
  std::string private_pem, public_pem;
};

RsaKey make_rsa_key() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  RsaKey out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data;
  long n = BIO_get_mem_data(b, &data);
  out.private_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  n = BIO_get_mem_data(b, &data);
  out.public_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  EVP_PKEY_free(key);
  return out;
}

bool rs256_verifies(const std::string& input, const std::string& sig, const std::string& public_pem) {
  BIO* b = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = key && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '"' || c == '\\') out += std::string("\\") + c;
    else out += c;
  }
  return out;
}

TEST_F(CredentialChain, GcsTokenGivenDirectly) {
  GcsConfig c;
  c.bearer_token = "ya29.direct";
  auto s = s3::gcs_token_source(c, http::Client::create());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)(), "ya29.direct");
  ::setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.env", 1);
  s = s3::gcs_token_source({}, http::Client::create());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)(), "ya29.env");
}

TEST_F(CredentialChain, GcsServiceAccountJwt) {
  NEED_ENDPOINT(ep);
  const RsaKey key = make_rsa_key();
  const std::string token_uri = ep->base() + "/token";
  write_file(dir_ / "sa.json", "{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key_id\": \"k1\", "
                               "\"private_key\": \"" + json_escape(key.private_pem) +
                                   "\", \"client_email\": \"reader@p.iam.gserviceaccount.com\", \"token_uri\": \"" +
                                   token_uri + "\"}");
  ::setenv("GOOGLE_APPLICATION_CREDENTIALS", (dir_ / "sa.json").c_str(), 1);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto s = s3::gcs_token_source({}, http::Client::create());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(*(*s)(), "ya29.sa-1");
  EXPECT_EQ(*(*s)(), "ya29.sa-1");  // cached

  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(form_field(reqs[0].body, "grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
  const std::string jwt = form_field(reqs[0].body, "assertion");
  const auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
  ASSERT_NE(d1, d2);
  EXPECT_EQ(jwt.find('='), std::string::npos);  // base64url without padding
  EXPECT_TRUE(rs256_verifies(jwt.substr(0, d2), base64url_decode(jwt.substr(d2 + 1)), key.public_pem));
  EXPECT_FALSE(rs256_verifies(jwt.substr(0, d2) + "x", base64url_decode(jwt.substr(d2 + 1)), key.public_pem));

  simdjson::dom::parser parser;
  const std::string header = base64url_decode(jwt.substr(0, d1));
  const simdjson::padded_string header_json(header);
  simdjson::dom::element h;
  ASSERT_FALSE(parser.parse(header_json).get(h));
  EXPECT_EQ(std::string(h["alg"].get_string().value()), "RS256");
  EXPECT_EQ(std::string(h["typ"].get_string().value()), "JWT");
  const std::string claims = base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1));
  simdjson::dom::parser parser2;
  const simdjson::padded_string claims_json(claims);
  simdjson::dom::element c;
  ASSERT_FALSE(parser2.parse(claims_json).get(c));
  EXPECT_EQ(std::string(c["iss"].get_string().value()), "reader@p.iam.gserviceaccount.com");
  EXPECT_EQ(std::string(c["scope"].get_string().value()), "https://www.googleapis.com/auth/devstorage.read_write");
  EXPECT_EQ(std::string(c["aud"].get_string().value()), token_uri);
  const std::int64_t iat = c["iat"].get_int64().value(), exp = c["exp"].get_int64().value();
  EXPECT_EQ(exp - iat, 3600);
  EXPECT_LE(std::abs(iat - now), 5);

  // The store puts the token on its requests.
  s3::Auth auth;
  auth.bearer = *s;
  auto signer = auth.make_signer({});
  ASSERT_TRUE(signer.ok());
  http::Request r;
  ASSERT_TRUE((*signer)(r).ok());
  EXPECT_EQ(http::find_header(r.headers, "authorization").value_or(""), "Bearer ya29.sa-1");
}

TEST_F(CredentialChain, GcsServiceAccountTokenIsRefreshedBeforeItExpires) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"expires_in":60})");
  const RsaKey key = make_rsa_key();
  write_file(dir_ / "sa.json", "{\"type\": \"service_account\", \"private_key\": \"" + json_escape(key.private_pem) +
                                   "\", \"client_email\": \"a@b\", \"token_uri\": \"" + ep->base() + "/token\"}");
  GcsConfig c;
  c.credentials_file = (dir_ / "sa.json").string();
  auto s = s3::gcs_token_source(c, http::Client::create());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(*(*s)(), "ya29.sa-2");
  EXPECT_EQ(*(*s)(), "ya29.sa-3");
}

TEST_F(CredentialChain, GcsTokenEndpointRefusalNeverShowsTheKey) {
  NEED_ENDPOINT(ep);
  ep->configure(R"({"token_status":400})");
  const RsaKey key = make_rsa_key();
  write_file(dir_ / "sa.json", "{\"type\": \"service_account\", \"private_key\": \"" + json_escape(key.private_pem) +
                                   "\", \"client_email\": \"a@b\", \"token_uri\": \"" + ep->base() + "/token\"}");
  ::setenv("GOOGLE_APPLICATION_CREDENTIALS", (dir_ / "sa.json").c_str(), 1);
  auto s = s3::gcs_token_source({}, http::Client::create());
  ASSERT_FALSE(s.ok());
  const std::string msg = s.error().to_string();
  EXPECT_NE(msg.find("invalid_grant"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("PRIVATE KEY"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("assertion"), std::string::npos) << msg;
}

TEST_F(CredentialChain, GcsBadServiceAccountFiles) {
  write_file(dir_ / "user.json", R"({"type": "authorized_user", "refresh_token": "rt-secret"})");
  GcsConfig c;
  c.credentials_file = (dir_ / "user.json").string();
  auto s = s3::gcs_token_source(c, http::Client::create());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(s.error().to_string().find("rt-secret"), std::string::npos);
  write_file(dir_ / "bad.json", R"({"type": "service_account", "client_email": "a@b", "private_key": "not a pem"})");
  c.credentials_file = (dir_ / "bad.json").string();
  s = s3::gcs_token_source(c, http::Client::create());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  c.credentials_file = (dir_ / "missing.json").string();
  EXPECT_FALSE(s3::gcs_token_source(c, http::Client::create()).ok());
}

TEST_F(CredentialChain, GcsMetadataServer) {
  NEED_ENDPOINT(ep);
  ::setenv("GCE_METADATA_HOST", ep->host().c_str(), 1);
  auto s = s3::gcs_token_source({}, http::Client::create());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(*(*s)(), "ya29.md-1");
  auto reqs = ep->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].url, "/computeMetadata/v1/instance/service-accounts/default/token");
  EXPECT_EQ(reqs[0].header("metadata-flavor"), "Google");
}

TEST_F(CredentialChain, GcsNothingFoundNamesEveryPlace) {
  const auto t0 = std::chrono::steady_clock::now();
  auto s = s3::gcs_token_source({}, http::Client::create());
  ASSERT_FALSE(s.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3500ms);
  EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
  for (const char* place : {"GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "metadata server"})
    EXPECT_NE(s.error().message().find(place), std::string::npos) << s.error().message();
}

}  // namespace
}  // namespace sluice::io
