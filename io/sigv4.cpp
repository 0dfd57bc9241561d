// AWS Signature Version 4 (the canonical request, string to sign and signing key as AWS's
// "Create a signed AWS API request" describes them) and the aws-chunked chunk signatures of S3.
#include "sluice/io/sigv4.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "crypto.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::io::aws {
namespace {

using namespace std::chrono;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kChunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr seconds kMaxPresignExpiry{7 * 24 * 3600};  // S3's limit for SigV4 presigned URLs

Error invalid(std::string message) { return Error(ErrorCode::kInvalidArgument, "sigv4: " + std::move(message)); }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// RFC 9110 token characters: what a method or a header name may hold.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trimmed, with every run of whitespace (line folds included) made one space.
std::string canonical_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (const char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

struct Url {
  std::string_view scheme;
  std::string_view authority;
  std::string_view path;   // as on the wire, may be empty
  std::string_view query;  // without '?'
  bool has_query = false;
  std::string_view without_fragment;
};

Result<Url> parse_url(std::string_view url) {
  Url u;
  const std::size_t hash = url.find('#');
  u.without_fragment = url.substr(0, hash);
  std::string_view rest = u.without_fragment;
  const std::size_t sep = rest.find("://");
  if (sep == std::string_view::npos || sep == 0) return invalid("the URL has no scheme://");
  u.scheme = rest.substr(0, sep);
  rest.remove_prefix(sep + 3);
  const std::size_t auth_end = rest.find_first_of("/?");
  u.authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  const std::size_t q = rest.find('?');
  u.path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    u.has_query = true;
    u.query = rest.substr(q + 1);
  }
  if (const std::size_t at = u.authority.rfind('@'); at != std::string_view::npos)
    u.authority.remove_prefix(at + 1);
  if (u.authority.empty()) return invalid("the URL has no host");
  return u;
}

// The Host header a client sends for this URL: the port only when it is not the scheme's default.
std::string host_header(const Url& u) {
  std::string_view a = u.authority;
  const std::size_t colon = a.rfind(':');
  if (colon != std::string_view::npos && a.find(']', colon) == std::string_view::npos) {
    const std::string_view port = a.substr(colon + 1);
    const bool is_default = port.empty() || (iequals(u.scheme, "http") && port == "80") ||
                            (iequals(u.scheme, "https") && port == "443");
    if (is_default) a = a.substr(0, colon);
  }
  return std::string(a);
}

// Removes "." and ".." and empty segments; a trailing slash stays.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(pos, end - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = end + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += segments[i];
  }
  if (!segments.empty() && !path.empty() && path.back() == '/') out += '/';
  return out;
}

std::string canonical_uri(std::string_view wire_path, const SigV4Options& o) {
  std::string path = wire_path.empty() ? std::string("/") : std::string(wire_path);
  if (o.normalize_path) path = normalize_path(path);
  if (o.double_encode_path) path = uri_encode(path, false);
  return path;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Query parameters decoded and re-encoded the one way AWS accepts, sorted by key then value.
std::string canonical_query(std::string_view query, const Pairs& extra) {
  Pairs params;
  std::size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view item = query.substr(pos, end - pos);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      const std::string_view key = item.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      params.emplace_back(uri_encode(percent_decode(key), true), uri_encode(percent_decode(value), true));
    }
    pos = end + 1;
  }
  for (const auto& [k, v] : extra) params.emplace_back(uri_encode(k, true), uri_encode(v, true));
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;   // "name:value\n" per name
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders canonical_headers(const Pairs& headers) {
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(headers.size());
  for (const auto& [name, value] : headers) items.emplace_back(lower(name), canonical_value(value));
  // Stable: values of a repeated header keep their order.
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool same_as_previous = i > 0 && items[i].first == items[i - 1].first;
    if (same_as_previous) {
      out.block += ',';
    } else {
      if (i > 0) out.block += '\n';
      if (!out.signed_names.empty()) out.signed_names += ';';
      out.signed_names += items[i].first;
      out.block += items[i].first;
      out.block += ':';
    }
    out.block += items[i].second;
  }
  if (!items.empty()) out.block += '\n';
  return out;
}

struct Stamp {
  std::string amz_date;  // 20150830T123600Z
  std::string date;      // 20150830
};

Result<Stamp> make_stamp(system_clock::time_point now) {
  if (now == system_clock::time_point{}) now = system_clock::now();
  const auto secs = floor<seconds>(now);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{secs - day};
  const int y = static_cast<int>(ymd.year());
  if (!ymd.ok() || y < 0 || y > 9999) return invalid("the signing time is out of range");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", y, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  Stamp s;
  s.amz_date = buf;
  s.date = s.amz_date.substr(0, 8);
  return s;
}

