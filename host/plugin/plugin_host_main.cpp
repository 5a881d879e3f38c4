// wdhost-plugin-host: loads one plugin library exactly as the host does (LoadedPlugin::open)
// and serves its ABI calls over the channel the host passed it (channel_messages.h), so that a
// plugin that crashes or hangs takes only this process down.
// Usage: wdhost-plugin-host --channel-fd N /PATH/TO/PLUGIN.so
#include "core/version.h"
#include "plugin/call_context.h"
#include "plugin/channel_messages.h"
#include "plugin/host_services.h"
#include "plugin/loaded_plugin.h"
#include "plugin/plugin_reply.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>
#include <wdhost/extension_display.h>
#include <wdhost/extension_warm.h>

namespace {

using wdh::ChannelMessage;
using wdh::FrameBuilder;
using wdh::FrameFields;
using wdh::PluginReply;

// One call in flight: its context (the host's deadline) and the flag Cancel sets.
struct Call {
  wdhost_call_context context{};
  std::atomic<bool> cancelled{false};
};

int32_t WDHOST_CALL callCancelled(const wdhost_call_context* context) {
  return static_cast<const Call*>(context->host_data)->cancelled.load() ? 1 : 0;
}

wdhost_str str(const std::string& s) noexcept {
  return wdhost_str{s.data(), s.size()};
}

// The helper's state: the plugin, its instance and sessions, the calls in flight, the channel.
class PluginHost {
public:
  PluginHost(int fd, std::unique_ptr<wdh::LoadedPlugin> plugin)
      : fd_(fd), plugin_(std::move(plugin)), table_(plugin_->table()) {
    host_.struct_size = sizeof host_;
    host_.abi_minor = plugin_->identity().abiMinor;
    host_.host_data = this;
    host_.name = "wdhost";
    host_.version = wdh::kHostVersion;
    host_.log = &PluginHost::logCallback;
    host_.reply_json = [](wdhost_reply* r, wdhost_str j) { wdh::replyJson(r, j); };
    host_.reply_error = [](wdhost_reply* r, wdhost_str e, wdhost_str m) {
      wdh::replyError(r, e, m);
    };
    // The process and tempdir services cross the channel (the host runs the processes and
    // makes the directories, owned by the sessions, and collects them when a session ends);
    // http is served here, by the host's own client: a plugin's requests to its driver on
    // loopback need no hop through the host, and are bounded and cancelled by the same call
    // context.
    host_.get_service = [](const wdhost_host*, const char* id) -> const void* {
      if (id != nullptr && std::strcmp(id, WDHOST_SERVICE_PROCESS) == 0)
        return &processService();
      if (id != nullptr && std::strcmp(id, WDHOST_SERVICE_TEMPDIR) == 0)
        return &tempDirService();
      if (id != nullptr && std::strcmp(id, WDHOST_SERVICE_HTTP) == 0)
        return &wdh::httpService();
      if (id != nullptr && std::strcmp(id, WDHOST_SERVICE_HTTP2) == 0)
        return &wdh::http2Service();
      return nullptr;
    };
    host_.reply_error_data = [](wdhost_reply* r, wdhost_str e, wdhost_str m, wdhost_str d) {
      wdh::replyErrorData(r, e, m, d);
    };
  }

  // Sends a frame; serialised with every other writer.
  bool send(const std::string& frame) {
    std::lock_guard<std::mutex> lock(writeMutex_);
    return wdh::sendFrame(fd_, frame);
  }

