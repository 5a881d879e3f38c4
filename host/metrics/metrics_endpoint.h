// GET /metrics: the Prometheus text exposition of the host's metrics.
#pragma once

#include "http/exchange.h"
#include "metrics/host_metrics.h"
#include "webdriver/host_snapshot.h"

namespace wdh {

// Fills `reply` with the metrics of `metrics`, their gauges set from `now`.
void metricsReply(HostMetrics& metrics, const HostSnapshot& now, Reply* reply);

} // namespace wdh
