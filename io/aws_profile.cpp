// The shared profile files and credential_process.
//
// credential_process runs without a shell. The AWS CLI (botocore) splits the command with Python's
// shlex and starts the program directly; the Rust and Java SDKs hand the line to `sh -c`. We follow
// the CLI: a value in a config file then cannot smuggle in `;`, `|`, `$(...)` or redirections, and the
// quoting rules the CLI documents (double quotes around paths and arguments with blanks) still hold.
// A user who wants a pipeline writes `credential_process = sh -c "..."`, which says so out loud.
#include "aws_profile.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aws_support.hpp"
#include "crypto.hpp"

extern char** environ;

namespace sluice::io::aws::detail {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Sections parse_ini(std::string_view text) {
  Sections out;
  Section* current = nullptr;
  bool in_sub_settings = false;  // after "key =" with an empty value, indented lines belong to it
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      in_sub_settings = false;
      const std::size_t close = line.find(']');
      if (close == std::string_view::npos) {
        current = nullptr;
        continue;
      }
      // "[profile  dev]" and "[ default ]": inner blanks collapsed around the name.
      std::string_view name = trim(line.substr(1, close - 1));
      std::string key;
      if (name.starts_with("profile ") || name.starts_with("profile\t")) {
        key = "profile " + std::string(trim(name.substr(8)));
      } else {
        key = std::string(name);
      }
      current = &out[key];
      continue;
    }
    if (!current) continue;
    if (indented && in_sub_settings) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key.empty()) continue;
    in_sub_settings = value.empty();
    (*current)[std::string(key)] = std::string(value);
  }
  return out;
}

std::string profile_name(const S3Config& config, bool* named) {
  std::string name = config.profile;
  if (name.empty()) name = cred::env("AWS_PROFILE");
  if (named) *named = !name.empty();
  return name.empty() ? "default" : name;
}

std::optional<std::string_view> Profile::get(std::string_view key) const {
  auto it = values.find(key);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second);
}

Result<Profile> load_profile(std::string_view name) {
  Profile p;
  p.name = std::string(name);
  p.config_path = cred::env("AWS_CONFIG_FILE");
  if (p.config_path.empty()) p.config_path = "~/.aws/config";
  p.config_path = cred::expand_home(p.config_path);
  p.credentials_path = cred::env("AWS_SHARED_CREDENTIALS_FILE");
  if (p.credentials_path.empty()) p.credentials_path = "~/.aws/credentials";
  p.credentials_path = cred::expand_home(p.credentials_path);

  auto read = [](const std::string& path, std::string_view what) -> Result<Sections> {
    auto text = cred::read_small_file(path, what, std::size_t{4} << 20);
    if (!text.ok()) {
      if (text.error().code() == ErrorCode::kNotFound) return Sections{};
      return std::move(text).error();
    }
    return parse_ini(*text);
  };
  SLUICE_ASSIGN_OR_RETURN(Sections config, read(p.config_path, "AWS config file"));
  SLUICE_ASSIGN_OR_RETURN(Sections creds, read(p.credentials_path, "AWS shared credentials file"));

  auto merge = [&](const Sections& from, const std::string& section) {
    auto it = from.find(section);
    if (it == from.end()) return;
    p.found = true;
    for (const auto& [k, v] : it->second) p.values[k] = v;
  };
  // "[default]" is the config file's spelling of the default profile; "[profile default]" also works.
  if (name == "default") merge(config, "default");
  merge(config, "profile " + p.name);
  merge(creds, p.name);
  return p;
}

