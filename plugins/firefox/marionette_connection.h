// One blocking TCP connection to Firefox's Marionette server on 127.0.0.1. Every read and write
// is bounded by a deadline; not thread-safe (the host serializes each session's calls).
#pragma once

#include "marionette_protocol.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <wdhost/deadline.hpp>

namespace wdhost::firefox {

// A connected Marionette client.
class MarionetteConnection {
public:
  // Connects to 127.0.0.1:port and reads the hello within timeoutMs; throws
  // wdhost::Error("session not created") when nothing answers like Marionette.
  MarionetteConnection(uint16_t port, uint32_t timeoutMs);
  ~MarionetteConnection();
  MarionetteConnection(const MarionetteConnection&) = delete;
  MarionetteConnection& operator=(const MarionetteConnection&) = delete;

  // Sends `name` with `params` (a JSON object) and waits at most timeoutMs (and no later than
  // `deadline`, the plugin call's) for its reply. Returns the raw result JSON; throws
  // wdhost::Error(W3C code, message) on an error reply, Error("timeout") when no reply came in
  // time or the host cancelled the call (seen within 250 ms), Error("unknown error") when the
  // connection broke (Firefox exited).
  std::string call(std::string_view name, std::string_view params, uint32_t timeoutMs,
                   const wdhost::Deadline& deadline = wdhost::Deadline());

  // True until the connection broke or was closed.
  bool open() const noexcept { return fd_ >= 0; }

  // Closes the socket; idempotent.
  void close() noexcept;

private:
  void writeAll(const std::string& bytes, uint32_t timeoutMs);
  std::string readFrame(uint32_t timeoutMs, const wdhost::Deadline& deadline = wdhost::Deadline());

  int fd_ = -1;
  uint64_t nextId_ = 1;
  FrameDecoder decoder_;
};

} // namespace wdhost::firefox
