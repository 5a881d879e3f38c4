// What the sessions-API end-to-end tests share: one command sent to a host's /api/v1, and a
// string member of its answer.
#pragma once

#include "support/host_process.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <string>

namespace wdhtest {

// Sends `body` to the host's /api/v1 and returns the answer's JSON (which must parse); its HTTP
// status goes to *status when given.
inline rapidjson::Document apiCall(const HostProcess& host, const std::string& body,
                                   int* status = nullptr) {
  HttpAnswer answer = httpRequest(host.port(), "POST", "/api/v1", body);
  if (status != nullptr)
    *status = answer.status;
  rapidjson::Document doc;
  doc.Parse(answer.body.c_str(), answer.body.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), answer.body);
  return doc;
}

// value[key] when it is a string, else "".
inline std::string textOf(const rapidjson::Value& value, const char* key) {
  return value.HasMember(key) && value[key].IsString() ? value[key].GetString() : "";
}

} // namespace wdhtest
