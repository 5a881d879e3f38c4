// Wires the host together: temp dirs, process supervisor, plugins, sessions, HTTP server;
// runs until SIGINT/SIGTERM, then closes every session.
#pragma once

#include "app/options.h"

namespace wdh {

// Runs wdhost with parsed options; returns the process exit code.
int runHost(const HostOptions& options);

} // namespace wdh
