// Header-only helpers for plugins that run a vendor driver: finding executables, reading
// versions, and starting a driver that prints the port it listens on.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>
#include <wdhost/services.hpp>

namespace wdhost {

// True when `path` is an executable regular file.
inline bool isExecutable(const std::string& path) {
  return !path.empty() && path.front() == '/' && ::access(path.c_str(), X_OK) == 0;
}

// The first of: `override` (must be executable), each name on $PATH, each absolute candidate.
inline std::optional<std::string> findExecutable(const std::string& override,
                                                 const std::vector<std::string>& names,
                                                 const std::vector<std::string>& candidates) {
  if (!override.empty())
    return isExecutable(override) ? std::optional<std::string>(override) : std::nullopt;
  const char* pathEnv = std::getenv("PATH");
  std::string_view path = pathEnv != nullptr ? pathEnv : "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& name : names) {
    std::string_view rest = path;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      std::string dir(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      if (dir.empty() || dir.front() != '/')
        continue;
      std::string full = dir + "/" + name;
      if (isExecutable(full))
        return full;
    }
  }
  for (const std::string& candidate : candidates)
    if (isExecutable(candidate))
      return candidate;
  return std::nullopt;
}

// The first dotted version number ("156.0.8078.79") in `text`, or "".
inline std::string extractVersion(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || (i > 0 && text[i - 1] != ' ' && text[i - 1] != 'v'))
      continue;
    std::size_t end = i;
    int dots = 0;
    while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) {
      dots += text[end] == '.';
      ++end;
    }
    while (end > i && text[end - 1] == '.') {
      --end;
      --dots;
    }
    if (dots >= 1)
      return std::string(text.substr(i, end - i));
  }
  return "";
}

// Runs `argv` to completion (at most timeoutMs, then it is ended) through the host and
// returns what it printed.
inline std::string runForOutput(const Host& host, const std::vector<std::string>& argv,
                                uint32_t timeoutMs) {
  ChildProcess process(host, argv, {}, "");
  process.waitExit(timeoutMs);
  return process.output();
}

// The version `path --version` prints ("" if none), asked through the host.
inline std::string versionOf(const Host& host, const std::string& path,
                             uint32_t timeoutMs = 10000) {
  return extractVersion(runForOutput(host, {path, "--version"}, timeoutMs));
}

// Reads the port a driver printed after `marker` ("on port 34635."): 0 if none.
inline uint16_t portAfter(std::string_view output, std::string_view marker) {
  std::size_t at = output.find(marker);
  if (at == std::string_view::npos)
    return 0;
  unsigned long port = 0;
  for (std::size_t i = at + marker.size();
       i < output.size() && output[i] >= '0' && output[i] <= '9' && port <= 65535; ++i)
    port = port * 10 + static_cast<unsigned long>(output[i] - '0');
  return port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

// The last `lines` lines of `text`, for error messages.
inline std::string tailLines(std::string_view text, int lines) {
  std::size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
    --end;
  std::size_t start = end;
  for (int seen = 0; start > 0; --start)
    if (text[start - 1] == '\n' && ++seen == lines)
      break;
  return std::string(text.substr(start, end - start));
}

} // namespace wdhost
