#include "plugin/remote_plugin.h"

#include "core/log.h"
#include "plugin/plugin_reply.h"
#include "plugin/service_requests.h"

#include <algorithm>
#include <cstring>
#include <rapidjson/document.h>

// The host's handle of a session an isolated plugin launched: which helper holds it, and its
// handle there. Created by RemotePlugin::launch, freed by RemotePlugin::teardown.
struct wdhost_session {
  wdh::RemotePlugin* owner = nullptr;
  std::shared_ptr<wdh::HelperProcess> helper;
  std::uint64_t handle = 0;
};

namespace wdh {
namespace {

// How long a call without a context (init, describe, negotiate, teardown) may take.
constexpr auto kCallBound = std::chrono::seconds(30);
// How long a call may run on after the host cancelled its context.
constexpr auto kCancelGrace = std::chrono::seconds(2);
// A helper that lived this long before it crashed starts the back-off anew.
constexpr auto kStableLife = std::chrono::minutes(1);

wdhost_str cstr(const char* text) noexcept {
  return wdhost_str{text, std::strlen(text)};
}

std::string_view view(wdhost_str s) noexcept {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// The wait before the next helper after `consecutive` quick crashes: none after the first,
// then 0.5 s doubling up to 30 s.
std::chrono::milliseconds backOff(unsigned consecutive) {
  if (consecutive <= 1)
    return std::chrono::milliseconds(0);
  unsigned shift = std::min(consecutive - 2, 6u);
  return std::min(std::chrono::milliseconds(500 << shift), std::chrono::milliseconds(30000));
}

} // namespace

Status RemotePlugin::start(const RemotePluginSettings& settings,
                           std::unique_ptr<RemotePlugin>* out) {
  std::unique_ptr<RemotePlugin> plugin(new RemotePlugin());
  plugin->settings_ = settings;
  Status status = HelperProcess::start(settings.helperPath, settings.libraryPath,
                                       settings.processes, &plugin->helper_, &plugin->hello_);
  if (!status.isOk())
    return status;
  plugin->helperStarted_ = std::chrono::steady_clock::now();
  *out = std::move(plugin);
  return Status::ok();
}

RemotePlugin::~RemotePlugin() {
  deinit();
}

RemotePlugin* RemotePlugin::of(wdhost_plugin* instance) noexcept {
  return reinterpret_cast<RemotePlugin*>(instance);
}

RemotePluginHealth RemotePlugin::health() const {
  std::lock_guard<std::mutex> lock(mutex_);
  RemotePluginHealth now = health_;
  if (helper_ && !helper_->ended())
    now.pid = helper_->pid();
  return now;
}

wdhost_status RemotePlugin::init(const wdhost_host* host, const std::string& config,
                                 wdhost_plugin** out, wdhost_reply* reply) {
  std::shared_ptr<HelperProcess> helper;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    host_ = host;
    config_ = config;
    helper = helper_;
  }
  helper->setLogSink([host](wdhost_log_level level, std::string_view text) {
    host->log(host, level, wdhost_str{text.data(), text.size()});
  });
  helper->setServiceHandler(
      [host](const std::string& request) { return answerServiceCall(host, request); });
  watchEnd(helper);
  HelperAnswer answer = helper->call(
      ChannelMessage::Init, [&](FrameBuilder& f) { f.bytes(config); }, nullptr, kCallBound,
      kCancelGrace, "init");
  if (!answer.answered)
    return crashed(helper, answer, "init", WDHOST_W3C_UNKNOWN_ERROR, reply);
  *reply = std::move(answer.reply);
  if (answer.rc == WDHOST_OK) {
    // Which extensions the plugin has, to offer them on the host's side of the channel.
    HelperAnswer asked = helper->call(
        ChannelMessage::Extensions, [](FrameBuilder&) {}, nullptr, kCallBound, kCancelGrace,
        "extensions");
    std::vector<std::string> ids;
    rapidjson::Document doc;
    if (asked.answered && asked.rc == WDHOST_OK &&
        !doc.Parse(asked.reply.json.c_str()).HasParseError() && doc.IsArray())
      for (const auto& id : doc.GetArray())
        if (id.IsString())
          ids.emplace_back(id.GetString());
    std::lock_guard<std::mutex> lock(mutex_);
    initialised_ = true;
    extensions_ = std::move(ids);
    *out = reinterpret_cast<wdhost_plugin*>(this);
  }
  return answer.rc;
}

bool RemotePlugin::offers(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::find(extensions_.begin(), extensions_.end(), id) != extensions_.end();
}

wdhost_status RemotePlugin::warm(std::uint32_t count, wdhost_reply* reply) {
  return plainCall(
      ChannelMessage::Warm, [&](FrameBuilder& f) { f.u64(count); }, "warm",
      WDHOST_W3C_UNKNOWN_ERROR, reply);
}

wdhost_status RemotePlugin::display(wdhost_session* session, wdhost_reply* reply) {
  if (session->helper->ended()) {
    replyJson(reply, cstr("null"));
    return WDHOST_OK;
  }
  HelperAnswer answer = session->helper->call(
      ChannelMessage::Display, [&](FrameBuilder& f) { f.u64(session->handle); }, nullptr,
      kCallBound, kCancelGrace, "display");
  if (!answer.answered)
    return session->owner->crashed(session->helper, answer, "display", WDHOST_W3C_UNKNOWN_ERROR,
                                   reply);
  *reply = std::move(answer.reply);
  return answer.rc;
}

void RemotePlugin::deinit() {
  std::shared_ptr<HelperProcess> helper;
  bool initialised = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    initialised = initialised_;
    initialised_ = false;
    helper = std::move(helper_);
  }
  // Ended (its reader joined) outside the lock its end notice takes; and this plugin may be
  // gone before the helper's last session.
  if (helper)
    helper->setEndSink(nullptr);
  if (helper && initialised && !helper->ended())
    helper->call(
        ChannelMessage::Deinit, [](FrameBuilder&) {}, nullptr, kCallBound, kCancelGrace, "deinit");
}

