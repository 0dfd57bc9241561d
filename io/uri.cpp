#include "sluice/io/uri.hpp"

namespace sluice::io {

std::string_view to_string(Scheme scheme) {
  switch (scheme) {
    case Scheme::kLocal: return "file";
    case Scheme::kStdio: return "stdio";
    case Scheme::kS3: return "s3";
    case Scheme::kGcs: return "gs";
    case Scheme::kAzure: return "az";
    case Scheme::kHttp: return "http";
  }
  return "?";
}

namespace {

Error bad(std::string_view text, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "invalid URI '" + std::string(text) + "': " + why);
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// S3 and GCS bucket names: 3-63 (GCS: up to 222 with dots) lower-case letters, digits, '-', '.', '_'
// (GCS, and S3's legacy buckets), starting and ending with a letter or digit.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 222) return false;
  if (!lower_alnum(b.front()) || !lower_alnum(b.back())) return false;
  for (char c : b)
    if (!lower_alnum(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

// Azure container names: 3-63 lower-case letters, digits and single dashes ("$root", "$web" too).
bool valid_container(std::string_view c) {
  if (c == "$root" || c == "$web" || c == "$logs") return true;
  if (c.size() < 3 || c.size() > 63 || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!lower_alnum(c[i]) && c[i] != '-') return false;
    if (c[i] == '-' && c[i + 1] == '-') return false;
  }
  return true;
}

}  // namespace

std::string Uri::with_key(std::string_view other_key) const {
  switch (scheme) {
    case Scheme::kS3: return "s3://" + bucket + "/" + std::string(other_key);
    case Scheme::kGcs: return "gs://" + bucket + "/" + std::string(other_key);
    case Scheme::kAzure:
      if (!account.empty() && !host.empty())
        return original.substr(0, original.find("://") + 3) + bucket + "@" + host + "/" + std::string(other_key);
      return "az://" + bucket + "/" + std::string(other_key);
    default: return std::string(other_key);
  }
}

Result<Uri> parse_uri(std::string_view text) {
  Uri u;
  u.original = std::string(text);
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return bad(text, "it holds a control character");
  if (text.empty()) return bad(text, "it is empty");
  if (text == "-") {
    u.scheme = Scheme::kStdio;
    return u;
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    u.path = std::string(text);
    return u;
  }
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  const std::string_view rest = text.substr(sep + 3);
  if (scheme == "file") {
    // file:///abs/path or file://localhost/abs/path
    std::string_view p = rest;
    if (p.starts_with("localhost/")) p.remove_prefix(9);
    if (!p.starts_with("/")) return bad(text, "a file URI needs an absolute path (file:///path)");
    u.path = std::string(p);
    return u;
  }
  if (scheme == "http" || scheme == "https") {
    if (rest.empty() || rest.front() == '/') return bad(text, "no host");
    u.scheme = Scheme::kHttp;
    u.path = std::string(text);
    return u;
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view key = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  u.key = std::string(key);
  if (scheme == "s3" || scheme == "s3a" || scheme == "gs" || scheme == "gcs") {
    u.scheme = (scheme[0] == 's') ? Scheme::kS3 : Scheme::kGcs;
    if (authority.empty()) return bad(text, "no bucket");
    if (!valid_bucket(authority)) return bad(text, "'" + std::string(authority) + "' is not a valid bucket name");
    u.bucket = std::string(authority);
    return u;
  }
  if (scheme == "az" || scheme == "azure" || scheme == "abfs" || scheme == "abfss" || scheme == "wasb" || scheme == "wasbs") {
    u.scheme = Scheme::kAzure;
    const auto at = authority.find('@');
    if (at != std::string_view::npos) {  // container@account.dfs.core.windows.net
      u.host = std::string(authority.substr(at + 1));
      authority = authority.substr(0, at);
      const auto dot = u.host.find('.');
      u.account = u.host.substr(0, dot);
      if (u.account.empty()) return bad(text, "no storage account after '@'");
    }
    if (authority.empty()) return bad(text, "no container");
    if (!valid_container(authority)) return bad(text, "'" + std::string(authority) + "' is not a valid container name");
    u.bucket = std::string(authority);
    return u;
  }
  return bad(text, "unknown scheme '" + scheme + "' (sluice reads file, s3, gs, az, abfs[s], http(s))");
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace sluice::io
