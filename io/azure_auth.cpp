// Azure Blob: connection strings, endpoint and credential resolution, SharedKey signing.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>

#include "azure_internal.hpp"
#include "crypto.hpp"
#include "s3_internal.hpp"
#include "xml.hpp"

namespace sluice::io::azure {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string std_env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// An emulator endpoint without a path (http://127.0.0.1:10000) addresses accounts path-style.
bool is_local_host(std::string_view host) {
  const auto colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos) host = host.substr(0, colon);
  if (host == "localhost" || host.starts_with("[")) return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Header value as SharedKey wants it: trimmed, runs of whitespace folded to one space.
std::string fold_whitespace(std::string_view v) {
  v = trim(v);
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

Result<ConnectionString> parse_connection_string(std::string_view text) {
  ConnectionString cs;
  std::size_t field = 0;
  while (!text.empty()) {
    ++field;
    const auto semi = text.find(';');
    std::string_view part = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Error(ErrorCode::kInvalidArgument,
                   "Azure connection string: field " + std::to_string(field) + " is not Name=Value");
    const std::string_view name = trim(part.substr(0, eq));
    const std::string value(trim(part.substr(eq + 1)));
    if (iequals(name, "AccountName")) cs.account_name = value;
    else if (iequals(name, "AccountKey")) cs.account_key = value;
    else if (iequals(name, "BlobEndpoint")) cs.blob_endpoint = value;
    else if (iequals(name, "SharedAccessSignature")) cs.sas = value.starts_with("?") ? value.substr(1) : value;
    else if (iequals(name, "DefaultEndpointsProtocol")) cs.protocol = lowered(value);
    else if (iequals(name, "EndpointSuffix")) cs.endpoint_suffix = value;
    else if (iequals(name, "UseDevelopmentStorage")) cs.development_storage = iequals(value, "true");
  }
  if (cs.protocol.size() && cs.protocol != "http" && cs.protocol != "https")
    return Error(ErrorCode::kInvalidArgument, "Azure connection string: DefaultEndpointsProtocol must be http or https");
  if (cs.development_storage) {
    if (cs.account_name.empty()) cs.account_name = std::string(kDevAccount);
    if (cs.account_key.empty() && cs.sas.empty()) cs.account_key = std::string(kDevKey);
    if (cs.blob_endpoint.empty()) cs.blob_endpoint = std::string(kDevBlobEndpoint);
  }
  return cs;
}

Result<Settings> resolve_settings(const Uri& uri, const AzureConfig& config, const EnvLookup& env_in) {
  const EnvLookup env = env_in ? env_in : EnvLookup(std_env);
  Settings s;
  ConnectionString cs;
  const std::string cs_text = config.connection_string.empty() ? env("AZURE_STORAGE_CONNECTION_STRING") : config.connection_string;
  if (!cs_text.empty()) {
    SLUICE_ASSIGN_OR_RETURN(cs, parse_connection_string(cs_text));
  }

  // The account: what the URI names, the configuration, the connection string, the environment.
  s.account = !uri.account.empty() ? uri.account : !config.account.empty() ? config.account : cs.account_name;
  if (s.account.empty()) s.account = env("AZURE_STORAGE_ACCOUNT");

  // The endpoint: configured, the connection string's, the one the URI's host implies, Azure's.
  std::string endpoint = config.endpoint_url;
  if (endpoint.empty() && !cs.blob_endpoint.empty() && (uri.account.empty() || uri.account == cs.account_name))
    endpoint = cs.blob_endpoint;
  if (endpoint.empty() && !uri.host.empty()) {
    // container@ACCOUNT.dfs.core.windows.net: the same account's blob service.
    std::string suffix = uri.host.substr(uri.host.find('.') + 1);
    if (suffix.starts_with("dfs.") || suffix.starts_with("blob.")) suffix = suffix.substr(suffix.find('.') + 1);
    if (!s.account.empty() && uri.host.find('.') != std::string::npos) endpoint = "https://" + s.account + ".blob." + suffix;
  }
  if (endpoint.empty() && !s.account.empty()) {
    const std::string proto = cs.protocol.empty() ? "https" : cs.protocol;
    const std::string suffix = cs.endpoint_suffix.empty() ? "core.windows.net" : cs.endpoint_suffix;
    endpoint = proto + "://" + s.account + ".blob." + suffix;
  }
  endpoint = strip_slashes(std::move(endpoint));
  const auto sep = endpoint.find("://");
  if (!endpoint.empty()) {
    if (sep == std::string::npos || (endpoint.substr(0, sep) != "http" && endpoint.substr(0, sep) != "https"))
      return Error(ErrorCode::kInvalidArgument, "Azure endpoint '" + http::redact_url(endpoint) + "': it must start with http:// or https://");
    const auto path_at = endpoint.find('/', sep + 3);
    const std::string host = endpoint.substr(sep + 3, path_at == std::string::npos ? std::string::npos : path_at - sep - 3);
    if (host.empty()) return Error(ErrorCode::kInvalidArgument, "Azure endpoint '" + http::redact_url(endpoint) + "' has no host");
    if (endpoint.find('?') != std::string::npos)
      return Error(ErrorCode::kInvalidArgument, "Azure endpoint '" + http::redact_url(endpoint) + "' must not carry a query (give a SAS token separately)");
    if (path_at != std::string::npos) {
      // Path-style (azurite, Azure Stack): the first path segment is the account.
      std::string first = endpoint.substr(path_at + 1);
      first = first.substr(0, first.find('/'));
      if (s.account.empty()) s.account = first;
    } else if (is_local_host(host) && !s.account.empty()) {
      endpoint += "/" + s.account;
    } else if (s.account.empty() && host.find(".blob.") != std::string::npos) {
      s.account = host.substr(0, host.find('.'));  // ACCOUNT.blob.core.windows.net (a SAS-only string)
    }
  }
  if (s.account.empty())
    return Error(ErrorCode::kInvalidArgument,
                 "no Azure storage account for '" + uri.original +
                     "': set AZURE_STORAGE_ACCOUNT or AZURE_STORAGE_CONNECTION_STRING, or give an endpoint URL");
  s.endpoint = std::move(endpoint);

  // Credentials: bearer, key, SAS from the configuration; then the connection string's; then the
  // environment's. Nothing at all: anonymous requests (public containers).
  Credentials& c = s.credentials;
  c.account = s.account;
  std::string key;
  if (!config.bearer_token.empty()) {
    c.kind = AuthKind::kBearer;
    c.bearer = config.bearer_token;
  } else if (!config.key.empty()) {
    c.kind = AuthKind::kSharedKey;
    key = config.key;
  } else if (!config.sas_token.empty()) {
    c.kind = AuthKind::kSas;
    c.sas = config.sas_token;
  } else if (!cs.account_key.empty() && (s.account == cs.account_name || cs.account_name.empty())) {
    c.kind = AuthKind::kSharedKey;
    key = cs.account_key;
  } else if (!cs.sas.empty()) {
    c.kind = AuthKind::kSas;
    c.sas = cs.sas;
  } else if (std::string k = env("AZURE_STORAGE_KEY"); !k.empty()) {
    c.kind = AuthKind::kSharedKey;
    key = std::move(k);
  } else if (std::string t = env("AZURE_STORAGE_SAS_TOKEN"); !t.empty()) {
    c.kind = AuthKind::kSas;
    c.sas = std::move(t);
  }
  if (c.kind == AuthKind::kSas && c.sas.starts_with("?")) c.sas.erase(0, 1);
  if (c.kind == AuthKind::kSharedKey) {
    auto decoded = crypto::base64_decode(trim(key));
    crypto::cleanse(key);
    if (!decoded.ok() || decoded->empty())
      return Error(ErrorCode::kInvalidArgument, "the Azure storage account key of '" + s.account + "' is not valid base64");
    c.key = std::move(*decoded);
  }
  return s;
}

std::string http_date(std::int64_t ms) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t secs = ms / 1000;
  std::int64_t days = secs / 86400;
  const std::int64_t rem = secs % 86400;
  const char* wday = kDays[((days % 7) + 7) % 7];
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT", wday, d, kMonths[m - 1], static_cast<long long>(y),
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

std::string string_to_sign(const http::Request& r, std::string_view account) {
  auto header = [&](std::string_view name) -> std::string {
    auto v = http::find_header(r.headers, name);
    return v ? std::string(trim(*v)) : std::string();
  };
  std::string out = r.method + "\n";
  out += header("Content-Encoding") + "\n";
  out += header("Content-Language") + "\n";
  std::string length = header("Content-Length");
  if (length.empty() && !r.body.empty()) length = std::to_string(r.body.size());
  if (length == "0") length.clear();  // version 2015-02-21 and later: empty, not "0"
  out += length + "\n";
  out += header("Content-MD5") + "\n";
  out += header("Content-Type") + "\n";
  out += (http::find_header(r.headers, "x-ms-date") ? std::string() : header("Date")) + "\n";
  out += header("If-Modified-Since") + "\n";
  out += header("If-Match") + "\n";
  out += header("If-None-Match") + "\n";
  out += header("If-Unmodified-Since") + "\n";
  out += header("Range") + "\n";
  // Canonicalized headers: every x-ms-* header, name lower-cased, sorted, "name:value\n".
  std::map<std::string, std::string> ms;
  for (const auto& [name, value] : r.headers) {
    std::string n = lowered(trim(name));
    if (!n.starts_with("x-ms-")) continue;
    auto [it, fresh] = ms.emplace(n, fold_whitespace(value));
    if (!fresh) it->second += "," + fold_whitespace(value);
  }
  for (const auto& [n, v] : ms) out += n + ":" + v + "\n";
  // Canonicalized resource: /account + the path as sent, then the query parameters.
  std::string_view url = r.url;
  const auto q = url.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : url.substr(q + 1);
  std::string_view no_query = url.substr(0, q);
  const auto sep = no_query.find("://");
  std::string_view path = sep == std::string_view::npos ? no_query : no_query.substr(sep + 3);
  const auto slash = path.find('/');
  path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  out += "/" + std::string(account) + std::string(path);
  std::map<std::string, std::vector<std::string>> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    const auto eq = kv.find('=');
    std::string name = lowered(percent_decode(kv.substr(0, eq)));
    std::string value = eq == std::string_view::npos ? std::string() : percent_decode(kv.substr(eq + 1));
    params[name].push_back(std::move(value));
  }
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    out += "\n" + name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  }
  return out;
}

