// One session's trace as it is kept: its commands in the order they began, the pictures of its
// page (bounded: the oldest go first, and the trace says how many went), what its page wrote to
// the console and fetched, and how the session ended. Written to JSON for tools and the viewer.
#pragma once

#include "live/live_session.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace wdh {

// How much a trace may keep of its pictures.
struct TraceBounds {
  std::size_t maxFrames = 300;              // --trace-max-frames
  std::uint64_t maxBytes = 32ull << 20;     // --trace-max-mib, in bytes
  std::size_t maxEvents = 5000;             // console lines and requests
  std::size_t maxCommands = 20000;          // the oldest go first
  std::uint64_t maxBodyBytes = 16ull << 20; // past it, each body is cut to 1 KiB
};

// One command as traced.
struct TracedCommand {
  std::uint64_t number = 0;     // 1 for the session's first command
  std::string method;           // "POST"
  std::string path;             // what follows /session/{id} ("/url")
  std::string name;             // the W3C command's name, or ""
  bool changesPage = false;     // a picture before it is kept
  std::int64_t startMs = 0;     // since the trace began
  std::int64_t durationMs = -1; // -1 while it runs (or when the session ended first)
  int httpStatus = 0;
  std::string error;        // the W3C error code, or ""
  std::string message;      // the error's message, or ""
  std::string request;      // the request body as kept (tracedRequest)
  std::string response;     // the response body, cut
  std::string url;          // the page's URL after it, when known
  std::string title;        // its title after it, when known
  std::uint64_t before = 0; // the picture before it (0: none)
  std::uint64_t after = 0;  // the picture after it (0: none)
};

// A picture of the page.
struct TracedFrame {
  std::uint64_t id = 0;
  std::int64_t atMs = 0; // since the trace began
  std::shared_ptr<const ViewFrame> picture;
};

// A console message or a network request of the page.
struct TracedEvent {
  std::int64_t atMs = 0;
  std::string kind; // "console" or "network"
  std::string text;
};

// A trace's content. Not thread-safe: its owner locks.
class TraceRecord {
public:
  explicit TraceRecord(TraceBounds bounds) : bounds_(bounds) {}

  // Facts about the session: its id, browser, start (ms since the epoch), whether typed text
  // and script arguments are kept.
  std::string sessionId;
  std::string browser;
  std::int64_t startedAtMs = 0;
  bool typedTextKept = true;
  bool scriptArgumentsKept = true;
  std::string framesFrom; // "screencast" or "screenshots"
  std::string endedBy;    // why the session ended ("deleted", "crashed", ...), "" while it runs
  std::string endReason;  // the host's words for it
  std::string outcome = "unknown"; // what the client said: "passed", "failed", "unknown"
  bool complete = false;           // the session ended and the trace holds all it will

  // Appends a command; the reference lives until the next append.
  TracedCommand& add(TracedCommand command);
  // `body` as the trace can still afford to keep it (cut short once bodies used up their bytes).
  std::string body(std::string body);
  // The command numbered `number`, or null (also once it was dropped).
  TracedCommand* command(std::uint64_t number);
  // Keeps `picture` (once: the same picture again gives its id), dropping the oldest ones past
  // the bounds; its id.
  std::uint64_t keep(std::shared_ptr<const ViewFrame> picture, std::int64_t atMs);
  // Keeps a console message or request (the oldest go past the bound).
  void note(std::int64_t atMs, std::string kind, std::string text);
  // Text typed into a password field: left out of everything the trace says (also where a page
  // or URL repeats it, as typed or form-encoded).
  // Secrets shorter than kMinSecret are only left out where they were typed.
  void addSecret(const std::string& secret);
  static constexpr std::size_t kMinSecret = 4;
  // True when a command failed (a W3C error) or the session ended abnormally.
  bool failed() const;
  // Commands so far (the number of the last one).
  std::size_t commands() const noexcept { return firstNumber_ - 1 + commands_.size(); }
  // The whole trace in JSON; pictures as data: URLs.
  std::string json() const;

private:
  TraceBounds bounds_;
  std::deque<TracedCommand> commands_;
  std::size_t firstNumber_ = 1; // the number of commands_.front()
  std::uint64_t bodyBytes_ = 0;
  std::size_t droppedCommands_ = 0;
  std::vector<std::string> secrets_; // each as typed and form-encoded
  std::deque<TracedFrame> frames_;
  std::deque<TracedEvent> events_;
  std::uint64_t nextFrame_ = 1;
  std::uint64_t frameBytes_ = 0;
  std::size_t droppedFrames_ = 0;
  std::size_t droppedEvents_ = 0;
};

} // namespace wdh
