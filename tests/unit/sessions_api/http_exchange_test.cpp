// The host's plain HTTP client against a scripted server on 127.0.0.1: redirects and the cookies
// asked for at each hop, method changes, informational answers, bodies that break off or are too
// large, gzip, and the overall timeout; and the target policy at every hop (the server is let
// through by an exception for its own port, as --allow-target 127.0.0.1:PORT would).
#include "sessions_api/http_exchange.h"
#include "support/loopback_listener.h"

#include <Poco/DeflatingStream.h>
#include <doctest/doctest.h>
#include <mutex>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

using namespace wdh;

namespace {

// Answers its i-th connection with answers[i] (raw bytes, then closes) and keeps each request
// it read; a connection past the list is held open without an answer until the server ends.
class ScriptedServer {
public:
  explicit ScriptedServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    listener_.stopAccepting();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + path;
  }
  // The restricted policy with this server (and nothing else on loopback) let through.
  TargetPolicy policy() const {
    TargetPolicy policy;
    AllowedTarget self;
    REQUIRE(parseAllowedTarget("127.0.0.1:" + std::to_string(listener_.port()), &self).isOk());
    policy.allowed.push_back(self);
    return policy;
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

private:
  void serve() {
    for (std::size_t i = 0; i < answers_.size() + 1; ++i) {
      pollfd ready{listener_.fd(), POLLIN, 0};
      if (poll(&ready, 1, 10000) <= 0)
        return;
      int fd = accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0)
        return;
      std::string request = readRequest(fd);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
      }
      if (i < answers_.size()) {
        send(fd, answers_[i].data(), answers_[i].size(), MSG_NOSIGNAL);
      } else {
        pollfd hold{listener_.fd(), POLLIN, 0};
        poll(&hold, 1, 3000); // until the client gives up or the server ends
      }
      close(fd);
    }
  }
  static std::string readRequest(int fd) {
    std::string text;
    char buffer[4096];
    for (int reads = 0; reads < 100; ++reads) {
      std::size_t end = text.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        std::size_t at = text.find("Content-Length: ");
        if (at != std::string::npos && at < end)
          length = std::stoul(text.substr(at + 16));
        if (text.size() >= end + 4 + length)
          return text;
      }
      pollfd ready{fd, POLLIN, 0};
      if (poll(&ready, 1, 5000) <= 0)
        return text;
      ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0)
        return text;
      text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
  }

  wdhtest::LoopbackListener listener_;
  std::vector<std::string> answers_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

std::string answer(const std::string& statusLine, const std::string& headers,
                   const std::string& body) {
  return "HTTP/1.1 " + statusLine + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace

TEST_CASE("plain client: a redirect is followed, each hop asks for its cookies and reports back") {
  ScriptedServer server({answer("302 Found", "Location: /next\r\nSet-Cookie: a=1\r\n", ""),
                         answer("200 OK", "X-Final: yes\r\n", "done")});
  HttpExchangeRequest request;
  request.url = server.url("/start#fragment");
  request.policy = server.policy();
  request.headers = {{"User-Agent", "test-agent"}};
  std::vector<std::string> asked;
  int responses = 0;
  request.cookiesFor = [&](const Poco::URI& url) {
    asked.push_back(url.getPath());
    return asked.size() == 2 ? std::string("a=1") : std::string();
  };
  request.received = [&](const Poco::URI&, const Poco::Net::HTTPResponse&) { ++responses; };
  HttpExchangeResult result;
  REQUIRE(httpExchange(request, &result).isOk());
  CHECK(result.body == "done");
  CHECK(result.finalUrl == server.url("/next"));
  REQUIRE(result.chain.size() == 2);
  CHECK(result.chain[0].status == 302);
  CHECK(result.chain[1].status == 200);
  CHECK(asked == std::vector<std::string>{"/start", "/next"});
  CHECK(responses == 2);
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].rfind("GET /start HTTP/1.1\r\n", 0) == 0); // no fragment sent
  CHECK(requests[0].find("User-Agent: test-agent") != std::string::npos);
  CHECK(requests[0].find("Cookie:") == std::string::npos);
  CHECK(requests[1].find("Cookie: a=1") != std::string::npos);
}

