// A stub wdhost_host for tests of the SDK's C++ layer: the reply callbacks, a process service
// whose processes are records the test scripts, temp dirs that are names, and an HTTP service
// (http/1 and, unless turned off, http/2) answered by a function the test sets. No process,
// file or socket is touched. Thread-safe where the SDK's own threads reach it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>
#include <wdhost/plugin.h>

namespace wdhtest {

// One HTTP call a plugin made through the stub.
struct StubHttpCall {
  std::string method, url, body;
  std::vector<std::pair<std::string, std::string>> headers;
  uint32_t timeoutMs = 0;
  const wdhost_call_context* context = nullptr;
  bool http2 = false;
};

// What the stub answers: a status and body, or (status 0) no answer, with `error` as the why.
struct StubHttpAnswer {
  uint32_t status = 0;
  std::string body;
  std::string error = "no answer";
};

// A scripted process.
struct StubProcess {
  std::vector<std::string> argv;
  std::string owner;
  std::string output;  // what it printed
  bool running = true; // false: exited with exitCode
  int exitCode = 0;
  bool terminated = false;
};

class StubHost {
public:
  StubHost() {
    table_.struct_size = sizeof(wdhost_host);
    table_.abi_minor = WDHOST_ABI_MINOR;
    table_.host_data = this;
    table_.name = "stub";
    table_.version = "0.0.0";
    table_.log = &logLine;
    table_.reply_json = &replyJson;
    table_.reply_error = &replyError;
    table_.get_service = &getService;
    table_.reply_error_data = &replyErrorData;
  }
  StubHost(const StubHost&) = delete;
  StubHost& operator=(const StubHost&) = delete;

  // The table to hand to the SDK.
  const wdhost_host* table() const noexcept { return &table_; }

  // ---- What the test scripts ----
  std::function<StubHttpAnswer(const StubHttpCall&)> http; // answers every HTTP call
  bool offerHttp2 = true;                                  // else only wdhost.http/1
  std::string nextOutput;                                  // what the next spawned process prints
  bool refuseSpawn = false;                                // spawn() answers ERROR
  // Called inside terminate() (e.g. to block it); may be empty.
  std::function<void(uint64_t)> onTerminate;

  // ---- What happened ----
  std::mutex mutex;
  std::map<uint64_t, StubProcess> processes;
  std::vector<StubHttpCall> calls;
  std::map<std::string, std::string> dirOwners; // temp dir -> owner
  std::vector<std::string> logs;
  int waitExits = 0; // wait_exit() calls

  // Marks process `id` as exited with `code`.
  void exit(uint64_t id, int code) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      processes[id].running = false;
      processes[id].exitCode = code;
    }
    exited_.notify_all();
  }
  // The process records, copied.
  std::map<uint64_t, StubProcess> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return processes;
  }

  // A reply handle the SDK's trampolines can write to; read it after the call.
  struct Reply {
    std::string kind, json, error, message, data;
  };
  static wdhost_reply* handle(Reply* reply) { return reinterpret_cast<wdhost_reply*>(reply); }

