// The host side the checker hands a plugin: the real host services (processes under
// wdhost-guard, private temp dirs, HTTP), with the process service watched and steerable.
#pragma once

#include "plugin/host_table.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <wdhost/plugin.h>

namespace check {

// What spawn() does when a plugin calls it.
enum class SpawnMode : int {
  Real,      // starts what the plugin asked for
  Refuse,    // answers ERROR without starting anything
  ExitAtOnce // starts a shell that exits at once instead of the plugin's program
};

// Counters of the watched process service; shared by every table of this process.
struct SpawnCounters {
  std::atomic<int> spawned{0};    // successful spawn() calls
  std::atomic<int> terminated{0}; // terminate() calls
  std::atomic<int> mode{static_cast<int>(SpawnMode::Real)};
};

// The counters (one checker process checks one plugin).
SpawnCounters& spawnCounters();

// The real services of one host instance, owned by the checker.
class WatchedHost {
public:
  // Starts the process supervisor (with `guardPath`) and a private temp-dir root.
  static std::unique_ptr<WatchedHost> create(const std::string& guardPath, std::string* error);
  ~WatchedHost();
  WatchedHost(const WatchedHost&) = delete;
  WatchedHost& operator=(const WatchedHost&) = delete;

  // The services to build host tables from.
  wdh::HostServices services() noexcept { return {processes_.get(), tempDirs_.get()}; }
  // Processes tracked by the supervisor (running, or ended and not yet released).
  std::size_t trackedProcesses() const { return processes_->size(); }
  // Entries of the temp-dir instance directory other than its lock file.
  std::size_t tempDirsLeft() const;

private:
  WatchedHost() = default;
  std::string root_;
  std::unique_ptr<wdh::ProcessSupervisor> processes_;
  std::unique_ptr<wdh::TempDirs> tempDirs_;
};

// A plugin's host table whose get_service hands out the watched process service.
class WatchedTable {
public:
  // `extraBytes` > 0 simulates a newer host whose table grew (zeroed slots at the end).
  WatchedTable(const std::string& pluginName, wdh::HostServices services, uint32_t agreedMinor,
               std::size_t extraBytes = 0);
  // The table to pass to init().
  const wdhost_host* table() const noexcept { return &grown_.base; }

private:
  struct Grown {
    wdhost_host base;
    unsigned char future[64];
  };
  wdh::HostTable real_;
  Grown grown_{};
};

} // namespace check
