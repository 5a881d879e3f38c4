#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace wdh {
namespace {

std::atomic<int> gThreshold{static_cast<int>(LogLevel::Info)};
std::mutex gWriteMutex;

const char* levelName(LogLevel level) noexcept {
  switch (level) {
  case LogLevel::Trace:
    return "TRACE";
  case LogLevel::Debug:
    return "DEBUG";
  case LogLevel::Info:
    return "INFO";
  case LogLevel::Warn:
    return "WARN";
  case LogLevel::Error:
    return "ERROR";
  case LogLevel::Off:
    break;
  }
  return "OFF";
}

} // namespace

void setLogLevel(LogLevel level) noexcept {
  gThreshold.store(static_cast<int>(level));
}

LogLevel logLevel() noexcept {
  return static_cast<LogLevel>(gThreshold.load());
}

bool parseLogLevel(std::string_view name, LogLevel* out) noexcept {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"trace", LogLevel::Trace}, {"debug", LogLevel::Debug}, {"info", LogLevel::Info},
      {"warn", LogLevel::Warn},   {"error", LogLevel::Error}, {"off", LogLevel::Off}};
  for (const auto& [text, level] : kNames) {
    if (text == name) {
      *out = level;
      return true;
    }
  }
  return false;
}

bool logEnabled(LogLevel level) noexcept {
  return level != LogLevel::Off && static_cast<int>(level) >= gThreshold.load();
}

void log(LogLevel level, std::string_view component, std::string_view message) noexcept {
  if (!logEnabled(level))
    return;
  try {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string line;
    line.reserve(64 + component.size() + message.size());
    line.append(stamp).append(".");
    char ms[8];
    std::snprintf(ms, sizeof ms, "%03d", static_cast<int>(millis));
    line.append(ms).append("Z ").append(levelName(level)).append(" [");
    line.append(component).append("] ").append(message).append("\n");
    std::lock_guard<std::mutex> lock(gWriteMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Logging never throws; a line lost to memory exhaustion is acceptable.
  }
}

} // namespace wdh
