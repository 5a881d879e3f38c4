// The wdhost_host table handed to one plugin: its log, the reply callbacks, and the services.
#pragma once

#include <string>
#include <wdhost/plugin.h>

namespace wdh {

class ProcessSupervisor;
class TempDirs;

// The host resources plugins reach through services; not owned, outlive every plugin.
struct HostServices {
  ProcessSupervisor* processes = nullptr; // wdhost.process/1 (absent when null)
  TempDirs* tempDirs = nullptr;           // wdhost.tempdir/1 (absent when null)
};

// One plugin's host table; must outlive the plugin's deinit().
class HostTable {
public:
  // `pluginName` tags the plugin's log lines; `agreedMinor` is the handshake result.
  HostTable(std::string pluginName, HostServices services, uint32_t agreedMinor);
  HostTable(const HostTable&) = delete;
  HostTable& operator=(const HostTable&) = delete;

  // The C table to pass to init().
  const wdhost_host* table() const noexcept { return &table_; }
  // The services behind the table.
  const HostServices& services() const noexcept { return services_; }
  // The log component, "plugin:<name>".
  const std::string& logComponent() const noexcept { return component_; }
  // The plugin's name.
  const std::string& pluginName() const noexcept { return pluginName_; }

  // The HostTable behind a table pointer a plugin handed back.
  static const HostTable* from(const wdhost_host* host) noexcept;

private:
  wdhost_host table_{};
  std::string component_;
  std::string pluginName_;
  HostServices services_;
};

// The service table for `id`, or nullptr (used by get_service).
const void* findService(const HostTable& table, const char* id) noexcept;

} // namespace wdh
