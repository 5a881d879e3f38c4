#include "plugin/host_table.h"

#include "core/log.h"
#include "core/version.h"
#include "plugin/plugin_reply.h"

#include <cstring>

namespace wdh {
namespace {

constexpr const char* kHostName = "wdhost";

void WDHOST_CALL logFromPlugin(const wdhost_host* host, wdhost_log_level level,
                               wdhost_str message) {
  const HostTable* table = HostTable::from(host);
  if (table == nullptr)
    return;
  LogLevel hostLevel = LogLevel::Info;
  if (level <= WDHOST_LOG_TRACE)
    hostLevel = LogLevel::Trace;
  else if (level == WDHOST_LOG_DEBUG)
    hostLevel = LogLevel::Debug;
  else if (level == WDHOST_LOG_WARN)
    hostLevel = LogLevel::Warn;
  else if (level >= WDHOST_LOG_ERROR)
    hostLevel = LogLevel::Error;
  std::string_view text =
      message.data == nullptr ? std::string_view() : std::string_view(message.data, message.size);
  log(hostLevel, table->logComponent(), text, LogFields{{}, table->pluginName()});
}

void WDHOST_CALL replyJsonCallback(wdhost_reply* reply, wdhost_str json) {
  replyJson(reply, json);
}

void WDHOST_CALL replyErrorCallback(wdhost_reply* reply, wdhost_str error, wdhost_str message) {
  replyError(reply, error, message);
}

void WDHOST_CALL replyErrorDataCallback(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                                        wdhost_str data) {
  replyErrorData(reply, error, message, data);
}

const void* WDHOST_CALL getService(const wdhost_host* host, const char* id) {
  const HostTable* table = HostTable::from(host);
  if (table == nullptr || id == nullptr)
    return nullptr;
  return findService(*table, id);
}

} // namespace

HostTable::HostTable(std::string pluginName, HostServices services, uint32_t agreedMinor)
    : component_("plugin:" + pluginName), pluginName_(std::move(pluginName)), services_(services) {
  table_.struct_size = sizeof(wdhost_host);
  table_.abi_minor = agreedMinor;
  table_.host_data = this;
  table_.name = kHostName;
  table_.version = kHostVersion;
  table_.log = &logFromPlugin;
  table_.reply_json = &replyJsonCallback;
  table_.reply_error = &replyErrorCallback;
  table_.get_service = &getService;
  table_.reply_error_data = &replyErrorDataCallback;
}

const HostTable* HostTable::from(const wdhost_host* host) noexcept {
  if (host == nullptr)
    return nullptr;
  return static_cast<const HostTable*>(host->host_data);
}

} // namespace wdh
