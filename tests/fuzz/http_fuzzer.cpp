// Fuzzes the HTTP framing the host reads from the network: client requests (server side) and
// driver responses (relay side). The first byte picks which, and splits the input in two, as
// bytes arrive in pieces; both views must agree with the whole.
#include "relay/response_parser.h"
#include "server/request_parser.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t split = bytes.empty() ? 0 : data[0] % bytes.size();
  wdh::Status error;
  if (data[0] & 1) {
    wdh::RequestLimits limits;
    limits.maxHeadSize = 4096;
    limits.maxBodySize = 65536;
    wdh::Request whole;
    wdh::ParseState state = wdh::parseRequest(bytes, limits, &whole, &error);
    if (state == wdh::ParseState::Complete) {
      if (whole.consumed == 0 || whole.consumed > bytes.size() ||
          whole.body.size() > limits.maxBodySize)
        __builtin_trap();
      // A prefix of a complete request is never Invalid for a reason the rest resolves.
      wdh::Request part;
      wdh::ParseState prefix = wdh::parseRequest(bytes.substr(0, split), limits, &part, &error);
      if (prefix == wdh::ParseState::Complete && part.consumed > split)
        __builtin_trap();
    }
  } else {
    wdh::ParsedResponse response;
    wdh::ParseState state =
        wdh::parseResponse(bytes, (data[0] & 2) != 0, (data[0] & 4) != 0, &response, &error);
    if (state == wdh::ParseState::Complete &&
        (response.consumed > bytes.size() || response.status < 100 || response.status > 999))
      __builtin_trap();
  }
  return 0;
}
