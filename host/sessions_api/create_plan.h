// Turns a sessions.create command into a W3C New Session: browsers and version ranges become
// firstMatch entries, the operating system and device become each browser's own emulation.
#pragma once

#include "core/status.h"
#include "plugin/loaded_plugin.h"

#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace wdh {

// What sessions.create asked for, checked, and how to start it.
struct CreatePlan {
  std::string sessionId;              // the client's id, "" = a random UUID
  std::string proxy;                  // upstream proxy URL as given, "" = none
  std::vector<std::string> whitelist; // allowed domains, empty = no restriction
  bool datacenter = false;            // take a datacenter proxy from the operator's pool
  bool mobile = false;                // present a phone
  std::string os;                     // the operating system presented, "" = native
  bool webSocket = true;              // open WebDriver BiDi (webSocketUrl) where offered
  bool video = false;                 // record the session (wdhost:recording)
  std::string liveView;               // wdhost:liveView as JSON ("true", {"control": ...}), or ""
  std::string trace;                  // wdhost:trace as JSON ("\"on\"", {"mode": ...}), or ""
};

// True for a client-chosen session id: 1 to 128 of [A-Za-z0-9._-].
bool validClientSessionId(std::string_view id);

// Reads and checks sessions.create's parameters; InvalidArgument naming the field otherwise.
Status parseCreatePlan(const rapidjson::Value& command, CreatePlan* plan);

// The W3C New Session body for `plan`: one firstMatch entry per wanted browser (in order,
// default: every installed one), each with its version range and presentation. `proxyCaps`
// is the W3C proxy capability to set (JSON object text) or "" for none. The browsers asked
// for in `command` are read again here; `plugins` gives installed versions for user agents.
// With `proxyLoopback` the browser sends loopback traffic through the proxy too (browsers skip
// the proxy for 127.0.0.1 by default), so neither the allowlist nor the host's target policy
// can be bypassed through localhost.
Status buildCreateCapabilities(const rapidjson::Value& command, const CreatePlan& plan,
                               const std::vector<std::shared_ptr<LoadedPlugin>>& plugins,
                               const std::string& proxyCaps, bool proxyLoopback, std::string* body);

} // namespace wdh
