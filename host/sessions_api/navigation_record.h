// What the browser's network saw of a session's main document: each request of its redirect
// chain with the headers sent and received, read from WebDriver BiDi's network events on the
// host's own connection. Classic WebDriver has no way to tell.
#pragma once

#include "core/status.h"
#include "sessions_api/bidi_connection.h"

#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdh {

// Header lines in the order the browser reported them.
using HeaderLines = std::vector<std::pair<std::string, std::string>>;

// One request of a main document's chain and the response it got.
struct DocumentHop {
  std::string url;             // requested URL
  std::string method;          // "GET", "POST", ...
  HeaderLines requestHeaders;  // as sent
  int status = 0;              // HTTP status; 0 when no response came
  HeaderLines responseHeaders; // as received
};

// Folds BiDi network events into the chains of one top-level browsing context's documents.
class DocumentChains {
public:
  // Watches the browsing context `context` (a WebDriver window handle).
  explicit DocumentChains(std::string context) : context_(std::move(context)) {}
  // Takes one "network.beforeRequestSent" or "network.responseCompleted" event; others and
  // events of subresources or other contexts are ignored.
  void add(std::string_view method, const rapidjson::Value& params);
  // The latest document's chain, redirects first and the final response last; empty if none.
  const std::vector<DocumentHop>& latest() const noexcept { return chain_; }

private:
  std::string context_;
  std::string requestId_;          // the BiDi request id of chain_
  std::vector<DocumentHop> chain_; // bounded: at most kMaxHops
};

// Records a session's top-level document loads between start() and finish().
class NavigationRecorder {
public:
  // Opens a BiDi connection to `bidiUrl` and subscribes to network events of `context`.
  static Status start(const std::string& bidiUrl, const std::string& context,
                      std::unique_ptr<NavigationRecorder>* out);
  // Unsubscribes, reading the events still queued; *out gets the latest document's chain.
  Status finish(std::vector<DocumentHop>* out);

private:
  NavigationRecorder(std::unique_ptr<BidiConnection> connection, std::string context,
                     std::string subscription);
  std::unique_ptr<BidiConnection> connection_;
  DocumentChains chains_;
  std::string subscription_; // BiDi subscription id
};

// `lines` as a JSON object: lower-case names; repeated names joined with ", " (Set-Cookie
// with "\n", as one cookie's value may hold a comma).
void headersToJson(const HeaderLines& lines, rapidjson::Value* out,
                   rapidjson::Document::AllocatorType& a);

} // namespace wdh
