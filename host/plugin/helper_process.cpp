#include "plugin/helper_process.h"

#include "plugin/call_context.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wdh {
namespace {

constexpr auto kHelloTimeout = std::chrono::seconds(10);
constexpr auto kPoll = std::chrono::milliseconds(50);

std::uint8_t typeByte(ChannelMessage type) {
  return static_cast<std::uint8_t>(type);
}

// Reads the hello frame from `fd` within kHelloTimeout; false with *error otherwise.
bool readHello(int fd, FrameSplitter& splitter, std::string* body, std::string* error) {
  const auto deadline = std::chrono::steady_clock::now() + kHelloTimeout;
  char buffer[4096];
  for (;;) {
    FrameSplitter::Result result = splitter.next(body, error);
    if (result == FrameSplitter::Result::Frame)
      return true;
    if (result == FrameSplitter::Result::Invalid)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      *error = "it said nothing within " + std::to_string(kHelloTimeout.count()) + " s";
      return false;
    }
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      *error = "it ended before it said hello";
      return false;
    }
    splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

} // namespace

std::string describeHelperEnd(const ProcessState& state) {
  if (state.kind == ProcessState::Signaled) {
    const char* abbrev = ::sigabbrev_np(state.detail);
    return "was killed by signal " + std::to_string(state.detail) +
           (abbrev == nullptr ? std::string() : std::string(" (SIG") + abbrev + ")");
  }
  if (state.kind == ProcessState::Exited)
    return "exited with code " + std::to_string(state.detail);
  return "closed its channel while running";
}

Status HelperProcess::start(const std::string& helperPath, const std::string& libraryPath,
                            ProcessSupervisor* processes, std::shared_ptr<HelperProcess>* out,
                            HelperHello* hello) {
  if (processes == nullptr)
    return Status(ErrorCode::UnknownError, "no process supervisor to start the plugin's helper");
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return Status(ErrorCode::UnknownError,
                  std::string("cannot create the helper's channel: ") + std::strerror(errno));
  UniqueFd ours(fds[0]);
  UniqueFd theirs(fds[1]);
  SpawnOptions options;
  options.passFd = theirs.get();
  ProcessSupervisor::Id id = 0;
  Status status = processes->spawn(
      {helperPath, "--channel-fd", std::to_string(kPassedFd), libraryPath}, {}, "", options, &id);
  theirs.reset();
  if (!status.isOk())
    return Status(ErrorCode::UnknownError, status.message());
  FrameSplitter splitter;
  std::string body;
  std::string error;
  bool ok = readHello(ours.get(), splitter, &body, &error);
  std::int32_t loaded = 0;
  std::string refusal;
  FrameFields fields(body);
  std::uint64_t minor = 0;
  if (ok) {
    ok = fields.type() == typeByte(ChannelMessage::Hello) && fields.i32(&loaded) &&
         fields.bytes(&hello->id) && fields.bytes(&hello->name) && fields.bytes(&hello->version) &&
         fields.bytes(&refusal) && fields.u64(&minor) && fields.u64(&hello->flags) &&
         fields.u64(&hello->pid) && fields.atEnd() && minor <= WDHOST_ABI_MINOR;
    if (!ok)
      error = "its hello was malformed";
  }
  if (!ok || loaded == 0) {
    std::string tail = processes->outputTail(id);
    processes->terminate(id, std::chrono::milliseconds(0));
    if (ok)
      return Status(ErrorCode::UnknownError, refusal);
    return Status(ErrorCode::UnknownError,
                  "the plugin's helper " + helperPath + " failed: " + error +
                      (tail.empty() ? std::string() : "; its output: " + tail.substr(0, 500)));
  }
  hello->abiMinor = static_cast<std::uint32_t>(minor);
  std::shared_ptr<HelperProcess> helper(new HelperProcess(processes, id, std::move(ours)));
  helper->pid_ = hello->pid;
  helper->reader_ = std::thread([raw = helper.get()] { raw->readLoop(); });
  *out = std::move(helper);
  return Status::ok();
}

HelperProcess::HelperProcess(ProcessSupervisor* processes, ProcessSupervisor::Id id,
                             UniqueFd channel)
    : processes_(processes), processId_(id), channel_(std::move(channel)) {}

HelperProcess::~HelperProcess() {
  // The helper sees the end of its channel and leaves; the reader sees it too.
  ::shutdown(channel_.get(), SHUT_RDWR);
  if (reader_.joinable())
    reader_.join();
  processes_->terminate(processId_, std::chrono::seconds(2));
}

