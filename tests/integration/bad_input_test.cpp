// Hostile and broken clients against the real binary: the host answers with W3C errors or
// closes the connection, and stays healthy for everyone else.
#include "support/host_process.h"
#include "support/proc_files.h"

#include <doctest/doctest.h>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

TEST_CASE("bad input: malformed requests get errors and the host stays healthy") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  const std::vector<std::string> bodies = {
      "{",
      "[]",
      "null",
      "\"x\"",
      "1e999999",
      std::string(200000, '['),
      "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"\xff\xfe\"}}}",
      "{\"capabilities\":{\"alwaysMatch\":{\"timeouts\":{\"script\":-1}}}}",
      "{\"capabilities\":{\"firstMatch\":[[]]}}",
      std::string("{\"a\":\"\0\"}", 9)};
  for (const std::string& body : bodies) {
    HttpAnswer answer = httpRequest(host.port(), "POST", "/session", body);
    CAPTURE(body.substr(0, 60));
    CHECK(answer.status == 400);
    CHECK(answer.body.find("\"invalid argument\"") != std::string::npos);
  }
  CHECK(httpRequest(host.port(), "GET", "/session/%00%ff/url").status == 404);
  CHECK(httpRequest(host.port(), "GET", "/" + std::string(3000, 'a')).status == 404);
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
}

