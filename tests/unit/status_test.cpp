#include "core/status.h"

#include <doctest/doctest.h>

using namespace wdh;

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