void HelperProcess::setLogSink(LogSink sink) {
  std::lock_guard<std::mutex> lock(mutex_);
  logSink_ = std::move(sink);
}

void HelperProcess::setServiceHandler(ServiceHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  serviceHandler_ = std::move(handler);
}

void HelperProcess::setEndSink(EndSink sink) {
  std::lock_guard<std::mutex> lock(mutex_);
  endSink_ = std::move(sink);
}

bool HelperProcess::send(const std::string& frame) {
  std::lock_guard<std::mutex> lock(writeMutex_);
  return sendFrame(channel_.get(), frame);
}

void HelperProcess::readLoop() noexcept {
  FrameSplitter splitter;
  std::string body;
  std::string error;
  while (receiveFrame(channel_.get(), splitter, &body, &error)) {
    FrameFields fields(body);
    if (fields.type() == typeByte(ChannelMessage::Log)) {
      std::int32_t level = 0;
      std::string text;
      if (fields.i32(&level) && fields.bytes(&text) && fields.atEnd()) {
        LogSink sink;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          sink = logSink_;
        }
        if (sink)
          sink(level, text);
        continue;
      }
    } else if (fields.type() == typeByte(ChannelMessage::ServiceCall)) {
      ServiceHandler handler;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        handler = serviceHandler_;
      }
      std::shared_ptr<HelperProcess> self = weak_from_this().lock();
      if (handler && self) {
        // Service calls block (wait_output, terminate): never on this thread. The thread keeps
        // the helper object alive until it answered.
        std::thread([self, handler, request = std::move(body)] {
          self->send(handler(request));
        }).detach();
        continue;
      }
    }
    error = "sent a malformed frame (type " + std::to_string(fields.type()) + ")";
    end("broke the channel: it " + error);
    return;
  }
  bool ending = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ending = ending_;
  }
  if (ending)
    return;
  ProcessState state;
  std::string reason = "closed its channel (" + error + ")";
  if (processes_->waitExit(processId_, std::chrono::seconds(5), &state) ==
      ProcessSupervisor::WaitResult::Ended)
    reason = describeHelperEnd(state);
  markEnded(reason);
  EndSink sink;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sink = endSink_;
  }
  if (sink)
    sink(reason);
}

void HelperProcess::markEnded(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (endReason_.empty())
    endReason_ = reason;
  changed_.notify_all();
}

void HelperProcess::end(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ending_ || !endReason_.empty())
      return;
    ending_ = true;
  }
  ::shutdown(channel_.get(), SHUT_RDWR);
  processes_->terminate(processId_, std::chrono::milliseconds(0));
  markEnded(reason);
}

bool HelperProcess::ended() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !endReason_.empty();
}

std::string HelperProcess::endReason() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return endReason_;
}

std::unique_ptr<HelperProcess::Lane> HelperProcess::takeLane(std::string* error) {
  {
    std::lock_guard<std::mutex> lock(lanesMutex_);
    if (!idleLanes_.empty()) {
      std::unique_ptr<Lane> lane = std::move(idleLanes_.back());
      idleLanes_.pop_back();
      return lane;
    }
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    *error = std::string("no lane could be opened: ") + std::strerror(errno);
    return nullptr;
  }
  auto lane = std::make_unique<Lane>();
  lane->fd.reset(fds[0]);
  UniqueFd theirs(fds[1]);
  std::lock_guard<std::mutex> lock(writeMutex_);
  if (!sendFrameWithDescriptor(channel_.get(),
                               FrameBuilder(typeByte(ChannelMessage::NewLane), 0).frame(),
                               theirs.get())) {
    *error = "the lane could not be handed over";
    return nullptr;
  }
  return lane;
}

void HelperProcess::keepLane(std::unique_ptr<Lane> lane) {
  // Enough for the calls that usually run at once; a lane closed here ends its helper thread.
  constexpr std::size_t kIdleLanes = 8;
  std::lock_guard<std::mutex> lock(lanesMutex_);
  if (idleLanes_.size() < kIdleLanes)
    idleLanes_.push_back(std::move(lane));
}

