// Test support for end-to-end tests (doctest test files only): JSON, New Session, processes.
#pragma once

#include "support/host_process.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <string>
#include <sys/stat.h>

namespace wdhtest {

// Parses a JSON body; fails the test when it is not JSON.
inline rapidjson::Document parseJson(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), body);
  return doc;
}

// Creates a session with `alwaysMatch` (a JSON object) through the host; its capabilities go
// to *caps if given.
inline std::string createSession(const HostProcess& host, const std::string& alwaysMatch,
                                 rapidjson::Document* caps) {
  HttpAnswer created = httpRequest(host.port(), "POST", "/session",
                                   R"({"capabilities": {"alwaysMatch": )" + alwaysMatch + "}}");
  REQUIRE_MESSAGE(created.status == 200, created.body << "\n" << host.log());
  rapidjson::Document doc = parseJson(created.body);
  std::string id = doc["value"]["sessionId"].GetString();
  if (caps != nullptr)
    caps->CopyFrom(doc["value"]["capabilities"], caps->GetAllocator());
  return id;
}

// True while process `pid` exists.
inline bool alive(int pid) {
  return kill(pid, 0) == 0;
}

// True when `path` exists.
inline bool pathExists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

} // namespace wdhtest
