#include "watched_host.h"

#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <filesystem>
#include <vector>

namespace check {
namespace {

const wdhost_process_service* realProcessService(const wdhost_host* host) {
  const wdh::HostTable* table = wdh::HostTable::from(host);
  return table == nullptr ? nullptr
                          : static_cast<const wdhost_process_service*>(
                                wdh::findService(*table, WDHOST_SERVICE_PROCESS));
}

void writeSink(wdhost_sink sink, const char* text) {
  if (sink.write != nullptr)
    sink.write(sink.ctx, text, std::strlen(text));
}

wdhost_status WDHOST_CALL watchedSpawn(const wdhost_host* host, const wdhost_spawn_request* request,
                                       uint64_t* outProcess, wdhost_sink error) {
  const wdhost_process_service* real = realProcessService(host);
  if (real == nullptr || request == nullptr) {
    writeSink(error, "no process service");
    return WDHOST_ERROR;
  }
  auto mode = static_cast<SpawnMode>(spawnCounters().mode.load());
  if (mode == SpawnMode::Refuse) {
    writeSink(error, "wdhost-plugin-check refused this spawn on purpose");
    return WDHOST_ERROR;
  }
  // The plugin's request may be shorter than this header's (an older plugin): copy what it has.
  wdhost_spawn_request copy{};
  std::memcpy(&copy, request,
              request->struct_size < sizeof copy ? request->struct_size : sizeof copy);
  const char* const shell[] = {
      "/bin/sh", "-c", "echo 'wdhost-plugin-check: this process exits at once'; exit 3", nullptr};
  if (mode == SpawnMode::ExitAtOnce)
    copy.argv = shell;
  wdhost_status rc = real->spawn(host, &copy, outProcess, error);
  if (rc == WDHOST_OK)
    ++spawnCounters().spawned;
  return rc;
}

wdhost_status WDHOST_CALL watchedWait(const wdhost_host* host, uint64_t process, wdhost_str needle,
                                      uint32_t timeoutMs, wdhost_sink output) {
  const wdhost_process_service* real = realProcessService(host);
  return real == nullptr ? WDHOST_ERROR
                         : real->wait_output(host, process, needle, timeoutMs, output);
}

wdhost_status WDHOST_CALL watchedPoll(const wdhost_host* host, uint64_t process,
                                      wdhost_process_state* state, int32_t* detail) {
  const wdhost_process_service* real = realProcessService(host);
  return real == nullptr ? WDHOST_ERROR : real->poll(host, process, state, detail);
}

void WDHOST_CALL watchedTerminate(const wdhost_host* host, uint64_t process, uint32_t graceMs) {
  ++spawnCounters().terminated;
  if (const wdhost_process_service* real = realProcessService(host))
    real->terminate(host, process, graceMs);
}

wdhost_status WDHOST_CALL watchedSetOwner(const wdhost_host* host, uint64_t process,
                                          wdhost_str owner) {
  const wdhost_process_service* real = realProcessService(host);
  return real == nullptr ? WDHOST_ERROR : real->set_owner(host, process, owner);
}

wdhost_status WDHOST_CALL watchedWaitExit(const wdhost_host* host, uint64_t process,
                                          uint32_t timeoutMs, wdhost_process_state* state,
                                          int32_t* detail) {
  const wdhost_process_service* real = realProcessService(host);
  return real == nullptr ? WDHOST_ERROR : real->wait_exit(host, process, timeoutMs, state, detail);
}

const wdhost_process_service kWatched = {sizeof(wdhost_process_service),
                                         &watchedSpawn,
                                         &watchedWait,
                                         &watchedPoll,
                                         &watchedTerminate,
                                         &watchedSetOwner,
                                         &watchedWaitExit};

const void* WDHOST_CALL watchedGetService(const wdhost_host* host, const char* id) {
  const wdh::HostTable* table = wdh::HostTable::from(host);
  if (table == nullptr || id == nullptr)
    return nullptr;
  const void* real = wdh::findService(*table, id);
  if (real != nullptr && std::strcmp(id, WDHOST_SERVICE_PROCESS) == 0)
    return &kWatched;
  return real;
}

} // namespace

SpawnCounters& spawnCounters() {
  static SpawnCounters counters;
  return counters;
}

std::unique_ptr<WatchedHost> WatchedHost::create(const std::string& guardPath, std::string* error) {
  std::unique_ptr<WatchedHost> host(new WatchedHost());
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/wdhost-plugin-check-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    *error = "cannot create a temp dir under " + pattern;
    return nullptr;
  }
  host->root_ = buffer.data();
  wdh::Status status = wdh::TempDirs::open(host->root_, &host->tempDirs_, nullptr);
  if (!status.isOk()) {
    *error = "temp dirs: " + status.message();
    return nullptr;
  }
  host->processes_ = std::make_unique<wdh::ProcessSupervisor>(guardPath);
  return host;
}

WatchedHost::~WatchedHost() {
  processes_.reset();
  tempDirs_.reset();
  std::error_code ignored;
  if (!root_.empty())
    std::filesystem::remove_all(root_, ignored);
}

std::size_t WatchedHost::tempDirsLeft() const {
  std::size_t count = 0;
  if (DIR* d = opendir(tempDirs_->instanceDir().c_str())) {
    while (dirent* entry = readdir(d))
      if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0 &&
          std::strcmp(entry->d_name, ".lock") != 0)
        ++count;
    closedir(d);
  }
  return count;
}

WatchedTable::WatchedTable(const std::string& pluginName, wdh::HostServices services,
                           uint32_t agreedMinor, std::size_t extraBytes)
    : real_(pluginName, services, agreedMinor) {
  grown_.base = *real_.table();
  grown_.base.get_service = &watchedGetService;
  std::size_t extra = extraBytes < sizeof(grown_.future) ? extraBytes : sizeof(grown_.future);
  grown_.base.struct_size = static_cast<uint32_t>(sizeof(wdhost_host) + extra);
}

} // namespace check
