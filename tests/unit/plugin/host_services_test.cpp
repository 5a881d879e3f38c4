// The service tables a plugin reaches through get_service, called as a plugin calls them: with
// NULL, short (older plugins') and oversized inputs, and the 1.3 additions (spawn's cwd and
// env_mode, wait_exit, tempdir set_owner, wdhost.http/2 with its deadline, cap and context).
#include "plugin/call_context.h"
#include "plugin/host_table.h"
#include "process/process_supervisor.h"
#include "process/temp_dirs.h"
#include "support/scratch_dir.h"
#include "support/scripted_http_server.h"

#include <cstring>
#include <doctest/doctest.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace wdh;
using wdhtest::ScriptedHttpServer;

namespace {

void WDHOST_CALL append(void* ctx, const char* data, std::size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}

wdhost_sink sinkTo(std::string* text) {
  return wdhost_sink{text, &append};
}

// A borrowed view of `s`, which must outlive its use (a literal, or a named string).
wdhost_str str(const std::string& s) {
  return wdhost_str{s.data(), s.size()};
}
wdhost_str str(const char* literal) {
  return wdhost_str{literal, std::strlen(literal)};
}

// A host table with real services, as one plugin sees it.
struct Services {
  wdhtest::ScratchDir scratch{"host-services"};
  ProcessSupervisor processes{WDHOST_GUARD_PATH};
  std::unique_ptr<TempDirs> tempDirs;
  std::unique_ptr<HostTable> table;

  Services() {
    REQUIRE(TempDirs::open(scratch.dir, &tempDirs, nullptr).isOk());
    table = std::make_unique<HostTable>("test", HostServices{&processes, tempDirs.get()},
                                        WDHOST_ABI_MINOR);
  }
  const wdhost_host* host() const { return table->table(); }
  template <class T>
  const T* service(const char* id) const {
    return static_cast<const T*>(host()->get_service(host(), id));
  }
};

// argv/env as a NULL-terminated list; it owns its strings.
class List {
public:
  List(std::vector<std::string> items) : items_(std::move(items)) {
    for (const std::string& item : items_)
      pointers_.push_back(item.c_str());
    pointers_.push_back(nullptr);
  }
  List(const List&) = delete; // its pointers point into itself
  List& operator=(const List&) = delete;
  const char* const* data() const { return pointers_.data(); }

private:
  std::vector<std::string> items_;
  std::vector<const char*> pointers_;
};

List list(std::vector<std::string> items) {
  return List(std::move(items));
}

} // namespace

TEST_CASE("host services: get_service answers the versioned ids it has, NULL otherwise") {
  Services services;
  const wdhost_host* host = services.host();
  CHECK(host->get_service(host, WDHOST_SERVICE_PROCESS) != nullptr);
  CHECK(host->get_service(host, WDHOST_SERVICE_TEMPDIR) != nullptr);
  CHECK(host->get_service(host, WDHOST_SERVICE_HTTP) != nullptr);
  CHECK(host->get_service(host, WDHOST_SERVICE_HTTP2) != nullptr);
  CHECK(host->get_service(host, "wdhost.process/2") == nullptr);
  CHECK(host->get_service(host, "") == nullptr);
  CHECK(host->get_service(host, nullptr) == nullptr);
  CHECK(host->get_service(nullptr, WDHOST_SERVICE_HTTP) == nullptr);
  // A table without the services they need offers neither.
  HostTable bare("bare", HostServices{}, WDHOST_ABI_MINOR);
  CHECK(bare.table()->get_service(bare.table(), WDHOST_SERVICE_PROCESS) == nullptr);
  CHECK(bare.table()->get_service(bare.table(), WDHOST_SERVICE_TEMPDIR) == nullptr);
  CHECK(bare.table()->get_service(bare.table(), WDHOST_SERVICE_HTTP2) != nullptr);
}

