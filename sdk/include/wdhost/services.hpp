// Header-only C++ wrappers over the host services (processes, temp dirs, HTTP). Failures
// throw wdhost::Error, which the plugin trampolines turn into W3C errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <time.h>
#include <utility>
#include <vector>
#include <wdhost/deadline.hpp>
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

// How to start a process beyond its argv, environment and owner (ABI 1.3 spawn fields).
struct SpawnOptions {
  std::string cwd;        // working directory (absolute); "" = the host's
  bool inheritEnv = true; // the host's allowlisted environment under `env`; false: `env` only
};

// A process started through the host's process service; terminated when destroyed.
class ChildProcess {
public:
  // Starts argv (argv[0] absolute) with extra environment entries, owned by session `owner`.
  // Non-default `options` need a 1.3 host (Error "session not created" on an older one, which
  // would silently ignore them).
  ChildProcess(const Host& host, const std::vector<std::string>& argv,
               const std::vector<std::string>& env, std::string_view owner,
               const SpawnOptions& options = SpawnOptions())
      : host_(host), service_(host.service<wdhost_process_service>(
                         WDHOST_SERVICE_PROCESS, offsetof(wdhost_process_service, set_owner))) {
    if (service_ == nullptr)
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "the host offers no process service");
    const bool defaults = options.cwd.empty() && options.inheritEnv;
    if (!defaults && !hasWaitExit())
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
                  "starting " + argv.at(0) +
                      " in a directory or without the host's environment "
                      "needs an ABI 1.3 host");
    std::vector<const char*> args = pointers(argv);
    std::vector<const char*> vars = pointers(env);
    wdhost_spawn_request request{};
    request.struct_size = sizeof(wdhost_spawn_request);
    request.argv = args.data();
    request.env = vars.data();
    request.owner = str(owner);
    request.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
    request.env_mode = options.inheritEnv ? WDHOST_ENV_INHERIT_ALLOWED : WDHOST_ENV_NONE;
    StringSink error;
    if (service_->spawn(host_.raw(), &request, &handle_, error.sink()) != WDHOST_OK)
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED,
                  "cannot start " + argv.at(0) + ": " + error.text());
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

  // Waits at most timeoutMs for the process to end: its final state, or nullopt while it
  // runs. Uses the host's wait_exit (1.3); polls on an older host.
  std::optional<ProcessState> waitExit(uint32_t timeoutMs) const {
    if (hasWaitExit()) {
      ProcessState ended;
      wdhost_status status =
          service_->wait_exit(host_.raw(), handle_, timeoutMs, &ended.state, &ended.detail);
      if (status == WDHOST_TIMEOUT)
        return std::nullopt;
      if (status != WDHOST_OK)
        ended.state = WDHOST_PROCESS_SIGNALED; // unknown to the host: gone
      return ended;
    }
    Deadline until = Deadline::in(timeoutMs);
    for (;;) {
      ProcessState now = state();
      if (!now.running())
        return now;
      if (until.passed())
        return std::nullopt;
      struct timespec pause = {0, 20 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
  }

  // Everything the process printed so far (the host keeps the last 64 KiB).
  std::string output() const { return waitOutput("", 0).second; }

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
  bool hasWaitExit() const noexcept {
    return hasField(service_, offsetof(wdhost_process_service, wait_exit),
                    sizeof(service_->wait_exit)) &&
           service_->wait_exit != nullptr;
  }

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
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "the host offers no temp dir service");
    StringSink path;
    if (service_->create(host_.raw(), str(owner), str(hint), path.sink()) != WDHOST_OK)
      throw Error(WDHOST_W3C_SESSION_NOT_CREATED, "cannot create a temp dir: " + path.text());
    path_ = path.text();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { service_->remove(host_.raw(), str(path_)); }

  // Absolute path of the directory.
  const std::string& path() const noexcept { return path_; }

  // Hands the directory to session `owner` ("" = none), so that the host removes it with that
  // session; false when the host cannot (before 1.3) or does not know the directory.
  bool adopt(std::string_view owner) noexcept {
    if (!hasField(service_, offsetof(wdhost_tempdir_service, set_owner),
                  sizeof(service_->set_owner)) ||
        service_->set_owner == nullptr)
      return false;
    return service_->set_owner(host_.raw(), str(path_), str(owner)) == WDHOST_OK;
  }

private:
  Host host_;
  const wdhost_tempdir_service* service_;
  std::string path_;
};

