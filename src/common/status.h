// Status and Result<T>: errors as values, used across every Cairn layer.
//
// A Status is either OK or an error code with a human-readable message. A
// Result<T> holds either a T or a non-OK Status. Neither throws; callers test
// ok() and propagate with CAIRN_RETURN_IF_ERROR / CAIRN_ASSIGN_OR_RETURN.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cairn {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   // the caller passed something malformed
  kNotFound,          // a named thing does not exist
  kAlreadyExists,     // a thing to be created exists already
  kCorruption,        // stored data is inconsistent or hostile
  kNotSupported,      // valid, but a feature Cairn does not implement
  kIOError,           // the operating system reported a failure
  kOutOfRange,        // an offset or size beyond a limit
  kCancelled,         // the operation was cancelled on request
  kPermissionDenied,  // the caller may not do this
  kConflict,          // the state does not allow this now (lock held, busy)
  kUnavailable,       // a dependency cannot be reached; retry may help
  kInternal,          // a bug: an invariant did not hold
};

// Returns the stable lower-case name of a code, e.g. "corruption".
std::string_view ErrorCodeName(ErrorCode code);
// The code whose ErrorCodeName is `name`; kInternal for an unknown name.
ErrorCode ErrorCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  // The default Status is OK.
  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {ErrorCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {ErrorCode::kAlreadyExists, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {ErrorCode::kCorruption, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {ErrorCode::kNotSupported, std::move(msg)}; }
  static Status IOError(std::string msg) { return {ErrorCode::kIOError, std::move(msg)}; }
  static Status OutOfRange(std::string msg) { return {ErrorCode::kOutOfRange, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {ErrorCode::kCancelled, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {ErrorCode::kPermissionDenied, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {ErrorCode::kConflict, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }
  // An IOError from an errno value: "<context>: <strerror(err)>".
  static Status FromErrno(int err, std::string_view context);

  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK", or "<code name>: <message>".
  std::string ToString() const;
  // The same error with "<context>: " put before the message; OK stays OK.
  Status WithContext(std::string_view context) const;

  bool IsNotFound() const { return code_ == ErrorCode::kNotFound; }
  bool IsCorruption() const { return code_ == ErrorCode::kCorruption; }
  bool IsNotSupported() const { return code_ == ErrorCode::kNotSupported; }
  bool IsCancelled() const { return code_ == ErrorCode::kCancelled; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result must not be built from an OK Status");
    if (status_.ok()) status_ = Status::Internal("Result built from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  // OK when a value is held, otherwise the error.
  const Status& status() const { return status_; }

  // The held value; must only be called when ok().
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cairn

#define CAIRN_STATUS_CONCAT_INNER(a, b) a##b
#define CAIRN_STATUS_CONCAT(a, b) CAIRN_STATUS_CONCAT_INNER(a, b)

// Evaluates an expression yielding a Status and returns it from the enclosing
// function when it is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::cairn::Status cairn_status_tmp_ = (expr);      \
    if (!cairn_status_tmp_.ok()) return cairn_status_tmp_; \
  } while (0)

// `CAIRN_ASSIGN_OR_RETURN(auto x, ResultExpr());` declares/assigns x from the
// Result's value, or returns the Result's Status from the enclosing function.
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL(CAIRN_STATUS_CONCAT(cairn_result_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
