// Header-only C++ wrappers over the host services (processes, temp dirs, HTTP). Failures
// throw wdhost::Error, which the plugin trampolines turn into W3C errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <wdhost/plugin.hpp>

namespace wdhost {

// How a watched process ended, or that it still runs.
struct ProcessState {
  wdhost_process_state state = WDHOST_PROCESS_RUNNING; // RUNNING, EXITED or SIGNALED
  int32_t detail = 0;                                  // exit code or signal number

  // True while the process runs.
  bool running() const noexcept { return state == WDHOST_PROCESS_RUNNING; }
  // "exit code 1", "signal 9" or "running".
  std::string describe() const {
    if (state == WDHOST_PROCESS_EXITED)
      return "exit code " + std::to_string(detail);
    if (state == WDHOST_PROCESS_SIGNALED)
      return "signal " + std::to_string(detail);
    return "running";
  }
};

// A process started through the host's process service; terminated when destroyed.
class ChildProcess {
public:
  // Starts argv (argv[0] absolute) with extra environment entries, owned by session `owner`.
  ChildProcess(const Host& host, const std::vector<std::string>& argv,
               const std::vector<std::string>& env, std::string_view owner)
      : host_(host), service_(host.service<wdhost_process_service>(
                         WDHOST_SERVICE_PROCESS, offsetof(wdhost_process_service, set_owner))) {
    if (service_ == nullptr)
      throw Error("session not created", "the host offers no process service");
    std::vector<const char*> args = pointers(argv);
    std::vector<const char*> vars = pointers(env);
    wdhost_spawn_request request{sizeof(wdhost_spawn_request), args.data(), vars.data(),
                                 str(owner)};
    StringSink error;
    if (service_->spawn(host_.raw(), &request, &handle_, error.sink()) != WDHOST_OK)
      throw Error("session not created", "cannot start " + argv.at(0) + ": " + error.text());
    running_ = true;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { terminate(0); }

  // Waits for `needle` in the output; returns {status, output so far} (see wait_output).
  std::pair<wdhost_status, std::string> waitOutput(std::string_view needle,
                                                   uint32_t timeoutMs) const {
    StringSink output;
    wdhost_status status =
        service_->wait_output(host_.raw(), handle_, str(needle), timeoutMs, output.sink());
    return {status, output.text()};
  }

  // The current state, without blocking.
  ProcessState state() const noexcept {
    ProcessState result;
    if (service_->poll(host_.raw(), handle_, &result.state, &result.detail) != WDHOST_OK)
      result.state = WDHOST_PROCESS_SIGNALED;
    return result;
  }

  // Hands the process to session `owner` ("" = none), so that the host ends it with that
  // session; false when the host cannot (a 1.0 host) or the process is unknown.
  bool adopt(std::string_view owner) noexcept {
    if (!hasField(service_, offsetof(wdhost_process_service, set_owner),
                  sizeof(service_->set_owner)) ||
        service_->set_owner == nullptr)
      return false;
    return service_->set_owner(host_.raw(), handle_, str(owner)) == WDHOST_OK;
  }

  // Ends the process tree (SIGTERM, SIGKILL after graceMs); idempotent.
  void terminate(uint32_t graceMs) noexcept {
    if (!running_)
      return;
    running_ = false;
    service_->terminate(host_.raw(), handle_, graceMs);
  }

private:
  static std::vector<const char*> pointers(const std::vector<std::string>& items) {
    std::vector<const char*> result;
    result.reserve(items.size() + 1);
    for (const std::string& item : items)
      result.push_back(item.c_str());
    result.push_back(nullptr);
    return result;
  }

  Host host_;
  const wdhost_process_service* service_;
  uint64_t handle_ = 0;
  bool running_ = false;
};

// A private temporary directory from the host; removed when destroyed (and by the host
// when its owner session ends, should the plugin forget).
class TempDir {
public:
  // Creates a directory for session `owner`, with `hint` in its name.
  TempDir(const Host& host, std::string_view owner, std::string_view hint)
      : host_(host), service_(host.service<wdhost_tempdir_service>(WDHOST_SERVICE_TEMPDIR)) {
    if (service_ == nullptr)
      throw Error("session not created", "the host offers no temp dir service");
    StringSink path;
    if (service_->create(host_.raw(), str(owner), str(hint), path.sink()) != WDHOST_OK)
      throw Error("session not created", "cannot create a temp dir: " + path.text());
    path_ = path.text();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { service_->remove(host_.raw(), str(path_)); }

  // Absolute path of the directory.
  const std::string& path() const noexcept { return path_; }

private:
  Host host_;
  const wdhost_tempdir_service* service_;
  std::string path_;
};

// The answer to an HTTP request made through the host.
struct HttpResponse {
  uint32_t status = 0; // HTTP status code
  std::string body;    // response body
};

// Sends one HTTP request through the host; throws Error(errorCode, why) when no answer came.
inline HttpResponse httpRequest(const Host& host, std::string_view method, std::string_view url,
                                std::string_view body, uint32_t timeoutMs,
                                const char* errorCode = "unknown error") {
  auto service = host.service<wdhost_http_service>(WDHOST_SERVICE_HTTP);
  if (service == nullptr)
    throw Error(errorCode, "the host offers no HTTP service");
  HttpResponse response;
  StringSink sink;
  if (service->request(host.raw(), str(method), str(url), str(body), timeoutMs, &response.status,
                       sink.sink()) != WDHOST_OK)
    throw Error(errorCode, std::string(method) + " " + std::string(url) + ": " + sink.text());
  response.body = sink.text();
  return response;
}

} // namespace wdhost
