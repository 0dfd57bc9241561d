// libFuzzer target for AWS SigV4: a request made of arbitrary bytes is signed in headers, presigned
// and chunk-signed. Errors are fine; crashes, hangs and these broken properties are bugs:
//   - signing is deterministic (same input, same trace);
//   - a signature is 64 lowercase hex digits and ends the Authorization value;
//   - sign_request succeeds exactly when sign_trace does, and leaves one Authorization header;
//   - a presigned URL starts with the request's URL (fragment cut) and ends with its signature;
//   - the secret key appears in no output (unless the input has it);
//   - uri_encode keeps only unreserved bytes, '/' when asked, and %XX.
//
// Input: [0] flags, [1] expiry and time, then lines: the method, the URL, then "Name:value" headers
// (a line starting with a space or a tab continues the previous value).
//   [0] bit 0 normalize_path, 1 double_encode_path, 2 session token, 3 omit_session_token,
//       4 content_sha256_header, 5-6 payload hash (unsigned, streaming, sha256 of the input, junk)
//   [1] bits 0-2 expiry (0 s, 1 s, 1 h, 7 days, 7 days + 1 s, ...), bits 3-4 signing time
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/io/sigv4.hpp"

namespace {

using namespace std::chrono;
namespace aws = sluice::io::aws;

constexpr std::size_t kMaxInput = 1 << 16;
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "sigv4_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

bool is_sig(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Off when the input itself holds the secret (libFuzzer's comparison tracing finds it quickly).
bool g_check_secret = true;

void check_secret(const std::string& s, const char* where) {
  if (!g_check_secret) return;
  if (s.find(kSecret) != std::string::npos || s.find("K7MDENG") != std::string::npos)
    fail("the secret key appears in an output", where);
}

void check_uri_encode(std::string_view in) {
  for (const bool slash : {false, true}) {
    const std::string out = aws::uri_encode(in, slash);
    if (out.size() < in.size() || out.size() > 3 * in.size()) fail("uri_encode: odd length", out);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const char c = out[i];
      const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '.' || c == '_' || c == '~' || (c == '/' && !slash);
      if (plain) continue;
      auto hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
      if (c != '%' || i + 2 >= out.size() || !hex(out[i + 1]) || !hex(out[i + 2]))
        fail("uri_encode: a byte left unencoded", out);
      i += 2;
    }
  }
}

bool same(const aws::SigV4Trace& a, const aws::SigV4Trace& b) {
  return a.canonical_request == b.canonical_request && a.string_to_sign == b.string_to_sign &&
         a.signature == b.signature && a.authorization == b.authorization && a.url == b.url && a.headers == b.headers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > kMaxInput) return 0;
  const std::uint8_t flags = data[0];
  const std::uint8_t more = data[1];
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  g_check_secret = text.find("K7MDENG") == std::string_view::npos;

  aws::SignRequest request;
  std::size_t pos = 0;
  for (int line_no = 0; pos <= text.size(); ++line_no) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line_no == 0) {
      request.method = std::string(line);
    } else if (line_no == 1) {
      request.url = std::string(line);
    } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += '\n';
      request.headers.back().second += line;
    } else {
      const std::size_t colon = line.find(':');
      request.headers.emplace_back(std::string(line.substr(0, colon)),
                                   colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
    }
  }

  aws::Credentials creds{"AKIDEXAMPLE", kSecret, (flags & 4) ? "SESSION/TOKEN+=" : "", std::nullopt};
  aws::SigV4Options opt;
  opt.region = "us-east-1";
  opt.service = (flags & 2) ? "service" : "s3";
  opt.normalize_path = flags & 1;
  opt.double_encode_path = flags & 2;
  opt.omit_session_token = flags & 8;
  opt.content_sha256_header = flags & 16;
  switch ((flags >> 5) & 3) {
    case 0: opt.payload_hash = std::string(aws::kUnsignedPayload); break;
    case 1: opt.payload_hash = std::string(aws::kStreamingPayload); break;
    case 2: opt.payload_hash = std::string(64, 'e'); break;
    case 3: opt.payload_hash = request.method; break;  // junk, maybe empty
  }
  // 2015, 1970, 2262 (near the end of a nanosecond system_clock), 2100
  static constexpr std::int64_t kTimes[] = {1440938160, 0, 9223372035, 4102444800};
  opt.now = system_clock::time_point(seconds(kTimes[(more >> 3) & 3]));
  if (opt.now == system_clock::time_point{}) opt.now += seconds(1);  // not "the current time": stay deterministic
  static constexpr std::int64_t kExpiry[] = {0, 1, 3600, 604800, 604801, -5, 60, 86400};
  const seconds expires(kExpiry[more & 7]);

  check_uri_encode(request.url);
  check_uri_encode(request.method);

  // Header signing.
  auto trace = aws::sign_trace(request, creds, opt);
  auto again = aws::sign_trace(request, creds, opt);
  if (trace.ok() != again.ok() || (trace.ok() && !same(*trace, *again))) fail("signing is not deterministic", request.url);
  aws::SignRequest applied = request;
  const auto status = aws::sign_request(applied, creds, opt);
  if (status.ok() != trace.ok()) fail("sign_request and sign_trace disagree", request.url);
  if (trace.ok()) {
    if (!is_sig(trace->signature)) fail("not a signature", trace->signature);
    if (!trace->authorization.ends_with("Signature=" + trace->signature)) fail("bad Authorization", trace->authorization);
    const auto n = std::count_if(applied.headers.begin(), applied.headers.end(), [](const auto& h) {
      return h.first.size() == 13 && (h.first == "Authorization" || h.first == "authorization");
    });
    if (n != 1) fail("not one Authorization header", std::to_string(n));
    for (const auto& s : {trace->canonical_request, trace->string_to_sign, trace->authorization})
      check_secret(s, "header trace");
    for (const auto& [name, value] : applied.headers) check_secret(name + ":" + value, "signed headers");

    // Chunk signing from the seed.
    auto signer = aws::ChunkSigner::create(trace->signature, creds, opt);
    if (!signer.ok()) fail("ChunkSigner rejects a seed signature", signer.error().to_string());
    const std::string h1 = signer->chunk_header(text);
    const std::string h2 = signer->chunk_header(std::string_view());
    if (!h2.starts_with("0;chunk-signature=") || !h1.ends_with("\r\n")) fail("bad chunk header", h1 + h2);
    check_secret(h1 + h2, "chunk headers");
  } else {
    check_secret(trace.error().to_string(), "error");
  }

  // Query signing.
  auto url = aws::presign_url(request, creds, opt, expires);
  if (url.ok()) {
    const std::string base = request.url.substr(0, request.url.find('#'));
    if (!url->starts_with(base)) fail("the presigned URL does not start with the request's", *url);
    const auto sig = url->rfind("&X-Amz-Signature=");
    if (sig == std::string::npos || !is_sig(std::string_view(*url).substr(sig + 17)))
      fail("the presigned URL does not end with its signature", *url);
    check_secret(*url, "presigned URL");
  } else {
    check_secret(url.error().to_string(), "presign error");
  }
  return 0;
}
