// What an epoll event of the server points at: a client connection or a relayed command.
#pragma once

namespace wdh {

// The common first part of everything the server registers with epoll (no virtual calls on
// the hot path: the kind says what to cast the pointer to).
struct EventSource {
  enum class Kind { Client, Relay };
  explicit EventSource(Kind k) : kind(k) {}
  const Kind kind;
};

} // namespace wdh
