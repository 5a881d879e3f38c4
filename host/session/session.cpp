#include "session/session.h"

#include "core/log.h"

#include "json/json.h"

namespace wdh {

Session::Session(std::string id, std::shared_ptr<LoadedPlugin> plugin, wdhost_session* handle,
                 std::unique_ptr<Upstream> upstream)
    : id_(std::move(id)), plugin_(std::move(plugin)), handle_(handle),
      upstream_(std::move(upstream)),
      lastUsed_(std::chrono::steady_clock::now().time_since_epoch().count()) {}

Session::~Session() {
  Status status = close();
  if (!status.isOk())
    log(LogLevel::Warn, "session", id_ + ": " + status.message());
}

void Session::touch() noexcept {
  lastUsed_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::chrono::steady_clock::time_point Session::lastUsed() const noexcept {
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(lastUsed_));
}

Status Session::execute(std::string_view method, std::string_view suffix, std::string_view body,
                        std::chrono::milliseconds timeout, RelayResponse* out) {
  if (closed_.load())
    return Status(ErrorCode::InvalidSessionId, "session " + id_ + " was deleted");
  touch();
  if (upstream_)
    return upstream_->send(method, suffix, body, timeout, out);

  std::lock_guard<std::mutex> lock(pluginMutex_);
  if (closed_.load())
    return Status(ErrorCode::InvalidSessionId, "session " + id_ + " was deleted");
  std::string value;
  Status status = plugin_->command(handle_, method, suffix, body, &value);
  if (!status.isOk())
    return status;
  out->status = 200;
  out->contentType = "application/json; charset=utf-8";
  out->body.clear();
  out->body.reserve(value.size() + 10);
  out->body.append("{\"value\":").append(value.empty() ? "null" : value).append("}");
  return Status::ok();
}

Status Session::close() {
  std::lock_guard<std::mutex> lock(pluginMutex_);
  if (closed_.exchange(true))
    return Status::ok();
  Status status = plugin_->teardown(handle_);
  handle_ = nullptr;
  return status;
}

} // namespace wdh
