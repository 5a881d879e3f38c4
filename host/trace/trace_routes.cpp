#include "trace/trace_routes.h"

#include "http/responses.h"
#include "trace/trace_export.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wdh {

namespace {

// True when `query` holds `key=value` among its &-separated pairs.
bool queryHas(std::string_view query, std::string_view pair) {
  while (!query.empty()) {
    std::size_t end = query.find('&');
    if (query.substr(0, end) == pair)
      return true;
    if (end == std::string_view::npos)
      break;
    query.remove_prefix(end + 1);
  }
  return false;
}

} // namespace

std::string traceListJson(const Traces& traces, std::size_t most) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("value");
  w.StartArray();
  std::size_t n = 0;
  for (const TraceInfo& t : traces.list()) {
    if (n++ >= most)
      break;
    w.StartObject();
    w.Key("sessionId");
    w.String(t.sessionId.c_str());
    w.Key("browser");
    w.String(t.browser.c_str());
    w.Key("startedAt");
    w.Int64(t.startedAtMs);
    w.Key("commands");
    w.Uint64(t.commands);
    w.Key("failed");
    w.Bool(t.failed);
    w.Key("running");
    w.Bool(t.running);
    w.Key("endedBy");
    w.String(t.endedBy.c_str());
    w.Key("size");
    w.Uint64(t.size);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void traceViewerReply(const Traces& traces, std::string_view id, bool download, Reply* reply) {
  std::string json;
  Status status = traces.json(id, &json);
  if (!status.isOk())
    return errorReply(reply, status);
  reply->status = 200;
  reply->contentType = "text/html; charset=utf-8";
  reply->body = traceHtml(json);
  reply->headers.emplace_back("Content-Security-Policy", kTraceViewerPolicy);
  reply->headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply->headers.emplace_back("Cache-Control", "no-store");
  if (download)
    reply->headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"trace-" + std::string(id) + ".html\"");
}

void traceRouteReply(Traces& traces, std::string_view method, std::string_view suffix,
                     std::string_view query, Reply* reply) {
  if (suffix.empty() || suffix == "/") {
    if (method != "GET")
      return errorReply(reply,
                        Status(ErrorCode::UnknownMethod, "/wdhost/traces takes GET; DELETE takes "
                                                         "/wdhost/traces/{session id}"));
    return jsonReply(reply, 200, traceListJson(traces, 1000));
  }
  std::string_view id = suffix.substr(1);
  if (id.find('/') != std::string_view::npos)
    return errorReply(reply,
                      Status(ErrorCode::UnknownCommand, "a trace is /wdhost/traces/{session id}"));
  if (method == "DELETE") {
    Status status = traces.remove(id);
    if (!status.isOk())
      return errorReply(reply, status);
    return jsonReply(reply, 200, "{\"value\":null}");
  }
  if (method != "GET")
    return errorReply(reply, Status(ErrorCode::UnknownMethod,
                                    "a trace takes GET (?format=html for the viewer) or DELETE"));
  if (queryHas(query, "format=html"))
    return traceViewerReply(traces, id, true, reply);
  if (!query.empty() && !queryHas(query, "format=json"))
    return errorReply(reply, Status(ErrorCode::InvalidArgument,
                                    "a trace's only parameter is format=json (the default) or "
                                    "format=html, not \"" +
                                        std::string(query.substr(0, 200)) + "\""));
  std::string json;
  Status status = traces.json(id, &json);
  if (!status.isOk())
    return errorReply(reply, status);
  jsonReply(reply, 200, "{\"value\":" + json + "}");
}

} // namespace wdh