TEST_CASE("plain client: a redirect with Content-Encoding gzip and no body is followed") {
  // Servers compress everything, empty redirects included: nothing to inflate is no error.
  ScriptedServer server({answer("302 Found", "Location: /next\r\nContent-Encoding: gzip\r\n", ""),
                         answer("200 OK", "", "done")});
  HttpExchangeRequest request;
  request.url = server.url("/start?token=secret");
  request.policy = server.policy();
  HttpExchangeResult result;
  Status status = httpExchange(request, &result);
  REQUIRE_MESSAGE(status.isOk(), status.message());
  CHECK(result.body == "done");
  REQUIRE(result.chain.size() == 2);
  CHECK(result.chain[0].status == 302);
}

TEST_CASE("plain client: a 303 after a POST goes on as GET without the body") {
  ScriptedServer server(
      {answer("303 See Other", "Location: /done\r\n", ""), answer("200 OK", "", "ok")});
  HttpExchangeRequest request;
  request.method = "POST";
  request.url = server.url("/form");
  request.policy = server.policy();
  request.body = "a=1";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  HttpExchangeResult result;
  REQUIRE(httpExchange(request, &result).isOk());
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].rfind("POST /form", 0) == 0);
  CHECK(requests[0].find("\r\n\r\na=1") != std::string::npos);
  CHECK(requests[1].rfind("GET /done", 0) == 0);
  CHECK(requests[1].find("Content-Type") == std::string::npos);
  CHECK(result.chain[1].method == "GET");
}

TEST_CASE("plain client: informational answers are skipped, gzip is decoded") {
  std::ostringstream zipped;
  {
    Poco::DeflatingOutputStream deflate(zipped, Poco::DeflatingStreamBuf::STREAM_GZIP);
    deflate << "hello, unzipped";
    deflate.close();
  }
  ScriptedServer server({"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" +
                         answer("200 OK", "Content-Encoding: gzip\r\n", zipped.str())});
  HttpExchangeRequest request;
  request.url = server.url("/");
  request.policy = server.policy();
  HttpExchangeResult result;
  REQUIRE(httpExchange(request, &result).isOk());
  CHECK(result.chain.back().status == 200);
  CHECK(result.body == "hello, unzipped");
}

TEST_CASE("plain client: a body that breaks off or is too large is an error") {
  ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",
                         answer("200 OK", "", std::string(5000, 'x'))});
  HttpExchangeRequest request;
  request.url = server.url("/short");
  request.policy = server.policy();
  HttpExchangeResult result;
  Status status = httpExchange(request, &result);
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("broke off") != std::string::npos);

  request.url = server.url("/large");
  request.policy = server.policy();
  request.maxBodyBytes = 1000;
  HttpExchangeResult large;
  status = httpExchange(request, &large);
  CHECK(status.code() == ErrorCode::UnknownError);
  CHECK(status.message().find("larger than") != std::string::npos);
}

TEST_CASE("plain client: a server that never answers runs into the timeout") {
  ScriptedServer server({});
  HttpExchangeRequest request;
  request.url = server.url("/");
  request.policy = server.policy();
  request.timeout = std::chrono::milliseconds(300);
  HttpExchangeResult result;
  Status status = httpExchange(request, &result);
  CHECK(status.code() == ErrorCode::Timeout);
}

