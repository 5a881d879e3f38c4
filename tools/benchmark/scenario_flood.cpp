// Scenario "flood": 1000 New Sessions waiting in the queue of a full host (--max-sessions 1)
// while one stub session runs commands: /status and that session's commands stay fast (the
// waiters hold no thread), and the host's memory stays small.
#include "load.h"
#include "scenarios.h"
#include "stub_upstream.h"

#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace bench {
namespace {

// A New Session sent on a connection of its own and left waiting; the socket, or -1.
int sendWaitingNewSession(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body = stubBody();
  std::string request = "POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                        "application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(request.size())) {
    close(fd);
    return -1;
  }
  return fd;
}

// The "queued" figure of /status.
long queuedOf(HttpConnection& connection) {
  std::string status;
  connection.request("GET", "/status", {}, &status);
  std::size_t at = status.find("\"queued\":");
  return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 9);
}

// Interleaved /status and command latencies on their own connections.
void measure(HttpConnection& status, HttpConnection& commands, const std::string& path, int warmup,
             int rounds, Samples* statusSamples, Samples* commandSamples) {
  interleave(
      warmup, rounds, [&] { expectGet(status, "/status"); }, [&] { expectGet(commands, path); },
      statusSamples, commandSamples);
}

} // namespace

void runFlood(const Options& options, const Counts& counts, Report& report) {
  StubUpstream stub;
  std::vector<std::string> args = stubHostArgs(options, stub.port());
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--max-sessions")
      args[i + 1] = "1";
  args.insert(args.end(), {"--max-threads", "16"});
  if (wdhostOffers(options, "--max-queue")) // older hosts (side by side) have no such bound
    args.insert(args.end(), {"--max-queue", "5000"});
  Wdhost host(options, args, "flood");
  HttpConnection toHost(host.port());
  HttpConnection toStatus(host.port());
  std::string id = createSession(toHost, stubBody());
  std::string path = "/session/" + id + "/url";

  Samples calmStatus, calmCommands;
  measure(toStatus, toHost, path, counts.warmup, counts.floodRounds, &calmStatus, &calmCommands);
  long calmRss = rssKiB(host.pid());

  std::vector<int> waiting;
  waiting.reserve(static_cast<std::size_t>(counts.floodWaiters));
  for (int i = 0; i < counts.floodWaiters; ++i) {
    int fd = sendWaitingNewSession(host.port());
    if (fd < 0)
      break;
    waiting.push_back(fd);
  }
  long queued = 0;
  for (int i = 0; i < 600 && queued < static_cast<long>(waiting.size()); ++i) {
    queued = queuedOf(toStatus);
    if (queued < static_cast<long>(waiting.size()))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Samples floodStatus, floodCommands;
  measure(toStatus, toHost, path, counts.warmup, counts.floodRounds, &floodStatus, &floodCommands);
  long floodRss = rssKiB(host.pid());
  for (int fd : waiting)
    close(fd);

  Summary cs = summarize(calmStatus), cc = summarize(calmCommands);
  Summary fs = summarize(floodStatus), fc = summarize(floodCommands);
  std::string n = std::to_string(waiting.size());
  report.check("New Sessions waiting in the queue", std::to_string(queued), n,
               queued == static_cast<long>(waiting.size()) && !waiting.empty());
  report.latency("/status, nothing queued", cs);
  report.latency("GET /url, nothing queued", cc);
  report.latency("/status, " + n + " queued", fs);
  report.latency("GET /url, " + n + " queued", fc);
  report.check("/status p99 with " + n + " queued", formatMicros(fs.p99), "< 10 ms",
               fs.p99 < 10000);
  report.check("GET /url p99 with " + n + " queued", formatMicros(fc.p99), "< 10 ms",
               fc.p99 < 10000);
  char text[64];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(calmRss) / 1024.0);
  report.info("RSS, nothing queued", text);
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(floodRss) / 1024.0);
  report.check("RSS with " + n + " queued", text, "< 64 MiB", floodRss < 64 * 1024);
}

} // namespace bench