TEST_CASE("host services: spawn refuses NULL, short and oversized requests with a reason") {
  Services services;
  auto process = services.service<wdhost_process_service>(WDHOST_SERVICE_PROCESS);
  REQUIRE(process != nullptr);
  const wdhost_host* host = services.host();
  uint64_t handle = 0;
  std::string error;
  CHECK(process->spawn(host, nullptr, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK_FALSE(error.empty());

  List argv = list({"/bin/true"});
  wdhost_spawn_request request{};
  request.struct_size = 8; // shorter than any version
  request.argv = argv.data();
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("smaller than ABI v1") != std::string::npos);

  request.struct_size = sizeof request;
  error.clear();
  CHECK(process->spawn(host, &request, nullptr, sinkTo(&error)) == WDHOST_ERROR);

  // More than WDHOST_SPAWN_MAX_ITEMS arguments: refused, never cut.
  std::vector<std::string> many(WDHOST_SPAWN_MAX_ITEMS + 1, "x");
  many[0] = "/bin/true";
  List manyArgv = list(many);
  request.argv = manyArgv.data();
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("argv has more than 4096 entries") != std::string::npos);

  // One argument longer than WDHOST_SPAWN_MAX_ITEM_BYTES.
  std::vector<std::string> longOne = {"/bin/true",
                                      std::string(WDHOST_SPAWN_MAX_ITEM_BYTES + 1, 'a')};
  List longArgv = list(longOne);
  request.argv = longArgv.data();
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("argv[1] is longer than") != std::string::npos);

  // Too many environment entries.
  std::vector<std::string> manyVars(WDHOST_SPAWN_MAX_ITEMS + 1, "A=1");
  List manyEnv = list(manyVars);
  request.argv = argv.data();
  request.env = manyEnv.data();
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("env has more than") != std::string::npos);

  // An env_mode nobody defined, and a cwd that is no directory.
  request.env = nullptr;
  request.env_mode = 7;
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("env_mode 7") != std::string::npos);
  request.env_mode = WDHOST_ENV_INHERIT_ALLOWED;
  request.cwd = "relative/dir";
  error.clear();
  CHECK(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_ERROR);
  CHECK(error.find("not an absolute path to a directory") != std::string::npos);
  CHECK(services.processes.size() == 0);
}

TEST_CASE("host services: a 1.0-sized spawn request still works, with the 1.0 defaults") {
  Services services;
  auto process = services.service<wdhost_process_service>(WDHOST_SERVICE_PROCESS);
  const wdhost_host* host = services.host();
  List argv = list({"/bin/sh", "-c", "echo \"home=$HOME\"; pwd"});
  wdhost_spawn_request request{};
  request.struct_size = offsetof(wdhost_spawn_request, cwd); // what a 1.0-1.2 plugin sends
  request.argv = argv.data();
  request.cwd = "/nonexistent"; // past its struct_size: never read
  request.env_mode = 99;
  uint64_t handle = 0;
  std::string error;
  REQUIRE(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_OK);
  wdhost_process_state state = WDHOST_PROCESS_RUNNING;
  int32_t detail = -1;
  REQUIRE(process->wait_exit(host, handle, 10000, &state, &detail) == WDHOST_OK);
  CHECK(state == WDHOST_PROCESS_EXITED);
  CHECK(detail == 0);
  std::string output;
  process->wait_output(host, handle, str(""), 0, sinkTo(&output));
  if (std::getenv("HOME") != nullptr)
    CHECK(output.find(std::string("home=") + std::getenv("HOME")) != std::string::npos);
  process->terminate(host, handle, 0);
}

TEST_CASE("host services: spawn's cwd and env_mode, and wait_exit's outcomes") {
  Services services;
  auto process = services.service<wdhost_process_service>(WDHOST_SERVICE_PROCESS);
  const wdhost_host* host = services.host();
  List argv = list({"/bin/sh", "-c", "pwd; echo \"vars=$(env | wc -l)\"; exit 4"});
  List env = list({"ONLY=1"});
  wdhost_spawn_request request{};
  request.struct_size = sizeof request;
  request.argv = argv.data();
  request.env = env.data();
  request.cwd = services.scratch.dir.c_str();
  request.env_mode = WDHOST_ENV_NONE;
  uint64_t handle = 0;
  std::string error;
  REQUIRE(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_OK);
  wdhost_process_state state = WDHOST_PROCESS_RUNNING;
  int32_t detail = 0;
  REQUIRE(process->wait_exit(host, handle, 10000, &state, &detail) == WDHOST_OK);
  CHECK(state == WDHOST_PROCESS_EXITED);
  CHECK(detail == 4);
  std::string output;
  process->wait_output(host, handle, str(""), 0, sinkTo(&output));
  CHECK(output.find(services.scratch.dir + "\n") != std::string::npos);
  // ONLY, plus what sh sets itself (PWD, SHLVL, _): nothing of the host's.
  CHECK(output.find("vars=") != std::string::npos);
  CHECK(std::stoi(output.substr(output.find("vars=") + 5)) <= 4);
  process->terminate(host, handle, 0);

  // A process that runs on: TIMEOUT, NULL out-pointers allowed; an unknown handle: ERROR.
  List sleeper = list({"/bin/sleep", "30"});
  request.argv = sleeper.data();
  request.env = nullptr;
  request.cwd = nullptr;
  request.env_mode = WDHOST_ENV_INHERIT_ALLOWED;
  REQUIRE(process->spawn(host, &request, &handle, sinkTo(&error)) == WDHOST_OK);
  CHECK(process->wait_exit(host, handle, 50, nullptr, nullptr) == WDHOST_TIMEOUT);
  process->terminate(host, handle, 0);
  CHECK(process->wait_exit(host, handle, 50, &state, &detail) == WDHOST_ERROR);
  CHECK(process->wait_exit(host, 987654321, 0, nullptr, nullptr) == WDHOST_ERROR);
}

