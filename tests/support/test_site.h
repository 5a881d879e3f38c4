// Test support: a tiny web site on 127.0.0.1 (a port the OS picks) for end-to-end tests.
#pragma once

#include <memory>
#include <string>

namespace wdhtest {

// Serves, until destroyed:
//   /page          a page titled "Test page" with a button
//   /set-cookie    sets cookie visit=1 and shows "cookie set"
//   /show-cookie   shows the Cookie header it received
//   /show-header   shows the X-Test header it received
//   /missing       404 with a page
//   /form (POST)   shows the form body it received
class TestSite {
public:
  TestSite();
  ~TestSite();
  // The port it listens on.
  int port() const;
  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace wdhtest
