// Errors as values: one Status type carrying a W3C error code, and its one mapping to HTTP.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace wdh {

// The W3C WebDriver error codes (WebDriver §6.6 "Errors"), plus Ok.
enum class ErrorCode {
  Ok,
  ElementClickIntercepted,
  ElementNotInteractable,
  InsecureCertificate,
  InvalidArgument,
  InvalidCookieDomain,
  InvalidElementState,
  InvalidSelector,
  InvalidSessionId,
  JavascriptError,
  MoveTargetOutOfBounds,
  NoSuchAlert,
  NoSuchCookie,
  NoSuchElement,
  NoSuchFrame,
  NoSuchWindow,
  NoSuchShadowRoot,
  ScriptTimeout,
  SessionNotCreated,
  StaleElementReference,
  DetachedShadowRoot,
  Timeout,
  UnableToSetCookie,
  UnableToCaptureScreen,
  UnexpectedAlertOpen,
  UnknownCommand,
  UnknownError,
  UnknownMethod,
  UnsupportedOperation,
};

// The W3C string for a code ("invalid argument"); "" for Ok.
std::string_view errorName(ErrorCode code) noexcept;

// The code for a W3C string; UnknownError for anything unrecognised.
ErrorCode errorFromName(std::string_view name) noexcept;

// The HTTP status the W3C spec assigns to a code (200 for Ok).
int httpStatusFor(ErrorCode code) noexcept;

// Result of an operation: Ok, or a W3C error code with a message that says what to fix.
class Status {
public:
  // Success.
  Status() = default;
  // An error (or Ok with an empty message).
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // An error with the W3C "data" member: `dataJson` is a JSON object ("" = none).
  Status(ErrorCode code, std::string message, std::string dataJson)
      : code_(code), message_(std::move(message)), data_(std::move(dataJson)) {}

  // Success, spelled out.
  static Status ok() { return Status(); }

  // True when this is success.
  bool isOk() const noexcept { return code_ == ErrorCode::Ok; }
  // The error code (Ok on success).
  ErrorCode code() const noexcept { return code_; }
  // The human message.
  const std::string& message() const noexcept { return message_; }
  // The error's "data" object as JSON text, or "" when it has none.
  const std::string& data() const noexcept { return data_; }
  // The W3C error string.
  std::string_view name() const noexcept { return errorName(code_); }
  // HTTP status for this result.
  int httpStatus() const noexcept { return httpStatusFor(code_); }

  // The same error with `context` put before the message ("context: message").
  Status withContext(std::string_view context) const;

private:
  ErrorCode code_ = ErrorCode::Ok;
  std::string message_;
  std::string data_;
};

} // namespace wdh