TEST_CASE("host services: tempdir set_owner hands a directory to a session") {
  Services services;
  auto dirs = services.service<wdhost_tempdir_service>(WDHOST_SERVICE_TEMPDIR);
  REQUIRE(dirs != nullptr);
  const wdhost_host* host = services.host();
  std::string path;
  REQUIRE(dirs->create(host, str(""), str("pool"), sinkTo(&path)) == WDHOST_OK);
  CHECK(dirs->set_owner(host, str(path), str("session-1")) == WDHOST_OK);
  CHECK(services.tempDirs->removeOwnedBy("session-1") == 1);
  CHECK(dirs->set_owner(host, str(path), str("session-1")) == WDHOST_ERROR); // gone
  CHECK(dirs->set_owner(host, str("/etc"), str("x")) == WDHOST_ERROR);
  CHECK(dirs->set_owner(host, wdhost_str{nullptr, 0}, str("x")) == WDHOST_ERROR);
  CHECK(dirs->set_owner(nullptr, str(path), str("x")) == WDHOST_ERROR);
}

TEST_CASE("host services: http/1 answers within one deadline, with a cap, and NULL strings") {
  Services services;
  auto http = services.service<wdhost_http_service>(WDHOST_SERVICE_HTTP);
  const wdhost_host* host = services.host();
  ScriptedHttpServer server({ScriptedHttpServer::answer("200 OK", "", "hello")});
  std::string url = server.url("/x");
  uint32_t status = 0;
  std::string body;
  REQUIRE(http->request(host, str("GET"), str(url), wdhost_str{nullptr, 0}, 5000, &status,
                        sinkTo(&body)) == WDHOST_OK);
  CHECK(status == 200);
  CHECK(body == "hello");
  // The server holds its next connection without an answer: the deadline ends the exchange.
  body.clear();
  CHECK(http->request(host, str("GET"), str(url), str(""), 200, &status, sinkTo(&body)) ==
        WDHOST_ERROR);
  CHECK(body.find("deadline") != std::string::npos);
  body.clear();
  CHECK(http->request(host, wdhost_str{nullptr, 0}, wdhost_str{nullptr, 0}, wdhost_str{nullptr, 0},
                      100, nullptr, sinkTo(&body)) == WDHOST_ERROR);
  CHECK_FALSE(body.empty());
}

TEST_CASE("host services: http/2 sends headers and reads headers, body and status") {
  Services services;
  auto http = services.service<wdhost_http2_service>(WDHOST_SERVICE_HTTP2);
  REQUIRE(http != nullptr);
  ScriptedHttpServer server(
      {ScriptedHttpServer::answer("201 Created", "X-Answer: yes\r\n", R"({"ok":true})")});
  std::string url = server.url("/session");
  wdhost_http_header headers[] = {{str("Content-Type"), str("application/json")},
                                  {str("X-Plugin"), str("test")}};
  wdhost_http_request request{};
  request.struct_size = sizeof request;
  request.timeout_ms = 5000;
  request.method = str("POST");
  request.url = str(url);
  request.headers = headers;
  request.header_count = 2;
  request.body = str("{}");
  std::string head, body, error;
  wdhost_http_response response{};
  response.struct_size = sizeof response;
  response.headers = sinkTo(&head);
  response.body = sinkTo(&body);
  response.error = sinkTo(&error);
  REQUIRE(http->request(services.host(), &request, &response) == WDHOST_OK);
  CHECK(response.status == 201);
  CHECK(body == R"({"ok":true})");
  CHECK(head.find("X-Answer: yes\r\n") != std::string::npos);
  std::vector<std::string> seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].rfind("POST /session HTTP/1.1\r\n", 0) == 0);
  CHECK(seen[0].find("X-Plugin: test\r\n") != std::string::npos);
  CHECK(seen[0].find("Content-Length: 2\r\n") != std::string::npos);
}

