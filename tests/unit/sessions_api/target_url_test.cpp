// The URLs a sessions-API client may name, and the up-front check of a direct browser's target.
#include "sessions_api/target_url.h"

#include <doctest/doctest.h>

using namespace wdh;

TEST_CASE("target url: http and https only, any case, with a host") {
  for (const char* fine : {"http://example.com/", "https://example.com:8443/a?b=c#d",
                           "HTTP://Example.com/", "HtTpS://[2001:db8::1]/"})
    CHECK_MESSAGE(checkApiUrl("url", fine).isOk(), fine);
  for (const char* refused :
       {"file:///etc/passwd", "FILE:///etc/passwd", "data:text/html,hi", "about:blank",
        "about:config", "chrome://version", "view-source:http://example.com/",
        "javascript:alert(1)", "ftp://example.com/", "gopher://127.0.0.1:6379/", "ws://x/",
        "//example.com/", "example.com", ""}) {
    INFO(refused);
    Status status = checkApiUrl("url", refused);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(status.message().find("\"url\" must be an http:// or https:// URL") == 0);
  }
  CHECK(checkApiUrl("url", "file:///etc/passwd").message().find("not file:") != std::string::npos);
  for (const char* broken : {"http://", "http:/example.com", "http://exa mple.com/",
                             "http://example.com:99999/", "https://host/\r\nX: y"}) {
    INFO(broken);
    Status status = checkApiUrl("url", broken);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK(status.message().find("is not a URL") != std::string::npos);
  }
}

TEST_CASE("target url: a direct browser's target is checked against the policy up front") {
  TargetPolicy policy;
  Status loopback = precheckTarget("http://127.0.0.1:9/", policy);
  CHECK(loopback.code() == ErrorCode::InvalidArgument);
  CHECK(loopback.message().find("127.0.0.1:9 is a loopback address") == 0);
  Status named = precheckTarget("https://localhost/", policy);
  CHECK(named.code() == ErrorCode::InvalidArgument);
  CHECK(named.message().find("localhost: ") == 0);
  CHECK(precheckTarget("http://169.254.169.254/", policy).code() == ErrorCode::InvalidArgument);
  CHECK(precheckTarget("http://93.184.216.34/", policy).isOk());
  // A name that does not resolve is the browser's to report.
  CHECK(precheckTarget("http://no-such-host.invalid/", policy).isOk());
  CHECK(precheckTarget("http://127.0.0.1:9/", TargetPolicy::unrestricted()).isOk());
}
