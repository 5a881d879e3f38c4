// The conventions cloud vendors' clients use to say how a test went through Execute Script
// (BrowserStack's "browserstack_executor: {...}", Sauce Labs' "sauce:job-result=passed",
// LambdaTest's "lambda-status=failed"): answered by the host, never run in the browser.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// What one such script says.
struct VendorStatus {
  std::string eventType; // the session event it amounts to ("test:passed", "test:failed"), or ""
  std::string note;      // what it says for the session's log (a context, a name, ...)
};

// True when the Execute Script body `body` ({"script": ..., "args": [...]}) holds one of the
// vendors' status scripts, with *out what it says; false for any other script (run as usual).
bool readVendorStatus(std::string_view body, VendorStatus* out);

} // namespace wdh