TEST_CASE("http/2 refuses malformed requests and bodies past the cap, and is cut by deadlines") {
  Services services;
  auto http = services.service<wdhost_http2_service>(WDHOST_SERVICE_HTTP2);
  const wdhost_host* host = services.host();
  std::string big(4096, 'b');
  ScriptedHttpServer server({ScriptedHttpServer::answer("200 OK", "", big)});
  std::string url = server.url("/big");
  std::string head, body, error;
  wdhost_http_response response{};
  response.struct_size = sizeof response;
  response.headers = sinkTo(&head);
  response.body = sinkTo(&body);
  response.error = sinkTo(&error);

  CHECK(http->request(host, nullptr, &response) == WDHOST_ERROR);
  CHECK(error.find("NULL") != std::string::npos);
  CHECK(http->request(host, nullptr, nullptr) == WDHOST_ERROR);
  wdhost_http_response tiny{};
  tiny.struct_size = 4; // no room for the sinks: nothing is written
  CHECK(http->request(host, nullptr, &tiny) == WDHOST_ERROR);

  wdhost_http_request request{};
  request.struct_size = 16; // shorter than wdhost.http/2's request
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  CHECK(error.find("smaller") != std::string::npos);

  request.struct_size = sizeof request;
  request.timeout_ms = 5000;
  request.method = str("GET");
  request.url = str(url);
  request.header_count = 65;
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  CHECK(error.find("more than 64 headers") != std::string::npos);
  request.header_count = 1; // and headers NULL
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  wdhost_http_header bad[] = {{str("X-Bad"), str("a\r\nInjected: 1")}};
  request.headers = bad;
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  CHECK(error.find("X-Bad") != std::string::npos);
  wdhost_http_header framing[] = {{str("Content-Length"), str("0")}};
  request.headers = framing;
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  request.headers = nullptr;
  request.header_count = 0;
  request.url = str("https://127.0.0.1/");
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  CHECK(error.find("http://") != std::string::npos);

  // A body larger than max_response_bytes is an error, not buffered.
  request.url = str(url);
  request.max_response_bytes = 1000;
  error.clear();
  body.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_ERROR);
  CHECK(error.find("larger than 1000 bytes") != std::string::npos);
  CHECK(body.empty());

  // The server holds the next connection: the call's own deadline ends it (TIMEOUT).
  request.max_response_bytes = 0;
  request.timeout_ms = 200;
  error.clear();
  CHECK(http->request(host, &request, &response) == WDHOST_TIMEOUT);
  CHECK(error.find("the deadline passed") != std::string::npos);
}

TEST_CASE("http/2 ends at its context's deadline and when the context is cancelled") {
  Services services;
  auto http = services.service<wdhost_http2_service>(WDHOST_SERVICE_HTTP2);
  const wdhost_host* host = services.host();
  ScriptedHttpServer server({}); // holds every connection without an answer
  std::string url = server.url("/hold");
  std::string head, body, error;
  wdhost_http_response response{};
  response.struct_size = sizeof response;
  response.headers = sinkTo(&head);
  response.body = sinkTo(&body);
  response.error = sinkTo(&error);
  wdhost_http_request request{};
  request.struct_size = sizeof request;
  request.timeout_ms = 60000; // the context is what ends it
  request.method = str("GET");
  request.url = str(url);

  CallContext expired(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  request.context = expired.table();
  CHECK(http->request(host, &request, &response) == WDHOST_TIMEOUT);

  CallContext cancelled(std::chrono::milliseconds(0)); // no deadline
  request.context = cancelled.table();
  std::thread canceller([&cancelled] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancelled.cancel();
  });
  error.clear();
  wdhost_status status = http->request(host, &request, &response);
  canceller.join();
  CHECK(status == WDHOST_TIMEOUT);
  CHECK(error.find("cancelled") != std::string::npos);
}

TEST_CASE("http/1 and http/2 end with the body on a connection the server keeps open") {
  Services services;
  const wdhost_host* host = services.host();
  auto http1 = services.service<wdhost_http_service>(WDHOST_SERVICE_HTTP);
  auto http2 = services.service<wdhost_http2_service>(WDHOST_SERVICE_HTTP2);
  // A driver's /status: a length, then the connection stays open for the next request.
  ScriptedHttpServer server({ScriptedHttpServer::answer("200 OK", "", R"({"ready":true})"),
                             ScriptedHttpServer::answer("200 OK", "", R"({"ready":true})"),
                             "HTTP/1.1 204 No Content\r\n\r\n"},
                            true);
  std::string url = server.url("/status");
  uint32_t status = 0;
  std::string body;
  REQUIRE(http1->request(host, str("GET"), str(url), str(""), 10000, &status, sinkTo(&body)) ==
          WDHOST_OK);
  CHECK(body == R"({"ready":true})");

  std::string head, error;
  body.clear();
  wdhost_http_response response{};
  response.struct_size = sizeof response;
  response.headers = sinkTo(&head);
  response.body = sinkTo(&body);
  response.error = sinkTo(&error);
  wdhost_http_request request{};
  request.struct_size = sizeof request;
  request.timeout_ms = 10000;
  request.method = str("GET");
  request.url = str(url);
  REQUIRE(http2->request(host, &request, &response) == WDHOST_OK);
  CHECK(body == R"({"ready":true})");
  // No body at all (204): the head is the whole answer.
  body.clear();
  REQUIRE(http2->request(host, &request, &response) == WDHOST_OK);
  CHECK(response.status == 204);
  CHECK(body.empty());
}
