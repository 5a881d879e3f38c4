#include "support/host_process.h"

#include "support/proc_files.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

namespace wdhtest {

HttpAnswer httpRequest(int port, std::string_view method, std::string_view path,
                       std::string_view body, std::chrono::milliseconds timeout) {
  HttpAnswer answer;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Timespan span(static_cast<long>(timeout.count() / 1000),
                        static_cast<long>(timeout.count() % 1000) * 1000);
    session.setTimeout(span);
    Poco::Net::HTTPRequest request(std::string(method), std::string(path),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    if (!body.empty() || method == "POST") {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request).write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    answer.status = static_cast<int>(response.getStatus());
    answer.contentType = response.getContentType();
    answer.cacheControl = response.get("Cache-Control", "");
    Poco::StreamCopier::copyToString(in, answer.body);
  } catch (const Poco::Exception& e) {
    answer.status = 0;
    answer.body = e.displayText();
  }
  return answer;
}

HostProcess::HostProcess(const std::string& binary, const std::vector<std::string>& args) {
  char logTemplate[] = "/tmp/wdhost-test-log-XXXXXX";
  int logFd = mkstemp(logTemplate);
  if (logFd < 0)
    throw std::runtime_error("mkstemp failed");
  logPath_ = logTemplate;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");

  std::vector<std::string> all = {binary, "--host", "127.0.0.1", "--port", "0"};
  all.insert(all.end(), args.begin(), args.end());
  // One browser per session, as the tests count them, unless a test asks for browsers ahead.
  if (std::find(args.begin(), args.end(), "--warm-browsers") == args.end())
    all.insert(all.end(), {"--warm-browsers", "0"});
  // WDHOST_TEST_ISOLATE=NAME runs a suite with that plugin in wdhost-plugin-host (issue 32: the
  // same tests must pass both ways).
  if (const char* isolate = std::getenv("WDHOST_TEST_ISOLATE"); isolate != nullptr && *isolate)
    all.insert(all.end(), {"--isolate-plugin", isolate});
  std::vector<char*> argv;
  for (std::string& arg : all)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, logFd, 2);
  // The host inherits nothing else of the test (its stand-in servers' listeners among them).
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(logFd);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }

  // The first stdout line says where it listens; wait for it at most 60 s.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    char buffer[256];
    ssize_t got = read(out[0], buffer, sizeof buffer);
    if (got > 0) {
      line.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0)
      break;
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  close(out[0]);
  std::size_t colon = line.rfind(':');
  if (line.find("listening on") == std::string::npos || colon == std::string::npos) {
    stop(std::chrono::seconds(5));
    throw std::runtime_error("wdhost did not start; its log:\n" + log());
  }
  port_ = std::atoi(line.c_str() + colon + 1);
}

HostProcess::~HostProcess() {
  stop();
  std::remove(logPath_.c_str());
}

int HostProcess::waitForExit(std::chrono::milliseconds timeout) {
  if (stopped_ || pid_ <= 0)
    return 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      stopped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  return -1000;
}

int HostProcess::stop(std::chrono::milliseconds timeout) {
  if (stopped_ || pid_ <= 0)
    return 0;
  stopped_ = true;
  kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  return -1000;
}

std::string HostProcess::log() const {
  std::ifstream in(logPath_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandResult runCommand(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  CommandResult result;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    return result;
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& arg : copy)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    result.output = std::strerror(rc);
    return result;
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool done = false;
  while (!done) {
    char buffer[4096];
    ssize_t got;
    while ((got = read(out[0], buffer, sizeof buffer)) > 0)
      result.output.append(buffer, static_cast<std::size_t>(got));
    if (waitpid(pid, &status, WNOHANG) == pid) {
      done = true;
      while ((got = read(out[0], buffer, sizeof buffer)) > 0)
        result.output.append(buffer, static_cast<std::size_t>(got));
    } else if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      done = true;
    } else {
      struct timespec pause = {0, 10 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
  }
  close(out[0]);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

namespace {

struct ProcInfo {
  int pid;
  int ppid;
  std::string cmdline;
};

std::vector<ProcInfo> listProcesses() {
  std::vector<ProcInfo> out;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
       it.increment(error)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    // A process that ends meanwhile is gone: its files vanish or fail to read.
    std::string text;
    if (!readProcFile(it->path() / "stat", &text))
      continue;
    std::size_t paren = text.rfind(')');
    if (paren == std::string::npos)
      continue;
    std::istringstream rest(text.substr(paren + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (state == 'Z')
      continue;
    std::string cmdline;
    if (!readProcFile(it->path() / "cmdline", &cmdline))
      continue;
    for (char& c : cmdline)
      if (c == '\0')
        c = ' ';
    out.push_back(ProcInfo{std::atoi(name.c_str()), ppid, cmdline});
  }
  return out;
}

} // namespace

std::vector<int> descendantsMatching(int root, std::string_view needle, bool atStart) {
  std::vector<ProcInfo> all = listProcesses();
  std::vector<int> out;
  for (const ProcInfo& p : all) {
    int parent = p.ppid;
    bool under = false;
    for (int hops = 0; hops < 64 && parent > 1; ++hops) {
      if (parent == root) {
        under = true;
        break;
      }
      auto it =
          std::find_if(all.begin(), all.end(), [&](const ProcInfo& q) { return q.pid == parent; });
      if (it == all.end())
        break;
      parent = it->ppid;
    }
    std::size_t at = p.cmdline.find(needle);
    if (under && at != std::string::npos && (!atStart || at == 0))
      out.push_back(p.pid);
  }
  return out;
}

bool noSessionsWithin(int port, std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        return httpRequest(port, "GET", "/status").body.find("\"sessions\":0") != std::string::npos;
      },
      timeout);
}

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

std::string rawExchange(int port, const std::string& bytes, bool halfClose) {
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

std::vector<int> listeningPorts(int pid) {
  std::map<std::string, int> portOfSocket; // "socket:[inode]" -> port, for listening sockets
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);
  while (std::getline(table, line)) {
    unsigned localPort = 0, state = 0;
    unsigned long inode = 0;
    if (std::sscanf(line.c_str(), " %*d: %*8X:%4X %*8X:%*4X %X %*X:%*X %*X:%*X %*X %*u %*u %lu",
                    &localPort, &state, &inode) == 3 &&
        state == 0x0A)
      portOfSocket["socket:[" + std::to_string(inode) + "]"] = static_cast<int>(localPort);
  }
  std::vector<int> ports;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    auto found = portOfSocket.find(target);
    if (!error && found != portOfSocket.end())
      ports.push_back(found->second);
  }
  return ports;
}

double metricValue(int port, std::string_view name) {
  HttpAnswer answer = httpRequest(port, "GET", "/metrics");
  if (answer.status != 200)
    return -1;
  std::string prefix = "\n" + std::string(name) + " ";
  std::string text = "\n" + answer.body;
  std::size_t at = text.find(prefix);
  if (at == std::string::npos)
    return -1;
  return std::strtod(text.c_str() + at + prefix.size(), nullptr);
}

long rssKiB(int pid) {
  return procStatusField(pid, "VmRSS:");
}

std::vector<int> processesMatching(std::string_view needle) {
  std::vector<int> out;
  for (const ProcInfo& p : listProcesses())
    if (p.cmdline.find(needle) != std::string::npos && p.pid != getpid())
      out.push_back(p.pid);
  return out;
}

std::string sessionIdOf(const std::string& body) {
  const std::string key = "\"sessionId\":\"";
  std::size_t at = body.find(key);
  if (at == std::string::npos)
    return "";
  return body.substr(at + key.size(), 36);
}

} // namespace wdhtest