  // Serves the main channel until its end (the host is gone) or a frame it cannot take; returns
  // the exit code. Calls arrive on lanes (NewLane), each served by a thread of its own.
  int serve() {
    wdh::FrameSplitter splitter;
    std::deque<int> received; // descriptors that came along, for the NewLane frames
    std::string body;
    std::string error;
    int code = 0;
    while (wdh::receiveFrame(fd_, splitter, &body, &error, &received)) {
      FrameFields fields(body);
      auto type = static_cast<ChannelMessage>(fields.type());
      if (!fields.ok()) {
        std::cerr << "wdhost-plugin-host: a frame without a header\n";
        code = 2;
        break;
      }
      if (type == ChannelMessage::Cancel) {
        cancel(fields.callId());
        continue;
      }
      if (type == ChannelMessage::ServiceResult) {
        completeService(fields.callId(), std::move(body));
        continue;
      }
      if (type == ChannelMessage::NewLane && fields.atEnd()) {
        // Lanes are alike: any received descriptor serves any NewLane. One the kernel could not
        // pass (out of descriptors) was closed, and the host's call on it fails alone.
        if (received.empty()) {
          std::cerr << "wdhost-plugin-host: a lane came without its descriptor\n";
          continue;
        }
        int lane = received.front();
        received.pop_front();
        std::thread([this, lane] { serveLane(lane); }).detach();
        continue;
      }
      std::cerr << "wdhost-plugin-host: an unexpected frame (type " << int(fields.type())
                << ") on the main channel\n";
      code = 2;
      break;
    }
    if (code == 0)
      std::cerr << "wdhost-plugin-host: " << error << "\n";
    for (int fd : received)
      ::close(fd);
    // The host is gone or broke the framing: nothing here is wanted any more.
    cancelAll();
    endServices();
    return code;
  }

  // Sends a ServiceCall of `function` with the fields `fill` appends and waits for its answer
  // (the service bounds its own waits); false when the channel ended first. Any plugin thread.
  bool callService(std::int32_t function, const std::function<void(FrameBuilder&)>& fill,
                   std::string* answerBody) {
    auto wait = std::make_shared<ServiceWait>();
    std::uint32_t id = 0;
    {
      std::lock_guard<std::mutex> lock(serviceMutex_);
      if (servicesEnded_)
        return false;
      id = ++lastService_;
      services_[id] = wait;
    }
    FrameBuilder frame(static_cast<std::uint8_t>(ChannelMessage::ServiceCall), id);
    frame.i32(function);
    fill(frame);
    bool sent = send(frame.frame());
    std::unique_lock<std::mutex> lock(serviceMutex_);
    if (sent)
      serviceDone_.wait(lock, [&] { return wait->done || servicesEnded_; });
    services_.erase(id);
    if (!wait->done)
      return false;
    *answerBody = std::move(wait->body);
    return true;
  }

private:
  static void WDHOST_CALL logCallback(const wdhost_host* host, wdhost_log_level level,
                                      wdhost_str msg) {
    auto* self = static_cast<PluginHost*>(host->host_data);
    std::string_view text =
        msg.data == nullptr ? std::string_view() : std::string_view(msg.data, msg.size);
    self->send(FrameBuilder(static_cast<std::uint8_t>(ChannelMessage::Log), 0)
                   .i32(level)
                   .bytes(text)
                   .frame());
  }

  // One service call waiting for its ServiceResult.
  struct ServiceWait {
    bool done = false;
    std::string body;
  };

  void completeService(std::uint32_t id, std::string body) {
    std::lock_guard<std::mutex> lock(serviceMutex_);
    auto it = services_.find(id);
    if (it == services_.end())
      return;
    it->second->body = std::move(body);
    it->second->done = true;
    serviceDone_.notify_all();
  }

  void endServices() {
    std::lock_guard<std::mutex> lock(serviceMutex_);
    servicesEnded_ = true;
    serviceDone_.notify_all();
  }

  static const wdhost_process_service& processService();
  static const wdhost_tempdir_service& tempDirService();

  void cancel(std::uint32_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = calls_.find(id);
    if (it != calls_.end()) {
      it->second->cancelled.store(true);
      return;
    }
    // The call may not have been read from its lane yet (or has ended: then this is dropped
    // with the oldest).
    earlyCancels_.push_back(id);
    if (earlyCancels_.size() > 64)
      earlyCancels_.pop_front();
  }

