#include "live/live_session.h"

#include "core/log.h"
#include "live/frame_capture.h"
#include "recording/chrome_screencast.h"
#include "recording/jpeg_size.h"
#include "session/session.h"

#include "json/json.h"
#include <algorithm>

namespace wdh {
namespace {

constexpr auto kOpenTimeout = std::chrono::seconds(10);
constexpr auto kFrameWait = std::chrono::milliseconds(200); // how often the source looks around
constexpr auto kRetryGap = std::chrono::seconds(1);         // after the browser refused

// What a failed Perform Actions answered, for the person.
std::string refusal(const RelayResponse& response) {
  rapidjson::Document doc;
  if (parseJsonObject(response.body, &doc).isOk()) {
    auto value = doc.FindMember("value");
    if (value != doc.MemberEnd() && value->value.IsObject()) {
      auto message = value->value.FindMember("message");
      if (message != value->value.MemberEnd() && message->value.IsString())
        return std::string(message->value.GetString()).substr(0, 300);
    }
  }
  return "the browser answered " + std::to_string(response.status);
}

// A person's input as the session's log tells it: never what was typed.
std::string described(const LiveInput& input) {
  switch (input.kind) {
  case LiveInput::Click:
    return input.twice ? "double click" : "click";
  case LiveInput::Scroll:
    return "scroll";
  case LiveInput::Key:
    return "a key";
  case LiveInput::Text:
    return "typing";
  }
  return "input";
}

} // namespace

LiveSession::LiveSession(std::weak_ptr<Session> session, std::string id,
                         LiveSourceSettings settings)
    : session_(std::move(session)), id_(std::move(id)), settings_(settings) {}

LiveSession::~LiveSession() {
  end();
  std::thread source;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    source = std::move(source_);
  }
  if (source.joinable())
    source.join();
}

std::string LiveSession::browser() const {
  std::shared_ptr<Session> session = session_.lock();
  return session ? session->plugin().description().browserName : std::string();
}

void LiveSession::watch() {
  std::thread finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++viewers_;
    if (producing_ || ended_.load())
      return;
    // A source that ended (nobody watched) is collected before the next begins.
    finished = std::move(source_);
    producing_ = true;
  }
  if (finished.joinable())
    finished.join();
  std::lock_guard<std::mutex> lock(mutex_);
  source_ = std::thread([this] { produce(); });
}

void LiveSession::unwatch() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (viewers_ > 0)
    --viewers_;
  changed_.notify_all();
}

std::shared_ptr<const ViewFrame> LiveSession::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

std::string LiveSession::problem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return problem_;
}

bool LiveSession::take(std::uint64_t viewer, const std::string& name, std::string* holder) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (holder_ != 0 && holder_ != viewer) {
    *holder = holderName_;
    return false;
  }
  if (holder_ != viewer) {
    holder_ = viewer;
    holderName_ = name;
    ++controlVersion_;
    log(LogLevel::Info, "live", name + " took control of the session at its live view",
        LogFields{id_, {}});
  }
  return true;
}

void LiveSession::release(std::uint64_t viewer) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (holder_ == 0 || holder_ != viewer)
    return;
  log(LogLevel::Info, "live", holderName_ + " gave control of the session back",
      LogFields{id_, {}});
  holder_ = 0;
  holderName_.clear();
  ++controlVersion_;
}

std::string LiveSession::holder(std::uint64_t* viewer) const {
  std::lock_guard<std::mutex> lock(mutex_);
  *viewer = holder_;
  return holderName_;
}

Status LiveSession::input(std::uint64_t viewer, const LiveInput& input) {
  std::lock_guard<std::mutex> order(inputMutex_);
  std::shared_ptr<const ViewFrame> frame;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (holder_ != viewer)
      return Status(ErrorCode::InvalidArgument, "take control before acting on the page");
    frame = latest_;
  }
  if (!frame || frame->cssWidth < 1 || frame->cssHeight < 1)
    return Status(ErrorCode::InvalidArgument, "there is no picture of the page yet to act on");
  std::shared_ptr<Session> session = session_.lock();
  if (!session)
    return Status(ErrorCode::InvalidSessionId, "the session has ended");
  RelayResponse response;
  Status status = session->execute(
      "POST", "/actions", liveActionsBody(input, frame->cssWidth, frame->cssHeight), &response);
  if (status.isOk() && response.status != 200 && input.kind == LiveInput::Scroll) {
    // Not every backend has wheel actions: the page's own scroll does the same to the window.
    RelayResponse scrolled;
    status = session->execute("POST", "/execute/sync",
                              "{\"script\":\"window.scrollBy(arguments[0],arguments[1])\","
                              "\"args\":[" +
                                  std::to_string(input.deltaX) + "," +
                                  std::to_string(input.deltaY) + "]}",
                              &scrolled);
    response = std::move(scrolled);
  }
  if (!status.isOk())
    return status;
  if (response.status != 200)
    return Status(ErrorCode::UnknownError,
                  "the browser refused the " + described(input) + ": " + refusal(response));
  log(LogLevel::Debug, "live", "a person at the live view: " + described(input),
      LogFields{id_, {}});
  return Status::ok();
}

void LiveSession::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  ended_.store(true);
  changed_.notify_all();
}

bool LiveSession::keepProducing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return viewers_ > 0 && !ended_.load();
}

