// The thread that carries every relayed websocket: one epoll set of its own, so that frames
// never wait for an HTTP worker and no lock is taken per frame. HTTP workers hand tunnels over
// after the handshake; sessions that end close theirs through it.
#pragma once

#include "server/websocket_tunnel.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wdh {

// Thread-safe: every public call may come from any thread.
class TunnelLoop {
public:
  // At most `maxPerSession` tunnels per session at once.
  explicit TunnelLoop(std::size_t maxPerSession);
  // Stops the loop if it runs.
  ~TunnelLoop();
  TunnelLoop(const TunnelLoop&) = delete;
  TunnelLoop& operator=(const TunnelLoop&) = delete;

  // Starts the thread; false (with errno) when the epoll set cannot be made.
  bool start();
  // Takes one of session `id`'s tunnel places; false when it has maxPerSession already.
  bool reserve(const std::string& id);
  // Gives back a place taken with reserve() that no tunnel came to use.
  void release(const std::string& id);
  // Takes over `tunnel`, whose place was reserved; it runs until either side ends it.
  void adopt(std::unique_ptr<WebSocketTunnel> tunnel);
  // Ends every tunnel of session `id` with a close frame (`code`, `reason`); returns once the
  // frames are queued (or after 1 s).
  void closeSession(const std::string& id, std::uint16_t code, const std::string& reason);
  // Tunnels open now.
  std::size_t openCount() const;
  // Traffic through every tunnel so far (tunnels count into it once adopted).
  WebSocketTraffic& traffic() noexcept { return traffic_; }
  // The same, read-only.
  const WebSocketTraffic& traffic() const noexcept { return traffic_; }
  // Closes every tunnel with 1001 "going away", waits up to 1 s for the close frames to go
  // out, then ends the thread. Later calls do nothing.
  void stop();

private:
  WebSocketTraffic traffic_;
  struct Entry;
  // What one epoll registration points at: one side of one tunnel.
  struct Side {
    Entry* entry = nullptr;
    bool upstream = false;
    int fd = -1;             // the descriptor last seen, -1 once the tunnel closed it
    bool registered = false; // `fd` is in the epoll set (only while some event is wanted)
    std::uint32_t armed = 0; // the events it is registered for
  };
  // A tunnel with its two registrations.
  struct Entry {
    std::unique_ptr<WebSocketTunnel> tunnel;
    Side client;
    Side upstream;
    bool dead = false;
  };
  // A request to the loop thread.
  struct Command {
    std::unique_ptr<WebSocketTunnel> adopt; // set: take this tunnel over
    std::string closeId;                    // else: close the tunnels of this session
    bool all = false;                       // or of every session (the host stops)
    std::uint16_t code = 1000;
    std::string reason;
    std::uint64_t ticket = 0;
  };

  void run();
  void post(Command command);
  void apply(Command& command);
  void update(Entry& entry);
  void watch(Side& side, int fd, std::uint32_t events);
  void bury(Entry& entry);
  void closeEntry(Entry& entry, std::uint16_t code, const std::string& reason);

  const std::size_t maxPerSession_;
  int epoll_ = -1;
  int wake_ = -1;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable applied_;
  std::deque<Command> commands_;
  std::uint64_t posted_ = 0;                            // tickets handed out (mutex_)
  std::uint64_t done_ = 0;                              // tickets applied (mutex_)
  bool running_ = false;                                // (mutex_)
  bool stopping_ = false;                               // (mutex_)
  std::unordered_map<std::string, std::size_t> places_; // reserved places per session (mutex_)
  std::size_t open_ = 0;                                // (mutex_)

  // Loop thread only.
  std::unordered_map<WebSocketTunnel*, std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Entry>> graveyard_;   // freed after the event batch
  std::unordered_map<Entry*, bool> closingEntries_; // watched for their close deadline
  bool draining_ = false;                           // stop() began: exit once all are gone
  WebSocketTunnel::Clock::time_point drainDeadline_{};
  char wakeTag_ = 0;
};

} // namespace wdh
