// The service "wdhost.process/1": processes under wdhost-guard, owned and watched by the host.
#include "core/log.h"
#include "plugin/host_services.h"
#include "process/process_supervisor.h"

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace wdh {
namespace {

ProcessSupervisor* processesOf(const wdhost_host* host) noexcept {
  const HostServices* services = servicesOf(host);
  return services == nullptr ? nullptr : services->processes;
}

// True when the request (of `size` bytes) holds the field at `offset` of `bytes` bytes.
bool holds(const wdhost_spawn_request& request, std::size_t offset, std::size_t bytes) noexcept {
  return offset + bytes <= request.struct_size;
}

// Copies a NULL-terminated list of C strings (NULL = empty); InvalidArgument, naming `what`,
// when it has more than WDHOST_SPAWN_MAX_ITEMS entries or one longer than
// WDHOST_SPAWN_MAX_ITEM_BYTES: a request is refused whole, never cut.
Status copyList(const char* const* items, const char* what, std::vector<std::string>* out) {
  out->clear();
  for (std::size_t i = 0; items != nullptr && items[i] != nullptr; ++i) {
    if (i == WDHOST_SPAWN_MAX_ITEMS)
      return Status(ErrorCode::InvalidArgument, std::string(what) + " has more than " +
                                                    std::to_string(WDHOST_SPAWN_MAX_ITEMS) +
                                                    " entries");
    std::size_t length = ::strnlen(items[i], WDHOST_SPAWN_MAX_ITEM_BYTES + 1);
    if (length > WDHOST_SPAWN_MAX_ITEM_BYTES)
      return Status(ErrorCode::InvalidArgument,
                    std::string(what) + "[" + std::to_string(i) + "] is longer than " +
                        std::to_string(WDHOST_SPAWN_MAX_ITEM_BYTES) + " bytes");
    out->emplace_back(items[i], length);
  }
  return Status::ok();
}

// The options of a request's 1.3 fields (defaults when its struct ends before them).
Status spawnOptions(const wdhost_spawn_request& request, SpawnOptions* out) {
  if (holds(request, offsetof(wdhost_spawn_request, cwd), sizeof(request.cwd)) &&
      request.cwd != nullptr) {
    std::size_t length = ::strnlen(request.cwd, WDHOST_SPAWN_MAX_ITEM_BYTES + 1);
    if (length > WDHOST_SPAWN_MAX_ITEM_BYTES)
      return Status(ErrorCode::InvalidArgument,
                    "cwd is longer than " + std::to_string(WDHOST_SPAWN_MAX_ITEM_BYTES) + " bytes");
    out->cwd.assign(request.cwd, length);
  }
  if (holds(request, offsetof(wdhost_spawn_request, env_mode), sizeof(request.env_mode))) {
    if (request.env_mode == WDHOST_ENV_NONE)
      out->inheritEnv = false;
    else if (request.env_mode != WDHOST_ENV_INHERIT_ALLOWED)
      return Status(ErrorCode::InvalidArgument,
                    "env_mode " + std::to_string(request.env_mode) +
                        " is neither WDHOST_ENV_INHERIT_ALLOWED nor WDHOST_ENV_NONE");
  }
  return Status::ok();
}

wdhost_status WDHOST_CALL spawnProcess(const wdhost_host* host, const wdhost_spawn_request* request,
                                       uint64_t* outProcess, wdhost_sink error) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    if (processes == nullptr || request == nullptr || outProcess == nullptr) {
      write(error, "spawn needs a host, a request and an output handle");
      return WDHOST_ERROR;
    }
    if (!holds(*request, offsetof(wdhost_spawn_request, owner), sizeof(request->owner))) {
      write(error, "the spawn request is smaller than ABI v1 requires");
      return WDHOST_ERROR;
    }
    std::vector<std::string> argv;
    std::vector<std::string> env;
    SpawnOptions options;
    Status status = copyList(request->argv, "argv", &argv);
    if (status.isOk())
      status = copyList(request->env, "env", &env);
    if (status.isOk())
      status = spawnOptions(*request, &options);
    ProcessSupervisor::Id id = 0;
    if (status.isOk())
      status = processes->spawn(argv, env, std::string(view(request->owner)), options, &id);
    if (!status.isOk()) {
      log(LogLevel::Debug, "process",
          std::string(pluginNameOf(host)) + ": spawn refused: " + status.message(),
          LogFields{{}, std::string(pluginNameOf(host))});
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

void toAbi(const ProcessState& state, wdhost_process_state* outState, int32_t* outDetail) {
  if (outState != nullptr)
    *outState = state.kind == ProcessState::Running  ? WDHOST_PROCESS_RUNNING
                : state.kind == ProcessState::Exited ? WDHOST_PROCESS_EXITED
                                                     : WDHOST_PROCESS_SIGNALED;
  if (outDetail != nullptr)
    *outDetail = state.detail;
}

wdhost_status WDHOST_CALL pollProcess(const wdhost_host* host, uint64_t process,
                                      wdhost_process_state* outState, int32_t* outDetail) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    ProcessState state;
    if (processes == nullptr || !processes->poll(process, &state))
      return WDHOST_ERROR;
    toAbi(state, outState, outDetail);
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

wdhost_status WDHOST_CALL waitExit(const wdhost_host* host, uint64_t process, uint32_t timeoutMs,
                                   wdhost_process_state* outState, int32_t* outDetail) {
  try {
    ProcessSupervisor* processes = processesOf(host);
    if (processes == nullptr)
      return WDHOST_ERROR;
    ProcessState state;
    switch (processes->waitExit(process, std::chrono::milliseconds(timeoutMs), &state)) {
    case ProcessSupervisor::WaitResult::Ended:
      toAbi(state, outState, outDetail);
      return WDHOST_OK;
    case ProcessSupervisor::WaitResult::Timeout:
      return WDHOST_TIMEOUT;
    case ProcessSupervisor::WaitResult::Found:
    case ProcessSupervisor::WaitResult::Unknown:
      break;
    }
    return WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

const wdhost_process_service kProcessService = {sizeof(wdhost_process_service),
                                                &spawnProcess,
                                                &waitOutput,
                                                &pollProcess,
                                                &terminateProcess,
                                                &setProcessOwner,
                                                &waitExit};

} // namespace

const wdhost_process_service& processService() noexcept {
  return kProcessService;
}

} // namespace wdh
