#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <shared_mutex>
#include <string>

namespace wdh {
namespace {

// Appends `text` with control characters written as escapes (\n, \r, \t, \xHH), so that text
// from clients, drivers or browsers cannot forge log lines or terminal sequences.
void appendEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out->push_back(c);
      continue;
    }
    out->push_back('\\');
    switch (c) {
    case '\n':
      out->push_back('n');
      break;
    case '\r':
      out->push_back('r');
      break;
    case '\t':
      out->push_back('t');
      break;
    default:
      out->push_back('x');
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 0x0F]);
    }
  }
}

std::atomic<int> gThreshold{static_cast<int>(LogLevel::Info)};
std::atomic<int> gFormat{static_cast<int>(LogFormat::Text)};
std::atomic<SessionLogTap*> gSessionTap{nullptr};
std::shared_mutex gSessionTapMutex; // held shared while the tap runs, exclusive to replace it
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

void setLogFormat(LogFormat format) noexcept {
  gFormat.store(static_cast<int>(format));
}

bool parseLogFormat(std::string_view name, LogFormat* out) noexcept {
  if (name == "text")
    *out = LogFormat::Text;
  else if (name == "json")
    *out = LogFormat::Json;
  else
    return false;
  return true;
}

void log(LogLevel level, std::string_view component, std::string_view message) noexcept {
  log(level, component, message, LogFields{});
}

void setSessionLogTap(SessionLogTap* tap) noexcept {
  std::unique_lock<std::shared_mutex> lock(gSessionTapMutex);
  gSessionTap.store(tap);
}

void log(LogLevel level, std::string_view component, std::string_view message,
         const LogFields& fields) noexcept {
  if (!fields.session.empty() && level >= LogLevel::Info && gSessionTap.load() != nullptr) {
    std::shared_lock<std::shared_mutex> lock(gSessionTapMutex);
    if (SessionLogTap* tap = gSessionTap.load())
      tap->sessionLine(fields.session, level, component, message);
  }
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
    char stamp[40];
    std::size_t used = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(stamp + used, sizeof stamp - used, ".%03dZ", static_cast<int>(millis));
    std::string line;
    if (static_cast<LogFormat>(gFormat.load()) == LogFormat::Json) {
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
      auto text = [&w](std::string_view value) {
        w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
      };
      w.StartObject();
      w.Key("time");
      text(stamp);
      w.Key("level");
      std::string name = levelName(level);
      for (char& c : name)
        c = static_cast<char>(c - 'A' + 'a');
      text(name);
      w.Key("component");
      text(component);
      if (!fields.session.empty()) {
        w.Key("session");
        text(fields.session);
      }
      if (!fields.plugin.empty()) {
        w.Key("plugin");
        text(fields.plugin);
      }
      w.Key("message");
      text(message);
      if (fields.durationMs >= 0) {
        w.Key("durationMs");
        w.Int64(fields.durationMs);
      }
      w.EndObject();
      line.assign(buffer.GetString(), buffer.GetSize()).append("\n");
    } else {
      line.reserve(64 + component.size() + message.size());
      line.append(stamp).append(" ").append(levelName(level)).append(" [");
      line.append(component).append("] ");
      appendEscaped(message, &line);
      line.append("\n");
    }
    std::lock_guard<std::mutex> lock(gWriteMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Logging never throws; a line lost to memory exhaustion is acceptable.
  }
}

} // namespace wdh