// The answer to an HTTP request made through the host.
struct HttpResponse {
  uint32_t status = 0;                                      // HTTP status code
  std::string body;                                         // response body
  std::vector<std::pair<std::string, std::string>> headers; // in order (wdhost.http/2 only)
};

// Sends one HTTP request through the host (wdhost.http/1, one deadline of timeoutMs for the
// whole exchange); throws Error(errorCode, why) when no answer came.
inline HttpResponse httpRequest(const Host& host, std::string_view method, std::string_view url,
                                std::string_view body, uint32_t timeoutMs,
                                const char* errorCode = WDHOST_W3C_UNKNOWN_ERROR) {
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

namespace detail {

// True when `a` and `b` are equal but for the case of ASCII letters.
inline bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y)
      return false;
  }
  return true;
}

} // namespace detail

// One request for httpSend().
struct HttpRequest {
  std::string method = "GET";
  std::string url;                                          // http:// only
  std::vector<std::pair<std::string, std::string>> headers; // sent as given
  std::string body;                                         // "" = none
  uint32_t timeoutMs = 30000;    // the whole exchange, cut further by `deadline`
  uint64_t maxResponseBytes = 0; // 0 = the host's default cap (64 MiB)
  Deadline deadline;             // the plugin call's: ends the exchange early, and on cancel
};

// Sends `request` through wdhost.http/2 (a 1.3 host): its headers, one deadline for the whole
// exchange (timeoutMs and the call's deadline, whichever is first), a cap on the body. On an
// older host, through wdhost.http/1, which sends a body as JSON and no header (a header other
// than a JSON Content-Type is then an Error).
// Throws Error(errorCode, why) when no whole answer came, Error(errorCode, ...) naming the
// deadline when that ended it.
inline HttpResponse httpSend(const Host& host, const HttpRequest& request,
                             const char* errorCode = WDHOST_W3C_UNKNOWN_ERROR) {
  const std::string what = request.method + " " + request.url;
  const uint32_t timeoutMs = request.deadline.clamp(request.timeoutMs);
  if (request.deadline.expired())
    throw Error(errorCode, what + ": not sent, " + request.deadline.why());
  auto service = host.service<wdhost_http2_service>(WDHOST_SERVICE_HTTP2);
  if (service == nullptr) {
    // wdhost.http/1 sends a body as JSON, and no other header.
    for (const auto& [name, value] : request.headers) {
      bool json = detail::equalsIgnoringCase(name, "content-type") &&
                  value.rfind("application/json", 0) == 0;
      if (!json)
        throw Error(errorCode,
                    what + ": the header " + name + " needs wdhost.http/2 (an ABI 1.3 host)");
    }
    return httpRequest(host, request.method, request.url, request.body, timeoutMs, errorCode);
  }
  std::vector<wdhost_http_header> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers)
    headers.push_back(wdhost_http_header{str(name), str(value)});
  wdhost_http_request call{};
  call.struct_size = sizeof call;
  call.timeout_ms = timeoutMs;
  call.method = str(request.method);
  call.url = str(request.url);
  call.headers = headers.empty() ? nullptr : headers.data();
  call.header_count = static_cast<uint32_t>(headers.size());
  call.body = str(request.body);
  call.max_response_bytes = request.maxResponseBytes;
  call.context = request.deadline.context();
  StringSink head, body, error;
  wdhost_http_response answer{};
  answer.struct_size = sizeof answer;
  answer.headers = head.sink();
  answer.body = body.sink();
  answer.error = error.sink();
  wdhost_status status = service->request(host.raw(), &call, &answer);
  if (status != WDHOST_OK) {
    std::string why = error.text().empty() ? "no answer" : error.text();
    if (status == WDHOST_TIMEOUT && request.deadline.expired())
      why += " (" + request.deadline.why() + ")";
    throw Error(errorCode, what + ": " + why);
  }
  HttpResponse response;
  response.status = answer.status;
  response.body = body.text();
  std::string_view lines = head.text();
  while (!lines.empty()) {
    std::size_t end = lines.find("\r\n");
    std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return response;
}

} // namespace wdhost
