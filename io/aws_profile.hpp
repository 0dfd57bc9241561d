// AWS's shared profile files (~/.aws/config, ~/.aws/credentials) and credential_process. Private to
// sluice_io; tests include it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/error.hpp"
#include "sluice/io/sigv4.hpp"
#include "sluice/io/store.hpp"

namespace sluice::io::aws::detail {

using Section = std::map<std::string, std::string, std::less<>>;
using Sections = std::map<std::string, Section, std::less<>>;

// INI as AWS's tools read it: "[name]" sections, "key = value" lines, '#' and ';' comment lines.
// Indented lines under a key with an empty value ("s3 =\n  max_concurrent_requests = 10") are that
// key's sub-settings and are skipped. Lines before the first section are ignored.
Sections parse_ini(std::string_view text);

// config.profile, else AWS_PROFILE, else "default"; `named` tells whether someone asked for it.
std::string profile_name(const S3Config& config, bool* named = nullptr);

struct Profile {
  std::string name;
  bool found = false;
  Section values;  // the config file's section, overridden key by key by the credentials file's
  std::string config_path, credentials_path;
  std::optional<std::string_view> get(std::string_view key) const;
};

// AWS_CONFIG_FILE or ~/.aws/config ("[profile NAME]", or "[default]") merged with
// AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials ("[NAME]"). Missing files are no error.
Result<Profile> load_profile(std::string_view name);

// A credential_process command line split into arguments as the AWS CLI does it (POSIX shell word
// rules: blanks separate, '...' is literal, "..." keeps blanks and honours \" \\ \$ \`, a backslash
// outside quotes escapes the next byte). No shell runs it: $VAR, ;, | and > are plain characters.
Result<std::vector<std::string>> split_command(std::string_view command);

struct ProcessResult {
  int exit_code = 0;       // or 128 + signal
  std::string out;         // stdout
  std::string err_first;   // the first non-empty line of stderr
};

// Runs argv[0] (searched in PATH) with argv, the environment inherited, stdout and stderr captured.
// stdout past max_out bytes or a run longer than timeout kills the process (kLimitExceeded, kIoError).
Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::size_t max_out,
                                  std::chrono::milliseconds timeout);

// credential_process's JSON: {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
// "Expiration" (RFC 3339)}; the last two optional. Errors never quote the document.
Result<Credentials> parse_process_credentials(std::string_view json);

// Runs `command` and reads its credentials. A non-zero exit is kIoError with the first line of its
// stderr (AWS asks these tools to keep secrets off stderr).
Result<Credentials> credential_process(const std::string& command);

}  // namespace sluice::io::aws::detail
