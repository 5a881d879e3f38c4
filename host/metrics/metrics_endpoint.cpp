#include "metrics/metrics_endpoint.h"

namespace wdh {

void metricsReply(HostMetrics& metrics, const HostSnapshot& now, Reply* reply) {
  reply->status = 200;
  reply->contentType = "text/plain; version=0.0.4; charset=utf-8";
  reply->body = metrics.render(now);
}

} // namespace wdh
