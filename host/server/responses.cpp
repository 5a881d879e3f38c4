#include "server/responses.h"

#include "json/json.h"
#include <Poco/Net/HTTPResponse.h>

namespace wdh {

std::string errorBody(const Status& status) {
  std::string body = "{\"value\":{\"error\":";
  body += quoteJson(status.name());
  body += ",\"message\":";
  body += quoteJson(status.message());
  body += ",\"stacktrace\":\"\"}}";
  return body;
}

void sendJson(Poco::Net::HTTPServerResponse& response, int httpStatus, std::string_view body,
              std::string_view contentType) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(httpStatus));
  response.setContentType(contentType.empty() ? std::string("application/json; charset=utf-8")
                                              : std::string(contentType));
  response.set("Cache-Control", "no-cache");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& out = response.send();
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
}

void sendError(Poco::Net::HTTPServerResponse& response, const Status& status) {
  sendJson(response, status.httpStatus(), errorBody(status));
}

} // namespace wdh
