// What the browser's network saw of a session's main document: each request of its redirect
// chain with the headers sent and received, read from WebDriver BiDi's network events on the
// host's own connection. Classic WebDriver has no way to tell.
#pragma once

#include "core/status.h"
#include "sessions_api/bidi_connection.h"
#include "sessions_api/document_hop.h"

#include <chrono>
#include <memory>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wdh {

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
  // The watched browsing context.
  const std::string& context() const noexcept { return context_; }

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
  // Unsubscribes if finish() was not called: the subscription belongs to the browser's BiDi
  // session, which outlives this connection, and its clients would go on getting the events.
  ~NavigationRecorder();
  NavigationRecorder(const NavigationRecorder&) = delete;
  NavigationRecorder& operator=(const NavigationRecorder&) = delete;

private:
  // session.unsubscribe, events read on the way given to chains_; at most once.
  Status unsubscribe(std::chrono::milliseconds deadline);
  NavigationRecorder(std::unique_ptr<BidiConnection> connection, std::string context,
                     std::string subscription);
  std::unique_ptr<BidiConnection> connection_;
  DocumentChains chains_;
  std::string subscription_; // BiDi subscription id
  bool subscribed_ = true;   // until unsubscribe() ran
};

} // namespace wdh
