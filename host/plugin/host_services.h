// The service tables behind wdhost_host.get_service (one file each) and what they share:
// borrowed strings, plugin sinks, and the host resources behind a plugin's host table.
#pragma once

#include "plugin/host_table.h"

#include <string_view>
#include <wdhost/plugin.h>

namespace wdh {

// A wdhost_str as a view; empty for a null pointer.
inline std::string_view view(wdhost_str s) noexcept {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// Writes `text` to a plugin's sink, if it has a write function and the text is not empty.
inline void write(wdhost_sink sink, std::string_view text) noexcept {
  if (sink.write != nullptr && !text.empty())
    sink.write(sink.ctx, text.data(), text.size());
}

// The services behind a plugin's host table, or null when the table is not the host's.
inline const HostServices* servicesOf(const wdhost_host* host) noexcept {
  const HostTable* table = HostTable::from(host);
  return table == nullptr ? nullptr : &table->services();
}

// The plugin name behind a host table, for log lines ("" when unknown).
inline std::string_view pluginNameOf(const wdhost_host* host) noexcept {
  const HostTable* table = HostTable::from(host);
  return table == nullptr ? std::string_view() : std::string_view(table->pluginName());
}

// "wdhost.process/1" (service_process.cpp).
const wdhost_process_service& processService() noexcept;
// "wdhost.tempdir/1" (service_tempdir.cpp).
const wdhost_tempdir_service& tempDirService() noexcept;
// "wdhost.http/1" (service_http.cpp).
const wdhost_http_service& httpService() noexcept;
// "wdhost.http/2" (service_http.cpp).
const wdhost_http2_service& http2Service() noexcept;

} // namespace wdh
