// The status page's live view of a session: a screenshot taken without disturbing the client.
#pragma once

#include "core/status.h"

#include <chrono>
#include <string>

namespace wdh {

class Session;

// An image and its type.
struct LiveFrame {
  std::string contentType; // "image/jpeg" or "image/png"
  std::string bytes;       // the image
};

// Chrome (a session with a DevTools endpoint, `devToolsBase` "http://127.0.0.1:N"): a JPEG of the
// most recently used page, taken on a DevTools connection of its own, beside the client's.
Status captureOverDevTools(const std::string& devToolsBase, std::chrono::milliseconds timeout,
                           LiveFrame* out);

// Any backend: the session's own Take Screenshot command, queued behind the client's commands.
Status captureByCommand(Session& session, LiveFrame* out);

} // namespace wdh
