// Hostile and broken clients against the real binary: the host answers with W3C errors or
// closes the connection, and stays healthy for everyone else.
#include "support/host_process.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace wdhtest;

namespace {

// Opens a raw TCP connection to the host; -1 on failure.
int connectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  timeval limit{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  return fd;
}

// Sends raw bytes and returns whatever comes back before the peer closes or 5 s pass.
std::string exchange(int port, const std::string& bytes, bool halfClose) {
  int fd = connectTo(port);
  if (fd < 0)
    return "";
  (void)!write(fd, bytes.data(), bytes.size());
  if (halfClose)
    shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  ssize_t got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0 && answer.size() < 65536)
    answer.append(buffer, static_cast<std::size_t>(got));
  close(fd);
  return answer;
}

} // namespace

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
  std::string garbage = exchange(host.port(), "\x16\x03\x01 hello tls?\r\n\r\n", true);
  CHECK(garbage.find("200 OK") == std::string::npos);
  // Headers promise a body that never comes, then the client half-closes.
  std::string partial = exchange(host.port(),
                                 "POST /session HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                                 "\r\n{\"capabilities\"",
                                 true);
  CHECK(partial.find("200 OK") == std::string::npos);
  // Headers that never end, from more clients than there are workers, all closing early.
  std::vector<std::thread> slow;
  for (int i = 0; i < 8; ++i)
    slow.emplace_back([&] { exchange(host.port(), "GET /status HTTP/1.1\r\nHost: x\r\n", true); });
  for (auto& client : slow)
    client.join();
  // A huge header line.
  std::string longHeader = exchange(
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
