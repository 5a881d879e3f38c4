// Relayed websockets through the real binary, with a fixture plugin whose "driver" is a Poco
// websocket stand-in (tests/support/websocket_stub): the URLs handed out, authentication,
// errors before the upgrade, frames both ways, the idle timer, and close frames at the end.
#include "support/host_process.h"
#include "support/websocket_stub.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <doctest/doctest.h>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace wdhtest;

namespace {

const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";

std::string newSessionBody(const std::string& extra) {
  return R"({"capabilities":{"alwaysMatch":{"browserName":"fake","webSocketUrl":true)" + extra +
         "}}}";
}

// The string capability `key` of a New Session answer, or "".
std::string capability(const std::string& body, const std::string& key) {
  std::size_t at = body.find("\"" + key + "\":\"");
  if (at == std::string::npos)
    return "";
  at += key.size() + 4;
  return body.substr(at, body.find('"', at) - at);
}

std::string upgradeRequest(const std::string& path, const std::string& extraHeaders = "") {
  return "GET " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
         kKey + "\r\n" + extraHeaders + "\r\n";
}

// A websocket client through the host (sending `origin` when not empty, as browsers and some
// clients do); throws Poco's WebSocketException when refused.
std::unique_ptr<Poco::Net::WebSocket> openSocket(int port, const std::string& path,
                                                 const std::string& authorization = "",
                                                 const std::string& origin = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  if (!authorization.empty())
    request.set("Authorization", authorization);
  if (!origin.empty())
    request.set("Origin", origin);
  Poco::Net::HTTPResponse response;
  auto socket = std::make_unique<Poco::Net::WebSocket>(session, request, response);
  socket->setReceiveTimeout(Poco::Timespan(10, 0));
  return socket;
}

// Sends `text` and returns the text frame that comes back.
std::string roundTrip(Poco::Net::WebSocket& socket, const std::string& text) {
  socket.sendFrame(text.data(), static_cast<int>(text.size()));
  std::string buffer(128 * 1024, '\0');
  int flags = 0;
  int got = socket.receiveFrame(buffer.data(), static_cast<int>(buffer.size()), flags);
  buffer.resize(static_cast<std::size_t>(std::max(got, 0)));
  return buffer;
}

// Waits for the close frame and returns its code (0 when none came).
int closeCode(Poco::Net::WebSocket& socket, std::string* reason = nullptr) {
  char buffer[4096];
  for (int frames = 0; frames < 16; ++frames) {
    int flags = 0;
    int got = socket.receiveFrame(buffer, sizeof buffer, flags);
    if (got < 0 || (got == 0 && flags == 0))
      return 0;
    if ((flags & Poco::Net::WebSocket::FRAME_OP_BITMASK) == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
      if (got < 2)
        return 1005;
      if (reason != nullptr)
        reason->assign(buffer + 2, static_cast<std::size_t>(got - 2));
      return static_cast<unsigned char>(buffer[0]) * 256 + static_cast<unsigned char>(buffer[1]);
    }
  }
  return 0;
}

} // namespace

