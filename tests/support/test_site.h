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
//   /redirect?to=URL  302 to URL (percent-encoded)
class TestSite {
public:
  TestSite();
  ~TestSite();
  // The port it listens on.
  int port() const;
  // "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;
  // "127.0.0.1:PORT", as --allow-target takes it.
  std::string authority() const;
  // Requests it has answered so far.
  int requests() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace wdhtest
