#include "setup.h"

#include <arpa/inet.h>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace bench {

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::string pattern = parent + "/" + prefix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot create a directory under " + parent);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Chromedriver::Chromedriver(const Options& options) {
  static int count = 0;
  std::string log = options.workDir + "/chromedriver-" + std::to_string(++count) + ".log";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{options.chromedriver, "--port=0"}, log);
  std::string line =
      process_->waitForLine("started successfully on port", std::chrono::seconds(20));
  std::size_t at = line.find("on port ");
  port_ = std::atoi(line.c_str() + at + 8);
  if (port_ <= 0)
    throw std::runtime_error("cannot read chromedriver's port from: " + line);
}

Wdhost::Wdhost(const Options& options, const std::vector<std::string>& args,
               const std::string& name) {
  std::vector<std::string> argv = {options.wdhost, "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(argv, options.workDir + "/wdhost-" + name + ".log");
  std::string line = process_->waitForLine("wdhost listening on", std::chrono::seconds(30));
  port_ = std::atoi(line.c_str() + line.rfind(':') + 1);
  if (port_ <= 0)
    throw std::runtime_error("cannot read wdhost's port from: " + line);
}

Wdhost::~Wdhost() {
  process_->stop(std::chrono::seconds(30), false);
}

Session::Session(int port, const std::string& body, std::string* webSocketUrl) : port_(port) {
  HttpConnection connection(port, std::chrono::seconds(120));
  std::string answer;
  int status = connection.request("POST", "/session", body, &answer);
  id_ = jsonString(answer, "sessionId");
  if (status != 200 || id_.empty())
    throw std::runtime_error("New Session answered " + std::to_string(status) + ": " +
                             answer.substr(0, 400));
  if (webSocketUrl != nullptr)
    *webSocketUrl = jsonString(answer, "webSocketUrl");
}

Session::~Session() {
  try {
    HttpConnection connection(port_, std::chrono::seconds(60));
    deleteSession(connection, id_);
  } catch (const std::exception&) {
  }
}

std::string directChromeBody(const Options& options, const std::string& profileDir) {
  return R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":")" +
         options.chromium +
         R"(","args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--no-first-run","--disable-background-networking","--user-data-dir=)" +
         profileDir + R"("]}}}})";
}

std::string wdhostChromeBody() {
  return R"({"capabilities":{"alwaysMatch":{"browserName":"chrome"}}})";
}

std::string withBidi(const std::string& body) {
  const std::string anchor = R"("alwaysMatch":{)";
  std::string out = body;
  std::size_t at = out.find(anchor);
  if (at != std::string::npos)
    out.insert(at + anchor.size(), R"("webSocketUrl":true,)");
  return out;
}

std::string stubBody() {
  return R"({"capabilities":{"alwaysMatch":{"browserName":"stub"}}})";
}

std::string createSession(HttpConnection& connection, const std::string& body) {
  std::string answer;
  int status = connection.request("POST", "/session", body, &answer);
  std::string id = jsonString(answer, "sessionId");
  if (status != 200 || id.empty())
    throw std::runtime_error("New Session answered " + std::to_string(status) + ": " +
                             answer.substr(0, 400));
  return id;
}

bool deleteSession(HttpConnection& connection, const std::string& id) {
  std::string answer;
  return connection.request("DELETE", "/session/" + id, {}, &answer) == 200;
}

void expectGet(HttpConnection& connection, const std::string& path) {
  std::string answer;
  int status = connection.request("GET", path, {}, &answer);
  if (status != 200)
    throw std::runtime_error("GET " + path + " answered " + std::to_string(status) + ": " +
                             answer.substr(0, 400));
}

long rssKiB(int pid) {
  // read(2), not an ifstream: a process that ends while it is read is 0, not an exception.
  int fd = ::open(("/proc/" + std::to_string(pid) + "/status").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  std::string text;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  std::size_t at = text.find("\nVmRSS:");
  return got < 0 || at == std::string::npos ? 0 : std::atol(text.c_str() + at + 7);
}

std::vector<std::string> stubHostArgs(const Options& options, int stubPort) {
  return {"--plugin-dir",
          options.stubPluginDir,
          "--plugin",
          "stub",
          "--plugin-option",
          "stub.upstream=http://127.0.0.1:" + std::to_string(stubPort) + "/session/stub",
          "--max-sessions",
          "1100",
          "--session-timeout",
          "3600"};
}

bool wdhostOffers(const Options& options, const std::string& option) {
  std::string help = runAndCapture({options.wdhost, "--help"}, std::chrono::seconds(10));
  return help.find(option) != std::string::npos;
}

} // namespace bench

namespace bench {

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  if (port == 0)
    throw std::runtime_error("no free port");
  return port;
}

} // namespace bench
