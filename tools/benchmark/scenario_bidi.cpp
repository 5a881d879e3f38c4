// Scenario "bidi": a WebDriver BiDi round trip (script.evaluate of 1+1) on chromedriver's own
// websocket vs on the same kind of session's websocket relayed through wdhost, interleaved.
// Both sides use the same client (Poco's WebSocket), so its cost is the same for both.
#include "load.h"
#include "scenarios.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/URI.h>
#include <memory>
#include <stdexcept>

namespace bench {
namespace {

// A BiDi connection to a session's webSocketUrl, evaluating 1+1 in its first browsing context.
class BidiClient {
public:
  explicit BidiClient(const std::string& url) : buffer_(1 << 20, '\0') {
    Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTTPResponse response;
    socket_ = std::make_unique<Poco::Net::WebSocket>(session, request, response);
    socket_->setReceiveTimeout(Poco::Timespan(30, 0));
    socket_->setNoDelay(true);
    std::string tree = call(R"("browsingContext.getTree","params":{"maxDepth":0})");
    context_ = jsonString(tree, "context");
    if (context_.empty())
      throw std::runtime_error("no browsing context in " + tree.substr(0, 300));
    evaluate_ = R"("script.evaluate","params":{"expression":"1+1","awaitPromise":false,)"
                R"("target":{"context":")" +
                context_ + R"("}})";
  }

  // One script.evaluate round trip; throws unless it answers 2.
  void evaluate() {
    std::string answer = call(evaluate_);
    if (answer.find(R"("value":2)") == std::string::npos)
      throw std::runtime_error("script.evaluate answered " + answer.substr(0, 300));
  }

private:
  // Sends {"id":N,"method":<rest>} and returns the frame answering id N (events are skipped).
  std::string call(const std::string& rest) {
    std::string id = std::to_string(++lastId_);
    std::string message = R"({"id":)" + id + R"(,"method":)" + rest + "}";
    socket_->sendFrame(message.data(), static_cast<int>(message.size()));
    std::string marker = R"("id":)" + id + ",";
    for (int frames = 0; frames < 1000; ++frames) {
      int flags = 0;
      int got = socket_->receiveFrame(buffer_.data(), static_cast<int>(buffer_.size()), flags);
      if (got <= 0)
        throw std::runtime_error("the BiDi socket closed");
      std::string_view frame(buffer_.data(), static_cast<std::size_t>(got));
      if (frame.find(marker) != std::string_view::npos)
        return std::string(frame);
    }
    throw std::runtime_error("no answer to BiDi command " + id);
  }

  std::unique_ptr<Poco::Net::WebSocket> socket_;
  std::string buffer_;
  std::string context_;
  std::string evaluate_;
  long lastId_ = 0;
};

} // namespace

void runBidi(const Options& options, const Counts& counts, Report& report) {
  TempDir profile(options.workDir, "profile");
  Chromedriver driver(options);
  Wdhost host(options, {"--plugin", "chrome"}, "bidi");
  std::string directUrl, hostUrl;
  Session direct(driver.port(), withBidi(directChromeBody(options, profile.path())), &directUrl);
  Session relayed(host.port(), withBidi(wdhostChromeBody()), &hostUrl);
  if (directUrl.empty() || hostUrl.empty())
    throw std::runtime_error("a session came without a webSocketUrl");
  BidiClient toDriver(directUrl);
  BidiClient toHost(hostUrl);
  Samples d, h;
  interleave(
      counts.warmup, counts.bidiRounds, [&] { toDriver.evaluate(); }, [&] { toHost.evaluate(); },
      &d, &h);
  Summary sd = summarize(d), sh = summarize(h);
  report.latency("BiDi script.evaluate chromedriver direct", sd);
  report.latency("BiDi script.evaluate through wdhost", sh);
  report.info("added by wdhost (median)", formatMicros(sh.median - sd.median));
  report.check("BiDi median ratio", formatRatio(sh.median / sd.median), "<= 1.05x",
               sh.median <= 1.05 * sd.median);
  report.check("BiDi p99 ratio", formatRatio(sh.p99 / sd.p99), "<= 1.15x", sh.p99 <= 1.15 * sd.p99);
}

} // namespace bench
