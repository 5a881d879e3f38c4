// One Firefox session served in-process: Firefox started with -marionette on a fresh profile,
// every W3C command translated to Marionette over one TCP connection.
#pragma once

#include "firefox_config.h"
#include "firefox_discovery.h"
#include "marionette_connection.h"

#include <memory>
#include <string>
#include <string_view>
#include <wdhost/services.hpp>
#include <wdhost/xvfb.hpp>

namespace wdhost::firefox {

// Starts Firefox and its Marionette session in the constructor (throws wdhost::Error
// "session not created" with Firefox's own output on failure, leaving nothing running).
class MarionetteSession : public wdhost::Session {
public:
  // Every wait is bounded by `deadline`, the launch's.
  MarionetteSession(const wdhost::Host& host, const FirefoxInstall& install,
                    const FirefoxConfig& config, std::string_view sessionId,
                    std::string_view capabilities,
                    const wdhost::Deadline& deadline = wdhost::Deadline());

  // {"capabilities":{..}} without "upstream": the host calls command().
  std::string launchReply() const override { return launchReply_; }

  // One W3C command: translated through the endpoint table, sent, and its value returned;
  // the wait for Firefox ends early when the host cancels the call (the session is closing).
  std::string commandWithin(std::string_view method, std::string_view path, std::string_view body,
                            const wdhost::Deadline& deadline) override;

  // Marionette:Quit (best effort), then the process tree ended and the profile removed.
  void teardown() override;

  // The session's private Xvfb (firefox.display=xvfb), which the host may record; else null.
  std::string display() const override { return xvfb_ ? xvfb_->describe() : "null"; }

private:
  void prepareProfile(const std::string& profileDir, const std::string& userJsText,
                      const std::string& profileBase64);
  uint16_t connect(uint32_t timeoutMs, const wdhost::Deadline& deadline);
  [[noreturn]] void fail(const std::string& why);
  void startSession(std::string_view capabilities, const wdhost::Deadline& deadline);
  void rememberTimeouts(std::string_view json);
  std::string newWindow(const std::string& params, uint32_t timeoutMs,
                        const wdhost::Deadline& deadline);

  wdhost::Host host_;
  std::unique_ptr<wdhost::TempDir> workDir_;
  std::unique_ptr<wdhost::XvfbDisplay> xvfb_; // firefox.display=xvfb: the session's X server
  std::unique_ptr<wdhost::ChildProcess> firefox_;
  std::unique_ptr<MarionetteConnection> connection_;
  std::string profileDir_;
  std::string launchReply_;
  int64_t scriptMs_ = 30000;    // -1 = no limit
  int64_t pageLoadMs_ = 300000; // -1 = no limit
  int64_t implicitMs_ = 0;
};

} // namespace wdhost::firefox
