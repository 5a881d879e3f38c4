#include "sessions_api/bidi_connection.h"

#include "json/json.h"

namespace wdh {
namespace {

constexpr std::size_t kMaxMessageBytes = 64u << 20;
// Messages read for one answer at most: a busy page's network events, bounded.
constexpr int kMaxMessagesPerCall = 200000;

} // namespace

BidiConnection::BidiConnection(std::unique_ptr<WebSocketClient> socket)
    : socket_(std::move(socket)) {}

BidiConnection::~BidiConnection() = default;

Status BidiConnection::open(const std::string& url, std::chrono::milliseconds timeout,
                            std::unique_ptr<BidiConnection>* out) {
  std::unique_ptr<WebSocketClient> socket;
  Status opened = WebSocketClient::open(url, timeout, kMaxMessageBytes, &socket);
  if (!opened.isOk())
    return opened.withContext("the session's BiDi connection");
  out->reset(new BidiConnection(std::move(socket)));
  return Status::ok();
}

Status BidiConnection::call(std::string_view method, const rapidjson::Value& params,
                            rapidjson::Document* result, const EventSink& events,
                            std::chrono::milliseconds deadline) {
  const int id = nextId_++;
  rapidjson::Document command(rapidjson::kObjectType);
  auto& a = command.GetAllocator();
  command.AddMember("id", id, a);
  command.AddMember(
      "method", rapidjson::Value(method.data(), static_cast<rapidjson::SizeType>(method.size()), a),
      a);
  command.AddMember("params", rapidjson::Value(params, a), a);
  const auto giveUp = std::chrono::steady_clock::now() + deadline;
  Status sent = socket_->send(toJson(command), giveUp);
  if (!sent.isOk())
    return sent.withContext(std::string(method) + " over the session's BiDi connection");
  std::string whole;
  for (int messages = 0; messages < kMaxMessagesPerCall; ++messages) {
    Status got = socket_->receive(giveUp, &whole);
    if (got.code() == ErrorCode::Timeout)
      break;
    if (!got.isOk())
      return got.withContext(std::string(method) + " over the session's BiDi connection");
    rapidjson::Document message;
    if (!parseJsonObject(whole, &message).isOk())
      continue;
    auto type = message.FindMember("type");
    bool isEvent = type != message.MemberEnd() && type->value.IsString() &&
                   std::string_view(type->value.GetString()) == "event";
    if (isEvent) {
      auto name = message.FindMember("method");
      auto eventParams = message.FindMember("params");
      if (events && name != message.MemberEnd() && name->value.IsString() &&
          eventParams != message.MemberEnd())
        events(std::string_view(name->value.GetString(), name->value.GetStringLength()),
               eventParams->value);
      continue;
    }
    auto answerId = message.FindMember("id");
    if (answerId == message.MemberEnd() || !answerId->value.IsInt() ||
        answerId->value.GetInt() != id)
      continue;
    auto error = message.FindMember("error");
    if (error != message.MemberEnd() && error->value.IsString()) {
      auto text = message.FindMember("message");
      std::string why =
          text != message.MemberEnd() && text->value.IsString() ? text->value.GetString() : "";
      return Status(errorFromName(error->value.GetString()),
                    std::string(method) + ": " + error->value.GetString() +
                        (why.empty() ? "" : " (" + why + ")"));
    }
    auto found = message.FindMember("result");
    if (found == message.MemberEnd())
      result->SetObject();
    else
      result->CopyFrom(found->value, result->GetAllocator());
    return Status::ok();
  }
  return Status(ErrorCode::Timeout, std::string(method) + " got no BiDi answer in time");
}

} // namespace wdh
