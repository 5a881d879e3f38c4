// get_service: which service table answers which versioned id.
#include "plugin/host_services.h"

#include <cstring>

namespace wdh {

const void* findService(const HostTable& table, const char* id) noexcept {
  if (id == nullptr)
    return nullptr;
  if (std::strcmp(id, WDHOST_SERVICE_PROCESS) == 0)
    return table.services().processes != nullptr ? &processService() : nullptr;
  if (std::strcmp(id, WDHOST_SERVICE_TEMPDIR) == 0)
    return table.services().tempDirs != nullptr ? &tempDirService() : nullptr;
  if (std::strcmp(id, WDHOST_SERVICE_HTTP) == 0)
    return &httpService();
  if (std::strcmp(id, WDHOST_SERVICE_HTTP2) == 0)
    return &http2Service();
  return nullptr;
}

} // namespace wdh
