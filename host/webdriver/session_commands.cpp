#include "webdriver/session_commands.h"

#include "core/log.h"
#include "process/temp_dirs.h"
#include "recording/recordings.h"
#include "webdriver/session_files.h"
#include "webdriver/vendor_status.h"

#include "json/json.h"

namespace wdh {

Status SessionCommands::execute(std::string_view id, std::string_view method,
                                std::string_view suffix, std::string_view body,
                                RelayResponse* out) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return sessions_.unknownSession(id);
  session->noteCommand(method, suffix);
  CommandTracer* tracer = sessions_.tracer();
  std::uint64_t traced =
      tracer != nullptr && tracer->tracing() ? tracer->commandStarted(id, method, suffix, body) : 0;
  auto started = std::chrono::steady_clock::now();
  Status status = session->execute(method, suffix, body, out);
  bool relayed = session->hasUpstream();
  countCommand(session->plugin().name(), relayed ? CommandPath::Relayed : CommandPath::InProcess,
               started, relayed && !status.isOk());
  status = afterCommand(id, method, suffix, started, std::move(status), out);
  if (traced != 0) {
    tracer->commandFinished(traced, id, status, *out);
    if (tracer->waitsFor(id))
      tracer->await(traced, id);
  }
  return status;
}

bool SessionCommands::beginRelay(std::string_view id, std::string_view method,
                                 std::string_view suffix, std::string_view body,
                                 RelayedCommand* out) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return false;
  // A traced session whose trace takes pictures by command answers only once the trace has one.
  if (CommandTracer* tracer = sessions_.tracer();
      tracer != nullptr && tracer->tracing() && tracer->waitsFor(id))
    return false;
  Status status;
  Upstream* upstream = session->beginRelay(&status);
  if (upstream == nullptr)
    return false;
  out->timeout = session->commandTimeout();
  out->started = std::chrono::steady_clock::now();
  session->noteCommand(method, suffix);
  out->session = std::move(session);
  out->upstream = upstream;
  out->id.assign(id);
  out->method.assign(method);
  out->suffix.assign(suffix);
  CommandTracer* tracer = sessions_.tracer();
  if (tracer != nullptr && tracer->tracing())
    out->traceCommand = tracer->commandStarted(id, method, suffix, body);
  return true;
}

Status SessionCommands::finishRelay(RelayedCommand& command, std::string_view body, Status status,
                                    RelayResponse* out) {
  command.upstream = nullptr;
  countCommand(command.session->plugin().name(), CommandPath::Relayed, command.started,
               !status.isOk());
  status =
      command.session->finishRelay(command.method, command.suffix, body, std::move(status), out);
  status = afterCommand(command.id, command.method, command.suffix, command.started,
                        std::move(status), out);
  if (command.traceCommand != 0)
    sessions_.tracer()->commandFinished(command.traceCommand, command.id, status, *out);
  return status;
}

void SessionCommands::countCommand(const std::string& plugin, CommandPath path,
                                   std::chrono::steady_clock::time_point started,
                                   bool failed) const {
  if (!sessions_.watched())
    return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sessions_.tell([&](SessionEvents& o) { o.command(plugin, path, seconds, failed); });
}

void SessionCommands::logCommand(std::string_view id, std::string_view method,
                                 std::string_view suffix,
                                 std::chrono::steady_clock::time_point started,
                                 const Status& status, const RelayResponse& out) const {
  Recordings* recordings = sessions_.recordings();
  if (recordings == nullptr || !recordings->logging())
    return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  std::string line = std::string(method) + " " + std::string(suffix.empty() ? "/" : suffix) + " ";
  if (!status.isOk()) {
    line += std::to_string(status.httpStatus()) + " " + std::string(status.name()) + ": " +
            status.message();
  } else {
    line += std::to_string(out.status);
    rapidjson::Document doc;
    // A W3C error's code and message; a success's value is not repeated (a screenshot is big).
    if (out.status >= 400 && parseJsonObject(out.body, &doc).isOk() && doc.HasMember("value") &&
        doc["value"].IsObject()) {
      const rapidjson::Value& value = doc["value"];
      auto text = [&](const char* key) {
        auto it = value.FindMember(key);
        return it != value.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                               : std::string();
      };
      line += " " + text("error") + ": " + text("message").substr(0, 2000);
    }
  }
  recordings->noteLine(id, "host", line + " (" + std::to_string(ms) + " ms)");
}

void SessionCommands::noteWindowSwitch(std::string_view id, std::string_view body) {
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return;
  auto handle = doc.FindMember("handle");
  if (handle == doc.MemberEnd() || !handle->value.IsString() ||
      handle->value.GetStringLength() > 256)
    return;
  std::string_view window(handle->value.GetString(), handle->value.GetStringLength());
  // The live view follows it from the session.
  if (std::shared_ptr<Session> session = sessions_.find(id))
    session->noteWindow(window);
  Recordings* recordings = sessions_.recordings();
  if (recordings != nullptr && recordings->running() > 0)
    recordings->noteWindow(id, window);
}

