// The Marionette wire protocol: length-prefixed JSON frames ("<decimal length>:<json>"),
// commands [0, id, "WebDriver:Name", {params}] and replies [1, id, error, result].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wdhost::firefox {

// One frame on the wire: the decimal byte length of `json`, a colon, then `json`.
std::string encodeFrame(std::string_view json);

// Reassembles frames from bytes arriving in arbitrary pieces.
class FrameDecoder {
public:
  // Appends bytes read from the socket.
  void feed(std::string_view bytes);
  // The next complete frame's JSON, or nullopt until more bytes arrive; throws
  // wdhost::Error("unknown error") when the stream is not Marionette framing.
  std::optional<std::string> next();
  // Bytes held that do not yet form a frame.
  std::size_t pending() const noexcept { return buffer_.size(); }

private:
  std::string buffer_;
};

// The JSON of a command message [0, id, name, params]; `params` is a JSON object ("{}" if empty).
std::string commandMessage(uint64_t id, std::string_view name, std::string_view params);

// A parsed reply [1, id, error, result].
struct Reply {
  uint64_t id = 0;     // the command id it answers
  bool failed = false; // true when error was not null
  std::string error;   // W3C error code, when failed
  std::string message; // error message, when failed
  std::string data;    // the error's "data" object as JSON ("" when none), when failed
  std::string result;  // the result as JSON ("null" when none), when not failed
};

// Parses one reply frame; throws wdhost::Error("unknown error") when it is not a reply.
Reply parseReply(std::string_view json);

// The W3C "value" for a Marionette result: Marionette wraps everything but plain objects as
// {"value": x}, so a one-member object {"value": x} becomes x; other results are unchanged.
std::string unwrapValue(std::string_view result);

// True when `json` is the Marionette hello {"applicationType":"gecko","marionetteProtocol":3+}.
bool isHello(std::string_view json);

} // namespace wdhost::firefox