HelperAnswer HelperProcess::laneFailed(const char* what, const std::string& laneError) {
  // A helper that ended closed its main channel with the lane: the reader says how (it asks the
  // supervisor, within 5 s). One that runs on refused this call alone (it could not take the
  // lane: out of descriptors), which fails without ending its other calls.
  pollfd main{channel_.get(), POLLRDHUP, 0};
  int hungUp = 0;
  do
    hungUp = ::poll(&main, 1, 1000);
  while (hungUp < 0 && errno == EINTR);
  HelperAnswer answer;
  if (hungUp == 0 && !ended()) {
    answer.answered = true;
    const std::string message = std::string("the plugin's helper could not take the ") + what +
                                " call (" + laneError + "); it runs on";
    replyError(&answer.reply,
               wdhost_str{WDHOST_W3C_UNKNOWN_ERROR, std::strlen(WDHOST_W3C_UNKNOWN_ERROR)},
               wdhost_str{message.data(), message.size()});
    return answer;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (changed_.wait_for(lock, std::chrono::seconds(8), [&] { return !endReason_.empty(); })) {
    answer.ended = endReason_;
    return answer;
  }
  lock.unlock();
  end("closed its channel but did not exit, and was ended");
  answer.ended = endReason();
  return answer;
}

HelperAnswer HelperProcess::call(ChannelMessage type,
                                 const std::function<void(FrameBuilder&)>& fill,
                                 const wdhost_call_context* context,
                                 std::chrono::milliseconds bound,
                                 std::chrono::milliseconds cancelGrace, const char* what) {
  HelperAnswer gone;
  std::uint32_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!endReason_.empty()) {
      gone.ended = endReason_;
      return gone;
    }
    id = ++lastCall_ == 0 ? ++lastCall_ : lastCall_;
  }
  FrameBuilder builder(typeByte(type), id);
  fill(builder);
  std::string frame = builder.frame();
  if (frame.empty()) {
    HelperAnswer refused;
    refused.answered = true;
    const std::string message = std::string("the ") + what + " call is larger than the " +
                                std::to_string(kMaxChannelFrame) + " bytes a channel frame holds";
    replyError(&refused.reply,
               wdhost_str{WDHOST_W3C_UNKNOWN_ERROR, std::strlen(WDHOST_W3C_UNKNOWN_ERROR)},
               wdhost_str{message.data(), message.size()});
    return refused;
  }
  std::string laneError;
  std::unique_ptr<Lane> lane = takeLane(&laneError);
  if (!lane)
    return laneFailed(what, laneError);
  if (!sendFrame(lane->fd.get(), frame))
    return laneFailed(what, "the call could not be sent");

  const auto started = std::chrono::steady_clock::now();
  // A grace past the call's deadline (time for the plugin's own error) the host gives up on it
  // as on a cancel: the plugin is told, and after another grace the helper is ended.
  const auto deadline = deadlineOf(context);
  const auto giveUpAt =
      deadline == std::chrono::steady_clock::time_point::max() ? deadline : deadline + cancelGrace;
  std::chrono::steady_clock::time_point cancelledAt{};
  bool cancelSent = false;
  for (;;) {
    pollfd ready{lane->fd.get(), POLLIN, 0};
    int n = ::poll(&ready, 1, static_cast<int>(kPoll.count()));
    if (n < 0 && errno != EINTR)
      return laneFailed(what, std::string("poll: ") + std::strerror(errno));
    if (n > 0) {
      std::string body;
      std::string error;
      if (!receiveFrame(lane->fd.get(), lane->splitter, &body, &error))
        return laneFailed(what, error);
      FrameFields fields(body);
      HelperAnswer answer;
      std::uint64_t session = 0;
      if (fields.type() != typeByte(ChannelMessage::Result) || fields.callId() != id ||
          !fields.i32(&answer.rc) || !fields.u64(&session) || !readReply(fields, &answer.reply) ||
          !fields.atEnd()) {
        end("broke the channel: it sent a malformed answer to " + std::string(what) +
            ", and was ended");
        gone.ended = endReason();
        return gone;
      }
      answer.answered = true;
      answer.session = session;
      keepLane(std::move(lane));
      return answer;
    }
    if (ended()) {
      gone.ended = endReason();
      return gone;
    }
    const auto now = std::chrono::steady_clock::now();
    std::string endWith;
    if (!cancelSent && (isCancelled(context) || now >= giveUpAt)) {
      cancelSent = true;
      cancelledAt = now;
      send(FrameBuilder(typeByte(ChannelMessage::Cancel), id).frame());
    } else if (cancelSent && now - cancelledAt > cancelGrace) {
      endWith = std::string("hung in ") + what + ": it did not return within " +
                std::to_string(cancelGrace.count()) + " ms after the host gave up on the call";
    } else if (bound.count() > 0 && now - started > bound) {
      endWith = std::string("hung in ") + what + " for more than " +
                std::to_string(bound.count() / 1000) + " s";
    }
    if (!endWith.empty()) {
      end(endWith + ", and was ended");
      gone.ended = endReason();
      return gone;
    }
  }
}

} // namespace wdh