  void cancelAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& entry : calls_)
      entry.second->cancelled.store(true);
  }

  // Serves the calls of one lane, one at a time, on this thread (a call may block as long as
  // the plugin likes: calls on other lanes never wait for it), until the host closes the lane.
  // A frame that is not a call ends the process: the host broke the framing.
  void serveLane(int fd) {
    wdh::FrameSplitter splitter;
    std::string body;
    std::string error;
    while (wdh::receiveFrame(fd, splitter, &body, &error)) {
      FrameFields fields(body);
      if (!fields.ok()) {
        std::cerr << "wdhost-plugin-host: a frame without a header on a lane\n";
        leave(2);
      }
      const bool isDeinit = static_cast<ChannelMessage>(fields.type()) == ChannelMessage::Deinit;
      Call* call = beginCall(fields.callId(), isDeinit);
      if (call == nullptr) {
        refuse(fd, fields.callId(), WDHOST_W3C_UNKNOWN_ERROR, "the plugin is being deinitialised");
        continue;
      }
      if (isDeinit)
        leave(deinit(fd, fields.callId()));
      runCall(fd, fields, *call);
      endCall(fields.callId());
    }
    ::close(fd);
  }

  // Registers call `id` (taking a Cancel that came before it) until endCall; null once deinit
  // began (`deinit`: this call is the deinit, and no call begins after it).
  Call* beginCall(std::uint32_t id, bool deinit) {
    auto call = std::make_shared<Call>();
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_)
      return nullptr;
    closing_ = deinit;
    auto early = std::find(earlyCancels_.begin(), earlyCancels_.end(), id);
    if (early != earlyCancels_.end()) {
      call->cancelled.store(true);
      earlyCancels_.erase(early);
    }
    calls_[id] = call;
    return call.get();
  }

  void endCall(std::uint32_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.erase(id);
    idle_.notify_all();
  }

  // Ends the process with `code` (calls a plugin never returned from may still run: no unload
  // under them, no destructors).
  [[noreturn]] static void leave(int code) {
    std::cout.flush();
    std::cerr.flush();
    ::_exit(code);
  }

  // Sends the Result of call `id` on its lane `fd` (only the lane's own thread writes there).
  static void answer(int fd, std::uint32_t id, wdhost_status rc, const PluginReply& reply,
                     std::uint64_t session = 0) {
    FrameBuilder frame(static_cast<std::uint8_t>(ChannelMessage::Result), id);
    frame.i32(rc).u64(session);
    wdh::appendReply(frame, reply);
    if (!wdh::sendFrame(fd, frame.frame()))
      std::cerr << "wdhost-plugin-host: cannot send a result\n";
  }

  static void refuse(int fd, std::uint32_t id, const char* error, const std::string& message) {
    PluginReply reply;
    wdh::replyError(&reply, wdhost_str{error, std::strlen(error)}, str(message));
    answer(fd, id, WDHOST_ERROR, reply);
  }

  wdhost_session* findSession(std::uint64_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(handle);
    return it == sessions_.end() ? nullptr : it->second;
  }

  void runCall(int fd, FrameFields& fields, Call& call) {
    const std::uint32_t id = fields.callId();
    PluginReply reply;
    std::string a, b, c, d;
    std::uint64_t handle = 0, deadline = 0;
    call.context.struct_size = sizeof call.context;
    call.context.host_data = &call;
    call.context.is_cancelled = &callCancelled;
    switch (static_cast<ChannelMessage>(fields.type())) {
    case ChannelMessage::Init: {
      if (!fields.bytes(&a) || !fields.atEnd())
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed init");
      wdhost_plugin* created = nullptr;
      wdhost_status rc = table_.init(&host_, str(a), &created, &reply);
      if (rc == WDHOST_OK)
        instance_.store(created);
      return answer(fd, id, rc, reply);
    }
    case ChannelMessage::Describe:
      if (instance_.load() == nullptr)
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "describe before init");
      return answer(fd, id, table_.describe(instance_.load(), &reply), reply);
    case ChannelMessage::Negotiate: {
      if (!fields.bytes(&a) || !fields.atEnd() || instance_.load() == nullptr)
        return refuse(fd, id, WDHOST_W3C_SESSION_NOT_CREATED, "a malformed negotiate");
      return answer(fd, id, table_.negotiate(instance_.load(), str(a), &reply), reply);
    }
    case ChannelMessage::Launch: {
      if (!fields.u64(&deadline) || !fields.bytes(&a) || !fields.bytes(&b) || !fields.atEnd() ||
          instance_.load() == nullptr)
        return refuse(fd, id, WDHOST_W3C_SESSION_NOT_CREATED, "a malformed launch");
      call.context.deadline_ms = deadline;
      wdhost_session* created = nullptr;
      wdhost_status rc =
          table_.launch_ctx != nullptr
              ? table_.launch_ctx(instance_.load(), &call.context, str(a), str(b), &created, &reply)
              : table_.launch(instance_.load(), str(a), str(b), &created, &reply);
      if (rc == WDHOST_OK && created != nullptr) {
        std::lock_guard<std::mutex> lock(mutex_);
        handle = ++lastSession_;
        sessions_[handle] = created;
      }
      return answer(fd, id, rc, reply, handle);
    }
    case ChannelMessage::Command: {
      if (!fields.u64(&handle) || !fields.u64(&deadline) || !fields.bytes(&a) ||
          !fields.bytes(&b) || !fields.bytes(&c) || !fields.atEnd())
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed command");
      wdhost_session* session = findSession(handle);
      if (session == nullptr)
        return refuse(fd, id, WDHOST_W3C_INVALID_SESSION_ID,
                      "no such session in the plugin's helper");
      call.context.deadline_ms = deadline;
      if (table_.command_ctx != nullptr)
        return answer(fd, id,
                      table_.command_ctx(session, &call.context, str(a), str(b), str(c), &reply),
                      reply);
      if (table_.command != nullptr)
        return answer(fd, id, table_.command(session, str(a), str(b), str(c), &reply), reply);
      return refuse(fd, id, WDHOST_W3C_UNKNOWN_COMMAND, "the plugin serves no in-process commands");
    }
    case ChannelMessage::Teardown: {
      if (!fields.u64(&handle) || !fields.atEnd())
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed teardown");
      wdhost_session* session = nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = sessions_.find(handle);
        if (it != sessions_.end()) {
          session = it->second;
          sessions_.erase(it);
        }
      }
      if (session == nullptr)
        return answer(fd, id, WDHOST_OK, reply);
      return answer(fd, id, table_.teardown(session, &reply), reply);
    }
    case ChannelMessage::Extensions: {
      if (!fields.atEnd() || instance_.load() == nullptr)
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed extensions query");
      std::string ids = "[";
      if (warmExtension() != nullptr || table_.warm != nullptr)
        ids += "\"" WDHOST_EXTENSION_WARM "\"";
      if (displayExtension() != nullptr)
        ids += std::string(ids.size() > 1 ? "," : "") + "\"" WDHOST_EXTENSION_DISPLAY "\"";
      wdh::replyJson(&reply, str(ids + "]"));
      return answer(fd, id, WDHOST_OK, reply);
    }
    case ChannelMessage::Warm: {
      if (!fields.u64(&handle) || !fields.atEnd() || instance_.load() == nullptr)
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed warm");
      auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(handle, UINT32_MAX));
      if (const wdhost_warm_extension* warm = warmExtension())
        return answer(fd, id, warm->warm(instance_.load(), count, &reply), reply);
      if (table_.warm != nullptr)
        return answer(fd, id, table_.warm(instance_.load(), count, &reply), reply);
      return answer(fd, id, WDHOST_OK, reply);
    }
    case ChannelMessage::Display: {
      if (!fields.u64(&handle) || !fields.atEnd())
        return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR, "a malformed display");
      wdhost_session* session = findSession(handle);
      const wdhost_display_extension* display = displayExtension();
      if (session == nullptr || display == nullptr) {
        wdh::replyJson(&reply, str("null"));
        return answer(fd, id, WDHOST_OK, reply);
      }
      return answer(fd, id, display->display(session, &reply), reply);
    }
    default:
      (void)d;
      return refuse(fd, id, WDHOST_W3C_UNKNOWN_ERROR,
                    "an unknown message type " + std::to_string(fields.type()));
    }
  }

  // The plugin's "wdhost.warm/1" table when it has a usable one, else null.
  const wdhost_warm_extension* warmExtension() const {
    if (table_.get_extension == nullptr || instance_.load() == nullptr)
      return nullptr;
    auto warm = static_cast<const wdhost_warm_extension*>(
        table_.get_extension(instance_.load(), WDHOST_EXTENSION_WARM));
    return warm != nullptr &&
                   warm->struct_size >=
                       offsetof(wdhost_warm_extension, warm) + sizeof(warm->warm) &&
                   warm->warm != nullptr
               ? warm
               : nullptr;
  }
  // The plugin's "wdhost.display/1" table when it has a usable one, else null.
  const wdhost_display_extension* displayExtension() const {
    if (table_.get_extension == nullptr || instance_.load() == nullptr)
      return nullptr;
    auto display = static_cast<const wdhost_display_extension*>(
        table_.get_extension(instance_.load(), WDHOST_EXTENSION_DISPLAY));
    return display != nullptr &&
                   display->struct_size >=
                       offsetof(wdhost_display_extension, display) + sizeof(display->display) &&
                   display->display != nullptr
               ? display
               : nullptr;
  }

  // Waits (10 s at most) for the other calls in flight, runs deinit and answers on lane `fd`;
  // the exit code (the process ends then).
  int deinit(int fd, std::uint32_t id) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // The deinit call itself is one of calls_.
      idle_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_.size() <= 1; });
      if (calls_.size() > 1) {
        std::cerr << "wdhost-plugin-host: calls still running at deinit; leaving without it\n";
        return 3;
      }
    }
    if (instance_.load() != nullptr)
      table_.deinit(instance_.exchange(nullptr));
    answer(fd, id, WDHOST_OK, PluginReply());
    return 0;
  }

  int fd_;
  std::unique_ptr<wdh::LoadedPlugin> plugin_;
  const wdhost_plugin_vtable& table_;
  wdhost_host host_{};
  std::mutex writeMutex_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::map<std::uint32_t, std::shared_ptr<Call>> calls_;
  bool closing_ = false; // deinit began: calls read after it are refused
  // Cancels that came before their call was read from its lane (the last few).
  std::deque<std::uint32_t> earlyCancels_;
  std::mutex serviceMutex_;
  std::condition_variable serviceDone_;
  std::map<std::uint32_t, std::shared_ptr<ServiceWait>> services_;
  std::uint32_t lastService_ = 0;
  bool servicesEnded_ = false;
  std::map<std::uint64_t, wdhost_session*> sessions_;
  std::uint64_t lastSession_ = 0;
  std::atomic<wdhost_plugin*> instance_{nullptr};
};