bool SessionCommands::vendorScript(std::string_view id, std::string_view suffix,
                                   std::string_view body, std::string* response) {
  if (suffix != "/execute/sync" && suffix != "/execute/async")
    return false;
  VendorStatus said;
  if (!readVendorStatus(body, &said))
    return false;
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return false; // the usual answer: no such session
  session->noteActivity();
  if (Recordings* recordings = sessions_.recordings()) {
    if (!said.eventType.empty())
      recordings->noteEvent(session->id(), said.eventType);
    recordings->noteLine(session->id(), "host", "the client's vendor script: " + said.note);
  }
  if (CommandTracer* tracer = sessions_.tracer(); tracer != nullptr && !said.eventType.empty())
    tracer->noteEvent(session->id(), said.eventType);
  log(LogLevel::Debug, "session", session->id() + ": " + said.note,
      LogFields{session->id(), session->plugin().name()});
  *response = R"({"value":null})";
  return true;
}

Status SessionCommands::afterCommand(std::string_view id, std::string_view method,
                                     std::string_view suffix,
                                     std::chrono::steady_clock::time_point started, Status status,
                                     RelayResponse* out) {
  logCommand(id, method, suffix, started, status, *out);
  // Why the backend's session is gone, when it is: its browser died or quit and the driver
  // says so, the in-process plugin says so, or the driver itself is gone.
  std::string ended;
  if (status.isOk() && out->status == 404 && !(method == "DELETE" && suffix.empty()) &&
      out->body.find("\"invalid session id\"") != std::string::npos) {
    ended = "its browser ended it: " + out->body.substr(0, 300);
  } else if (!status.isOk() && status.code() == ErrorCode::InvalidSessionId &&
             sessions_.sessions().endReason(id).empty()) {
    ended = "its browser ended it: " + status.message();
  } else if (!status.isOk() && status.code() == ErrorCode::UnknownError) {
    std::shared_ptr<Session> session = sessions_.find(id);
    std::string cause;
    if (session && session->backendGone(&cause))
      ended = cause + " at " + wallClockNow();
  }
  // End ours too, at once: the slot frees, and this and later commands get the same answer.
  // The teardown runs on the janitor's thread, not on the caller's.
  if (!ended.empty()) {
    if (auto session = sessions_.sessions().take(id, ended)) {
      session->markEnded(EndCause::Crashed);
      log(LogLevel::Warn, "session", std::string(id) + ": " + ended + "; closing",
          LogFields{id, session->plugin().name()});
      sessions_.closeInBackground(std::move(session), 1011);
    }
  }
  if (!status.isOk() && (status.code() == ErrorCode::InvalidSessionId || !ended.empty())) {
    std::string reason = sessions_.sessions().endReason(id);
    if (!reason.empty())
      return Status(ErrorCode::InvalidSessionId,
                    "session " + std::string(id) + " has ended: " + reason);
  }
  return status;
}

Status SessionCommands::sessionFiles(std::string_view id, std::string_view method,
                                     std::string_view suffix, std::string_view body,
                                     std::string* response) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return sessions_.unknownSession(id);
  session->noteActivity();
  if (suffix == "/se/file") {
    if (sessions_.services().tempDirs == nullptr)
      return Status(ErrorCode::UnsupportedOperation, "this host has no temp directory");
    return uploadFile(*sessions_.services().tempDirs, session->id(), body, session->uploads(),
                      response);
  }
  return serveDownloads(session->downloadDir(), method, body, response);
}

Status SessionCommands::sessionEvent(std::string_view id, std::string_view body,
                                     std::string* response) {
  std::shared_ptr<Session> session = sessions_.find(id);
  if (!session)
    return sessions_.unknownSession(id);
  rapidjson::Document doc;
  Status status = parseJsonObject(body, &doc);
  if (!status.isOk())
    return status;
  auto type = doc.FindMember("eventType");
  if (type == doc.MemberEnd() || !type->value.IsString() || type->value.GetStringLength() == 0 ||
      type->value.GetStringLength() > 256)
    return Status(ErrorCode::InvalidArgument,
                  "a session event needs \"eventType\": a string of 1 to 256 characters such as "
                  "\"test:failed\"");
  auto payload = doc.FindMember("payload");
  if (payload != doc.MemberEnd() && !payload->value.IsObject() && !payload->value.IsNull())
    return Status(ErrorCode::InvalidArgument,
                  "a session event's \"payload\" must be an object, not " +
                      std::string(jsonTypeName(payload->value)));
  session->noteActivity();
  std::string_view eventType(type->value.GetString(), type->value.GetStringLength());
  if (Recordings* recordings = sessions_.recordings())
    recordings->noteEvent(session->id(), eventType);
  if (CommandTracer* tracer = sessions_.tracer())
    tracer->noteEvent(session->id(), eventType);
  log(LogLevel::Info, "session", session->id() + ": session event " + quoteJson(eventType),
      LogFields{session->id(), session->plugin().name()});
  *response = "{\"value\":{\"success\":true,\"eventType\":" + quoteJson(eventType) + "}}";
  return Status::ok();
}

} // namespace wdh
