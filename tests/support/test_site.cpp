#include "support/test_site.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <atomic>

namespace wdhtest {
namespace {

class PageHandler : public Poco::Net::HTTPRequestHandler {
public:
  explicit PageHandler(std::atomic<int>& requests) : requests_(requests) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    requests_.fetch_add(1);
    std::string path = request.getURI();
    std::string body;
    response.setContentType("text/html; charset=utf-8");
    if (path.rfind("/redirect?to=", 0) == 0) {
      std::string target;
      Poco::URI::decode(path.substr(13), target);
      response.redirect(target, Poco::Net::HTTPResponse::HTTP_FOUND);
      return;
    }
    if (path == "/set-cookie") {
      response.set("Set-Cookie", "visit=1; Path=/");
      body = "<html><head><title>Cookie</title></head><body>cookie set</body></html>";
    } else if (path == "/show-cookie") {
      body = "<html><head><title>Show</title></head><body>cookie header: [" +
             request.get("Cookie", "") + "]</body></html>";
    } else if (path == "/show-header") {
      body = "<html><head><title>Header</title></head><body>x-test: [" + request.get("X-Test", "") +
             "]</body></html>";
    } else if (path == "/missing") {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      body = "<html><head><title>Missing</title></head><body>not here</body></html>";
    } else if (path == "/form" && request.getMethod() == "POST") {
      std::string form;
      Poco::StreamCopier::copyToString(request.stream(), form);
      body = "<html><head><title>Form</title></head><body>posted: [" + form + "]</body></html>";
    } else {
      body = "<html><head><title>Test page</title></head><body><p>Hello from the test site</p>"
             "<button id='b' onclick=\"document.title='clicked'\">press</button></body></html>";
    }
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }

private:
  std::atomic<int>& requests_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit Factory(std::atomic<int>& requests) : requests_(requests) {}
  Poco::Net::HTTPRequestHandler*
  createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new PageHandler(requests_);
  }

private:
  std::atomic<int>& requests_;
};

} // namespace

struct TestSite::Impl {
  std::atomic<int> requests{0};
  Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
  Poco::Net::HTTPServer server{new Factory(requests), socket, new Poco::Net::HTTPServerParams()};
};

TestSite::TestSite() : impl_(std::make_unique<Impl>()) {
  impl_->server.start();
}

TestSite::~TestSite() {
  impl_->server.stopAll(true);
}

int TestSite::port() const {
  return impl_->socket.address().port();
}

std::string TestSite::url(const std::string& path) const {
  return "http://" + authority() + path;
}

std::string TestSite::authority() const {
  return "127.0.0.1:" + std::to_string(port());
}

int TestSite::requests() const {
  return impl_->requests.load();
}

} // namespace wdhtest
