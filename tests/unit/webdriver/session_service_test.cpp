// The session service with no plugin loaded (nothing here starts a browser): New Session is
// refused with a W3C error, unknown sessions are invalid, /status says why it is not ready, and
// a drain refuses New Session with the reason.
#include "plugin/plugin_registry.h"
#include "session/session_map.h"
#include "webdriver/session_service.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

using namespace wdh;

namespace {

struct Service {
  PluginRegistry registry;
  SessionMap sessions;
  SessionService service{registry, sessions, HostServices{}, SessionSettings{}};
};

rapidjson::Document statusOf(const SessionService& service) {
  rapidjson::Document doc;
  doc.Parse(service.status().statusJson().c_str());
  REQUIRE(doc.IsObject());
  return doc;
}

} // namespace

TEST_CASE("session service: New Session without plugins, and bad bodies, are W3C errors") {
  Service s;
  std::string response, id;
  NewSessionRequest request;
  Status none = s.service.starter().newSession(R"({"capabilities":{}})", request, &response, &id);
  CHECK(none.code() == ErrorCode::SessionNotCreated);
  CHECK(id.empty());
  CHECK(s.service.starter().newSession("not json", request, &response, &id).code() ==
        ErrorCode::InvalidArgument);
  CHECK(s.service.starter().newSession(R"({"capabilities":[]})", request, &response, &id).code() ==
        ErrorCode::InvalidArgument);
}

TEST_CASE("session service: unknown sessions are invalid session id") {
  Service s;
  CHECK(s.service.lifecycle().deleteSession("nobody").code() == ErrorCode::InvalidSessionId);
  RelayResponse out;
  CHECK(s.service.commands().execute("nobody", "GET", "/url", "", &out).code() ==
        ErrorCode::InvalidSessionId);
  CHECK_FALSE(s.service.lifecycle().exists("nobody"));
}

TEST_CASE("session service: status says why it is not ready, and a drain refuses New Session") {
  Service s;
  rapidjson::Document status = statusOf(s.service);
  CHECK_FALSE(status["value"]["ready"].GetBool());
  CHECK(std::string(status["value"]["message"].GetString()).find("no browser plugin") !=
        std::string::npos);
  CHECK(status["value"]["sessions"].GetUint() == 0);
  s.service.lifecycle().drain();
  CHECK(s.service.lifecycle().draining());
  CHECK(statusOf(s.service)["value"]["draining"].GetBool());
  std::string response, id;
  Status refused =
      s.service.starter().newSession(R"({"capabilities":{}})", NewSessionRequest{}, &response, &id);
  CHECK(refused.code() == ErrorCode::SessionNotCreated);
}