void LiveSession::pause(std::chrono::milliseconds howLong) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, howLong, [this] { return viewers_ == 0 || ended_.load(); });
}

void LiveSession::publish(ViewFrame frame) {
  if (settings_.pictures != nullptr)
    settings_.pictures->fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mutex_);
  frame.sequence = latest_ ? latest_->sequence + 1 : 1;
  latest_ = std::make_shared<const ViewFrame>(std::move(frame));
  problem_.clear();
  changed_.notify_all();
}

std::shared_ptr<const ViewFrame>
LiveSession::waitNewer(std::uint64_t after, std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_until(lock, deadline,
                      [&] { return ended_.load() || (latest_ && latest_->sequence > after); });
  return latest_ && latest_->sequence > after ? latest_ : nullptr;
}

void LiveSession::setProblem(const std::string& problem) {
  std::lock_guard<std::mutex> lock(mutex_);
  problem_ = problem;
}

void LiveSession::produce() {
  std::string cdp;
  if (std::shared_ptr<Session> session = session_.lock())
    cdp = session->sockets().cdp;
  if (!cdp.empty())
    produceScreencast(cdp);
  else
    producePolled();
  std::lock_guard<std::mutex> lock(mutex_);
  producing_ = false;
}

void LiveSession::produceScreencast(const std::string& cdp) {
  while (keepProducing()) {
    std::string window;
    if (std::shared_ptr<Session> session = session_.lock())
      window = session->window();
    else
      return;
    ScreencastOptions options;
    options.maxWidth = settings_.maxWidth;
    options.maxHeight = settings_.maxHeight;
    options.target = window;
    std::unique_ptr<ChromeScreencast> cast;
    Status status = ChromeScreencast::open(cdp, options,
                                           std::chrono::steady_clock::now() + kOpenTimeout, &cast);
    if (!status.isOk()) {
      setProblem(status.message());
      pause(kRetryGap);
      continue;
    }
    // Chrome sends the next frame once the last is acknowledged: holding acknowledgements back
    // to maxFps spares it the work of frames nobody could see. A page that stops changing while
    // one is held back may have had its last paint dropped, so a screenshot follows a quiet
    // moment after a held-back frame.
    const auto gap = std::chrono::milliseconds(1000 / std::max(1, settings_.maxFps));
    const auto quiet = std::chrono::milliseconds(300);
    auto now = std::chrono::steady_clock::now();
    auto acknowledged = now - gap;
    constexpr auto kNever = std::chrono::steady_clock::time_point::max();
    auto ackAt = kNever;    // when a held-back acknowledgement goes
    auto settleAt = kNever; // when to take a screenshot
    while (keepProducing()) {
      {
        std::shared_ptr<Session> session = session_.lock();
        if (!session || session->window() != window)
          break; // the client switched windows: watch the new one
      }
      now = std::chrono::steady_clock::now();
      if (now >= ackAt) {
        ackAt = kNever;
        acknowledged = now;
        settleAt = now + quiet;
        cast->acknowledge(now + kOpenTimeout);
        continue;
      }
      if (captureWanted_.exchange(false))
        settleAt = now;
      PageEvent event;
      if (now >= settleAt) {
        settleAt = kNever;
        status = cast->capture(now + kOpenTimeout, &event);
      } else {
        status = cast->next(std::min({now + kFrameWait, ackAt, settleAt}), &event);
      }
      if (status.code() == ErrorCode::Timeout)
        continue;
      if (!status.isOk()) {
        setProblem(status.message());
        pause(kRetryGap);
        break;
      }
      if (event.kind != PageEvent::Frame)
        continue;
      settleAt = kNever;
      ViewFrame frame;
      frame.contentType = "image/jpeg";
      frame.cssWidth = event.cssWidth;
      frame.cssHeight = event.cssHeight;
      if (frame.cssWidth < 1 || frame.cssHeight < 1) {
        int width = 0;
        int height = 0;
        jpegSize(event.data, &width, &height);
        frame.cssWidth = width;
        frame.cssHeight = height;
      }
      frame.bytes = std::move(event.data);
      publish(std::move(frame));
      now = std::chrono::steady_clock::now();
      if (now - acknowledged >= gap) {
        acknowledged = now;
        cast->acknowledge(now + kOpenTimeout); // a screenshot's is a no-op
      } else if (ackAt == kNever) {
        ackAt = acknowledged + gap;
      }
    }
  }
}

void LiveSession::producePolled() {
  while (keepProducing()) {
    std::shared_ptr<Session> session = session_.lock();
    if (!session)
      return;
    LiveFrame picture;
    Status status = captureByCommand(*session, &picture);
    session.reset();
    if (status.code() == ErrorCode::InvalidSessionId)
      return;
    if (status.isOk()) {
      ViewFrame frame;
      frame.contentType = picture.contentType;
      // A screenshot's pixels are taken as CSS pixels (a device pixel ratio of 1, as headless
      // browsers and the host's displays have).
      frame.cssWidth = picture.width;
      frame.cssHeight = picture.height;
      frame.bytes = std::move(picture.bytes);
      publish(std::move(frame));
    } else {
      setProblem(status.message());
    }
    pause(status.isOk() ? settings_.pollGap : std::chrono::milliseconds(kRetryGap));
  }
}

} // namespace wdh
