// The services "wdhost.http/1" and "wdhost.http/2": a blocking HTTP/1.1 client with one
// deadline for the whole exchange and a cap on what it buffers.
#include "http/http_client.h"
#include "plugin/call_context.h"
#include "plugin/host_services.h"

#include <Poco/String.h>
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

namespace wdh {
namespace {

// The most headers a wdhost.http/2 request may carry.
constexpr uint32_t kMaxRequestHeaders = 64;

// The ABI promises plain http:// (a plugin talks to its own driver on loopback); TLS is the
// host's to offer in a later version, not something a URL switches on.
Status plainHttpOnly(std::string_view url) {
  if (url.size() >= 7 && Poco::icompare(std::string(url.substr(0, 7)), "http://") == 0)
    return Status::ok();
  return Status(ErrorCode::InvalidArgument,
                "wdhost.http takes http:// URLs only, not " + std::string(url.substr(0, 200)));
}

wdhost_status WDHOST_CALL httpRequest(const wdhost_host*, wdhost_str method, wdhost_str url,
                                      wdhost_str body, uint32_t timeoutMs, uint32_t* outStatus,
                                      wdhost_sink response) {
  try {
    HttpCallResult result;
    Status status = plainHttpOnly(view(url));
    if (status.isOk())
      status = httpCall(view(method), view(url), view(body), std::chrono::milliseconds(timeoutMs),
                        &result);
    if (!status.isOk()) {
      write(response, status.message());
      return WDHOST_ERROR;
    }
    if (outStatus != nullptr)
      *outStatus = static_cast<uint32_t>(result.status);
    write(response, result.body);
    return WDHOST_OK;
  } catch (const std::exception& e) {
    write(response, e.what());
    return WDHOST_ERROR;
  }
}

// The HttpCallRequest for a wdhost.http/2 request; InvalidArgument when it is malformed.
Status callFor(const wdhost_http_request& request, HttpCallRequest* out) {
  if (request.struct_size < offsetof(wdhost_http_request, context) + sizeof(request.context))
    return Status(ErrorCode::InvalidArgument, "the request is smaller than wdhost.http/2 requires");
  if (request.header_count > kMaxRequestHeaders)
    return Status(ErrorCode::InvalidArgument,
                  "the request has more than " + std::to_string(kMaxRequestHeaders) + " headers");
  if (request.header_count > 0 && request.headers == nullptr)
    return Status(ErrorCode::InvalidArgument, "header_count is set but headers is NULL");
  out->method = std::string(view(request.method));
  out->url = std::string(view(request.url));
  out->body = std::string(view(request.body));
  for (uint32_t i = 0; i < request.header_count; ++i)
    out->headers.emplace_back(std::string(view(request.headers[i].name)),
                              std::string(view(request.headers[i].value)));
  if (out->method.empty())
    return Status(ErrorCode::InvalidArgument, "the request has no method");
  if (Status scheme = plainHttpOnly(out->url); !scheme.isOk())
    return scheme;
  auto now = std::chrono::steady_clock::now();
  out->deadline =
      std::min(now + std::chrono::milliseconds(request.timeout_ms), deadlineOf(request.context));
  if (request.max_response_bytes != 0)
    out->maxBody = static_cast<std::size_t>(
        std::min<uint64_t>(request.max_response_bytes, std::numeric_limits<std::size_t>::max()));
  if (request.context != nullptr) {
    const wdhost_call_context* context = request.context;
    out->cancelled = [context] { return isCancelled(context); };
  }
  return Status::ok();
}

wdhost_status WDHOST_CALL http2Request(const wdhost_host*, const wdhost_http_request* request,
                                       wdhost_http_response* response) {
  if (response == nullptr ||
      response->struct_size < offsetof(wdhost_http_response, error) + sizeof(response->error))
    return WDHOST_ERROR; // nowhere to say why
  try {
    response->status = 0;
    HttpCallRequest call;
    Status status = request == nullptr ? Status(ErrorCode::InvalidArgument, "the request is NULL")
                                       : callFor(*request, &call);
    HttpCallResult result;
    if (status.isOk())
      status = httpCall(call, &result);
    if (!status.isOk()) {
      write(response->error, status.message());
      return status.code() == ErrorCode::Timeout ? WDHOST_TIMEOUT : WDHOST_ERROR;
    }
    response->status = static_cast<uint32_t>(result.status);
    for (const auto& [name, value] : result.headers)
      write(response->headers, name + ": " + value + "\r\n");
    write(response->body, result.body);
    return WDHOST_OK;
  } catch (const std::exception& e) {
    write(response->error, e.what());
    return WDHOST_ERROR;
  }
}

const wdhost_http_service kHttpService = {sizeof(wdhost_http_service), &httpRequest};
const wdhost_http2_service kHttp2Service = {sizeof(wdhost_http2_service), &http2Request};

} // namespace

const wdhost_http_service& httpService() noexcept {
  return kHttpService;
}

const wdhost_http2_service& http2Service() noexcept {
  return kHttp2Service;
}

} // namespace wdh
