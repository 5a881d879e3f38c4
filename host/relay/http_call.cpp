#include "relay/http_call.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace wdh {

Status httpCall(std::string_view method, std::string_view url, std::string_view body,
                std::chrono::milliseconds timeout, HttpCallResult* out) {
  std::string target(url);
  try {
    Poco::URI uri(target);
    if (uri.getScheme() != "http" || uri.getHost().empty())
      return Status(ErrorCode::InvalidArgument, "only http:// URLs are supported: " + target);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    Poco::Timespan span(static_cast<long>(timeout.count() / 1000),
                        static_cast<long>((timeout.count() % 1000) * 1000));
    session.setTimeout(span, span, span);
    std::string path = uri.getPathAndQuery();
    Poco::Net::HTTPRequest request(std::string(method), path.empty() ? "/" : path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    if (!body.empty()) {
      request.setContentType("application/json; charset=utf-8");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    } else if (method == "POST" || method == "PUT") {
      request.setContentLength(0);
    }
    std::ostream& requestBody = session.sendRequest(request);
    requestBody.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse response;
    std::istream& responseBody = session.receiveResponse(response);
    out->status = static_cast<int>(response.getStatus());
    out->body.clear();
    Poco::StreamCopier::copyToString(responseBody, out->body);
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::UnknownError,
                  std::string(method) + " " + target + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string(method) + " " + target + ": " + e.what());
  }
}

} // namespace wdh