Status RemotePlugin::startHelper(std::shared_ptr<HelperProcess>* out) {
  std::shared_ptr<HelperProcess> helper;
  HelperHello hello;
  Status status = HelperProcess::start(settings_.helperPath, settings_.libraryPath,
                                       settings_.processes, &helper, &hello);
  if (!status.isOk())
    return status;
  if (hello.id != hello_.id || hello.name != hello_.name)
    return Status(ErrorCode::UnknownError, settings_.libraryPath + " is now the plugin " +
                                               hello.name + ", no longer " + hello_.name);
  const wdhost_host* host = host_;
  helper->setLogSink([host](wdhost_log_level level, std::string_view text) {
    host->log(host, level, wdhost_str{text.data(), text.size()});
  });
  helper->setServiceHandler(
      [host](const std::string& request) { return answerServiceCall(host, request); });
  const std::string config = config_;
  HelperAnswer answer = helper->call(
      ChannelMessage::Init, [&](FrameBuilder& f) { f.bytes(config); }, nullptr, kCallBound,
      kCancelGrace, "init");
  if (!answer.answered)
    return Status(ErrorCode::UnknownError, "the restarted helper " + answer.ended + " in init");
  if (answer.rc != WDHOST_OK)
    return Status(ErrorCode::UnknownError,
                  "the restarted plugin refused init: " + answer.reply.message);
  *out = std::move(helper);
  return Status::ok();
}

std::shared_ptr<HelperProcess> RemotePlugin::usableHelper(std::string* why) {
  std::shared_ptr<HelperProcess> ended;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!initialised_) {
      *why = "the plugin is not initialised";
      return nullptr;
    }
    if (helper_ && !helper_->ended())
      return helper_;
    ended = helper_;
  }
  if (ended)
    noteEnded(ended.get(), ended->endReason());
  std::lock_guard<std::mutex> lock(mutex_);
  if (helper_ && !helper_->ended())
    return helper_; // another call restarted it meanwhile
  const auto now = std::chrono::steady_clock::now();
  const auto wait = backOff(consecutive_);
  if (now < lastEnd_ + wait) {
    *why =
        "its helper crashed " + std::to_string(consecutive_) +
        " times in a row; the next restart is in " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(lastEnd_ + wait - now).count()) +
        " ms";
    return nullptr;
  }
  std::shared_ptr<HelperProcess> fresh;
  Status status = startHelper(&fresh);
  if (!status.isOk()) {
    ++consecutive_;
    lastEnd_ = std::chrono::steady_clock::now();
    *why = "its helper could not be restarted: " + status.message();
    log(LogLevel::Warn, "plugins", hello_.name + ": " + *why, LogFields{{}, hello_.name});
    return nullptr;
  }
  log(LogLevel::Info, "plugins", hello_.name + ": helper restarted after a crash",
      LogFields{{}, hello_.name});
  helper_ = fresh;
  helperStarted_ = std::chrono::steady_clock::now();
  helperCounted_ = false;
  watchEnd(fresh);
  return fresh;
}

void RemotePlugin::watchEnd(const std::shared_ptr<HelperProcess>& helper) {
  // A raw pointer: the sink runs on the helper's reader thread, which must not hold a
  // reference of its own (it would join itself, were it the last).
  const HelperProcess* watched = helper.get();
  helper->setEndSink([this, watched](const std::string& reason) { noteEnded(watched, reason); });
}

void RemotePlugin::noteEnded(const HelperProcess* helper, const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (helper != helper_.get() || helperCounted_)
      return;
    helperCounted_ = true;
    const auto now = std::chrono::steady_clock::now();
    consecutive_ = now - helperStarted_ < kStableLife ? consecutive_ + 1 : 1;
    lastEnd_ = now;
    ++health_.crashes;
    health_.lastCrash = reason;
  }
  log(LogLevel::Warn, "plugins",
      hello_.name + ": its helper process " + reason + "; its sessions ended",
      LogFields{{}, hello_.name});
}

