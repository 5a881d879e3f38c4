// What an epoll event of the server's event loop points at.
#pragma once

namespace wdh {

// The common first part of everything registered with the event loop (no virtual calls on the
// hot path: the kind says what to cast the pointer to).
struct EventSource {
  enum class Kind { Listener, Client, Relay };
  explicit EventSource(Kind k) : kind(k) {}
  const Kind kind;
  int watchedFd = -1; // the descriptor it was last armed with (set by EventLoop::watch)
};

} // namespace wdh
