// Scenario "live": what watching a chrome session live costs. The pictures the host takes from
// the browser of a page that repaints every frame with one viewer and with ten
// (wdhost_live_pictures_total): frames are shared, so ten must cost the browser no more than
// one. Then a cheap command on a watched session (one viewer reading every picture) against one
// on an unwatched session of the same host, interleaved: on a test's page (the target), and on
// the page repainting every frame (the worst case, reported).
#include "load.h"
#include "scenarios.h"
#include "test_pages.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bench {
namespace {

// One viewer of the status page's live websocket, reading and counting pictures on a thread.
class Viewer {
public:
  Viewer(int port, const std::string& session) {
    socket_.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket_.setReceiveTimeout(Poco::Timespan(10, 0));
    std::string head = "GET /ui/sessions/" + session +
                       "/live HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n";
    socket_.sendBytes(head.data(), static_cast<int>(head.size()));
    std::string answer;
    char c = 0;
    while (answer.find("\r\n\r\n") == std::string::npos && socket_.receiveBytes(&c, 1) == 1)
      answer.push_back(c);
    if (answer.rfind("HTTP/1.1 101", 0) != 0)
      throw std::runtime_error("the live view refused: " + answer.substr(0, 200));
    thread_ = std::thread([this] { read(); });
  }
  ~Viewer() {
    stop_.store(true);
    socket_.shutdown();
    thread_.join();
  }
  // Pictures received so far.
  std::uint64_t pictures() const noexcept { return pictures_.load(); }

private:
  void readExactly(char* out, std::size_t n) {
    std::size_t have = 0;
    while (have < n) {
      int got = socket_.receiveBytes(out + have, static_cast<int>(n - have));
      if (got <= 0)
        throw std::runtime_error("closed");
      have += static_cast<std::size_t>(got);
    }
  }
  void read() {
    try {
      std::vector<char> payload;
      while (!stop_.load()) {
        unsigned char head[2];
        readExactly(reinterpret_cast<char*>(head), 2);
        std::uint64_t length = head[1] & 0x7F;
        if (length >= 126) {
          unsigned char more[8];
          std::size_t bytes = length == 126 ? 2 : 8;
          readExactly(reinterpret_cast<char*>(more), bytes);
          length = 0;
          for (std::size_t i = 0; i < bytes; ++i)
            length = (length << 8) | more[i];
        }
        payload.resize(length);
        readExactly(payload.data(), payload.size());
        if ((head[0] & 0x0F) == 2)
          ++pictures_;
        if ((head[0] & 0x0F) == 8)
          return;
      }
    } catch (const std::exception&) {
      // the viewer was stopped, or the host went (Poco's exceptions too): what was counted stands
    }
  }

  Poco::Net::StreamSocket socket_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> pictures_{0};
  std::thread thread_;
};

// wdhost_live_pictures_total from /metrics.
double picturesTaken(int port) {
  std::string text;
  if (httpOnce(port, "GET", "/metrics", "", &text) != 200)
    throw std::runtime_error("/metrics did not answer");
  std::size_t at = text.find("\nwdhost_live_pictures_total ");
  if (at == std::string::npos)
    throw std::runtime_error("/metrics has no wdhost_live_pictures_total");
  return std::stod(text.substr(at + 28));
}

void show(int port, const std::string& id, const char* page) {
  std::string answer;
  int status = httpOnce(port, "POST", "/session/" + id + "/url",
                        std::string(R"({"url":")") + page + "\"}", &answer);
  if (status != 200)
    throw std::runtime_error("navigation answered " + std::to_string(status));
}

std::string perSecond(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f/s", value);
  return text;
}

} // namespace

void runLive(const Options& options, const Counts& counts, Report& report) {
  Wdhost host(options, {"--plugin", "chrome", "--warm-browsers", "0", "--max-sessions", "3"},
              "live");
  const std::string body =
      R"({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"args":["--window-size=1280,720"]}}}})";
  Session watched(host.port(), body);
  Session unwatched(host.port(), body);
  show(host.port(), watched.id(), kAnimatedPage);
  auto window = options.smoke ? std::chrono::milliseconds(1500) : std::chrono::milliseconds(6000);

  // Pictures from the browser: one viewer, then ten of the same session.
  double oneRate = 0;
  for (int viewers : {1, 10}) {
    std::vector<std::unique_ptr<Viewer>> open;
    for (int i = 0; i < viewers; ++i)
      open.push_back(std::make_unique<Viewer>(host.port(), watched.id()));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double taken = picturesTaken(host.port());
    std::uint64_t seen = open.front()->pictures();
    double started = nowMicros();
    std::this_thread::sleep_for(window);
    double seconds = (nowMicros() - started) / 1e6;
    double rate = (picturesTaken(host.port()) - taken) / seconds;
    double delivered = static_cast<double>(open.front()->pictures() - seen) / seconds;
    std::string what = std::to_string(viewers) + (viewers == 1 ? " viewer" : " viewers");
    report.info("pictures taken from chrome, " + what, perSecond(rate));
    report.info("pictures each viewer got, " + what, perSecond(delivered));
    if (viewers == 1) {
      oneRate = rate;
      report.check("a viewer's pictures of an animated page", perSecond(delivered), ">= 10/s",
                   delivered >= 10 || options.smoke);
    } else {
      report.check("pictures taken, 10 viewers vs 1", formatRatio(rate / oneRate), "<= 1.20x",
                   rate <= 1.20 * oneRate);
    }
  }

  // Commands: a watched and an unwatched session side by side, on the same page.
  Viewer viewer(host.port(), watched.id());
  HttpConnection a(host.port());
  HttpConnection b(host.port());
  std::string plainPath = "/session/" + unwatched.id() + "/url";
  std::string watchedPath = "/session/" + watched.id() + "/url";
  for (const auto& [page, what] : {std::pair<const char*, std::string>{kTestPage, "a test's page"},
                                   {kAnimatedPage, "a page repainting every frame"}}) {
    show(host.port(), watched.id(), page);
    show(host.port(), unwatched.id(), page);
    Samples sp, sw;
    interleave(
        counts.warmup, counts.relayRounds, [&] { expectGet(a, plainPath); },
        [&] { expectGet(b, watchedPath); }, &sp, &sw);
    Summary p = summarize(sp), w = summarize(sw);
    report.latency("GET /url, unwatched session, " + what, p);
    report.latency("GET /url, watched session (one viewer), " + what, w);
    if (page == kTestPage)
      report.check("watched command median ratio, " + what, formatRatio(w.median / p.median),
                   "<= 1.10x", w.median <= 1.10 * p.median);
    else
      report.info("watched command median ratio, " + what, formatRatio(w.median / p.median));
  }
}

} // namespace bench