wdhost_status RemotePlugin::crashed(const std::shared_ptr<HelperProcess>& helper,
                                    const HelperAnswer& answer, const char* call, const char* code,
                                    wdhost_reply* reply) {
  noteEnded(helper.get(), answer.ended);
  const std::string message = std::string("the plugin's helper process ") + answer.ended +
                              " during " + call +
                              (std::strcmp(code, WDHOST_W3C_INVALID_SESSION_ID) == 0
                                   ? "; the sessions it served ended"
                                   : "; it is restarted for new sessions");
  replyError(reply, cstr(code), wdhost_str{message.data(), message.size()});
  return WDHOST_ERROR;
}

wdhost_status RemotePlugin::plainCall(ChannelMessage type,
                                      const std::function<void(FrameBuilder&)>& fill,
                                      const char* what, const char* error, wdhost_reply* reply) {
  std::string why;
  std::shared_ptr<HelperProcess> helper = usableHelper(&why);
  if (!helper) {
    replyError(reply, cstr(error), wdhost_str{why.data(), why.size()});
    return WDHOST_ERROR;
  }
  HelperAnswer answer = helper->call(type, fill, nullptr, kCallBound, kCancelGrace, what);
  if (!answer.answered)
    return crashed(helper, answer, what, error, reply);
  *reply = std::move(answer.reply);
  return answer.rc;
}

wdhost_status RemotePlugin::describe(wdhost_reply* reply) {
  return plainCall(
      ChannelMessage::Describe, [](FrameBuilder&) {}, "describe", WDHOST_W3C_UNKNOWN_ERROR, reply);
}

wdhost_status RemotePlugin::negotiate(wdhost_str capabilities, wdhost_reply* reply) {
  return plainCall(
      ChannelMessage::Negotiate, [&](FrameBuilder& f) { f.bytes(view(capabilities)); }, "negotiate",
      WDHOST_W3C_SESSION_NOT_CREATED, reply);
}

wdhost_status RemotePlugin::launch(const wdhost_call_context* context, wdhost_str sessionId,
                                   wdhost_str capabilities, wdhost_session** out,
                                   wdhost_reply* reply) {
  std::string why;
  std::shared_ptr<HelperProcess> helper = usableHelper(&why);
  if (!helper) {
    replyError(reply, cstr(WDHOST_W3C_SESSION_NOT_CREATED), wdhost_str{why.data(), why.size()});
    return WDHOST_ERROR;
  }
  const std::uint64_t deadline = context == nullptr ? 0 : context->deadline_ms;
  HelperAnswer answer = helper->call(
      ChannelMessage::Launch,
      [&](FrameBuilder& f) { f.u64(deadline).bytes(view(sessionId)).bytes(view(capabilities)); },
      context, std::chrono::milliseconds(0), kCancelGrace, "launch");
  if (!answer.answered)
    return crashed(helper, answer, "launch", WDHOST_W3C_SESSION_NOT_CREATED, reply);
  *reply = std::move(answer.reply);
  if (answer.rc == WDHOST_OK && answer.session != 0)
    *out = new wdhost_session{this, helper, answer.session};
  return answer.rc;
}

wdhost_status RemotePlugin::command(wdhost_session* session, const wdhost_call_context* context,
                                    wdhost_str method, wdhost_str path, wdhost_str body,
                                    wdhost_reply* reply) {
  const std::uint64_t deadline = context == nullptr ? 0 : context->deadline_ms;
  HelperAnswer answer = session->helper->call(
      ChannelMessage::Command,
      [&](FrameBuilder& f) {
        f.u64(session->handle)
            .u64(deadline)
            .bytes(view(method))
            .bytes(view(path))
            .bytes(view(body));
      },
      context, std::chrono::milliseconds(0), kCancelGrace, "command");
  if (!answer.answered)
    return session->owner->crashed(session->helper, answer, "command",
                                   WDHOST_W3C_INVALID_SESSION_ID, reply);
  *reply = std::move(answer.reply);
  return answer.rc;
}

wdhost_status RemotePlugin::teardown(wdhost_session* session, wdhost_reply* reply) {
  std::unique_ptr<wdhost_session> owned(session);
  if (owned->helper->ended())
    return WDHOST_OK; // the helper took the session with it; the host ends what it owned
  HelperAnswer answer = owned->helper->call(
      ChannelMessage::Teardown, [&](FrameBuilder& f) { f.u64(owned->handle); }, nullptr, kCallBound,
      kCancelGrace, "teardown");
  if (!answer.answered) {
    owned->owner->noteEnded(owned->helper.get(), answer.ended);
    return WDHOST_OK;
  }
  *reply = std::move(answer.reply);
  return answer.rc;
}

} // namespace wdh
