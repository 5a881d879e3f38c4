#include "sessions_api/bidi_connection.h"

#include "core/time.h"

#include "json/json.h"
#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>

namespace wdh {
namespace {

constexpr int kMaxFrameBytes = 64 * 1024 * 1024;
// Frames read for one answer at most: a busy page's network events, bounded.
constexpr int kMaxFramesPerCall = 200000;

} // namespace

BidiConnection::BidiConnection(std::unique_ptr<Poco::Net::WebSocket> socket)
    : socket_(std::move(socket)) {}

BidiConnection::~BidiConnection() {
  try {
    socket_->shutdown();
    socket_->close();
  } catch (const Poco::Exception&) {
    // Already gone: nothing to close.
  }
}

Status BidiConnection::open(const std::string& url, std::chrono::milliseconds timeout,
                            std::unique_ptr<BidiConnection>* out) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "ws")
      return Status(ErrorCode::UnknownError, "the session's BiDi endpoint is not ws://: " + url);
    Poco::Net::HTTPClientSession http(uri.getHost(), uri.getPort());
    http.setTimeout(toTimespan(timeout));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathEtc(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    auto socket = std::make_unique<Poco::Net::WebSocket>(http, request, response);
    socket->setReceiveTimeout(toTimespan(timeout));
    socket->setSendTimeout(toTimespan(timeout));
    socket->setMaxPayloadSize(kMaxFrameBytes);
    out->reset(new BidiConnection(std::move(socket)));
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  "cannot open the session's BiDi connection: " + e.displayText());
  }
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
  const std::string text = toJson(command);
  const auto giveUp = std::chrono::steady_clock::now() + deadline;
  try {
    socket_->sendFrame(text.data(), static_cast<int>(text.size()),
                       Poco::Net::WebSocket::FRAME_TEXT);
    std::string pending; // the message being read, frame by frame
    for (int frames = 0; frames < kMaxFramesPerCall; ++frames) {
      if (std::chrono::steady_clock::now() > giveUp)
        break;
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      int got = socket_->receiveFrame(buffer, flags);
      const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
      if ((got <= 0 && flags == 0) || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE)
        return Status(ErrorCode::UnknownError,
                      "the session's BiDi connection closed during " + std::string(method));
      if (opcode == Poco::Net::WebSocket::FRAME_OP_PING) {
        socket_->sendFrame(buffer.begin(), static_cast<int>(buffer.size()),
                           Poco::Net::WebSocket::FRAME_FLAG_FIN |
                               Poco::Net::WebSocket::FRAME_OP_PONG);
        continue;
      }
      if (opcode == Poco::Net::WebSocket::FRAME_OP_PONG)
        continue;
      // A message may come in several frames: text, then continuations up to the final one.
      pending.append(buffer.begin(), buffer.size());
      if (pending.size() > static_cast<std::size_t>(kMaxFrameBytes))
        return Status(ErrorCode::UnknownError,
                      "a BiDi message over 64 MB during " + std::string(method));
      if ((flags & Poco::Net::WebSocket::FRAME_FLAG_FIN) == 0)
        continue;
      std::string whole;
      whole.swap(pending);
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
        auto text2 = message.FindMember("message");
        std::string why =
            text2 != message.MemberEnd() && text2->value.IsString() ? text2->value.GetString() : "";
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
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  std::string(method) +
                      " over the session's BiDi connection failed: " + e.displayText());
  }
  return Status(ErrorCode::Timeout, std::string(method) + " got no BiDi answer in time");
}

} // namespace wdh
