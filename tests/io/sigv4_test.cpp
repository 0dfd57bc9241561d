// AWS SigV4: both conformance suites read in place (botocore's aws4_testsuite and aws-c-auth's v4
// suite, see ../shared/testdata/SOURCES.md), AWS's documented S3 examples (GET object, presigned
// GET, aws-chunked PUT), and the crypto helpers under them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include "crypto.hpp"
#include "sluice/io/sigv4.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using sluice::io::aws::ChunkSigner;
using sluice::io::aws::Credentials;
using sluice::io::aws::SignRequest;
using sluice::io::aws::SigV4Options;
using sluice::io::aws::SigV4Trace;
namespace crypto = sluice::io::crypto;

const fs::path kBotocoreDir = fs::path(SLUICE_TESTDATA_DIR) / "sigv4";
const fs::path kCrtDir = fs::path(SLUICE_TESTDATA_DIR) / "sigv4-crt" / "v4";
constexpr const char* kMissing = "testdata_missing";

// The suites' inputs (botocore's harness tests/unit/auth/test_sigv4.py sets the same).
constexpr const char* kSuiteKeyId = "AKIDEXAMPLE";
constexpr const char* kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// AWS's S3 documentation examples.
constexpr const char* kDocKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kDocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days(year{y} / month{mo} / day{d}) + hours{h} + minutes{mi} + seconds{s};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An HTTP/1.1 request as the suites write it: "METHOD target HTTP/1.1", headers ("Name:value", lines
// starting with whitespace continue the previous value), an empty line, the body. The target may hold
// spaces and raw UTF-8.
struct HttpText {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

HttpText parse_http(const std::string& text) {
  HttpText r;
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos >= text.size()) return false;
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = end + 1;
    return true;
  };
  std::string line;
  next_line(line);
  const auto sp = line.find(' ');
  const auto ver = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  r.target = line.substr(sp + 1, ver - sp - 1);
  while (next_line(line)) {
    if (line.empty()) {
      if (pos < text.size()) r.body = text.substr(pos);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return r;
}

std::string header_value(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (lower(n) == name) return trim(v);
  return "";
}

// Headers as a sorted list of (lowercase name, value with whitespace runs collapsed).
std::vector<std::pair<std::string, std::string>> header_set(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [n, v] : headers) {
    std::istringstream words(v);
    std::string w, joined;
    while (words >> w) joined += (joined.empty() ? "" : " ") + w;
    out.emplace_back(lower(n), joined);
  }
  std::sort(out.begin(), out.end());
  return out;
}

SignRequest to_sign_request(const HttpText& h) {
  SignRequest r;
  r.method = h.method;
  r.url = "https://" + header_value(h.headers, "host") + h.target;
  r.headers = h.headers;
  return r;
}

std::string test_name(const fs::path& rel) {
  std::string s = rel.generic_string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::string param_name(const testing::TestParamInfo<std::string>& info) { return test_name(info.param); }

// ---------------------------------------------------------------------------------------------------
// botocore's aws4_testsuite (2015-08-30): <case>/<case>.{req,creq,sts,authz,sreq}, at the top and in
// normalize-path/ and post-sts-token/.

std::vector<std::string> botocore_cases() {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(kBotocoreDir, ec)) return {kMissing};
  for (fs::recursive_directory_iterator it(kBotocoreDir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    const fs::path dir = it->path();
    if (fs::exists(dir / (dir.filename().string() + ".req")))
      out.push_back(fs::relative(dir, kBotocoreDir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Botocore : public testing::TestWithParam<std::string> {};

TEST_P(Botocore, Case) {
  if (GetParam() == kMissing) GTEST_SKIP() << "conformance suite not found at " << kBotocoreDir;
  const fs::path dir = kBotocoreDir / GetParam();
  const std::string name = dir.filename().string();
  auto file = [&](const char* ext) { return read_file(dir / (name + ext)); };
  const HttpText req = parse_http(file(".req"));
  const std::string creq = file(".creq");

  Credentials creds{kSuiteKeyId, kSuiteSecret, "", std::nullopt};
  // The session token, when there is one, is the one the canonical request shows. When only the
  // signed request has one, it was added after signing (post-sts-token/readme.txt): omit_session_token.
  bool omit_token = false;
  if (const auto at = creq.find("\nx-amz-security-token:"); at != std::string::npos) {
    const auto b = at + std::string_view("\nx-amz-security-token:").size();
    creds.session_token = creq.substr(b, creq.find('\n', b) - b);
  } else if (const std::string token = header_value(parse_http(file(".sreq")).headers, "x-amz-security-token");
             !token.empty()) {
    creds.session_token = token;
    omit_token = true;
  }
  SigV4Options opt;
  opt.region = "us-east-1";
  opt.service = "service";
  opt.normalize_path = true;
  opt.double_encode_path = true;
  opt.payload_hash = crypto::sha256_hex(req.body);
  opt.content_sha256_header = false;
  opt.omit_session_token = omit_token;
  opt.now = utc(2015, 8, 30, 12, 36, 0);

  SignRequest request = to_sign_request(req);
  auto trace = sluice::io::aws::sign_trace(request, creds, opt);
  ASSERT_TRUE(trace.ok()) << trace.error().to_string();
  EXPECT_EQ(trace->canonical_request, creq);
  EXPECT_EQ(trace->string_to_sign, file(".sts"));
  EXPECT_EQ(trace->authorization, trim(file(".authz")));

  // sign_request applies the same: one Authorization, one X-Amz-Date.
  ASSERT_TRUE(sluice::io::aws::sign_request(request, creds, opt).ok());
  EXPECT_EQ(header_value(request.headers, "authorization"), trim(file(".authz")));
  EXPECT_EQ(std::count_if(request.headers.begin(), request.headers.end(),
                          [](const auto& h) { return lower(h.first) == "x-amz-date"; }),
            1);

  // The signed request: upstream's get-vanilla-with-session-token.sreq carries get-vanilla's
  // signature (SOURCES.md); its .creq, .sts and .authz agree with one another and are checked above.
  if (name != "get-vanilla-with-session-token") {
    const HttpText sreq = parse_http(file(".sreq"));
    EXPECT_EQ(header_value(sreq.headers, "authorization"), trace->authorization);
    EXPECT_EQ(header_set(sreq.headers), header_set(request.headers));
  }
}

INSTANTIATE_TEST_SUITE_P(Sigv4Suite, Botocore, testing::ValuesIn(botocore_cases()), param_name);

// ---------------------------------------------------------------------------------------------------
// aws-c-auth's v4 suite: <case>/context.json, request.txt, header-* and query-* outputs.

std::vector<std::string> crt_cases() {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(kCrtDir, ec)) return {kMissing};
  for (const auto& e : fs::directory_iterator(kCrtDir, ec))
    if (e.is_directory() && fs::exists(e.path() / "context.json")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Enough JSON for context.json: the value of a key that occurs once, a string, a bool or a number.
std::string json_raw(const std::string& json, const std::string& key) {
  const auto k = json.find("\"" + key + "\"");
  if (k == std::string::npos) return "";
  auto p = json.find(':', k) + 1;
  while (p < json.size() && std::isspace(static_cast<unsigned char>(json[p]))) ++p;
  if (json[p] == '"') {
    std::string out;
    for (++p; p < json.size() && json[p] != '"'; ++p) {
      if (json[p] == '\\' && p + 1 < json.size()) ++p;  // the suite's strings hold no \u escapes
      out += json[p];
    }
    return out;
  }
  const auto e = json.find_first_of(",}\n", p);
  return trim(json.substr(p, e - p));
}

system_clock::time_point parse_timestamp(const std::string& s) {  // 2015-08-30T12:36:00Z
  return utc(std::stoi(s.substr(0, 4)), static_cast<unsigned>(std::stoi(s.substr(5, 2))),
             static_cast<unsigned>(std::stoi(s.substr(8, 2))), std::stoi(s.substr(11, 2)),
             std::stoi(s.substr(14, 2)), std::stoi(s.substr(17, 2)));
}

class Crt : public testing::TestWithParam<std::string> {};

TEST_P(Crt, Case) {
  if (GetParam() == kMissing) GTEST_SKIP() << "conformance suite not found at " << kCrtDir;
  const fs::path dir = kCrtDir / GetParam();
  auto file = [&](const char* f) { return read_file(dir / f); };
  const std::string ctx = file("context.json");
  const HttpText req = parse_http(file("request.txt"));

  Credentials creds{json_raw(ctx, "access_key_id"), json_raw(ctx, "secret_access_key"), json_raw(ctx, "token"),
                    std::nullopt};
  SigV4Options opt;
  opt.region = json_raw(ctx, "region");
  opt.service = json_raw(ctx, "service");
  opt.normalize_path = json_raw(ctx, "normalize") == "true";
  opt.double_encode_path = true;  // the suite's service is not S3
  opt.payload_hash = crypto::sha256_hex(req.body);
  opt.content_sha256_header = json_raw(ctx, "sign_body") == "true";
  opt.omit_session_token = json_raw(ctx, "omit_session_token") == "true";
  opt.now = parse_timestamp(json_raw(ctx, "timestamp"));
  const seconds expires(std::stoll(json_raw(ctx, "expiration_in_seconds")));

  // Header signing.
  {
    SCOPED_TRACE("header signing");
    SignRequest request = to_sign_request(req);
    auto trace = sluice::io::aws::sign_trace(request, creds, opt);
    ASSERT_TRUE(trace.ok()) << trace.error().to_string();
    EXPECT_EQ(trace->canonical_request, file("header-canonical-request.txt"));
    EXPECT_EQ(trace->string_to_sign, file("header-string-to-sign.txt"));
    EXPECT_EQ(trace->signature, trim(file("header-signature.txt")));
    ASSERT_TRUE(sluice::io::aws::sign_request(request, creds, opt).ok());
    const HttpText signed_req = parse_http(file("header-signed-request.txt"));
    EXPECT_EQ(header_value(signed_req.headers, "authorization"), trace->authorization);
    EXPECT_EQ(header_set(signed_req.headers), header_set(request.headers));
  }
  // Query signing (presigned URL).
  {
    SCOPED_TRACE("query signing");
    const SignRequest request = to_sign_request(req);
    auto trace = sluice::io::aws::sign_trace(request, creds, opt, expires);
    ASSERT_TRUE(trace.ok()) << trace.error().to_string();
    EXPECT_EQ(trace->canonical_request, file("query-canonical-request.txt"));
    EXPECT_EQ(trace->string_to_sign, file("query-string-to-sign.txt"));
    EXPECT_EQ(trace->signature, trim(file("query-signature.txt")));
    const HttpText signed_req = parse_http(file("query-signed-request.txt"));
    const std::string prefix = "https://" + header_value(req.headers, "host");
    ASSERT_EQ(trace->url.substr(0, prefix.size()), prefix);
    EXPECT_EQ(trace->url.substr(prefix.size()), signed_req.target);
    auto url = sluice::io::aws::presign_url(request, creds, opt, expires);
    ASSERT_TRUE(url.ok());
    EXPECT_EQ(*url, trace->url);
  }
}

INSTANTIATE_TEST_SUITE_P(Sigv4CrtSuite, Crt, testing::ValuesIn(crt_cases()), param_name);

// ---------------------------------------------------------------------------------------------------
// AWS's S3 documentation examples.

Credentials doc_credentials() { return {kDocKeyId, kDocSecret, "", std::nullopt}; }

SigV4Options doc_options(std::string payload_hash) {
  SigV4Options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.payload_hash = std::move(payload_hash);
  o.now = utc(2013, 5, 24, 0, 0, 0);
  return o;
}

// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk",
// Example: GET Object.
TEST(SigV4S3, DocGetObject) {
  SignRequest r{"GET", "https://examplebucket.s3.amazonaws.com/test.txt", {{"Range", "bytes=0-9"}}};
  auto trace = sluice::io::aws::sign_trace(r, doc_credentials(), doc_options(kEmptySha));
  ASSERT_TRUE(trace.ok()) << trace.error().to_string();
  EXPECT_EQ(trace->canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(trace->string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(trace->signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  ASSERT_TRUE(sluice::io::aws::sign_request(r, doc_credentials(), doc_options(kEmptySha)).ok());
  EXPECT_EQ(header_value(r.headers, "host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(header_value(r.headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(header_value(r.headers, "x-amz-content-sha256"), kEmptySha);
  EXPECT_EQ(header_value(r.headers, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// "Authenticating Requests: Using Query Parameters", the presigned GET example (one day).
TEST(SigV4S3, DocPresignedGet) {
  const SignRequest r{"GET", "https://examplebucket.s3.amazonaws.com/test.txt", {}};
  auto trace = sluice::io::aws::sign_trace(r, doc_credentials(), doc_options("UNSIGNED-PAYLOAD"), seconds(86400));
  ASSERT_TRUE(trace.ok()) << trace.error().to_string();
  EXPECT_EQ(trace->string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  auto url = sluice::io::aws::presign_url(r, doc_credentials(), doc_options("UNSIGNED-PAYLOAD"), seconds(86400));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// "Transferring Payload in Multiple Chunks (Chunked Upload)", Example: PUT Object: 66560 bytes of
// 'a' in chunks of 64 KiB.
TEST(SigV4S3, DocChunkedUpload) {
  const std::uint64_t payload = 66560;
  const std::size_t chunk = 65536;
  ASSERT_EQ(ChunkSigner::encoded_length(payload, chunk), 66824u);
  SignRequest r{"PUT",
                "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
                {{"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                 {"Content-Encoding", "aws-chunked"},
                 {"x-amz-decoded-content-length", std::to_string(payload)},
                 {"Content-Length", std::to_string(ChunkSigner::encoded_length(payload, chunk))}}};
  const SigV4Options opt = doc_options("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  auto seed = sluice::io::aws::sign_trace(r, doc_credentials(), opt);
  ASSERT_TRUE(seed.ok()) << seed.error().to_string();
  EXPECT_EQ(seed->signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_NE(seed->authorization.find("SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;"
                                     "x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"),
            std::string::npos);

  auto signer = ChunkSigner::create(seed->signature, doc_credentials(), opt);
  ASSERT_TRUE(signer.ok()) << signer.error().to_string();
  const std::string data(payload, 'a');
  std::string body;
  for (std::size_t off = 0; off < data.size(); off += chunk) {
    const std::string_view piece = std::string_view(data).substr(off, chunk);
    body += signer->chunk_header(piece);
    body += piece;
    body += "\r\n";
  }
  body += signer->chunk_header(std::string_view());
  body += "\r\n";
  EXPECT_EQ(body.size(), 66824u);
  EXPECT_EQ(body.substr(0, 88), "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
  EXPECT_NE(body.find("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"),
            std::string::npos);
  EXPECT_EQ(body.substr(body.size() - 86),
            "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
}

TEST(SigV4S3, EncodedLength) {
  EXPECT_EQ(ChunkSigner::encoded_length(0, 65536), 86u);               // only the final chunk
  EXPECT_EQ(ChunkSigner::encoded_length(1, 65536), 1u + 1 + 85 + 86);  // "1;chunk-signature=..."
  EXPECT_EQ(ChunkSigner::encoded_length(131072, 65536), 2 * (65536u + 5 + 85) + 86);
  EXPECT_EQ(ChunkSigner::encoded_length(100, 0), 100u + 2 + 85 + 86);  // 0: one chunk
}

TEST(SigV4S3, ChunkSignerNeedsAnExplicitTimeAndAHexSeed) {
  SigV4Options opt = doc_options("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const std::string seed(64, 'a');
  EXPECT_TRUE(ChunkSigner::create(seed, doc_credentials(), opt).ok());
  EXPECT_FALSE(ChunkSigner::create("xyz", doc_credentials(), opt).ok());
  EXPECT_FALSE(ChunkSigner::create(std::string(64, 'A'), doc_credentials(), opt).ok());
  opt.now = {};
  EXPECT_FALSE(ChunkSigner::create(seed, doc_credentials(), opt).ok());
}

// ---------------------------------------------------------------------------------------------------
// Behaviour beyond the suites.

TEST(SigV4, UriEncode) {
  using sluice::io::aws::uri_encode;
  const std::string unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(uri_encode(unreserved, true), unreserved);
  EXPECT_EQ(uri_encode("a b/c", false), "a%20b/c");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b%2Fc");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4", true), "%E1%88%B4");
  EXPECT_EQ(uri_encode("100%+*=&?#$", true), "100%25%2B%2A%3D%26%3F%23%24");
  EXPECT_EQ(uri_encode(std::string("\0\xff", 2), true), "%00%FF");
  EXPECT_EQ(uri_encode("", true), "");
  // S3 object keys: the wire path, signed as is.
  EXPECT_EQ(uri_encode("dir/my file (1).csv", false), "dir/my%20file%20%281%29.csv");
}

TEST(SigV4, S3SignsTheWirePathAsIs) {
  const std::string key = "a//b/../c d.csv";
  SignRequest r{"GET", "https://bucket.s3.amazonaws.com/" + sluice::io::aws::uri_encode(key, false), {}};
  auto trace = sluice::io::aws::sign_trace(r, doc_credentials(), doc_options(kEmptySha));
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->canonical_request.substr(0, trace->canonical_request.find('\n', 4)),
            "GET\n/a//b/../c%20d.csv");
}

TEST(SigV4, QueryIsCanonicalised) {
  SignRequest r{"GET", "https://h.example/?b=2&a=&a=1&c&%7e=%41&x=a%2Fb+c&&", {}};
  auto trace = sluice::io::aws::sign_trace(r, doc_credentials(), doc_options(kEmptySha));
  ASSERT_TRUE(trace.ok());
  const std::string& c = trace->canonical_request;
  const auto l1 = c.find('\n', c.find('\n') + 1) + 1;
  EXPECT_EQ(c.substr(l1, c.find('\n', l1) - l1), "a=&a=1&b=2&c=&x=a%2Fb%2Bc&~=A");
}

TEST(SigV4, HostComesFromTheUrl) {
  auto host_of = [](std::string url) {
    SignRequest r{"GET", std::move(url), {}};
    EXPECT_TRUE(sluice::io::aws::sign_request(r, doc_credentials(), doc_options(kEmptySha)).ok());
    return header_value(r.headers, "host");
  };
  EXPECT_EQ(host_of("http://localhost:9000/bucket/key"), "localhost:9000");
  EXPECT_EQ(host_of("https://h.example:443/k"), "h.example");
  EXPECT_EQ(host_of("http://h.example:80"), "h.example");
  EXPECT_EQ(host_of("https://h.example:80/"), "h.example:80");
  EXPECT_EQ(host_of("http://user:pw@[::1]:8080/x?y"), "[::1]:8080");
  EXPECT_EQ(host_of("https://[::1]/x"), "[::1]");
}

TEST(SigV4, SigningTwiceReplacesRatherThanDuplicates) {
  Credentials c = doc_credentials();
  c.session_token = "TOKEN";
  SignRequest r{"GET", "https://h.example/k", {{"X-Amz-Date", "19990101T000000Z"}, {"authorization", "old"}}};
  ASSERT_TRUE(sluice::io::aws::sign_request(r, c, doc_options(kEmptySha)).ok());
  ASSERT_TRUE(sluice::io::aws::sign_request(r, c, doc_options(kEmptySha)).ok());
  for (const char* name : {"host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "authorization"})
    EXPECT_EQ(std::count_if(r.headers.begin(), r.headers.end(), [&](const auto& h) { return lower(h.first) == name; }),
              1)
        << name;
  EXPECT_EQ(header_value(r.headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_NE(header_value(r.headers, "authorization").find("x-amz-security-token"), std::string::npos);
}

TEST(SigV4, OmittedSessionTokenIsSentButNotSigned) {
  Credentials c = doc_credentials();
  c.session_token = "TOKEN/+=";
  SigV4Options o = doc_options(kEmptySha);
  o.omit_session_token = true;
  SignRequest r{"GET", "https://h.example/k", {}};
  ASSERT_TRUE(sluice::io::aws::sign_request(r, c, o).ok());
  EXPECT_EQ(header_value(r.headers, "x-amz-security-token"), "TOKEN/+=");
  EXPECT_EQ(header_value(r.headers, "authorization").find("x-amz-security-token"), std::string::npos);
  auto url = sluice::io::aws::presign_url(r, c, o, seconds(60));
  ASSERT_TRUE(url.ok());
  EXPECT_NE(url->find("&X-Amz-Security-Token=TOKEN%2F%2B%3D&X-Amz-Signature="), std::string::npos);
}

TEST(SigV4, PresignKeepsTheQueryAndDropsTheFragment) {
  const SignRequest r{"PUT", "https://h.example/b/k?partNumber=1&uploadId=x#frag", {{"Content-Type", "text/csv"}}};
  auto trace = sluice::io::aws::sign_trace(r, doc_credentials(), doc_options("UNSIGNED-PAYLOAD"), seconds(900));
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->url.rfind("https://h.example/b/k?partNumber=1&uploadId=x&X-Amz-Algorithm=", 0), 0u) << trace->url;
  EXPECT_EQ(trace->url.find('#'), std::string::npos);
  EXPECT_NE(trace->url.find("&X-Amz-SignedHeaders=content-type%3Bhost&"), std::string::npos);
  EXPECT_NE(trace->canonical_request.find("&X-Amz-SignedHeaders=content-type%3Bhost&partNumber=1&uploadId=x\n"),
            std::string::npos);
  EXPECT_TRUE(trace->headers.empty());
  EXPECT_TRUE(trace->authorization.empty());
}

TEST(SigV4, RejectsBadInput) {
  using sluice::ErrorCode;
  const Credentials c = doc_credentials();
  const SigV4Options o = doc_options(kEmptySha);
  auto fails = [&](SignRequest r, const Credentials& cr, const SigV4Options& op) {
    const auto s = sluice::io::aws::sign_request(r, cr, op);
    return !s.ok() && s.error().code() == ErrorCode::kInvalidArgument;
  };
  const SignRequest good{"GET", "https://h.example/k", {}};
  EXPECT_FALSE(fails(good, c, o));
  EXPECT_TRUE(fails({"GET", "h.example/k", {}}, c, o));
  EXPECT_TRUE(fails({"GET", "https:///k", {}}, c, o));
  EXPECT_TRUE(fails({"G ET", "https://h.example/k", {}}, c, o));
  EXPECT_TRUE(fails({"GET", "https://h.example/k", {{"bad name", "v"}}}, c, o));
  EXPECT_TRUE(fails({"GET", "https://h.example/k", {{"", "v"}}}, c, o));
  SigV4Options no_region = o;
  no_region.region.clear();
  EXPECT_TRUE(fails(good, c, no_region));
  Credentials no_secret = c;
  no_secret.secret_access_key.clear();
  EXPECT_TRUE(fails(good, no_secret, o));
  EXPECT_FALSE(sluice::io::aws::presign_url(good, c, o, seconds(0)).ok());
  EXPECT_FALSE(sluice::io::aws::presign_url(good, c, o, seconds(604801)).ok());
  EXPECT_TRUE(sluice::io::aws::presign_url(good, c, o, seconds(604800)).ok());
}

TEST(SigV4, LeftAtTheEpochNowMeansTheCurrentTime) {
  SigV4Options o = doc_options(kEmptySha);
  o.now = {};
  SignRequest r{"GET", "https://h.example/k", {}};
  ASSERT_TRUE(sluice::io::aws::sign_request(r, doc_credentials(), o).ok());
  const std::string date = header_value(r.headers, "x-amz-date");
  ASSERT_EQ(date.size(), 16u);
  EXPECT_GE(date.substr(0, 4), "2024");
}

TEST(SigV4, SecretNeverAppearsInAnyOutput) {
  Credentials c = doc_credentials();
  c.session_token = "TOKEN";
  std::vector<std::string> outputs;
  SignRequest r{"POST", "https://h.example/p?q=1", {{"X-Custom", "v"}}};
  for (bool omit : {false, true}) {
    SigV4Options o = doc_options(kEmptySha);
    o.omit_session_token = omit;
    for (auto expires : {std::optional<seconds>{}, std::optional<seconds>{seconds(60)}}) {
      auto t = sluice::io::aws::sign_trace(r, c, o, expires);
      ASSERT_TRUE(t.ok());
      outputs.insert(outputs.end(), {t->canonical_request, t->string_to_sign, t->signature, t->authorization, t->url});
      for (const auto& [n, v] : t->headers) outputs.insert(outputs.end(), {n, v});
    }
    SignRequest copy = r;
    ASSERT_TRUE(sluice::io::aws::sign_request(copy, c, o).ok());
    for (const auto& [n, v] : copy.headers) outputs.insert(outputs.end(), {n, v});
    auto url = sluice::io::aws::presign_url(r, c, o, seconds(60));
    ASSERT_TRUE(url.ok());
    outputs.push_back(*url);
  }
  auto signer = ChunkSigner::create(std::string(64, '0'), c, doc_options("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
  ASSERT_TRUE(signer.ok());
  outputs.push_back(signer->chunk_header(std::string_view("data")));
  outputs.push_back(signer->chunk_header(std::string_view()));
  // Errors too.
  SigV4Options bad = doc_options(kEmptySha);
  bad.region.clear();
  outputs.push_back(sluice::io::aws::sign_trace(r, c, bad).error().to_string());
  outputs.push_back(sluice::io::aws::sign_trace({"GET", "nourl", {}}, c, doc_options(kEmptySha)).error().to_string());
  const std::string secret = kDocSecret;
  const std::string secret_encoded = sluice::io::aws::uri_encode(secret, true);
  for (const auto& s : outputs) {
    EXPECT_EQ(s.find(secret), std::string::npos) << s;
    EXPECT_EQ(s.find(secret_encoded), std::string::npos) << s;
    EXPECT_EQ(s.find("K7MDENG"), std::string::npos) << s;
  }
}

// ---------------------------------------------------------------------------------------------------
// crypto helpers.

TEST(Crypto, Sha256AndHmac) {
  EXPECT_EQ(crypto::sha256_hex(""), kEmptySha);
  EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  crypto::Sha256 h;
  h.update(std::string_view("a"));
  h.update(std::as_bytes(std::span<const char>("bc", 2)));
  EXPECT_EQ(crypto::hex_lower(h.finish()), crypto::sha256_hex("abc"));
  EXPECT_EQ(crypto::hex_lower(h.finish()), kEmptySha);  // starts over
  // RFC 4231, test case 2.
  EXPECT_EQ(crypto::hex_lower(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(crypto::hex_lower(crypto::hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Crypto, Md5AndHex) {
  EXPECT_EQ(crypto::md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(crypto::md5_base64("The quick brown fox jumps over the lazy dog"), "nhB9nTcrtoJr2B01QqQZ1g==");
  EXPECT_EQ(crypto::hex_lower(std::string_view("\x00\x7f\xff", 3)), "007fff");
}

// RFC 3720 appendix B.4, the check value of "123456789", continuation, and the tables against the
// instruction on odd lengths and alignments.
TEST(Crypto, Crc32c) {
  const std::string zeros(32, '\0'), ones(32, '\xff');
  std::string up, down;
  for (int i = 0; i < 32; ++i) {
    up += static_cast<char>(i);
    down += static_cast<char>(31 - i);
  }
  for (auto f : {+[](std::string_view s) { return crypto::crc32c(s); },
                 +[](std::string_view s) { return crypto::detail::crc32c_tables(s); }}) {
    EXPECT_EQ(f(zeros), 0x8A9136AAu);
    EXPECT_EQ(f(ones), 0x62A8AB43u);
    EXPECT_EQ(f(up), 0x46DD794Eu);
    EXPECT_EQ(f(down), 0x113FDB5Cu);
    EXPECT_EQ(f("123456789"), 0xE3069283u);
    EXPECT_EQ(f(""), 0u);
  }
  std::mt19937 rng(7);
  std::string data(100000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (std::size_t start : {0, 1, 3, 7}) {
    for (std::size_t len : {0, 1, 7, 8, 9, 63, 4097, 99990}) {
      const std::string_view s(data.data() + start, len);
      const std::uint32_t hw = crypto::crc32c(s);
      EXPECT_EQ(hw, crypto::detail::crc32c_tables(s)) << start << " " << len;
      const std::size_t cut = len / 3;
      EXPECT_EQ(crypto::crc32c(s.substr(cut), crypto::crc32c(s.substr(0, cut))), hw);
    }
  }
  EXPECT_EQ(crypto::crc32c_base64("123456789"), "4waSgw==");  // E3 06 92 83
}

TEST(Crypto, Base64) {
  // RFC 4648 section 10.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(crypto::base64_encode(plain), encoded);
    auto d = crypto::base64_decode(encoded);
    ASSERT_TRUE(d.ok()) << encoded;
    EXPECT_EQ(*d, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*crypto::base64_decode(crypto::base64_encode(all)), all);
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zm9v\n", "Zm 9", "Zh==", "Zm9=Zm9v", "Zm=v", "Zm9*"})
    EXPECT_FALSE(crypto::base64_decode(bad).ok()) << bad;
}

}  // namespace
