// The status page at /ui and its own endpoints: login and logout, the host's state, live
// screenshots, ending a session, the recordings' videos and logs.
#pragma once

#include "http/auth.h"
#include "http/exchange.h"
#include "live/live_view.h"
#include "trace/traces.h"
#include "ui/ui_logins.h"
#include "webdriver/session_service.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace wdh {

// Serves /ui; thread-safe.
class StatusPageEndpoints {
public:
  // `service` must outlive this; `snapshot` gives the host's state now. `credentials` tell who
  // is a client and who the operator; `secureCookie`: the page is reached over https
  // (--public-url), so the login cookie is marked Secure.
  // `cookiePath`: where the page is reached (the login cookie's Path; "/ui" unless
  // --public-url puts the host below a path of its own).
  StatusPageEndpoints(SessionService& service, std::function<HostSnapshot()> snapshot,
                      Credentials credentials, bool secureCookie = false,
                      std::string cookiePath = "/ui");

  // True when answering `suffix` (what follows /ui) may wait (on a browser, or a session's
  // websockets closing): run it where blocking is allowed.
  static bool blocks(std::string_view suffix);

  // Lets the page watch sessions live and take control through `live` (set before the server
  // starts; without it the page shows screenshots).
  void setLiveView(LiveView* live) { live_ = live; }
  // Lists traces and opens them in the trace viewer (/ui/traces/{id}, ?download=1 as a file)
  // from `traces` (set before the server starts).
  void setTraces(Traces* traces) { traces_ = traces; }

  // The websocket of /ui/sessions/{id}/live (`suffix` follows /ui): authenticated like the
  // page's reads (a token, or the login cookie); Ok with *socket the end the server relays.
  // `clientAddress` names the person to others when they take control.
  Status liveSocket(const Request& request, std::string_view suffix,
                    const std::string& clientAddress, UniqueFd* socket) const;
  // /live: the page a hand-off link opens (the status page itself, in its live-only form).
  void linkPage(Reply* reply) const { page(reply, 200); }

  // Anything under /ui (`suffix` follows "/ui": "", "/state", "/login", "/logout",
  // "/sessions/{id}/screenshot", "/sessions/{id}/end", "/sessions/{id}/live-link",
  // "/traces/{session id}": its trace in the viewer,
  // "/recordings/{file}": a video or log to
  // play or read on the page, with Range requests). Authenticates itself: a token as for
  // any endpoint, or the cookie a login sets (POST /ui/login {"token": ...}); a POST made with
  // the cookie also needs that login's CSRF token. Ending a session takes the operator's role.
  void ui(const Request& request, std::string_view suffix, Reply* reply) const;

private:
  // Who sent `request`: the role of its Authorization header or of its login cookie, and the
  // CSRF token its POSTs need ("" when it needs none: no cookie was used).
  Role roleOf(const Request& request, std::string* csrf) const;
  void page(Reply* reply, int status) const;
  void login(const Request& request, Reply* reply) const;
  void logout(const Request& request, Reply* reply) const;
  void state(Role role, const std::string& csrf, Reply* reply) const;
  void screenshot(std::string_view id, Reply* reply) const;
  void endSession(const Request& request, Role role, const std::string& csrf, std::string_view id,
                  Reply* reply) const;
  SessionService& service_;
  LiveView* live_ = nullptr;
  Traces* traces_ = nullptr;
  std::function<HostSnapshot()> snapshot_;
  Credentials credentials_;
  bool secureCookie_;
  std::string cookiePath_;
  mutable UiLogins logins_;
  std::string openCsrf_; // the CSRF token when the host needs no login: random, per process
  std::chrono::steady_clock::time_point started_;
};

} // namespace wdh