Result<std::vector<std::string>> split_command(std::string_view s) {
  std::vector<std::string> args;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) args.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      const std::size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos)
        return Error(ErrorCode::kInvalidArgument, "credential_process: a single quote is not closed");
      word.append(s.substr(i + 1, end - i - 1));
      in_word = true;
      i = end;
    } else if (c == '"') {
      in_word = true;
      for (++i;; ++i) {
        if (i >= s.size()) return Error(ErrorCode::kInvalidArgument, "credential_process: a double quote is not closed");
        if (s[i] == '"') break;
        if (s[i] == '\\' && i + 1 < s.size() &&
            (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$' || s[i + 1] == '`')) {
          ++i;
        }
        word += s[i];
      }
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return Error(ErrorCode::kInvalidArgument, "credential_process: a backslash ends the line");
      word += s[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) args.push_back(std::move(word));
  if (args.empty()) return Error(ErrorCode::kInvalidArgument, "credential_process is empty");
  return args;
}

namespace {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::size_t max_out,
                                  std::chrono::milliseconds timeout) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "no program to run");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Error(ErrorCode::kIoError, std::string("pipe: ") + std::strerror(errno));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Error(ErrorCode::kIoError, std::string("pipe: ") + std::strerror(errno));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Error(ErrorCode::kIoError, "cannot run '" + argv[0] + "': " + std::strerror(rc));
  out_w.reset();
  err_w.reset();

  ProcessResult result;
  std::string err;
  std::optional<Error> failure;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = Error(ErrorCode::kIoError, "'" + argv[0] + "' did not finish within " +
                                               std::to_string(timeout.count() / 1000) + " s");
      break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    const int ready = ::poll(fds, n, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) {
      failure = Error(ErrorCode::kIoError, std::string("poll: ") + std::strerror(errno));
      break;
    }
    for (nfds_t k = 0; k < n; ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      const bool is_out = fds[k].fd == out_r.fd;
      if (got <= 0) {
        (is_out ? out_r : err_r).reset();
        continue;
      }
      if (is_out) {
        result.out.append(buf, static_cast<std::size_t>(got));
      } else if (err.size() < 64 * 1024) {
        err.append(buf, static_cast<std::size_t>(got));
      }
    }
    if (result.out.size() > max_out) {
      failure = Error(ErrorCode::kLimitExceeded,
                      "'" + argv[0] + "' wrote more than " + std::to_string(max_out) + " bytes to stdout");
      break;
    }
  }
  if (failure) ::kill(pid, SIGKILL);
  out_r.reset();
  err_r.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure) {
    crypto::cleanse(result.out);
    return std::move(*failure);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  std::string_view rest = err;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty()) {
      result.err_first = std::string(line.substr(0, 500));
      break;
    }
  }
  return result;
}

Result<Credentials> parse_process_credentials(std::string_view json) {
  SLUICE_ASSIGN_OR_RETURN(cred::JsonFields f, cred::parse_json_object(json, "credential_process output"));
  const auto version = f.integer("Version");
  if (!version) return Error(ErrorCode::kParseError, "credential_process output has no \"Version\"");
  if (*version != 1)
    return Error(ErrorCode::kParseError,
                 "credential_process output has \"Version\": " + std::to_string(*version) + "; only 1 is supported");
  Credentials c;
  const auto id = f.str("AccessKeyId"), secret = f.str("SecretAccessKey");
  if (!id || id->empty() || !secret || secret->empty())
    return Error(ErrorCode::kParseError, "credential_process output lacks \"AccessKeyId\" or \"SecretAccessKey\"");
  c.access_key_id = std::string(*id);
  c.secret_access_key = std::string(*secret);
  if (auto token = f.str("SessionToken")) c.session_token = std::string(*token);
  if (auto exp = f.str("Expiration")) {
    c.expiration = cred::parse_rfc3339(*exp);
    if (!c.expiration)
      return Error(ErrorCode::kParseError, "credential_process output: \"Expiration\" is not an RFC 3339 time");
  }
  return c;
}

Result<Credentials> credential_process(const std::string& command) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> argv, split_command(command));
  // A generous bound: the JSON is a few kilobytes with a long session token.
  SLUICE_ASSIGN_OR_RETURN(ProcessResult r, run_process(argv, std::size_t{1} << 20, std::chrono::minutes(2)));
  if (r.exit_code != 0) {
    crypto::cleanse(r.out);
    std::string msg = "credential_process '" + argv[0] + "' failed with exit status " + std::to_string(r.exit_code);
    if (!r.err_first.empty()) msg += ": " + r.err_first;
    return Error(ErrorCode::kIoError, std::move(msg));
  }
  auto c = parse_process_credentials(r.out);
  crypto::cleanse(r.out);
  if (!c.ok()) return Error(c.error().code(), "'" + argv[0] + "': " + c.error().message());
  return c;
}

}  // namespace sluice::io::aws::detail
