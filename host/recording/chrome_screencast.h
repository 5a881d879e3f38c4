// A chrome tab watched over the host's own DevTools connection: CDP Page.startScreencast on the
// page the client switched to (else the browser's first page), each frame acknowledged
// (Page.screencastFrameAck) as it arrives, and its console (Runtime and Log events, on this
// connection only: a client's own are not touched).
#pragma once

#include "core/status.h"
#include "http/websocket_client.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <rapidjson/document.h>
#include <string>

namespace wdh {

// What to watch of a page.
struct ScreencastOptions {
  bool frames = true;   // its screencast
  bool console = false; // its console messages, uncaught exceptions and browser log entries
  bool network = false; // the requests it makes and the answers it gets
  int maxWidth = 1920;  // the frames' largest size
  int maxHeight = 1080; //
  std::string target;   // the page to watch (chrome's window handle is its target id); "" or
                        // one no longer there: the first page
};

// What the page showed next.
struct PageEvent {
  enum Kind { Frame, Console, Network } kind = Frame;
  std::string data;     // a Frame's JPEG, a Console line ("error: text (url:line)"), or a
                        // Network line ("GET url", "200 url (text/html)", "failed: why")
  double cssWidth = 0;  // a Frame's viewport in CSS pixels (its metadata; 0 when not said)
  double cssHeight = 0; //
};

// A page of a chrome browser as its DevTools endpoint lists it.
struct ChromePage {
  std::string socket; // its DevTools websocket URL
  std::string url;    // what it shows
  std::string title;  //
};

// The page `wanted` (a target id: chrome's WebDriver window handle) in the browser's /json/list
// at `cdpBase`, else its first page; asks the browser, never the page (an open alert stays).
Status findChromePage(const std::string& cdpBase, const std::string& wanted,
                      std::chrono::steady_clock::time_point deadline, ChromePage* page);

// One watched page. One thread at a time.
class ChromeScreencast {
public:
  // Finds options.target (else the first page) of the browser whose DevTools endpoint is
  // `cdpBase` ("http://host:port") and starts watching it as `options` say, all by `deadline`;
  // UnknownError naming the cause when it cannot.
  static Status open(const std::string& cdpBase, const ScreencastOptions& options,
                     std::chrono::steady_clock::time_point deadline,
                     std::unique_ptr<ChromeScreencast>* out);

  // Waits until `deadline` for what the page shows next: Ok with a frame or a console line in
  // *event, Timeout when nothing came, UnknownError when the page or the browser went away. The
  // browser sends no further frame until this one is acknowledged.
  Status next(std::chrono::steady_clock::time_point deadline, PageEvent* event);
  // Acknowledges the last frame next() gave, if not yet done: the browser may send the next.
  Status acknowledge(std::chrono::steady_clock::time_point deadline);
  // A picture of the page as it is now (Page.captureScreenshot on this connection), for a
  // watcher that held an acknowledgement back and may have missed the page's last paint. A
  // screencast frame arriving first is given instead (acknowledge() it as usual).
  Status capture(std::chrono::steady_clock::time_point deadline, PageEvent* event);

private:
  // Reads a Page.screencastFrame's `params` into *event (to acknowledge); false when malformed.
  bool takeFrame(const rapidjson::Value& params, PageEvent* event);
  explicit ChromeScreencast(std::unique_ptr<WebSocketClient> socket) : socket_(std::move(socket)) {}
  std::unique_ptr<WebSocketClient> socket_;
  int nextId_ = 1;
  std::int64_t unacknowledged_ = -1; // the screencast session id of a frame not yet acknowledged
};

} // namespace wdh
