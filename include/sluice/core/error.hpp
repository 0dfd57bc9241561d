// The one error type of sluice, and Result<T>: every public function reports failure by value.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

enum class ErrorCode : std::uint8_t {
  kInvalidArgument,  // the caller asked for something malformed (bad option, bad usage)
  kIoError,          // the operating system or a store failed
  kParseError,       // the input bytes are not valid for their format
  kTypeError,        // a value does not fit its declared type
  kLimitExceeded,    // an untrusted size passed a configured limit
  kNotFound,
  kAlreadyExists,
  kNotImplemented,
  kInternal,
  kCancelled,
};

std::string_view to_string(ErrorCode code) noexcept;

// Where an error happened. Fields left at -1 / empty are unknown. Lines and columns are 1-based,
// rows 0-based data rows, byte offsets 0-based from the start of the input.
struct ErrorContext {
  ErrorContext() = default;
  ErrorContext(std::string p) : path(std::move(p)) {}  // NOLINT: implicit, "the error is in this file"

  std::string path;
  std::int64_t line = -1;
  std::int64_t row = -1;
  std::int64_t column = -1;
  std::string column_name;
  std::int64_t byte_offset = -1;
};

class Error {
 public:
  Error(ErrorCode code, std::string message, ErrorContext context = {})
      : code_(code), message_(std::move(message)), context_(std::move(context)) {}

  ErrorCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  const ErrorContext& context() const noexcept { return context_; }
  ErrorContext& context() noexcept { return context_; }

  // Fills in the path if nothing more specific was set (a codec knows the line, its caller the file).
  Error&& with_path(std::string_view path) && {
    if (context_.path.empty()) context_.path = std::string(path);
    return std::move(*this);
  }
  Error& with_path(std::string_view path) & {
    if (context_.path.empty()) context_.path = std::string(path);
    return *this;
  }

  // "path:line:column: message (column 'name', row R, byte offset B)"
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  ErrorContext context_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  T value_or(T fallback) && { return ok() ? std::move(*this).value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return Status(); }

inline std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kIoError: return "I/O error";
    case ErrorCode::kParseError: return "parse error";
    case ErrorCode::kTypeError: return "type error";
    case ErrorCode::kLimitExceeded: return "limit exceeded";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kNotImplemented: return "not implemented";
    case ErrorCode::kInternal: return "internal error";
    case ErrorCode::kCancelled: return "cancelled";
  }
  return "error";
}

inline std::string Error::to_string() const {
  std::string out;
  if (!context_.path.empty()) {
    out += context_.path;
    if (context_.line >= 0) {
      out += ':' + std::to_string(context_.line);
      if (context_.column >= 0) out += ':' + std::to_string(context_.column);
    }
    out += ": ";
  } else if (context_.line >= 0) {
    out += "line " + std::to_string(context_.line);
    if (context_.column >= 0) out += ", column " + std::to_string(context_.column);
    out += ": ";
  }
  out += message_;
  std::string extra;
  auto add = [&](const std::string& s) { extra += extra.empty() ? s : ", " + s; };
  if (!context_.column_name.empty()) add("column '" + context_.column_name + "'");
  if (context_.row >= 0) add("row " + std::to_string(context_.row));
  if (context_.byte_offset >= 0) add("byte offset " + std::to_string(context_.byte_offset));
  if (!extra.empty()) out += " (" + extra + ")";
  return out;
}

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns the error of a Status or Result expression from the enclosing function.
#define SLUICE_TRY(expr)                                        \
  do {                                                          \
    auto&& sluice_try_r_ = (expr);                              \
    if (!sluice_try_r_.ok()) return std::move(sluice_try_r_).error(); \
  } while (0)

#define SLUICE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()

// SLUICE_ASSIGN_OR_RETURN(auto x, f()) declares x from f()'s value, or returns f()'s error.
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(sluice_r_, __LINE__), lhs, expr)