TEST_CASE("bad input: garbage, half requests and half-closed clients do not stick a worker") {
  HostProcess host(WDHOST_BINARY,
                   {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake", "--max-threads", "4"});
  // Not HTTP at all.
  std::string garbage = rawExchange(host.port(), "\x16\x03\x01 hello tls?\r\n\r\n", true);
  CHECK(garbage.find("200 OK") == std::string::npos);
  // Headers promise a body that never comes, then the client half-closes.
  std::string partial =
      rawExchange(host.port(),
                  "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                  "\r\n{\"capabilities\"",
                  true);
  CHECK(partial.find("200 OK") == std::string::npos);
  // Headers that never end, from more clients than there are workers, all closing early.
  std::vector<std::thread> slow;
  for (int i = 0; i < 8; ++i)
    slow.emplace_back(
        [&] { rawExchange(host.port(), "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n", true); });
  for (auto& client : slow)
    client.join();
  // A huge header line.
  std::string longHeader = rawExchange(
      host.port(), "GET /status HTTP/1.1\r\nX-Big: " + std::string(100000, 'b') + "\r\n\r\n", true);
  CHECK(longHeader.find("200 OK") == std::string::npos);
  // Everyone else is still served.
  CHECK(eventually([&] { return httpRequest(host.port(), "GET", "/status").status == 200; },
                   std::chrono::seconds(10)));
  HttpAnswer created = httpRequest(host.port(), "POST", "/session",
                                   R"({"capabilities":{"alwaysMatch":{"browserName":"fake"}}})");
  CHECK(created.status == 200);
  CHECK(host.stop() == 0);
}

namespace {

// The host's thread count, from /proc.
int threadsOf(int pid) {
  return static_cast<int>(procStatusField(pid, "Threads:"));
}

// Reads from `fd` until `bytes` holds `count` occurrences of `marker` or nothing more comes.
std::string readUntil(int fd, const std::string& marker, int count) {
  std::string bytes;
  char buffer[4096];
  auto seen = [&] {
    int found = 0;
    for (auto at = bytes.find(marker); at != std::string::npos; at = bytes.find(marker, at + 1))
      ++found;
    return found;
  };
  while (seen() < count) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0)
      break;
    bytes.append(buffer, static_cast<std::size_t>(got));
  }
  return bytes;
}

} // namespace

TEST_CASE("connections: hundreds of idle keep-alive clients cost no thread each") {
  HostProcess host(WDHOST_BINARY,
                   {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake", "--max-threads", "8"});
  std::vector<int> clients;
  for (int i = 0; i < 400; ++i) {
    int fd = connectTo(host.port());
    REQUIRE(fd >= 0);
    clients.push_back(fd);
    std::string request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  }
  int answered = 0;
  for (int fd : clients)
    answered += readUntil(fd, "\"ready\"", 1).find("200 OK") != std::string::npos ? 1 : 0;
  CHECK(answered == 400);
  // Every connection is still open and idle; the host did not grow a thread per client.
  CHECK(threadsOf(host.pid()) < 40);
  std::string again = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(write(clients[123], again.data(), again.size()) == static_cast<ssize_t>(again.size()));
  CHECK(readUntil(clients[123], "\"ready\"", 1).find("200 OK") != std::string::npos);
  for (int fd : clients)
    close(fd);
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
  CHECK(host.stop() == 0);
}

TEST_CASE("connections: pipelined requests are answered in order, 100-continue is honoured") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  int fd = connectTo(host.port());
  REQUIRE(fd >= 0);
  std::string pipelined = "GET /status HTTP/1.1\r\n\r\nGET /nowhere HTTP/1.1\r\n\r\n"
                          "GET /status HTTP/1.1\r\nConnection: close\r\n\r\n";
  REQUIRE(write(fd, pipelined.data(), pipelined.size()) == static_cast<ssize_t>(pipelined.size()));
  std::string answers = readUntil(fd, "HTTP/1.1 ", 4); // ends when the host closes
  close(fd);
  auto first = answers.find("HTTP/1.1 200");
  auto second = answers.find("HTTP/1.1 404", first);
  auto third = answers.find("HTTP/1.1 200", second);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(third != std::string::npos);
  CHECK(answers.find("Connection: close") != std::string::npos);

  fd = connectTo(host.port());
  REQUIRE(fd >= 0);
  std::string body = R"({"capabilities":{"alwaysMatch":{"browserName":"fake"}}})";
  std::string head = "POST /session HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  REQUIRE(write(fd, head.data(), head.size()) == static_cast<ssize_t>(head.size()));
  CHECK(readUntil(fd, "\r\n\r\n", 1).find("HTTP/1.1 100 Continue") == 0);
  REQUIRE(write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()));
  CHECK(readUntil(fd, "sessionId", 1).find("HTTP/1.1 200 OK") != std::string::npos);
  close(fd);
  CHECK(host.stop() == 0);
}

TEST_CASE("connections: an idle client connection is closed after --keep-alive-timeout") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--keep-alive-timeout", "1"});
  int fd = connectTo(host.port());
  REQUIRE(fd >= 0);
  timeval limit{60, 0}; // the host's 1 s comes first, however slow this machine is
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string request = "GET /status HTTP/1.1\r\n\r\n";
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  CHECK(readUntil(fd, "\"ready\"", 1).find("200 OK") != std::string::npos);
  char byte;
  CHECK(read(fd, &byte, 1) == 0); // the end of the stream: closed by the host, not a timeout
  close(fd);
  // A client stuck inside a request holds no worker: others are served meanwhile.
  fd = connectTo(host.port());
  REQUIRE(fd >= 0);
  std::string partial = "GET /status HTTP/1.1\r\n";
  REQUIRE(write(fd, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  CHECK(httpRequest(host.port(), "GET", "/status").status == 200);
  close(fd);
  CHECK(host.stop() == 0);
}

TEST_CASE("connections: a request without the token is refused on its head, its body never read") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--auth-token", "t0ken"});
  // 15 MB announced, none sent: the answer comes at once, and the connection is closed.
  std::string head = "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: 15000000\r\n\r\n";
  std::string answer = rawExchange(host.port(), head);
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(answer.find("Connection: close") != std::string::npos);
  CHECK(answer.find("WWW-Authenticate") == std::string::npos);
  // Asked to confirm first, it is refused instead of told to go on.
  std::string expect = rawExchange(host.port(), "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                "Content-Type: application/json\r\nExpect: "
                                                "100-continue\r\nContent-Length: 100\r\n\r\n");
  CHECK(expect.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(expect.find("100 Continue") == std::string::npos);
  // A page's request is refused the same way, token or not.
  std::string page = rawExchange(host.port(), "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Authorization: Bearer t0ken\r\nOrigin: "
                                              "http://attacker.example\r\nContent-Length: "
                                              "15000000\r\n\r\n");
  CHECK(page.rfind("HTTP/1.1 403", 0) == 0);
  CHECK(host.stop() == 0);
}

TEST_CASE("connections: --max-connections-per-peer answers 503 past the bound and closes") {
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--max-connections-per-peer", "20"});
  std::vector<int> open;
  for (int i = 0; i < 20; ++i) {
    int fd = connectTo(host.port());
    REQUIRE(fd >= 0);
    std::string request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    CHECK(readUntil(fd, "\"ready\"", 1).find("200 OK") != std::string::npos);
    open.push_back(fd);
  }
  std::string refused = rawExchange(host.port(), "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  CHECK(refused.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(refused.find("--max-connections-per-peer") != std::string::npos);
  close(open.back());
  open.pop_back();
  // A slot of that peer is free again once its connection is gone.
  CHECK(eventually([&] { return httpRequest(host.port(), "GET", "/status").status == 200; },
                   std::chrono::seconds(10)));
  for (int fd : open)
    close(fd);
  CHECK(host.stop() == 0);
}
