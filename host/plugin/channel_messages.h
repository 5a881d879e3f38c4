// The messages of the channel between the host and wdhost-plugin-host (over channel_frame.h):
// which calls exist, what each carries, and the one encoding of a plugin reply.
#pragma once

#include "plugin/channel_frame.h"
#include "plugin/plugin_reply.h"

#include <cstdint>
#include <deque>
#include <string>
#include <wdhost/plugin.h>

namespace wdh {

// The message types. The main channel (the socketpair the helper was started with) carries
// Hello (helper -> host, once, call id 0), Log (call id 0), ServiceCall and ServiceResult,
// Cancel and NewLane. Calls (Init..Deinit but Cancel, Extensions..Display) travel on lanes: each
// lane is a socketpair of its own that carries one call at a time, answered by one Result with
// its call id on the same lane, so that the thread that waits for an answer is the one that
// reads it, on both sides (no hand-off between threads: see docs/performance.md).
enum class ChannelMessage : std::uint8_t {
  Hello = 1,     // i32 ok; bytes id, name, version, error; u64 abiMinor; u64 flags; u64 pid
  Init = 2,      // bytes config
  Describe = 3,  // -
  Negotiate = 4, // bytes capabilities
  Launch = 5,    // u64 deadlineMs; bytes sessionId, capabilities
  Command = 6,   // u64 session; u64 deadlineMs; bytes method, path, body
  Teardown = 7,  // u64 session
  Cancel = 8,    // - (the call id names the call the host gave up on)
  Deinit = 9,    // -
  Result = 10,   // i32 rc; u64 session; the reply (appendReply)
  Log = 11,      // i32 level; bytes text
  // Helper -> host: a host service function the plugin called (the call id is the helper's
  // own); i32 function (ProcessFunction or TempDirFunction), then its arguments.
  ServiceCall = 12,
  // Host -> helper: its answer, with the ServiceCall's id: i32 rc; bytes text (what the service
  // wrote to the plugin's sink); u64 process; i32 state; i32 detail.
  ServiceResult = 13,
  // Host -> helper, after Init: which known extensions the plugin has; the Result's reply_json is
  // a JSON array of their ids ("wdhost.warm/1", "wdhost.display/1").
  Extensions = 14, // -
  Warm = 15,       // u64 count: "wdhost.warm/1" (or the 1.1 slot warm)
  Display = 16,    // u64 session: "wdhost.display/1"
  // Host -> helper on the main channel, with one descriptor (SCM_RIGHTS): the helper's end of a
  // new lane, served by a thread of its own until the host closes it.
  NewLane = 17, // -
};

// The functions of "wdhost.process/1" a ServiceCall names.
enum class ProcessFunction : std::int32_t {
  Spawn = 1,      // u64 argc, bytes argv...; u64 envc, bytes env...; bytes owner, cwd; i32 mode
  WaitOutput = 2, // u64 process; bytes needle; u64 timeoutMs
  Poll = 3,       // u64 process
  Terminate = 4,  // u64 process; u64 graceMs
  SetOwner = 5,   // u64 process; bytes owner
  WaitExit = 6,   // u64 process; u64 timeoutMs
};

// The functions of "wdhost.tempdir/1" a ServiceCall names (the text of the answer is the path,
// or why not).
enum class TempDirFunction : std::int32_t {
  Create = 11,   // bytes owner, hint
  Remove = 12,   // bytes path
  SetOwner = 13, // bytes path, owner
};

// Hello flags: which optional slots the plugin has.
constexpr std::uint64_t kHelloHasCommand = 1u;   // command or command_ctx
constexpr std::uint64_t kHelloTakesContext = 2u; // launch_ctx (ABI 1.3)

// Appends the reply's fields: i32 kind; bytes json, error, message, data; i32 ignoredCalls.
void appendReply(FrameBuilder& frame, const PluginReply& reply);
// Reads what appendReply wrote; false for a malformed reply (an unknown kind included).
bool readReply(FrameFields& fields, PluginReply* reply);

// Sends all of `frame` on the stream socket `fd` (MSG_NOSIGNAL, EINTR retried); false when the
// peer is gone or the frame is empty. The caller serialises writers.
bool sendFrame(int fd, const std::string& frame);

// Sends `frame` like sendFrame, with `descriptor` (borrowed; the peer gets its own copy) attached
// to its first byte.
bool sendFrameWithDescriptor(int fd, const std::string& frame, int descriptor);

// Reads from `fd` into `splitter` until it yields a frame body: true with *body, or false with
// *error ("the channel closed" at EOF, the framing error, or the read error). Blocking. With
// `descriptors`, the descriptors that came along (sendFrameWithDescriptor) are appended there, in
// the order they were sent, close-on-exec, owned by the caller (one the receiver had no room
// for is closed by the kernel and missing there); without, the kernel closes them.
bool receiveFrame(int fd, FrameSplitter& splitter, std::string* body, std::string* error,
                  std::deque<int>* descriptors = nullptr);

} // namespace wdh
