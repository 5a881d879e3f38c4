// The service tables behind wdhost_host.get_service: processes, temp dirs and HTTP.
#include "core/log.h"
#include "plugin/host_table.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"
#include "relay/http_call.h"

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace wdh {
namespace {

std::string_view view(wdhost_str s) noexcept {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

void write(wdhost_sink sink, std::string_view text) noexcept {
  if (sink.write != nullptr && !text.empty())
    sink.write(sink.ctx, text.data(), text.size());
}

ProcessSupervisor* processesOf(const wdhost_host* host) noexcept {
  const HostTable* table = HostTable::from(host);
  return table == nullptr ? nullptr : table->services().processes;
}

TempDirs* tempDirsOf(const wdhost_host* host) noexcept {
  const HostTable* table = HostTable::from(host);
  return table == nullptr ? nullptr : table->services().tempDirs;
}

std::vector<std::string> copyList(const char* const* items) {
  std::vector<std::string> out;
  for (std::size_t i = 0; items != nullptr && items[i] != nullptr && i < 4096; ++i)
    out.emplace_back(items[i]);
  return out;
}

// ---- wdhost.process/1 ----

wdhost_status WDHOST_CALL spawnProcess(const wdhost_host* host, const wdhost_spawn_request* request,
                                       uint64_t* outProcess, wdhost_sink error) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    if (processes == nullptr || request == nullptr || outProcess == nullptr) {
      write(error, "spawn needs a host, a request and an output handle");
      return WDHOST_ERROR;
    }
    if (request->struct_size < offsetof(wdhost_spawn_request, owner) + sizeof(request->owner)) {
      write(error, "the spawn request is smaller than ABI v1 requires");
      return WDHOST_ERROR;
    }
    std::vector<std::string> argv = copyList(request->argv);
    std::vector<std::string> env = copyList(request->env);
    ProcessSupervisor::Id id = 0;
    Status status = processes->spawn(argv, env, std::string(view(request->owner)), &id);
    if (!status.isOk()) {
      write(error, status.message());
      return WDHOST_ERROR;
    }
    *outProcess = id;
    return WDHOST_OK;
  } catch (const std::exception& e) {
    write(error, e.what());
    return WDHOST_ERROR;
  }
}

wdhost_status WDHOST_CALL waitOutput(const wdhost_host* host, uint64_t process, wdhost_str needle,
                                     uint32_t timeoutMs, wdhost_sink output) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    if (processes == nullptr)
      return WDHOST_ERROR;
    std::string text;
    auto result =
        processes->waitOutput(process, view(needle), std::chrono::milliseconds(timeoutMs), &text);
    write(output, text);
    switch (result) {
    case ProcessSupervisor::WaitResult::Found:
      return WDHOST_OK;
    case ProcessSupervisor::WaitResult::Timeout:
      return WDHOST_TIMEOUT;
    case ProcessSupervisor::WaitResult::Ended:
    case ProcessSupervisor::WaitResult::Unknown:
      break;
    }
    return WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

wdhost_status WDHOST_CALL pollProcess(const wdhost_host* host, uint64_t process,
                                      wdhost_process_state* outState, int32_t* outDetail) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    ProcessState state;
    if (processes == nullptr || !processes->poll(process, &state))
      return WDHOST_ERROR;
    if (outState != nullptr) {
      *outState = state.kind == ProcessState::Running  ? WDHOST_PROCESS_RUNNING
                  : state.kind == ProcessState::Exited ? WDHOST_PROCESS_EXITED
                                                       : WDHOST_PROCESS_SIGNALED;
    }
    if (outDetail != nullptr)
      *outDetail = state.detail;
    return WDHOST_OK;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

void WDHOST_CALL terminateProcess(const wdhost_host* host, uint64_t process, uint32_t graceMs) {
  try {
    if (ProcessSupervisor* processes = processesOf(host))
      processes->terminate(process, std::chrono::milliseconds(graceMs));
  } catch (...) {
    log(LogLevel::Error, "process", "terminate failed unexpectedly");
  }
}

wdhost_status WDHOST_CALL setProcessOwner(const wdhost_host* host, uint64_t process,
                                          wdhost_str owner) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    if (processes == nullptr)
      return WDHOST_ERROR;
    return processes->setOwner(process, std::string(view(owner))) ? WDHOST_OK : WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

const wdhost_process_service kProcessService = {sizeof(wdhost_process_service),
                                                &spawnProcess,
                                                &waitOutput,
                                                &pollProcess,
                                                &terminateProcess,
                                                &setProcessOwner};

// ---- wdhost.tempdir/1 ----

wdhost_status WDHOST_CALL createTempDir(const wdhost_host* host, wdhost_str owner, wdhost_str hint,
                                        wdhost_sink path) {
  try {
    TempDirs* dirs = tempDirsOf(host);
    if (dirs == nullptr)
      return WDHOST_ERROR;
    std::string created;
    Status status = dirs->create(std::string(view(owner)), view(hint), &created);
    write(path, status.isOk() ? created : status.message());
    return status.isOk() ? WDHOST_OK : WDHOST_ERROR;
  } catch (const std::exception& e) {
    write(path, e.what());
    return WDHOST_ERROR;
  }
}

wdhost_status WDHOST_CALL removeTempDir(const wdhost_host* host, wdhost_str path) {
  try {
    TempDirs* dirs = tempDirsOf(host);
    if (dirs == nullptr)
      return WDHOST_ERROR;
    return dirs->remove(view(path)).isOk() ? WDHOST_OK : WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

const wdhost_tempdir_service kTempDirService = {sizeof(wdhost_tempdir_service), &createTempDir,
                                                &removeTempDir};

// ---- wdhost.http/1 ----

wdhost_status WDHOST_CALL httpRequest(const wdhost_host*, wdhost_str method, wdhost_str url,
                                      wdhost_str body, uint32_t timeoutMs, uint32_t* outStatus,
                                      wdhost_sink response) {
  try {
    HttpCallResult result;
    Status status = httpCall(view(method), view(url), view(body),
                             std::chrono::milliseconds(timeoutMs), &result);
    if (!status.isOk()) {
      write(response, status.message());
      return WDHOST_ERROR;
    }
    if (outStatus != nullptr)
      *outStatus = static_cast<uint32_t>(result.status);
    write(response, result.body);
    return WDHOST_OK;
  } catch (const std::exception& e) {
    write(response, e.what());
    return WDHOST_ERROR;
  }
}

const wdhost_http_service kHttpService = {sizeof(wdhost_http_service), &httpRequest};

} // namespace

const void* findService(const HostTable& table, const char* id) noexcept {
  if (std::strcmp(id, WDHOST_SERVICE_PROCESS) == 0)
    return table.services().processes != nullptr ? &kProcessService : nullptr;
  if (std::strcmp(id, WDHOST_SERVICE_TEMPDIR) == 0)
    return table.services().tempDirs != nullptr ? &kTempDirService : nullptr;
  if (std::strcmp(id, WDHOST_SERVICE_HTTP) == 0)
    return &kHttpService;
  return nullptr;
}

} // namespace wdh