TEST_CASE("plain client: only http and https, and the allowlist is asked at every hop") {
  ScriptedServer server({answer("302 Found", "Location: http://elsewhere.test/\r\n", "")});
  HttpExchangeRequest request;
  request.url = server.url("/");
  request.policy = server.policy();
  request.allowed = [](const std::string& host) { return host == "127.0.0.1"; };
  HttpExchangeResult result;
  Status status = httpExchange(request, &result);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("elsewhere.test") != std::string::npos);

  HttpExchangeRequest ftp;
  ftp.url = "ftp://127.0.0.1/";
  CHECK(httpExchange(ftp, &result).code() == ErrorCode::InvalidArgument);
}

namespace {

// True when a connection waits on `listener` (nothing accepts there): someone dialed it.
bool dialed(const wdhtest::LoopbackListener& listener) {
  pollfd ready{listener.fd(), POLLIN, 0};
  return poll(&ready, 1, 0) > 0;
}

// One exchange that starts at `server` (which redirects); its status.
Status redirected(const ScriptedServer& server) {
  HttpExchangeRequest request;
  request.url = server.url("/go");
  request.policy = server.policy();
  request.timeout = std::chrono::milliseconds(5000);
  HttpExchangeResult result;
  return httpExchange(request, &result);
}

} // namespace

TEST_CASE("plain client: a redirect to another loopback port is refused by the policy") {
  wdhtest::LoopbackListener other;
  std::string target = "127.0.0.1:" + std::to_string(other.port());
  ScriptedServer server({answer("302 Found", "Location: http://" + target + "/admin\r\n", "")});
  Status status = redirected(server);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("the redirect to http://" + target + "/admin") != std::string::npos);
  CHECK(status.message().find(target + " is a loopback address") != std::string::npos);
  CHECK(status.message().find("--allow-target") != std::string::npos);
  CHECK_FALSE(dialed(other));
}

TEST_CASE("plain client: a redirect to the cloud metadata address is refused at once") {
  ScriptedServer server(
      {answer("302 Found", "Location: http://169.254.169.254/latest/api/token\r\n", "")});
  Status status = redirected(server);
  // The policy's own refusal (a dial tried and failed would be an unknown error naming it): no
  // connection was tried, so no timeout was waited for.
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("169.254.169.254:80 is a link-local address") != std::string::npos);
  CHECK(status.message().find("never reaches") != std::string::npos);
}

TEST_CASE(
    "plain client: a name that resolves to loopback, and every other form of it, is refused") {
  wdhtest::LoopbackListener other;
  std::string port = std::to_string(other.port());
  for (std::string url : {"http://localhost:" + port + "/", "http://[::1]:" + port + "/",
                          "http://[::ffff:127.0.0.1]:" + port + "/", "http://0.0.0.0:" + port + "/",
                          "http://127.1.2.3:" + port + "/", "http://2130706433:" + port + "/"}) {
    INFO(url);
    HttpExchangeRequest request;
    request.url = url;
    request.timeout = std::chrono::milliseconds(2000);
    HttpExchangeResult result;
    Status status = httpExchange(request, &result);
    CHECK(status.code() == ErrorCode::InvalidArgument);
    CHECK((status.message().find("loopback address") != std::string::npos ||
           status.message().find("unspecified address") != std::string::npos));
  }
  CHECK_FALSE(dialed(other));
}

TEST_CASE("plain client: a private address needs --allow-private-targets") {
  HttpExchangeRequest request;
  request.url = "http://10.255.255.1/";
  request.timeout = std::chrono::milliseconds(1000);
  HttpExchangeResult result;
  Status status = httpExchange(request, &result);
  CHECK(status.code() == ErrorCode::InvalidArgument);
  CHECK(status.message().find("10.255.255.1:80 is a private address") != std::string::npos);
  CHECK(status.message().find("--allow-private-targets") != std::string::npos);

  // Allowed, it is dialed: whatever comes back (usually a timeout or an unreachable network)
  // is the network's answer, not the policy's.
  request.policy.allowPrivate = true;
  status = httpExchange(request, &result);
  CHECK(status.code() != ErrorCode::InvalidArgument);
  CHECK(status.message().find("--allow-private-targets") == std::string::npos);
}