// What a ServiceResult carried.
struct ServiceAnswer {
  std::int32_t rc = WDHOST_ERROR;
  std::string text;
  std::uint64_t process = 0;
  std::int32_t state = 0;
  std::int32_t detail = 0;
};

// Forwards one process-service function to the host; ERROR saying why when the host is gone.
template <class Function>
ServiceAnswer forward(const wdhost_host* host, Function function,
                      const std::function<void(FrameBuilder&)>& fill) {
  ServiceAnswer out;
  std::string body;
  if (!static_cast<PluginHost*>(host->host_data)
           ->callService(static_cast<std::int32_t>(function), fill, &body)) {
    out.text = "the host is gone";
    return out;
  }
  FrameFields fields(body);
  if (!fields.i32(&out.rc) || !fields.bytes(&out.text) || !fields.u64(&out.process) ||
      !fields.i32(&out.state) || !fields.i32(&out.detail) || !fields.atEnd()) {
    out = ServiceAnswer();
    out.text = "the host sent a malformed service result";
  }
  return out;
}

void toSink(wdhost_sink sink, const std::string& text) {
  if (sink.write != nullptr && !text.empty())
    sink.write(sink.ctx, text.data(), text.size());
}

std::string_view view(wdhost_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

void appendList(FrameBuilder& frame, const char* const* items) {
  std::uint64_t count = 0;
  for (const char* const* item = items; item != nullptr && *item != nullptr; ++item)
    ++count;
  frame.u64(count);
  for (std::uint64_t i = 0; i < count; ++i)
    frame.bytes(items[i]);
}

wdhost_status WDHOST_CALL forwardSpawn(const wdhost_host* host, const wdhost_spawn_request* request,
                                       uint64_t* out_process, wdhost_sink error) {
  if (request == nullptr || request->argv == nullptr || out_process == nullptr) {
    toSink(error, "a spawn request without argv");
    return WDHOST_ERROR;
  }
  const bool hasCwd =
      request->struct_size >= offsetof(wdhost_spawn_request, cwd) + sizeof(request->cwd) &&
      request->cwd != nullptr;
  const wdhost_env_mode mode =
      request->struct_size >= offsetof(wdhost_spawn_request, env_mode) + sizeof(request->env_mode)
          ? request->env_mode
          : WDHOST_ENV_INHERIT_ALLOWED;
  ServiceAnswer answer = forward(host, wdh::ProcessFunction::Spawn, [&](FrameBuilder& f) {
    appendList(f, request->argv);
    appendList(f, request->env);
    f.bytes(view(request->owner))
        .i32(hasCwd ? 1 : 0)
        .bytes(hasCwd ? request->cwd : "")
        .i32(static_cast<std::int32_t>(mode));
  });
  if (answer.rc == WDHOST_OK)
    *out_process = answer.process;
  else
    toSink(error, answer.text);
  return answer.rc;
}

wdhost_status WDHOST_CALL forwardWaitOutput(const wdhost_host* host, uint64_t process,
                                            wdhost_str needle, uint32_t timeout_ms,
                                            wdhost_sink output) {
  ServiceAnswer answer = forward(host, wdh::ProcessFunction::WaitOutput, [&](FrameBuilder& f) {
    f.u64(process).bytes(view(needle)).u64(timeout_ms);
  });
  toSink(output, answer.text);
  return answer.rc;
}

wdhost_status WDHOST_CALL forwardPoll(const wdhost_host* host, uint64_t process,
                                      wdhost_process_state* out_state, int32_t* out_detail) {
  ServiceAnswer answer =
      forward(host, wdh::ProcessFunction::Poll, [&](FrameBuilder& f) { f.u64(process); });
  if (out_state != nullptr)
    *out_state = answer.state;
  if (out_detail != nullptr)
    *out_detail = answer.detail;
  return answer.rc;
}

void WDHOST_CALL forwardTerminate(const wdhost_host* host, uint64_t process, uint32_t grace_ms) {
  forward(host, wdh::ProcessFunction::Terminate,
          [&](FrameBuilder& f) { f.u64(process).u64(grace_ms); });
}

wdhost_status WDHOST_CALL forwardSetOwner(const wdhost_host* host, uint64_t process,
                                          wdhost_str owner) {
  return forward(host, wdh::ProcessFunction::SetOwner,
                 [&](FrameBuilder& f) { f.u64(process).bytes(view(owner)); })
      .rc;
}

wdhost_status WDHOST_CALL forwardWaitExit(const wdhost_host* host, uint64_t process,
                                          uint32_t timeout_ms, wdhost_process_state* out_state,
                                          int32_t* out_detail) {
  ServiceAnswer answer = forward(host, wdh::ProcessFunction::WaitExit,
                                 [&](FrameBuilder& f) { f.u64(process).u64(timeout_ms); });
  if (out_state != nullptr)
    *out_state = answer.state;
  if (out_detail != nullptr)
    *out_detail = answer.detail;
  return answer.rc;
}

wdhost_status WDHOST_CALL forwardTempDirCreate(const wdhost_host* host, wdhost_str owner,
                                               wdhost_str hint, wdhost_sink path) {
  ServiceAnswer answer = forward(host, wdh::TempDirFunction::Create,
                                 [&](FrameBuilder& f) { f.bytes(view(owner)).bytes(view(hint)); });
  toSink(path, answer.text);
  return answer.rc;
}

wdhost_status WDHOST_CALL forwardTempDirRemove(const wdhost_host* host, wdhost_str path) {
  return forward(host, wdh::TempDirFunction::Remove, [&](FrameBuilder& f) { f.bytes(view(path)); })
      .rc;
}

wdhost_status WDHOST_CALL forwardTempDirSetOwner(const wdhost_host* host, wdhost_str path,
                                                 wdhost_str owner) {
  return forward(host, wdh::TempDirFunction::SetOwner,
                 [&](FrameBuilder& f) { f.bytes(view(path)).bytes(view(owner)); })
      .rc;
}

const wdhost_tempdir_service& PluginHost::tempDirService() {
  static const wdhost_tempdir_service table = [] {
    wdhost_tempdir_service t{};
    t.struct_size = sizeof t;
    t.create = &forwardTempDirCreate;
    t.remove = &forwardTempDirRemove;
    t.set_owner = &forwardTempDirSetOwner;
    return t;
  }();
  return table;
}

const wdhost_process_service& PluginHost::processService() {
  static const wdhost_process_service table = [] {
    wdhost_process_service t{};
    t.struct_size = sizeof t;
    t.spawn = &forwardSpawn;
    t.wait_output = &forwardWaitOutput;
    t.poll = &forwardPoll;
    t.terminate = &forwardTerminate;
    t.set_owner = &forwardSetOwner;
    t.wait_exit = &forwardWaitExit;
    return t;
  }();
  return table;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4 || std::strcmp(argv[1], "--channel-fd") != 0) {
    std::cerr << "usage: wdhost-plugin-host --channel-fd N /PATH/TO/PLUGIN.so\n";
    return 2;
  }
  char* end = nullptr;
  long fd = std::strtol(argv[2], &end, 10);
  if (*end != '\0' || fd < 3 || fd > 1 << 20) {
    std::cerr << "wdhost-plugin-host: bad --channel-fd value\n";
    return 2;
  }
  const int channel = static_cast<int>(fd);
  std::unique_ptr<wdh::LoadedPlugin> plugin;
  wdh::Status status = wdh::LoadedPlugin::open(argv[3], &plugin);
  FrameBuilder hello(static_cast<std::uint8_t>(ChannelMessage::Hello), 0);
  if (!status.isOk()) {
    hello.i32(0)
        .bytes("")
        .bytes("")
        .bytes("")
        .bytes(status.message())
        .u64(0)
        .u64(0)
        .u64(static_cast<std::uint64_t>(::getpid()));
    wdh::sendFrame(channel, hello.frame());
    return 1;
  }
  const wdh::PluginIdentity& identity = plugin->identity();
  std::uint64_t flags = (plugin->hasCommand() ? wdh::kHelloHasCommand : 0u) |
                        (plugin->takesContext() ? wdh::kHelloTakesContext : 0u);
  hello.i32(1)
      .bytes(identity.id)
      .bytes(identity.name)
      .bytes(identity.version)
      .bytes("")
      .u64(identity.abiMinor)
      .u64(flags)
      .u64(static_cast<std::uint64_t>(::getpid()));
  PluginHost host(channel, std::move(plugin));
  if (!host.send(hello.frame()))
    return 1;
  int code = host.serve();
  // Calls a plugin never returned from may still run: end without unloading under them.
  std::cout.flush();
  std::cerr.flush();
  ::_exit(code);
}
