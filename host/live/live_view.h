// The host's live view: people watching sessions over the host's own websockets (from the
// status page, or by a hand-off link), one shared picture source per watched session, control
// of a session held by one person at a time, and the links themselves.
#pragma once

#include "live/live_links.h"
#include "live/live_session.h"
#include "live/live_viewer.h"
#include "process/unique_fd.h"
#include "session/session_events.h"
#include "webdriver/session_types.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

class SessionLifecycle;

// Every viewer and link of the host. Thread-safe; a SessionEvents watcher (it must be added as
// one) so that a session's viewers and links end with it.
class LiveView : public SessionEvents, public LiveLinkIssuer {
public:
  // The most viewers at once, in all and of one session.
  static constexpr std::size_t kMaxViewers = 64;
  static constexpr std::size_t kMaxViewersPerSession = 16;

  // `sessions` must outlive this.
  explicit LiveView(SessionLifecycle& sessions, LiveSourceSettings settings = {});
  // stopAll().
  ~LiveView() override;
  LiveView(const LiveView&) = delete;
  LiveView& operator=(const LiveView&) = delete;

  // A viewer of session `sessionId` with `rights` (the caller authenticated it): Ok with
  // *socket the end of a socket pair the server relays to the person; InvalidSessionId for a
  // session not live, UnknownError when too many watch.
  Status watch(std::string_view sessionId, ViewerRights rights, UniqueFd* socket);
  // A viewer that came by a hand-off link: its first message names the link's secret.
  Status watchByLink(UniqueFd* socket);

  // A hand-off link to session `sessionId`: see LiveLinks::create. InvalidSessionId for a
  // session not live.
  Status createLink(std::string_view sessionId, bool control, std::chrono::seconds lifetime,
                    std::string* secret, LiveLink* link);
  // LiveLinkIssuer: the link New Session's wdhost:liveView asked for.
  Status issueLink(const std::string& sessionId, const LiveViewAsk& ask,
                   std::string* secret) override;
  // Revokes link `linkId` of session `sessionId` (its viewers are closed); false when unknown.
  bool revokeLink(std::string_view sessionId, std::string_view linkId);
  // The live links of session `sessionId`.
  std::vector<LiveLink> links(std::string_view sessionId);
  // People watching session `sessionId` now.
  std::size_t viewersOf(std::string_view sessionId);
  // Who holds control of session `sessionId` ("" when nobody does).
  std::string controllerOf(std::string_view sessionId);
  // People watching any session now.
  std::size_t viewers();
  // Pictures taken from browsers so far (one per picture, however many watch it).
  std::uint64_t pictures() const noexcept { return pictures_.load(); }

  // Ends every viewer (close 1001) and waits for them; later viewers are refused.
  void stopAll();

  // A session ending: its viewers are closed (1000), its links forgotten.
  void sessionEnding(const std::string& id, std::uint16_t closeCode,
                     const std::string& why) override;

private:
  // The watched form of session `id`, made on first use; null when it is not live.
  std::shared_ptr<LiveSession> liveSession(std::string_view id);
  // Makes the socket pair and keeps `viewer` (made with our end); collects finished viewers.
  Status attach(const std::string& sessionId, UniqueFd* socket,
                const std::function<std::unique_ptr<LiveViewer>(UniqueFd)>& viewer);
  // What a link's secret opens (LinkAdmission).
  Status admit(const std::string& secret, std::shared_ptr<LiveSession>* session,
               ViewerRights* rights);

  SessionLifecycle& sessions_;
  LiveSourceSettings settings_;
  LiveLinks links_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<LiveSession>, std::less<>> watched_;
  std::vector<std::unique_ptr<LiveViewer>> viewers_;
  std::atomic<std::uint64_t> nextViewer_{1};
  std::atomic<std::uint64_t> pictures_{0};
  std::atomic<bool> stopped_{false};
};

} // namespace wdh
