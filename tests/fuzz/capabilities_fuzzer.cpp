// Fuzzes New Session capability processing: parsing, validation, merging, the host's own
// capabilities and the completion of returned capabilities. Any crash or sanitizer report fails.
#include "json/json.h"
#include "webdriver/capabilities.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  rapidjson::Document request;
  if (!wdh::parseJsonObject(body, &request).isOk())
    return 0;
  std::vector<rapidjson::Document> sets;
  if (!wdh::mergeCapabilities(request, &sets).isOk())
    return 0;
  for (rapidjson::Document& caps : sets) {
    rapidjson::Document hostCaps;
    wdh::extractHostCapabilities(&caps, &hostCaps);
    rapidjson::Document returned;
    returned.CopyFrom(caps, returned.GetAllocator());
    wdh::completeReturnedCapabilities(&returned, returned.GetAllocator(), caps,
                                      wdh::ServedBrowser{"chrome", "1.2.3", "linux"});
    (void)wdh::toJson(returned);
  }
  return 0;
}
