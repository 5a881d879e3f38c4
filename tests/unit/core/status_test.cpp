#include "core/status.h"
#include "plugin/plugin_reply.h"
#include "http/responses.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {
wdhost_str str(std::string_view text) {
  return wdhost_str{text.data(), text.size()};
}
} // namespace

TEST_CASE("status: W3C codes map to their strings and HTTP statuses") {
  CHECK(httpStatusFor(ErrorCode::InvalidArgument) == 400);
  CHECK(httpStatusFor(ErrorCode::InvalidSessionId) == 404);
  CHECK(httpStatusFor(ErrorCode::UnknownCommand) == 404);
  CHECK(httpStatusFor(ErrorCode::UnknownMethod) == 405);
  CHECK(httpStatusFor(ErrorCode::SessionNotCreated) == 500);
  CHECK(httpStatusFor(ErrorCode::NoSuchElement) == 404);
  CHECK(httpStatusFor(ErrorCode::Ok) == 200);
  CHECK(errorName(ErrorCode::SessionNotCreated) == "session not created");
  CHECK(errorName(ErrorCode::UnknownMethod) == "unknown method");
}

TEST_CASE("status: names round-trip and unknown names become unknown error") {
  for (ErrorCode code : {ErrorCode::InvalidArgument, ErrorCode::NoSuchWindow,
                         ErrorCode::ScriptTimeout, ErrorCode::DetachedShadowRoot}) {
    CHECK(errorFromName(errorName(code)) == code);
  }
  CHECK(errorFromName("no such thing") == ErrorCode::UnknownError);
  CHECK(errorFromName("") == ErrorCode::UnknownError);
}

TEST_CASE("status: context goes before the message and ok stays ok") {
  Status failed(ErrorCode::Timeout, "took too long");
  CHECK(failed.withContext("chrome").message() == "chrome: took too long");
  CHECK(failed.httpStatus() == 500);
  CHECK(Status::ok().withContext("x").isOk());
}

TEST_CASE("status: a plugin's error data reaches the W3C error body (ABI 1.2)") {
  PluginReply reply;
  replyErrorData(&reply, str("unexpected alert open"), str("a prompt is open"),
                 str(R"({"text": "cheese"})"));
  Status status = replyStatus(WDHOST_ERROR, reply, "firefox", ErrorCode::UnknownError, true);
  CHECK(status.code() == ErrorCode::UnexpectedAlertOpen);
  CHECK(status.data() == R"({"text":"cheese"})");
  CHECK(status.withContext("ctx").data() == status.data());
  CHECK(errorBody(status) == R"({"value":{"error":"unexpected alert open","message":"firefox: a )"
                             R"(prompt is open","stacktrace":"","data":{"text":"cheese"}}})");

  PluginReply notObject;
  replyErrorData(&notObject, str("unknown error"), str("m"), str("[1]"));
  CHECK(notObject.kind == PluginReply::Kind::Error);
  CHECK(notObject.data.empty());
  PluginReply plain;
  replyError(&plain, str("no such alert"), str("none"));
  CHECK(errorBody(replyStatus(WDHOST_ERROR, plain, "p", ErrorCode::UnknownError, true))
            .find("\"data\"") == std::string::npos);
}
