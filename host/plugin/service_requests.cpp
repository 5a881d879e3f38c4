#include "plugin/service_requests.h"

#include "plugin/channel_messages.h"

#include <vector>

namespace wdh {
namespace {

void WDHOST_CALL appendText(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}

// What a service function gave back.
struct Outcome {
  wdhost_status rc = WDHOST_ERROR;
  std::string text;
  std::uint64_t process = 0;
  wdhost_process_state state = 0;
  std::int32_t detail = 0;
};

bool readList(FrameFields& fields, std::vector<std::string>* out) {
  std::uint64_t count = 0;
  if (!fields.u64(&count) || count > WDHOST_SPAWN_MAX_ITEMS)
    return false;
  out->resize(static_cast<std::size_t>(count));
  for (std::string& item : *out)
    if (!fields.bytes(&item))
      return false;
  return true;
}

wdhost_str str(const std::string& s) noexcept {
  return wdhost_str{s.data(), s.size()};
}

// A tempdir function; false when `function` is none or its fields are malformed.
bool runTempDir(const wdhost_host* host, std::int32_t function, FrameFields& fields, Outcome* out) {
  const auto* service =
      static_cast<const wdhost_tempdir_service*>(host->get_service(host, WDHOST_SERVICE_TEMPDIR));
  wdhost_sink sink{&out->text, &appendText};
  std::string first, second;
  switch (static_cast<TempDirFunction>(function)) {
  case TempDirFunction::Create:
    if (service == nullptr || !fields.bytes(&first) || !fields.bytes(&second) || !fields.atEnd())
      return false;
    out->rc = service->create(host, str(first), str(second), sink);
    return true;
  case TempDirFunction::Remove:
    if (service == nullptr || !fields.bytes(&first) || !fields.atEnd())
      return false;
    out->rc = service->remove(host, str(first));
    return true;
  case TempDirFunction::SetOwner:
    if (service == nullptr || !fields.bytes(&first) || !fields.bytes(&second) || !fields.atEnd())
      return false;
    out->rc = service->set_owner(host, str(first), str(second));
    return true;
  }
  return false;
}

Outcome run(const wdhost_host* host, FrameFields& fields) {
  Outcome out;
  wdhost_sink sink{&out.text, &appendText};
  std::int32_t function = 0;
  if (!fields.i32(&function)) {
    out.text = "a service call without a function";
    return out;
  }
  if (function >= static_cast<std::int32_t>(TempDirFunction::Create)) {
    if (!runTempDir(host, function, fields, &out)) {
      out = Outcome();
      out.text = "a malformed tempdir call (function " + std::to_string(function) +
                 "), or the host has no tempdir service for this plugin";
    }
    return out;
  }
  const auto* service =
      static_cast<const wdhost_process_service*>(host->get_service(host, WDHOST_SERVICE_PROCESS));
  if (service == nullptr) {
    out.text = "the host has no process service for this plugin";
    return out;
  }
  std::uint64_t process = 0, number = 0;
  std::string text;
  switch (static_cast<ProcessFunction>(function)) {
  case ProcessFunction::Spawn: {
    std::vector<std::string> argv, env;
    std::string owner, cwd;
    std::int32_t mode = 0, hasCwd = 0;
    if (!readList(fields, &argv) || !readList(fields, &env) || !fields.bytes(&owner) ||
        !fields.i32(&hasCwd) || !fields.bytes(&cwd) || !fields.i32(&mode) || !fields.atEnd())
      break;
    std::vector<const char*> args, vars;
    for (const std::string& arg : argv)
      args.push_back(arg.c_str());
    args.push_back(nullptr);
    for (const std::string& var : env)
      vars.push_back(var.c_str());
    vars.push_back(nullptr);
    wdhost_spawn_request request{};
    request.struct_size = sizeof request;
    request.argv = args.data();
    request.env = vars.data();
    request.owner = str(owner);
    request.cwd = hasCwd != 0 ? cwd.c_str() : nullptr;
    request.env_mode = static_cast<wdhost_env_mode>(mode);
    out.rc = service->spawn(host, &request, &out.process, sink);
    return out;
  }
  case ProcessFunction::WaitOutput:
    if (!fields.u64(&process) || !fields.bytes(&text) || !fields.u64(&number) || !fields.atEnd())
      break;
    out.rc = service->wait_output(host, process, str(text), static_cast<uint32_t>(number), sink);
    return out;
  case ProcessFunction::Poll:
    if (!fields.u64(&process) || !fields.atEnd())
      break;
    out.rc = service->poll(host, process, &out.state, &out.detail);
    return out;
  case ProcessFunction::Terminate:
    if (!fields.u64(&process) || !fields.u64(&number) || !fields.atEnd())
      break;
    service->terminate(host, process, static_cast<uint32_t>(number));
    out.rc = WDHOST_OK;
    return out;
  case ProcessFunction::SetOwner:
    if (!fields.u64(&process) || !fields.bytes(&text) || !fields.atEnd())
      break;
    out.rc = service->set_owner(host, process, str(text));
    return out;
  case ProcessFunction::WaitExit:
    if (!fields.u64(&process) || !fields.u64(&number) || !fields.atEnd())
      break;
    out.rc =
        service->wait_exit(host, process, static_cast<uint32_t>(number), &out.state, &out.detail);
    return out;
  }
  out = Outcome();
  out.text = "a malformed service call (function " + std::to_string(function) + ")";
  return out;
}

} // namespace

std::string answerServiceCall(const wdhost_host* host, const std::string& body) {
  FrameFields fields(body);
  Outcome out = run(host, fields);
  return FrameBuilder(static_cast<std::uint8_t>(ChannelMessage::ServiceResult), fields.callId())
      .i32(out.rc)
      .bytes(out.text)
      .u64(out.process)
      .i32(out.state)
      .i32(out.detail)
      .frame();
}

} // namespace wdh
