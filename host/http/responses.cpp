#include "http/responses.h"

#include "json/json.h"

namespace wdh {

std::string errorBody(const Status& status) {
  std::string body = "{\"value\":{\"error\":";
  body += quoteJson(status.name());
  body += ",\"message\":";
  body += quoteJson(status.message());
  body += ",\"stacktrace\":\"\"";
  if (!status.data().empty())
    body.append(",\"data\":").append(status.data());
  body += "}}";
  return body;
}

void jsonReply(Reply* reply, int httpStatus, std::string body, std::string contentType) {
  reply->status = httpStatus;
  reply->body = std::move(body);
  reply->contentType = std::move(contentType);
}

void errorReply(Reply* reply, const Status& status) {
  jsonReply(reply, status.httpStatus(), errorBody(status));
}

} // namespace wdh
