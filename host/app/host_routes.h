// What the host serves beside WebDriver, registered on the server: the status page, /metrics,
// drain, the recordings and the sessions API, each with who may use it and whether it may wait.
#pragma once

#include "live/live_view.h"
#include "metrics/host_metrics.h"
#include "recording/recordings.h"
#include "server/http_server.h"
#include "sessions_api/sessions_api.h"
#include "trace/traces.h"
#include "ui/status_endpoints.h"
#include "webdriver/session_service.h"

namespace wdh {

// What the routes serve from; everything must outlive the server.
struct HostFeatures {
  SessionService* service = nullptr;
  SessionsApi* api = nullptr;                // null: no sessions API
  HostMetrics* metrics = nullptr;            // null: no /metrics
  StatusPageEndpoints* statusPage = nullptr; // null: no status page
  Recordings* recordings = nullptr;          // null: no /wdhost/recordings
  LiveView* live = nullptr;                  // null: no live view, no hand-off links
  Traces* traces = nullptr;                  // null: no /wdhost/traces
};

// Registers the routes of `features` on `server` (before it starts).
void addHostRoutes(HttpServer& server, const HostFeatures& features);

// The host's state now: the session service's, with the server's own figures and the live
// view's (when `live` is set).
HostSnapshot hostSnapshot(const SessionService& service, const HttpServer& server,
                          LiveView* live = nullptr);

} // namespace wdh
