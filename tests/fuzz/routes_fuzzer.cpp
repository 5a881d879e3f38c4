// Fuzzes request routing: the first byte picks the method, the rest is the path.
#include "server/routes.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kMethods[] = {"GET", "POST", "DELETE", "PUT", "HEAD", "x"};
  if (size == 0)
    return 0;
  std::string_view method = kMethods[data[0] % 6];
  std::string_view path(reinterpret_cast<const char*>(data + 1), size - 1);
  wdh::Route route;
  wdh::Status status = wdh::matchRoute(method, path, &route);
  if (status.isOk() && route.kind == wdh::RouteKind::SessionCommand) {
    // The pieces must lie inside the path they came from.
    if (route.sessionId.data() < path.data() ||
        route.suffix.data() + route.suffix.size() > path.data() + path.size())
      __builtin_trap();
  }
  return 0;
}
