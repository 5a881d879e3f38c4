// The WebDriver commands the sessions API sends to one session, behind an interface: the page
// loads, browser actions and plain requests run on any implementation, so they are tested with
// a scripted one and no browser. SessionCalls is the real one, over the session service.
#pragma once

#include "core/status.h"
#include "webdriver/session_service.h"

#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace wdh {

// One session's WebDriver commands. Not thread-safe: one request uses it at a time.
class WebDriverCalls {
public:
  virtual ~WebDriverCalls() = default;
  // The host's id of the session (for log lines).
  virtual const std::string& sessionId() const = 0;
  // Runs `method suffix` with `body`; on a 2xx answer copies the W3C "value" to *value, else
  // returns the W3C error the browser gave.
  virtual Status call(std::string_view method, std::string_view suffix, const std::string& body,
                      rapidjson::Document* value) = 0;
};

// A session of the session service (each command re-arms its idle timer).
class SessionCalls final : public WebDriverCalls {
public:
  // `service` must outlive this.
  SessionCalls(SessionService& service, std::string id)
      : commands_(service.commands()), id_(std::move(id)) {}
  const std::string& sessionId() const override { return id_; }
  Status call(std::string_view method, std::string_view suffix, const std::string& body,
              rapidjson::Document* value) override;

private:
  SessionCommands& commands_;
  std::string id_;
};

// `session.call(...)`: one command.
Status webdriverCall(WebDriverCalls& session, std::string_view method, std::string_view suffix,
                     const std::string& body, rapidjson::Document* value);

// Execute Script with `script` (a function body) and `args` (a JSON array, "[]" for none).
Status runScript(WebDriverCalls& session, std::string_view script, std::string_view args,
                 rapidjson::Document* value);

} // namespace wdh
