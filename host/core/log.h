// The host's log: one line per event on stderr, filtered by level; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace wdh {

// Severity of a log line, lowest first.
enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Off = 5 };

// Sets the lowest level that is written (default Info).
void setLogLevel(LogLevel level) noexcept;

// The current threshold.
LogLevel logLevel() noexcept;

// Parses "trace|debug|info|warn|error|off"; false when the name is unknown.
bool parseLogLevel(std::string_view name, LogLevel* out) noexcept;

// True when a line at `level` would be written.
bool logEnabled(LogLevel level) noexcept;

// How lines are written.
enum class LogFormat {
  Text, // "<time> <LEVEL> [<component>] <message>"
  Json, // one JSON object per line: time, level, component, session, plugin, message, durationMs
};

// Sets the format (default Text).
void setLogFormat(LogFormat format) noexcept;

// Parses "text|json"; false when the name is unknown.
bool parseLogFormat(std::string_view name, LogFormat* out) noexcept;

// What a line is about, beyond its message (empty / negative: not said).
struct LogFields {
  std::string_view session;     // the session id
  std::string_view plugin;      // the plugin's name
  std::int64_t durationMs = -1; // how long what the line reports took
};

// Receives the lines about a session at Info and above, whatever the threshold (a session's own
// log keeps them). Thread-safe; must not log.
class SessionLogTap {
public:
  virtual ~SessionLogTap() = default;
  // One line about session `session`.
  virtual void sessionLine(std::string_view session, LogLevel level, std::string_view component,
                           std::string_view message) noexcept = 0;
};

// Sets the tap (nullptr: none). Once this returns, the previous tap is not running and is never
// called again. The tap must not set the tap.
void setSessionLogTap(SessionLogTap* tap) noexcept;

// Writes one line if `level` passes the threshold.
void log(LogLevel level, std::string_view component, std::string_view message) noexcept;

// Writes one line about a session or a plugin if `level` passes the threshold. In the text
// format the message says it all; in JSON the fields are their own keys.
void log(LogLevel level, std::string_view component, std::string_view message,
         const LogFields& fields) noexcept;

} // namespace wdh