std::string key_string(const crypto::Digest256& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
std::string signing_key(const Credentials& c, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string secret = "AWS4" + c.secret_access_key;
  auto k = crypto::hmac_sha256(secret, date);
  crypto::cleanse(secret);
  k = crypto::hmac_sha256(k, region);
  k = crypto::hmac_sha256(k, service);
  k = crypto::hmac_sha256(k, "aws4_request");
  return key_string(k);
}

std::string hmac_hex(std::string_view key, std::string_view data) {
  return crypto::hex_lower(crypto::hmac_sha256(key, data));
}

Status check_inputs(const SignRequest& r, const Credentials& c, const SigV4Options& o) {
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return invalid("credentials without a key");
  if (o.region.empty()) return invalid("no region");
  if (o.service.empty()) return invalid("no service");
  // The scope is split on '/' by the server; these would change its meaning.
  if (o.region.find('/') != std::string::npos || o.service.find('/') != std::string::npos)
    return invalid("region and service cannot contain '/'");
  if (o.payload_hash.empty()) return invalid("no payload hash");
  if (!is_token(r.method)) return invalid("the method is not an HTTP token");
  for (const auto& [name, value] : r.headers)
    if (!is_token(name)) return invalid("header name '" + name + "' is not an HTTP token");
  return ok_status();
}

bool has_header(const Pairs& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<SigV4Trace> sign_trace(const SignRequest& request, const Credentials& credentials,
                              const SigV4Options& options, std::optional<seconds> presign_expires) {
  SLUICE_TRY(check_inputs(request, credentials, options));
  SLUICE_ASSIGN_OR_RETURN(const Url url, parse_url(request.url));
  SLUICE_ASSIGN_OR_RETURN(const Stamp stamp, make_stamp(options.now));
  const bool presign = presign_expires.has_value();
  if (presign && (*presign_expires < seconds(1) || *presign_expires > kMaxPresignExpiry))
    return invalid("a presigned URL expires after 1 second to 7 days");

  const std::string scope = stamp.date + '/' + options.region + '/' + options.service + "/aws4_request";
  const bool has_token = !credentials.session_token.empty();
  const bool sign_token = has_token && !options.omit_session_token;

  // The headers as they will be sent, minus what signing sets itself.
  Pairs headers;
  for (const auto& h : request.headers) {
    if (iequals(h.first, "authorization") || iequals(h.first, "x-amz-date")) continue;
    if ((has_token || presign) && iequals(h.first, "x-amz-security-token")) continue;
    if (!presign && options.content_sha256_header && iequals(h.first, "x-amz-content-sha256")) continue;
    headers.push_back(h);
  }
  SigV4Trace trace;
  Pairs added;  // header signing: what sign_request sets
  if (!has_header(request.headers, "host")) {
    headers.emplace_back("host", host_header(url));
    added.push_back(headers.back());
  }
  Pairs query_extra;
  if (presign) {
    query_extra = {{"X-Amz-Algorithm", std::string(kAlgorithm)},
                   {"X-Amz-Credential", credentials.access_key_id + '/' + scope},
                   {"X-Amz-Date", stamp.amz_date},
                   {"X-Amz-Expires", std::to_string(presign_expires->count())}};
    if (sign_token) query_extra.emplace_back("X-Amz-Security-Token", credentials.session_token);
  } else {
    headers.emplace_back("x-amz-date", stamp.amz_date);
    added.push_back(headers.back());
    if (sign_token) {
      headers.emplace_back("x-amz-security-token", credentials.session_token);
      added.push_back(headers.back());
    }
    if (options.content_sha256_header) {
      headers.emplace_back("x-amz-content-sha256", options.payload_hash);
      added.push_back(headers.back());
    }
  }
  const CanonicalHeaders ch = canonical_headers(headers);
  if (presign) query_extra.emplace_back("X-Amz-SignedHeaders", ch.signed_names);

  std::string& creq = trace.canonical_request;
  creq += request.method;
  creq += '\n';
  creq += canonical_uri(url.path, options);
  creq += '\n';
  creq += canonical_query(url.query, query_extra);
  creq += '\n';
  creq += ch.block;
  creq += '\n';
  creq += ch.signed_names;
  creq += '\n';
  creq += options.payload_hash;

  trace.string_to_sign = std::string(kAlgorithm) + '\n' + stamp.amz_date + '\n' + scope + '\n' +
                         crypto::sha256_hex(creq);
  std::string key = signing_key(credentials, stamp.date, options.region, options.service);
  trace.signature = hmac_hex(key, trace.string_to_sign);
  crypto::cleanse(key);

  if (presign) {
    std::string& out = trace.url;
    out = std::string(url.without_fragment);
    if (!url.has_query) {
      out += '?';
    } else if (!url.query.empty() && url.query.back() != '&') {
      out += '&';
    }
    auto add = [&](std::string_view k, std::string_view v, bool first = false) {
      if (!first) out += '&';
      out += k;
      out += '=';
      out += uri_encode(v, true);
    };
    add("X-Amz-Algorithm", kAlgorithm, true);
    add("X-Amz-Credential", credentials.access_key_id + '/' + scope);
    add("X-Amz-Date", stamp.amz_date);
    add("X-Amz-SignedHeaders", ch.signed_names);
    add("X-Amz-Expires", std::to_string(presign_expires->count()));
    if (has_token) add("X-Amz-Security-Token", credentials.session_token);
    add("X-Amz-Signature", trace.signature);
  } else {
    trace.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + '/' + scope +
                          ", SignedHeaders=" + ch.signed_names + ", Signature=" + trace.signature;
    trace.headers = std::move(added);
    if (has_token && !sign_token) trace.headers.emplace_back("x-amz-security-token", credentials.session_token);
    trace.headers.emplace_back("Authorization", trace.authorization);
  }
  return trace;
}

Status sign_request(SignRequest& request, const Credentials& credentials, const SigV4Options& options) {
  SLUICE_ASSIGN_OR_RETURN(SigV4Trace trace, sign_trace(request, credentials, options));
  for (const auto& set : trace.headers)
    std::erase_if(request.headers, [&](const auto& h) { return iequals(h.first, set.first); });
  for (auto& h : trace.headers) request.headers.push_back(std::move(h));
  return ok_status();
}

Result<std::string> presign_url(const SignRequest& request, const Credentials& credentials,
                                const SigV4Options& options, seconds expires) {
  SLUICE_ASSIGN_OR_RETURN(SigV4Trace trace, sign_trace(request, credentials, options, expires));
  return std::move(trace.url);
}

// ---- aws-chunked ----

Result<ChunkSigner> ChunkSigner::create(std::string seed_signature, const Credentials& credentials,
                                        const SigV4Options& options) {
  if (credentials.secret_access_key.empty()) return invalid("credentials without a key");
  if (options.region.empty() || options.service.empty()) return invalid("no region or service");
  if (options.now == system_clock::time_point{})
    return invalid("ChunkSigner needs options.now: the time the request was signed at");
  const bool hex64 = seed_signature.size() == 64 && std::all_of(seed_signature.begin(), seed_signature.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
  if (!hex64) return invalid("the seed signature is not 64 lowercase hex digits");
  SLUICE_ASSIGN_OR_RETURN(const Stamp stamp, make_stamp(options.now));
  ChunkSigner s;
  s.signing_key_ = signing_key(credentials, stamp.date, options.region, options.service);
  s.amz_date_ = stamp.amz_date;
  s.scope_ = stamp.date + '/' + options.region + '/' + options.service + "/aws4_request";
  s.previous_ = std::move(seed_signature);
  return s;
}

ChunkSigner::~ChunkSigner() { crypto::cleanse(signing_key_); }

std::string ChunkSigner::chunk_header(std::span<const std::byte> chunk) {
  const std::string sts = std::string(kChunkAlgorithm) + '\n' + amz_date_ + '\n' + scope_ + '\n' + previous_ +
                          '\n' + std::string(kEmptySha256) + '\n' + crypto::hex_lower(crypto::sha256(chunk));
  previous_ = hmac_hex(signing_key_, sts);
  char size_hex[24];
  const auto r = std::to_chars(size_hex, size_hex + sizeof size_hex, chunk.size(), 16);
  std::string out(size_hex, r.ptr);
  out += ";chunk-signature=";
  out += previous_;
  out += "\r\n";
  return out;
}

std::string ChunkSigner::chunk_header(std::string_view chunk) {
  return chunk_header(std::as_bytes(std::span<const char>(chunk.data(), chunk.size())));
}

std::uint64_t ChunkSigner::encoded_length(std::uint64_t payload_bytes, std::size_t chunk_size) {
  // Per chunk: hex size, ";chunk-signature=" (17), 64 hex digits, CRLF, the data, CRLF.
  auto one = [](std::uint64_t n) {
    std::uint64_t hex_digits = 1;
    for (std::uint64_t v = n >> 4; v != 0; v >>= 4) ++hex_digits;
    return hex_digits + 17 + 64 + 2 + n + 2;
  };
  if (chunk_size == 0 || chunk_size > payload_bytes) chunk_size = payload_bytes == 0 ? 1 : payload_bytes;
  const std::uint64_t full = payload_bytes / chunk_size;
  const std::uint64_t rest = payload_bytes % chunk_size;
  return full * one(chunk_size) + (rest ? one(rest) : 0) + one(0);
}

}  // namespace sluice::io::aws
