// The host's side of the host services an isolated plugin calls: a ServiceCall frame from its
// helper answered against the plugin's own host table, exactly as an in-process call would be.
#pragma once

#include <string>
#include <wdhost/plugin.h>

namespace wdh {

// Runs the service call in `body` (a ServiceCall frame body) through `host`'s services and
// returns the whole ServiceResult frame. A malformed call or an unknown function answers
// WDHOST_ERROR with a message. May block as long as the service function does (wait_output,
// wait_exit, terminate); never throws. `host` is borrowed for the call.
std::string answerServiceCall(const wdhost_host* host, const std::string& body);

} // namespace wdh
