#include "server/reply_head.h"

#include <Poco/Net/HTTPResponse.h>
#include <cstdio>
#include <ctime>

namespace wdh {
namespace {

// The IMF-fixdate of now ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted at most once a second
// per thread.
const char* httpDate() {
  thread_local std::time_t formatted = 0;
  thread_local char text[40] = {0};
  std::time_t now = std::time(nullptr);
  if (now != formatted) {
    std::tm parts{};
    gmtime_r(&now, &parts);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    formatted = now;
  }
  return text;
}

} // namespace

void formatReplyHead(const Reply& reply, bool keepAlive, bool http10, std::string* head) {
  head->clear();
  head->append("HTTP/1.1 ");
  head->append(std::to_string(reply.status));
  head->push_back(' ');
  // Only codes Poco's enum names are cast to it; a relayed driver may send any other.
  if (reply.status >= 100 && reply.status <= 511)
    head->append(Poco::Net::HTTPResponse::getReasonForStatus(
        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status)));
  else
    head->append("Unknown");
  head->append("\r\nDate: ");
  head->append(httpDate());
  head->append("\r\nContent-Type: ");
  head->append(reply.contentType.empty() ? "application/json; charset=utf-8" : reply.contentType);
  head->append("\r\nContent-Length: ");
  head->append(std::to_string(reply.body.size()));
  head->append("\r\nCache-Control: no-cache\r\n");
  for (const auto& [name, value] : reply.headers)
    head->append(name).append(": ").append(value).append("\r\n");
  if (!keepAlive)
    head->append("Connection: close\r\n");
  else if (http10)
    head->append("Connection: keep-alive\r\n");
  head->append("\r\n");
}

} // namespace wdh
