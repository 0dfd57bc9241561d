#include "aws_support.hpp"

#include "sluice/core/temporal.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <simdjson.h>

namespace sluice::io::cred {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool env_true(const char* name) {
  std::string v = env(name);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "true" || v == "1" || v == "yes";
}

std::string home_dir() {
  std::string home = env("HOME");
  if (!home.empty()) return home;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found && found->pw_dir) return found->pw_dir;
  return "";
}

std::string expand_home(std::string_view path) {
  if (path == "~" || path.starts_with("~/")) return home_dir() + std::string(path.substr(1));
  return std::string(path);
}

Result<std::string> read_small_file(const std::string& path, std::string_view what, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, std::string(what) + " cannot be opened", ErrorContext(path));
  std::string out;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes)
      return Error(ErrorCode::kLimitExceeded,
                   std::string(what) + " is larger than " + std::to_string(max_bytes) + " bytes", ErrorContext(path));
  }
  if (in.bad()) return Error(ErrorCode::kIoError, std::string(what) + " cannot be read", ErrorContext(path));
  return out;
}

std::string form_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Clock::time_point> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // The clock counts nanoseconds in 64 bits (1677 to 2262): a year outside that is no expiry a
  // credential endpoint can mean, and would overflow it.
  if (y < 1970 || y > 2200) return std::nullopt;
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int scale = 100;
    const std::size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) ms += (s[i] - '0') * scale;
    if (i == start) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om))
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t secs =
      temporal::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(secs * 1000 + ms)));
}

std::shared_ptr<http::Client> metadata_client() {
  static const std::shared_ptr<http::Client> client = [] {
    http::ClientOptions o;
    o.connect_timeout = std::chrono::milliseconds(1000);
    o.idle_timeout = std::chrono::milliseconds(1000);
    o.request_timeout = std::chrono::milliseconds(1000);
    o.retry.max_attempts = 2;
    o.retry.base_delay = std::chrono::milliseconds(50);
    o.retry.max_delay = std::chrono::milliseconds(200);
    o.max_connections = 4;
    return http::Client::create(o);
  }();
  return client;
}

std::shared_ptr<http::Client> container_client() {
  static const std::shared_ptr<http::Client> client = [] {
    http::ClientOptions o;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.idle_timeout = std::chrono::milliseconds(5000);
    o.request_timeout = std::chrono::milliseconds(5000);
    o.retry.max_attempts = 2;
    o.retry.base_delay = std::chrono::milliseconds(100);
    o.retry.max_delay = std::chrono::milliseconds(500);
    o.max_connections = 2;
    return http::Client::create(o);
  }();
  return client;
}

std::optional<std::string_view> JsonFields::str(std::string_view key) const {
  for (const auto& [k, v] : strings)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::int64_t> JsonFields::integer(std::string_view key) const {
  for (const auto& [k, v] : integers)
    if (k == key) return v;
  return std::nullopt;
}

Result<JsonFields> parse_json_object(std::string_view document, std::string_view what) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(document);
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || root.get_object().get(object) != simdjson::SUCCESS)
    return Error(ErrorCode::kParseError, std::string(what) + " is not a JSON object");
  JsonFields out;
  for (auto field : object) {
    std::string_view s;
    std::int64_t i;
    if (field.value.get_string().get(s) == simdjson::SUCCESS) {
      out.strings.emplace_back(std::string(field.key), std::string(s));
    } else if (field.value.get_int64().get(i) == simdjson::SUCCESS) {
      out.integers.emplace_back(std::string(field.key), i);
    }
  }
  return out;
}

}  // namespace sluice::io::cred