std::string shared_key_authorization(const http::Request& request, std::string_view account, std::string_view key) {
  const auto mac = crypto::hmac_sha256(key, string_to_sign(request, account));
  return "SharedKey " + std::string(account) + ":" +
         crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

namespace {

// Held by every signer of a store; the key is wiped when the last one goes.
struct SignerState {
  Credentials c;
  ~SignerState() { crypto::cleanse(c.key); }
};

}  // namespace

http::Signer make_signer(Credentials credentials) {
  auto st = std::make_shared<SignerState>();
  st->c = std::move(credentials);
  return [st](http::Request& r) -> Status {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    r.headers.emplace_back("x-ms-date", http_date(now));
    const Credentials& c = st->c;
    switch (c.kind) {
      case AuthKind::kAnonymous: break;
      case AuthKind::kBearer: r.headers.emplace_back("Authorization", "Bearer " + c.bearer); break;
      case AuthKind::kSas: r.url += (r.url.find('?') == std::string::npos ? "?" : "&") + c.sas; break;
      case AuthKind::kSharedKey: r.headers.emplace_back("Authorization", shared_key_authorization(r, c.account, c.key)); break;
    }
    return ok_status();
  };
}

std::string block_id(int part_number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%06d", part_number);
  return crypto::base64_encode(digits);
}

Result<ListPage> parse_list_page(std::string_view body) {
  SLUICE_ASSIGN_OR_RETURN(xml::Element doc, xml::parse(body));
  if (doc.name != "EnumerationResults")
    return Error(ErrorCode::kParseError, "List Blobs: the response is <" + doc.name.substr(0, 64) + ">, not <EnumerationResults>");
  ListPage page;
  if (const xml::Element* blobs = doc.child("Blobs")) {
    for (const auto& e : blobs->children) {
      if (e.name != "Blob" && e.name != "BlobPrefix") continue;
      ObjectInfo o;
      o.key = std::string(e.child_text("Name"));
      if (o.key.empty()) return Error(ErrorCode::kParseError, "List Blobs: an entry without a <Name>");
      if (e.name == "BlobPrefix") {
        o.is_prefix = true;
      } else if (const xml::Element* p = e.child("Properties")) {
        const std::string len(trim(p->child_text("Content-Length")));
        if (!len.empty()) {
          char* end = nullptr;
          o.size = std::strtoull(len.c_str(), &end, 10);
          if (end != len.c_str() + len.size() || len.front() == '-')
            return Error(ErrorCode::kParseError, "List Blobs: Content-Length '" + len.substr(0, 32) + "' of '" + o.key + "' is not a size");
        }
        o.mtime_ms = s3::parse_http_date_ms(p->child_text("Last-Modified"));
        o.etag = std::string(p->child_text("Etag"));
      }
      page.entries.push_back(std::move(o));
    }
  }
  page.next_marker = std::string(doc.child_text("NextMarker"));
  return page;
}

}  // namespace sluice::io::azure
