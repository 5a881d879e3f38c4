#include "live/live_viewer.h"

#include "http/websocket.h"

#include "json/json.h"
#include <cerrno>
#include <chrono>
#include <poll.h>
#include <sys/socket.h>

namespace wdh {
namespace {

constexpr int kTickMs = 40;                    // how often a waiting viewer looks for news
constexpr std::size_t kMaxMessage = 16 * 1024; // the longest message a person sends
constexpr auto kHelloWithin = std::chrono::seconds(10);
constexpr std::size_t kMaxName = 64;

std::string stringField(const rapidjson::Value& message, const char* key) {
  auto it = message.FindMember(key);
  return it != message.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

// A name a person gave themselves, kept only when short and printable.
bool acceptableName(const std::string& name) {
  if (name.empty() || name.size() > kMaxName)
    return false;
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return false;
  return true;
}

std::string errorMessage(const std::string& text) {
  return "{\"type\":\"error\",\"message\":" + quoteJson(text) + "}";
}

} // namespace

LiveViewer::LiveViewer(std::uint64_t number, std::shared_ptr<LiveSession> session,
                       ViewerRights rights, UniqueFd socket)
    : number_(number), session_(std::move(session)), rights_(std::move(rights)),
      socket_(std::move(socket)) {
  thread_ = std::thread([this] { run(); });
}

LiveViewer::LiveViewer(std::uint64_t number, LinkAdmission admit,
                       std::function<bool(const std::string&)> stillValid, UniqueFd socket)
    : number_(number), admit_(std::move(admit)), stillValid_(std::move(stillValid)),
      socket_(std::move(socket)) {
  thread_ = std::thread([this] { run(); });
}

LiveViewer::~LiveViewer() {
  stop();
  if (thread_.joinable())
    thread_.join();
}

std::string LiveViewer::sessionId() const {
  std::lock_guard<std::mutex> lock(sessionMutex_);
  return session_ ? session_->id() : std::string();
}

void LiveViewer::say(const std::string& json) {
  // Text waits behind the picture being sent; a person who reads nothing gets few of them.
  constexpr std::size_t kMostQueued = 64 * 1024;
  if (texts_.size() < kMostQueued)
    texts_ += textFrame(json);
}

std::string LiveViewer::controlMessage() const {
  std::uint64_t holder = 0;
  std::string name = session_->holder(&holder);
  return std::string("{\"type\":\"control\",\"held\":") + (holder != 0 ? "true" : "false") +
         ",\"by\":" + quoteJson(name) + ",\"you\":" + (holder == number_ ? "true" : "false") +
         ",\"mayTake\":" + (rights_.control ? "true" : "false") + "}";
}

bool LiveViewer::handle(const std::string& message, std::uint16_t* code, std::string* why) {
  rapidjson::Document doc;
  if (!parseJsonObject(message, &doc).isOk()) {
    say(errorMessage("a message is a JSON object with a \"type\""));
    return true;
  }
  std::string type = stringField(doc, "type");
  if (!session_) {
    std::shared_ptr<LiveSession> session;
    ViewerRights rights;
    Status admitted = type == "hello" ? admit_(stringField(doc, "link"), &session, &rights)
                                      : Status(ErrorCode::InvalidArgument,
                                               "a live link's first message is "
                                               "{\"type\": \"hello\", \"link\": SECRET}");
    if (!admitted.isOk()) {
      *code = 1008;
      *why = admitted.message();
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(sessionMutex_);
      session_ = std::move(session);
      rights_ = std::move(rights);
    }
    session_->watch();
    say("{\"type\":\"hello\",\"session\":" + quoteJson(session_->id()) +
        ",\"browser\":" + quoteJson(session_->browser()) +
        ",\"control\":" + (rights_.control ? "true" : "false") + "}");
    return true;
  }
  if (type == "take") {
    if (!rights_.control) {
      say(errorMessage("this view may watch only: its link does not grant control"));
      return true;
    }
    if (!rights_.csrf.empty() && stringField(doc, "csrf") != rights_.csrf) {
      say(errorMessage("taking control needs the page's CSRF token (\"csrf\")"));
      return true;
    }
    std::string name = stringField(doc, "name");
    std::string holder;
    if (!session_->take(number_, acceptableName(name) ? name : rights_.name, &holder))
      say(errorMessage(holder + " holds control: they must release it first"));
    return true;
  }
  if (type == "release") {
    session_->release(number_);
    return true;
  }
  if (type == "hello")
    return true;
  LiveInput input;
  Status status = parseLiveInput(doc, &input);
  if (status.isOk())
    status = session_->input(number_, input);
  if (!status.isOk())
    say(errorMessage(status.message()));
  return true;
}

void LiveViewer::run() {
  WebSocketMessageReader reader(kMaxMessage);
  auto helloBy = std::chrono::steady_clock::now() + kHelloWithin;
  std::uint16_t code = 1000;
  std::string why;
  std::uint64_t shown = 0;
  std::uint64_t controlSeen = ~std::uint64_t{0};
  std::string problemSaid; // why pictures fail, as last told to the person
  bool gone = false;       // the person's side is closed or broken: no close frame can reach it
  if (session_) {
    session_->watch();
    say("{\"type\":\"hello\",\"session\":" + quoteJson(session_->id()) +
        ",\"browser\":" + quoteJson(session_->browser()) +
        ",\"control\":" + (rights_.control ? "true" : "false") + "}");
  }
  for (;;) {
    if (stop_.load()) {
      code = 1001;
      why = "the host is shutting down";
      break;
    }
    if (session_ && session_->ended()) {
      why = "the session ended";
      break;
    }
    if (session_ && !rights_.linkId.empty() && !stillValid_(rights_.linkId)) {
      code = 1008;
      why = "the live link expired or was revoked";
      break;
    }
    if (!session_ && std::chrono::steady_clock::now() > helloBy) {
      code = 1008;
      why = "a live link's first message is {\"type\": \"hello\", \"link\": SECRET}";
      break;
    }
    bool idle = outSent_ == out_.size() && !sending_;
    if (idle && !session_ && !texts_.empty()) {
      out_ = std::move(texts_);
      texts_.clear();
      outSent_ = 0;
      idle = false;
    }
    if (idle && session_) {
      out_.clear();
      outSent_ = 0;
      if (session_->controlVersion() != controlSeen) {
        controlSeen = session_->controlVersion();
        say(controlMessage());
      }
      // A source that cannot take pictures says why, once per reason.
      if (std::string problem = session_->problem(); problem != problemSaid) {
        problemSaid = problem;
        if (!problem.empty())
          say(errorMessage("no picture of the page: " + problem));
      }
      if (!texts_.empty()) {
        out_ = std::move(texts_);
        texts_.clear();
      } else if (std::shared_ptr<const ViewFrame> frame = session_->latest();
                 frame && frame->sequence > shown) {
        // Only the newest picture is ever sent: the ones in between are skipped.
        shown = frame->sequence;
        out_ = binaryFrameHead(frame->bytes.size());
        sending_ = std::move(frame);
        sendingSent_ = 0;
      }
      idle = outSent_ == out_.size() && !sending_;
    }
    pollfd wait{socket_.get(), static_cast<short>(POLLIN | (idle ? 0 : POLLOUT)), 0};
    ::poll(&wait, 1, kTickMs);
    if ((wait.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buffer[4096];
      ssize_t n = ::recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        gone = true;
        break;
      }
      if (n > 0)
        reader.feed(buffer, static_cast<std::size_t>(n));
      bool open = true;
      std::string message;
      while (open) {
        WebSocketMessageReader::Result result = reader.next(&message);
        if (result == WebSocketMessageReader::Result::NeedMore)
          break;
        if (result == WebSocketMessageReader::Result::Text)
          open = handle(message, &code, &why);
        else if (result == WebSocketMessageReader::Result::Binary) {
          open = false;
          code = 1003;
          why = "the live view takes text messages only";
        } else {
          open = false;
          code = result == WebSocketMessageReader::Result::Closed   ? 1000
                 : result == WebSocketMessageReader::Result::TooBig ? 1009
                                                                    : 1002;
          why = result == WebSocketMessageReader::Result::Closed ? "goodbye"
                : result == WebSocketMessageReader::Result::TooBig
                    ? "a message is at most " + std::to_string(kMaxMessage) + " bytes"
                    : "that is not a websocket frame a client may send";
        }
      }
      if (!open)
        break;
    }
    // Send what is queued, as far as the person's connection takes it now.
    while (outSent_ < out_.size() || sending_) {
      const char* data = nullptr;
      std::size_t left = 0;
      if (outSent_ < out_.size()) {
        data = out_.data() + outSent_;
        left = out_.size() - outSent_;
      } else {
        data = sending_->bytes.data() + sendingSent_;
        left = sending_->bytes.size() - sendingSent_;
      }
      ssize_t n = left == 0 ? 0 : ::send(socket_.get(), data, left, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        break;
      if (n < 0) {
        gone = true;
        break;
      }
      if (outSent_ < out_.size()) {
        outSent_ += static_cast<std::size_t>(n);
      } else {
        sendingSent_ += static_cast<std::size_t>(n);
        if (sendingSent_ == sending_->bytes.size())
          sending_.reset();
      }
    }
    if (gone)
      break;
  }
  if (session_) {
    session_->release(number_);
    session_->unwatch();
  }
  if (!gone) {
    // A picture half sent is finished first (bounded), then the close frame goes.
    if (sending_) {
      out_ = out_.substr(outSent_) + sending_->bytes.substr(sendingSent_);
      outSent_ = 0;
      sending_.reset();
    } else {
      out_ = out_.substr(outSent_);
      outSent_ = 0;
    }
    out_ += closeFrame(code, why);
    auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (outSent_ < out_.size() && std::chrono::steady_clock::now() < giveUp) {
      ssize_t n = ::send(socket_.get(), out_.data() + outSent_, out_.size() - outSent_,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        outSent_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        break;
      pollfd wait{socket_.get(), POLLOUT, 0};
      ::poll(&wait, 1, 100);
    }
    // The person answers the close; then both ends close (bounded).
    for (int i = 0; i < 5; ++i) {
      pollfd wait{socket_.get(), POLLIN, 0};
      if (::poll(&wait, 1, 100) <= 0)
        continue;
      char buffer[512];
      if (::recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT) <= 0)
        break;
    }
  }
  socket_.reset();
  done_.store(true);
}

} // namespace wdh
