#include "live/live_view.h"

#include "webdriver/session_lifecycle.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace wdh {

LiveView::LiveView(SessionLifecycle& sessions, LiveSourceSettings settings)
    : sessions_(sessions), settings_(settings) {
  settings_.pictures = &pictures_;
}

LiveView::~LiveView() {
  stopAll();
}

std::shared_ptr<LiveSession> LiveView::liveSession(std::string_view id) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return nullptr;
  std::shared_ptr<LiveSession> replaced; // an ended one of a session with the same id: its
                                         // source is joined below, not under the lock
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = watched_.find(id);
  if (it != watched_.end() && !it->second->ended())
    return it->second;
  if (it != watched_.end())
    replaced = std::move(it->second);
  auto made = std::make_shared<LiveSession>(session, std::string(id), settings_);
  watched_[std::string(id)] = made;
  return made;
}

Status LiveView::attach(const std::string& sessionId, UniqueFd* socket,
                        const std::function<std::unique_ptr<LiveViewer>(UniqueFd)>& viewer) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return Status(ErrorCode::UnknownError,
                  "cannot open the live view: " + std::string(std::strerror(errno)));
  UniqueFd ours(pair[0]);
  UniqueFd theirs(pair[1]);
  std::vector<std::unique_ptr<LiveViewer>> finished;
  std::vector<std::shared_ptr<LiveSession>> ended;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = watched_.begin(); it != watched_.end();)
      if (it->second->ended()) {
        ended.push_back(std::move(it->second));
        it = watched_.erase(it);
      } else {
        ++it;
      }
    auto end = std::partition(viewers_.begin(), viewers_.end(),
                              [](const std::unique_ptr<LiveViewer>& v) { return !v->done(); });
    std::move(end, viewers_.end(), std::back_inserter(finished));
    viewers_.erase(end, viewers_.end());
    if (stopped_.load())
      return Status(ErrorCode::UnknownError, "the host is shutting down");
    if (viewers_.size() >= kMaxViewers)
      return Status(ErrorCode::UnknownError, "the host has " + std::to_string(kMaxViewers) +
                                                 " live viewers already; close one first");
    if (!sessionId.empty() && std::count_if(viewers_.begin(), viewers_.end(), [&](const auto& v) {
                                return v->sessionId() == sessionId;
                              }) >= static_cast<long>(kMaxViewersPerSession))
      return Status(ErrorCode::UnknownError, "session " + sessionId + " has " +
                                                 std::to_string(kMaxViewersPerSession) +
                                                 " live viewers already");
    viewers_.push_back(viewer(std::move(ours)));
  }
  *socket = std::move(theirs);
  return Status::ok(); // `finished` viewers and `ended` sources are joined here, unlocked
}

Status LiveView::watch(std::string_view sessionId, ViewerRights rights, UniqueFd* socket) {
  std::shared_ptr<LiveSession> session = liveSession(sessionId);
  if (!session)
    return sessions_.unknownSession(sessionId);
  std::uint64_t number = nextViewer_++;
  return attach(session->id(), socket, [&](UniqueFd ours) {
    return std::make_unique<LiveViewer>(number, session, rights, std::move(ours));
  });
}

Status LiveView::watchByLink(UniqueFd* socket) {
  std::uint64_t number = nextViewer_++;
  return attach("", socket, [&](UniqueFd ours) {
    return std::make_unique<LiveViewer>(
        number,
        [this](const std::string& secret, std::shared_ptr<LiveSession>* session,
               ViewerRights* rights) { return admit(secret, session, rights); },
        [this](const std::string& linkId) { return links_.valid(linkId); }, std::move(ours));
  });
}

Status LiveView::admit(const std::string& secret, std::shared_ptr<LiveSession>* session,
                       ViewerRights* rights) {
  LiveLink link;
  if (!links_.find(secret, &link))
    return Status(ErrorCode::InvalidArgument,
                  "this live link is unknown, expired or revoked: ask for a new one");
  *session = liveSession(link.sessionId);
  if (!*session)
    return Status(ErrorCode::InvalidSessionId, "the session of this live link has ended");
  rights->control = link.control;
  rights->linkId = link.id;
  rights->name = "a guest (link " + link.id + ")";
  return Status::ok();
}

Status LiveView::createLink(std::string_view sessionId, bool control, std::chrono::seconds lifetime,
                            std::string* secret, LiveLink* link) {
  if (!sessions_.find(sessionId))
    return sessions_.unknownSession(sessionId);
  return links_.create(std::string(sessionId), control, lifetime, secret, link);
}

Status LiveView::issueLink(const std::string& sessionId, const LiveViewAsk& ask,
                           std::string* secret) {
  LiveLink link;
  return createLink(sessionId, ask.control, ask.lifetime, secret, &link);
}

bool LiveView::revokeLink(std::string_view sessionId, std::string_view linkId) {
  // Its viewers see the link gone within a tick and close (1008).
  return links_.revoke(std::string(sessionId), std::string(linkId));
}

std::vector<LiveLink> LiveView::links(std::string_view sessionId) {
  return links_.of(std::string(sessionId));
}

std::size_t LiveView::viewersOf(std::string_view sessionId) {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(viewers_.begin(), viewers_.end(),
                    [&](const auto& v) { return !v->done() && v->sessionId() == sessionId; }));
}

std::string LiveView::controllerOf(std::string_view sessionId) {
  std::shared_ptr<LiveSession> session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = watched_.find(sessionId);
    if (it == watched_.end() || it->second->ended())
      return "";
    session = it->second;
  }
  std::uint64_t viewer = 0;
  return session->holder(&viewer);
}

std::size_t LiveView::viewers() {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(viewers_.begin(), viewers_.end(), [](const auto& v) { return !v->done(); }));
}

void LiveView::stopAll() {
  std::vector<std::unique_ptr<LiveViewer>> viewers;
  std::map<std::string, std::shared_ptr<LiveSession>, std::less<>> watched;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_.store(true);
    viewers.swap(viewers_);
    watched.swap(watched_);
  }
  for (auto& viewer : viewers)
    viewer->stop();
  for (auto& entry : watched)
    entry.second->end();
  viewers.clear(); // joins each
}

void LiveView::sessionEnding(const std::string& id, std::uint16_t, const std::string&) {
  links_.dropSession(id);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = watched_.find(id);
  // Its viewers close at their next tick and its source stops; it is forgotten (its thread
  // joined) by the next attach(), not here: a watcher must not block.
  if (it != watched_.end())
    it->second->end();
}

} // namespace wdh
