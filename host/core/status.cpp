#include "core/status.h"

#include <array>

namespace wdh {
namespace {

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  int http;
};

// WebDriver §6.6: error code, JSON error string, HTTP status.
constexpr std::array<ErrorInfo, 29> kErrors = {{
    {ErrorCode::Ok, "", 200},
    {ErrorCode::ElementClickIntercepted, "element click intercepted", 400},
    {ErrorCode::ElementNotInteractable, "element not interactable", 400},
    {ErrorCode::InsecureCertificate, "insecure certificate", 400},
    {ErrorCode::InvalidArgument, "invalid argument", 400},
    {ErrorCode::InvalidCookieDomain, "invalid cookie domain", 400},
    {ErrorCode::InvalidElementState, "invalid element state", 400},
    {ErrorCode::InvalidSelector, "invalid selector", 400},
    {ErrorCode::InvalidSessionId, "invalid session id", 404},
    {ErrorCode::JavascriptError, "javascript error", 500},
    {ErrorCode::MoveTargetOutOfBounds, "move target out of bounds", 500},
    {ErrorCode::NoSuchAlert, "no such alert", 404},
    {ErrorCode::NoSuchCookie, "no such cookie", 404},
    {ErrorCode::NoSuchElement, "no such element", 404},
    {ErrorCode::NoSuchFrame, "no such frame", 404},
    {ErrorCode::NoSuchWindow, "no such window", 404},
    {ErrorCode::NoSuchShadowRoot, "no such shadow root", 404},
    {ErrorCode::ScriptTimeout, "script timeout", 500},
    {ErrorCode::SessionNotCreated, "session not created", 500},
    {ErrorCode::StaleElementReference, "stale element reference", 404},
    {ErrorCode::DetachedShadowRoot, "detached shadow root", 404},
    {ErrorCode::Timeout, "timeout", 500},
    {ErrorCode::UnableToSetCookie, "unable to set cookie", 500},
    {ErrorCode::UnableToCaptureScreen, "unable to capture screen", 500},
    {ErrorCode::UnexpectedAlertOpen, "unexpected alert open", 500},
    {ErrorCode::UnknownCommand, "unknown command", 404},
    {ErrorCode::UnknownError, "unknown error", 500},
    {ErrorCode::UnknownMethod, "unknown method", 405},
    {ErrorCode::UnsupportedOperation, "unsupported operation", 500},
}};

} // namespace

std::string_view errorName(ErrorCode code) noexcept {
  for (const ErrorInfo& info : kErrors)
    if (info.code == code)
      return info.name;
  return "unknown error";
}

ErrorCode errorFromName(std::string_view name) noexcept {
  if (name.empty())
    return ErrorCode::UnknownError;
  for (const ErrorInfo& info : kErrors)
    if (info.name == name)
      return info.code;
  return ErrorCode::UnknownError;
}

int httpStatusFor(ErrorCode code) noexcept {
  for (const ErrorInfo& info : kErrors)
    if (info.code == code)
      return info.http;
  return 500;
}

Status Status::withContext(std::string_view context) const {
  if (isOk())
    return *this;
  return Status(code_, std::string(context) + ": " + message_, data_);
}

} // namespace wdh