private:
  static StubHost& of(const wdhost_host* host) { return *static_cast<StubHost*>(host->host_data); }
  static std::string text(wdhost_str s) {
    return s.data == nullptr ? std::string() : std::string(s.data, s.size);
  }
  static void put(wdhost_sink sink, const std::string& value) {
    if (sink.write != nullptr && !value.empty())
      sink.write(sink.ctx, value.data(), value.size());
  }

  static void WDHOST_CALL logLine(const wdhost_host* host, wdhost_log_level, wdhost_str message) {
    std::lock_guard<std::mutex> lock(of(host).mutex);
    of(host).logs.push_back(text(message));
  }
  static void WDHOST_CALL replyJson(wdhost_reply* reply, wdhost_str json) {
    auto* out = reinterpret_cast<Reply*>(reply);
    out->kind = "json";
    out->json = text(json);
  }
  static void WDHOST_CALL replyError(wdhost_reply* reply, wdhost_str error, wdhost_str message) {
    auto* out = reinterpret_cast<Reply*>(reply);
    out->kind = "error";
    out->error = text(error);
    out->message = text(message);
  }
  static void WDHOST_CALL replyErrorData(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                                         wdhost_str data) {
    replyError(reply, error, message);
    reinterpret_cast<Reply*>(reply)->data = text(data);
  }

  // ---- wdhost.process/1 ----
  static wdhost_status WDHOST_CALL spawn(const wdhost_host* host,
                                         const wdhost_spawn_request* request, uint64_t* out,
                                         wdhost_sink error) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    if (self.refuseSpawn) {
      put(error, "refused by the stub");
      return WDHOST_ERROR;
    }
    StubProcess process;
    for (std::size_t i = 0; request->argv[i] != nullptr; ++i)
      process.argv.emplace_back(request->argv[i]);
    process.owner = text(request->owner);
    process.output = self.nextOutput;
    *out = ++self.nextId_;
    self.processes[*out] = process;
    return WDHOST_OK;
  }
  static wdhost_status WDHOST_CALL waitOutput(const wdhost_host* host, uint64_t id,
                                              wdhost_str needle, uint32_t, wdhost_sink output) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    StubProcess& process = self.processes[id];
    put(output, process.output);
    if (process.output.find(text(needle)) != std::string::npos)
      return WDHOST_OK;
    return process.running ? WDHOST_TIMEOUT : WDHOST_ERROR;
  }
  static wdhost_status WDHOST_CALL poll(const wdhost_host* host, uint64_t id,
                                        wdhost_process_state* state, int32_t* detail) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    auto found = self.processes.find(id);
    if (found == self.processes.end())
      return WDHOST_ERROR;
    *state = found->second.running ? WDHOST_PROCESS_RUNNING : WDHOST_PROCESS_EXITED;
    *detail = found->second.exitCode;
    return WDHOST_OK;
  }
  static void WDHOST_CALL terminate(const wdhost_host* host, uint64_t id, uint32_t) {
    StubHost& self = of(host);
    if (self.onTerminate)
      self.onTerminate(id);
    std::lock_guard<std::mutex> lock(self.mutex);
    self.processes[id].terminated = true;
    self.processes[id].running = false;
    self.exited_.notify_all();
  }
  static wdhost_status WDHOST_CALL setOwner(const wdhost_host* host, uint64_t id,
                                            wdhost_str owner) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    self.processes[id].owner = text(owner);
    return WDHOST_OK;
  }
  static wdhost_status WDHOST_CALL waitExit(const wdhost_host* host, uint64_t id,
                                            uint32_t timeoutMs, wdhost_process_state* state,
                                            int32_t* detail) {
    StubHost& self = of(host);
    std::unique_lock<std::mutex> lock(self.mutex);
    ++self.waitExits;
    StubProcess& process = self.processes[id];
    self.exited_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                          [&process] { return !process.running; });
    if (process.running)
      return WDHOST_TIMEOUT;
    if (state != nullptr)
      *state = WDHOST_PROCESS_EXITED;
    if (detail != nullptr)
      *detail = process.exitCode;
    return WDHOST_OK;
  }

  // ---- wdhost.tempdir/1 ----
  static wdhost_status WDHOST_CALL createDir(const wdhost_host* host, wdhost_str owner,
                                             wdhost_str hint, wdhost_sink path) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    std::string name = "/stub/" + text(hint) + "-" + std::to_string(++self.nextId_);
    self.dirOwners[name] = text(owner);
    put(path, name);
    return WDHOST_OK;
  }
  static wdhost_status WDHOST_CALL removeDir(const wdhost_host* host, wdhost_str path) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    return self.dirOwners.erase(text(path)) == 1 ? WDHOST_OK : WDHOST_ERROR;
  }
  static wdhost_status WDHOST_CALL setDirOwner(const wdhost_host* host, wdhost_str path,
                                               wdhost_str owner) {
    StubHost& self = of(host);
    std::lock_guard<std::mutex> lock(self.mutex);
    auto found = self.dirOwners.find(text(path));
    if (found == self.dirOwners.end())
      return WDHOST_ERROR;
    found->second = text(owner);
    return WDHOST_OK;
  }

  // ---- wdhost.http/1 and /2 ----
  StubHttpAnswer answer(StubHttpCall call) {
    std::function<StubHttpAnswer(const StubHttpCall&)> handler;
    {
      std::lock_guard<std::mutex> lock(mutex);
      calls.push_back(call);
      handler = http;
    }
    return handler ? handler(call) : StubHttpAnswer{};
  }
  static wdhost_status WDHOST_CALL http1(const wdhost_host* host, wdhost_str method, wdhost_str url,
                                         wdhost_str body, uint32_t timeoutMs, uint32_t* status,
                                         wdhost_sink response) {
    StubHttpCall call{text(method), text(url), text(body), {}, timeoutMs, nullptr, false};
    StubHttpAnswer answer = of(host).answer(call);
    if (answer.status == 0) {
      put(response, answer.error);
      return WDHOST_ERROR;
    }
    *status = answer.status;
    put(response, answer.body);
    return WDHOST_OK;
  }
  static wdhost_status WDHOST_CALL http2(const wdhost_host* host,
                                         const wdhost_http_request* request,
                                         wdhost_http_response* response) {
    StubHttpCall call{text(request->method),
                      text(request->url),
                      text(request->body),
                      {},
                      request->timeout_ms,
                      request->context,
                      true};
    for (uint32_t i = 0; i < request->header_count; ++i)
      call.headers.emplace_back(text(request->headers[i].name), text(request->headers[i].value));
    StubHttpAnswer answer = of(host).answer(call);
    if (answer.status == 0) {
      put(response->error, answer.error);
      return WDHOST_TIMEOUT;
    }
    response->status = answer.status;
    put(response->body, answer.body);
    return WDHOST_OK;
  }

  static const void* WDHOST_CALL getService(const wdhost_host* host, const char* id) {
    static const wdhost_process_service process = {sizeof(wdhost_process_service),
                                                   &spawn,
                                                   &waitOutput,
                                                   &poll,
                                                   &terminate,
                                                   &setOwner,
                                                   &waitExit};
    static const wdhost_tempdir_service dirs = {sizeof(wdhost_tempdir_service), &createDir,
                                                &removeDir, &setDirOwner};
    static const wdhost_http_service httpOne = {sizeof(wdhost_http_service), &http1};
    static const wdhost_http2_service httpTwo = {sizeof(wdhost_http2_service), &http2};
    if (std::strcmp(id, WDHOST_SERVICE_PROCESS) == 0)
      return &process;
    if (std::strcmp(id, WDHOST_SERVICE_TEMPDIR) == 0)
      return &dirs;
    if (std::strcmp(id, WDHOST_SERVICE_HTTP) == 0)
      return &httpOne;
    if (std::strcmp(id, WDHOST_SERVICE_HTTP2) == 0 && of(host).offerHttp2)
      return &httpTwo;
    return nullptr;
  }

  wdhost_host table_{};
  uint64_t nextId_ = 0;
  std::condition_variable exited_;
};

} // namespace wdhtest
