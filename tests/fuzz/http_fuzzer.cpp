// Fuzzes the HTTP framing the host reads from the network: client requests (server side) and
// driver responses (relay side). The first byte picks which, and splits the input in two, as
// bytes arrive in pieces; both views must agree with the whole. Every request head the parser
// reads also goes through the request gate (Host, Origin, Sec-Fetch-Site, Content-Type), which
// must decide the same on the head alone as on the whole request.
#include "relay/response_parser.h"
#include "server/request_gate.h"
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
    wdh::GatePolicy policy;
    policy.allowedHosts = {"wdhost-node"};
    policy.allowedOrigins = {"https://dashboard.example"};
    wdh::GateRefusal refusal;
    bool admitted = whole.headComplete && wdh::admitRequest(whole, policy, &refusal);
    if (whole.headComplete && !admitted &&
        (refusal.status.isOk() || refusal.status.message().find('\n') != std::string::npos))
      __builtin_trap(); // a refusal always says why, on one line
    if (state == wdh::ParseState::Complete) {
      if (whole.consumed == 0 || whole.consumed > bytes.size() ||
          whole.body.size() > limits.maxBodySize)
        __builtin_trap();
      // A prefix of a complete request is never Invalid for a reason the rest resolves.
      wdh::Request part;
      wdh::ParseState prefix = wdh::parseRequest(bytes.substr(0, split), limits, &part, &error);
      if (prefix == wdh::ParseState::Complete && part.consumed > split)
        __builtin_trap();
      // The head decides the same before its body arrived as after.
      if (prefix == wdh::ParseState::Incomplete && part.headComplete &&
          wdh::admitRequest(part, policy, &refusal) != admitted)
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
