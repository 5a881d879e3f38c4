// The host's log: one line per event on stderr, filtered by level; thread-safe.
#pragma once

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

// Writes "<time> <LEVEL> [<component>] <message>" if `level` passes the threshold.
void log(LogLevel level, std::string_view component, std::string_view message) noexcept;

} // namespace wdh