TEST_CASE("websocket: BiDi and CDP are reached at the host's address, frames pass unchanged") {
  WebSocketStub driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  std::string stub = "127.0.0.1:" + std::to_string(driver.port());
  HttpAnswer created = httpRequest(host.port(), "POST", "/session",
                                   newSessionBody(R"(,"fake:webSocketUrl":"ws://)" + stub +
                                                  R"(/session/driver-id")" +
                                                  R"(,"fake:cdp":"http://)" + stub + "\""));
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  std::string base = "ws://127.0.0.1:" + std::to_string(host.port()) + "/session/" + id;
  CHECK(capability(created.body, "webSocketUrl") == base + "/se/bidi");
  CHECK(capability(created.body, "se:cdp") == base + "/se/cdp");
  CHECK(capability(created.body, "se:forwardCdp") == base + "/se/cdp");
  CHECK(capability(created.body, "se:cdpVersion") == "1.2.3");
  CHECK(created.body.find(std::to_string(driver.port())) == std::string::npos);
  CHECK(created.body.find("driver-id") == std::string::npos);

  auto bidi = openSocket(host.port(), "/session/" + id + "/se/bidi");
  CHECK(roundTrip(*bidi, R"({"id":1,"method":"session.status","params":{}})") ==
        R"({"id":1,"method":"session.status","params":{}})");
  CHECK(driver.lastPath() == "/session/driver-id");
  CHECK(driver.lastHost() == stub); // browsers accept only their own address as Host
  CHECK(driver.lastOrigin().empty());
  std::string large(60000, 'z');
  CHECK(roundTrip(*bidi, large) == large);

  // A client that names the host's own origin (Python's websocket-client does) is let in, and
  // the Origin header never reaches the browser.
  auto cdp = openSocket(host.port(), "/wd/hub/session/" + id + "/se/cdp", "",
                        "http://127.0.0.1:" + std::to_string(host.port()));
  CHECK(roundTrip(*cdp, R"({"id":1,"method":"Browser.getVersion"})") ==
        R"({"id":1,"method":"Browser.getVersion"})");
  CHECK(driver.lastPath() == "/devtools/browser/stub");
  CHECK(driver.lastOrigin().empty());

  // Delete Session ends both with a close frame that says why.
  CHECK(httpRequest(host.port(), "DELETE", "/session/" + id).status == 200);
  std::string reason;
  CHECK(closeCode(*bidi, &reason) == 1000);
  CHECK(reason.find("deleted") != std::string::npos);
  CHECK(closeCode(*cdp) == 1000);
}

TEST_CASE("websocket: refusals come before the upgrade, as W3C errors") {
  WebSocketStub driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--auth-token", "s3cret"});
  const std::string bearer = "Authorization: Bearer s3cret\r\n";
  std::string answer = rawExchange(host.port(), upgradeRequest("/session/x/se/bidi"));
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  answer = rawExchange(host.port(), upgradeRequest("/session/nope/se/bidi", bearer));
  CHECK(answer.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(answer.find(R"("error":"invalid session id")") != std::string::npos);
  answer = rawExchange(host.port(), upgradeRequest("/status", bearer));
  CHECK(answer.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(answer.find("unknown command") != std::string::npos);

  HttpAnswer created = [&] {
    // httpRequest sends no token: create the session over a raw connection instead.
    std::string body = newSessionBody(R"(,"fake:webSocketUrl":"ws://127.0.0.1:)" +
                                      std::to_string(driver.port()) + R"(/bidi")");
    std::string reply = rawExchange(
        host.port(), "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + bearer +
                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    HttpAnswer out;
    out.status = reply.rfind("HTTP/1.1 200", 0) == 0 ? 200 : 0;
    out.body = reply.substr(reply.find("\r\n\r\n") + 4);
    return out;
  }();
  REQUIRE(created.status == 200);
  std::string path = "/session/" + sessionIdOf(created.body) + "/se/bidi";
  // Not a websocket upgrade, or a malformed one: 400, never a redirect.
  answer = rawExchange(host.port(),
                       "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer + "\r\n");
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  answer = rawExchange(
      host.port(), "GET " + path +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: " +
                       kKey + "\r\n" + bearer + "\r\n");
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(answer.find("Sec-WebSocket-Version: 13") != std::string::npos);
  // No CDP on this session.
  answer = rawExchange(host.port(),
                       upgradeRequest("/session/" + sessionIdOf(created.body) + "/se/cdp", bearer));
  CHECK(answer.find("unsupported operation") != std::string::npos);
  // A web page's upgrade is refused, token or not, before anything is dialed.
  answer = rawExchange(host.port(),
                       upgradeRequest(path, bearer + "Origin: http://attacker.example\r\n"));
  CHECK(answer.rfind("HTTP/1.1 403", 0) == 0);
  CHECK(answer.find("--allowed-origins") != std::string::npos);
  answer =
      rawExchange(host.port(), upgradeRequest(path, bearer + "Sec-Fetch-Site: cross-site\r\n"));
  CHECK(answer.rfind("HTTP/1.1 403", 0) == 0);
  // With the token, as a bearer token or as basic auth's password: 101.
  answer = rawExchange(host.port(), upgradeRequest(path, bearer));
  CHECK(answer.rfind("HTTP/1.1 101", 0) == 0);
  CHECK(answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
  auto socket = openSocket(host.port(), path, "Basic dXNlcjpzM2NyZXQ="); // user:s3cret
  CHECK(roundTrip(*socket, "hi") == "hi");
}

TEST_CASE("websocket: BiDi traffic alone keeps a session alive, and expiry closes the socket") {
  WebSocketStub driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  using Clock = std::chrono::steady_clock;
  const auto timeout = std::chrono::seconds(2);
  auto lastSent = Clock::now(); // the session is used (created) after this
  HttpAnswer created = httpRequest(
      host.port(), "POST", "/session",
      newSessionBody(R"(,"wdhost:sessionTimeout":2,"fake:webSocketUrl":"ws://127.0.0.1:)" +
                     std::to_string(driver.port()) + R"(/bidi")"));
  REQUIRE(created.status == 200);
  std::string id = sessionIdOf(created.body);
  auto socket = openSocket(host.port(), "/session/" + id + "/se/bidi");
  // Frames only, for more than twice the idle timeout. Each frame's bytes mark the session
  // used, so it can have expired only if the time from sending one frame to hearing the next
  // one's echo reached the timeout (this machine stalled): then nothing more is judged.
  auto stalled = [&] {
    if (Clock::now() - lastSent < timeout)
      return false;
    MESSAGE(
        "an answer came "
        << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - lastSent).count()
        << " ms after the frame before it: the rest is not judged");
    return true;
  };
  auto began = Clock::now();
  for (int i = 0; Clock::now() - began < 2 * timeout + std::chrono::milliseconds(500); ++i) {
    auto sent = Clock::now();
    std::string echo = roundTrip(*socket, "keep-alive " + std::to_string(i));
    if (stalled())
      return;
    CHECK(echo == "keep-alive " + std::to_string(i));
    lastSent = sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int status = httpRequest(host.port(), "GET", "/session/" + id + "/url").status;
  if (stalled())
    return;
  CHECK(status == 200);
  // Then silence: the session expires, and the socket hears why ("going away").
  std::string reason;
  CHECK(closeCode(*socket, &reason) == 1001);
  CHECK(reason.find("expired") != std::string::npos);
  CHECK(httpRequest(host.port(), "GET", "/session/" + id + "/url").status == 404);
}

TEST_CASE("websocket: sockets per session are bounded, and shutdown closes with 1001") {
  WebSocketStub driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake",
                                   "--max-websockets-per-session", "1"});
  HttpAnswer created = httpRequest(host.port(), "POST", "/session",
                                   newSessionBody(R"(,"fake:webSocketUrl":"ws://127.0.0.1:)" +
                                                  std::to_string(driver.port()) + R"(/bidi")"));
  REQUIRE(created.status == 200);
  std::string path = "/session/" + sessionIdOf(created.body) + "/se/bidi";
  auto first = openSocket(host.port(), path);
  CHECK(roundTrip(*first, "one") == "one");
  std::string answer = rawExchange(host.port(), upgradeRequest(path));
  CHECK(answer.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(answer.find("--max-websockets-per-session") != std::string::npos);
  CHECK(host.stop() == 0);
  CHECK(closeCode(*first) == 1001);
}

TEST_CASE("websocket: a client that stops reading holds back its upstream, not the host") {
  WebSocketStub driver;
  HostProcess host(WDHOST_BINARY, {"--plugin-dir", WDHOST_FIXTURE_DIR, "--plugin", "fake"});
  std::string caps =
      R"(,"fake:webSocketUrl":"ws://127.0.0.1:)" + std::to_string(driver.port()) + R"(/bidi")";
  HttpAnswer slowSession = httpRequest(host.port(), "POST", "/session", newSessionBody(caps));
  HttpAnswer busySession = httpRequest(host.port(), "POST", "/session", newSessionBody(caps));
  REQUIRE(slowSession.status == 200);
  REQUIRE(busySession.status == 200);
  auto slow = openSocket(host.port(), "/session/" + sessionIdOf(slowSession.body) + "/se/bidi");
  auto busy = openSocket(host.port(), "/session/" + sessionIdOf(busySession.body) + "/se/bidi");
  CHECK(roundTrip(*busy, "warm") == "warm");
  slow->sendFrame("flood", 5); // and never read again
  // Meanwhile the other session's socket answers as usual.
  for (int i = 0; i < 20; ++i)
    CHECK(roundTrip(*busy, "still here " + std::to_string(i)) == "still here " + std::to_string(i));
  // The host stops reading the flooding upstream once that tunnel's buffer is full, and says so.
  CHECK(eventually([&] { return metricValue(host.port(), "wdhost_websocket_reads_held") == 1; },
                   std::chrono::seconds(60)));
  // What it holds is that one buffer (1 MiB), however much the flood had to send.
  double buffered = metricValue(host.port(), "wdhost_websocket_buffered_bytes");
  MESSAGE("the flood got " << driver.flooded() / 1024 << " KiB into the host; it holds "
                           << buffered / 1024 << " KiB");
  CHECK(buffered >= 1024 * 1024);
  CHECK(buffered < 2 * 1024 * 1024);
  CHECK(driver.flooded() >= 1024 * 1024);
  // Held back: what the driver could send past that buffer is what the kernel holds on the way.
  CHECK(metricValue(host.port(), "wdhost_websocket_reads_held") == 1);
  CHECK(driver.flooded() < 64LL * 1024 * 1024);
  CHECK(roundTrip(*busy, "after") == "after");
}
