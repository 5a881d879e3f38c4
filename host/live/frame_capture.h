// A picture of a session taken without disturbing its client: the status page's screenshot and
// the live view's frames where the backend has no screencast.
#pragma once

#include "core/status.h"

#include <chrono>
#include <string>
#include <string_view>

namespace wdh {

class Session;

// An image and its type.
struct LiveFrame {
  std::string contentType; // "image/jpeg" or "image/png"
  std::string bytes;       // the image
  int width = 0;           // its size in pixels (0 when unknown)
  int height = 0;
};

// Reads the pixel size a PNG image declares (its IHDR chunk); false when it is not a PNG.
bool pngSize(std::string_view bytes, int* width, int* height);

// Chrome (a session with a DevTools endpoint, `devToolsBase` "http://127.0.0.1:N"): a JPEG of the
// most recently used page, taken on a DevTools connection of its own, beside the client's.
Status captureOverDevTools(const std::string& devToolsBase, std::chrono::milliseconds timeout,
                           LiveFrame* out);

// Any backend: the session's own Take Screenshot command, queued behind the client's commands;
// it does not re-arm the session's idle timer.
Status captureByCommand(Session& session, LiveFrame* out);

} // namespace wdh
