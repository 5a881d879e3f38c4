#include "app/host_routes.h"

#include "http/responses.h"
#include "live/live_link_reply.h"
#include "metrics/metrics_endpoint.h"
#include "recording/recording_routes.h"
#include "sessions_api/api_reply.h"
#include "trace/trace_routes.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wdh {

HostSnapshot hostSnapshot(const SessionService& service, const HttpServer& server, LiveView* live) {
  HostSnapshot now = service.status().snapshot();
  server.addFigures(&now);
  if (live != nullptr) {
    now.liveViewers = live->viewers();
    now.livePictures = live->pictures();
  }
  return now;
}

void addHostRoutes(HttpServer& server, const HostFeatures& features) {
  SessionService& service = *features.service;
  if (StatusPageEndpoints* page = features.statusPage) {
    // A browser opening the host's root is sent to the status page.
    FeatureRoute root{"/", false, {"GET"}, RouteAccess::OwnLogin, false, false, {}, {}, {}};
    root.handler = [](const Request& request, const RouteContext&, Reply* reply) {
      if (request.accept.find("text/html") == std::string::npos)
        return errorReply(reply,
                          Status(ErrorCode::UnknownCommand, "no WebDriver command is GET /"));
      reply->status = 302;
      reply->contentType = "text/plain; charset=utf-8";
      reply->body = "see /ui\n";
      reply->headers.emplace_back("Location", "/ui");
    };
    server.addRoute(std::move(root));
    FeatureHandler ui = [page](const Request& request, const RouteContext& context, Reply* reply) {
      page->ui(request, context.suffix, reply);
    };
    // The page and its reads answer at once; screenshots and ending a session may wait.
    server.addRoute(FeatureRoute{
        "/ui", true, {"GET", "POST"}, RouteAccess::OwnLogin, false, false, ui, {}, {}});
    FeatureHandler sessions = [page](const Request& request, const RouteContext& context,
                                     Reply* reply) {
      page->ui(request, "/sessions" + std::string(context.suffix), reply);
    };
    // ws://host/ui/sessions/{id}/live: the page's live view of a session.
    WebSocketFeed liveSocket = [page](const Request& request, const RouteContext& context,
                                      UniqueFd* socket) {
      return page->liveSocket(request, "/sessions" + std::string(context.suffix),
                              context.clientAddress, socket);
    };
    server.addRoute(FeatureRoute{"/ui/sessions",
                                 true,
                                 {"GET", "POST", "DELETE"},
                                 RouteAccess::OwnLogin,
                                 false,
                                 true,
                                 sessions,
                                 {},
                                 features.live != nullptr ? liveSocket : WebSocketFeed()});
    if (LiveView* live = features.live) {
      // A hand-off link's page (/live#SECRET: the secret stays in the browser) and its websocket,
      // whose first message must carry the secret: nothing is served to a request without it.
      server.addRoute(FeatureRoute{
          "/live",
          true,
          {"GET"},
          RouteAccess::OwnLogin,
          false,
          false,
          [page](const Request&, const RouteContext& context, Reply* reply) {
            if (!context.suffix.empty() && context.suffix != "/")
              return errorReply(reply, Status(ErrorCode::UnknownCommand,
                                              "a live link opens /live; its websocket is "
                                              "/live/socket"));
            page->linkPage(reply);
          },
          {},
          [live](const Request&, const RouteContext& context, UniqueFd* socket) {
            if (context.suffix != "/socket")
              return Status(ErrorCode::UnknownCommand, "a live link's websocket is /live/socket");
            return live->watchByLink(socket);
          }});
    }
  }
  if (LiveView* live = features.live) {
    // Hand-off links with the client token: POST|GET /wdhost/sessions/{id}/live-link,
    // DELETE /wdhost/sessions/{id}/live-link/{link id}.
    server.addRoute(FeatureRoute{
        "/wdhost/sessions",
        true,
        {"GET", "POST", "DELETE"},
        RouteAccess::Client,
        false,
        false,
        [live](const Request& request, const RouteContext& context, Reply* reply) {
          std::string http = context.webSocketBase;
          if (http.rfind("ws", 0) == 0)
            http.replace(0, 2, "http");
          if (!liveLinkRoute(*live, request.method, context.suffix, request.body, http, reply))
            errorReply(reply, Status(ErrorCode::UnknownCommand,
                                     "/wdhost/sessions serves {id}/live-link and "
                                     "{id}/live-link/{link id}"));
        },
        {},
        {}});
  }
  if (Traces* traces = features.traces) {
    // GET /wdhost/traces[/{session id}[?format=html]], DELETE /wdhost/traces/{session id}.
    server.addRoute(FeatureRoute{
        "/wdhost/traces",
        true,
        {"GET", "DELETE"},
        RouteAccess::Client,
        false,
        true,
        [traces](const Request& request, const RouteContext& context, Reply* reply) {
          std::size_t mark = request.target.find('?');
          std::string_view query = mark == std::string::npos
                                       ? std::string_view()
                                       : std::string_view(request.target).substr(mark + 1);
          traceRouteReply(*traces, request.method, context.suffix, query, reply);
        },
        {},
        {}});
  }
  if (HostMetrics* metrics = features.metrics) {
    const HttpServer* front = &server;
    server.addRoute(FeatureRoute{"/metrics",
                                 false,
                                 {"GET"},
                                 RouteAccess::Operator,
                                 false,
                                 false,
                                 [metrics, &service, front, live = features.live](
                                     const Request&, const RouteContext&, Reply* reply) {
                                   metricsReply(*metrics, hostSnapshot(service, *front, live),
                                                reply);
                                 },
                                 {},
                                 {}});
  }
  // Drain: closing browsers started ahead closes their websockets, which may wait a moment.
  server.addRoute(
      FeatureRoute{"/wdhost/drain",
                   false,
                   {"POST"},
                   RouteAccess::Operator,
                   false,
                   true,
                   [&service](const Request&, const RouteContext&, Reply* reply) {
                     service.lifecycle().drain();
                     jsonReply(reply, 200,
                               "{\"value\":{\"draining\":true,\"sessions\":" +
                                   std::to_string(service.lifecycle().sessionsRunning()) + "}}");
                   },
                   {},
                   {}});
  if (Recordings* recordings = features.recordings) {
    // The list, a finished file (read from disk: a job thread) and deleting one; the client
    // token like WebDriver itself, and the request gate before all of it.
    server.addRoute(FeatureRoute{
        "/wdhost/recordings",
        true,
        {"GET", "DELETE"},
        RouteAccess::Client,
        false,
        true,
        [recordings](const Request& request, const RouteContext& context, Reply* reply) {
          std::string_view suffix = context.suffix;
          if (suffix.empty() || suffix == "/") {
            if (request.method != "GET")
              return errorReply(reply, Status(ErrorCode::UnknownMethod,
                                              "/wdhost/recordings takes GET; DELETE takes "
                                              "/wdhost/recordings/{file}"));
            return listRecordingsReply(*recordings, reply);
          }
          std::string_view file = suffix.substr(1);
          if (request.method == "DELETE")
            return deleteRecordingReply(*recordings, file, reply);
          recordingFileReply(*recordings, request, file, reply);
        },
        {},
        {}});
    // Selenoid's paths to the same files, for the tools that know only those.
    for (RecordingKind kind : {RecordingKind::Video, RecordingKind::Log})
      server.addRoute(FeatureRoute{
          kind == RecordingKind::Video ? "/video" : "/logs",
          true,
          {"GET", "DELETE"},
          RouteAccess::Client,
          false,
          true,
          [recordings, kind](const Request& request, const RouteContext& context, Reply* reply) {
            selenoidPathReply(*recordings, request, context.suffix, kind, reply);
          },
          {},
          // ws://host/logs/{session}: the session's log, live (Selenoid's).
          kind == RecordingKind::Log
              ? WebSocketFeed([recordings](const Request&, const RouteContext& context,
                                           UniqueFd* socket) {
                  if (context.suffix.size() < 2)
                    return Status(ErrorCode::InvalidArgument, "follow a log at /logs/{session id}");
                  return recordings->follow(context.suffix.substr(1), socket);
                })
              : WebSocketFeed()});
  }
  if (SessionsApi* api = features.api) {
    FeatureHandler handle = [api](const Request& request, const RouteContext& context,
                                  Reply* reply) {
      ApiReply answer = api->handle(request.body, request.clientGone, context.webSocketBase,
                                    context.clientAddress);
      jsonReply(reply, answer.httpStatus, std::move(answer.body));
    };
    // The hosted API's clients send the token as ?key=, and expect its own error shape.
    FeatureHandler refuse = [](const Request&, const RouteContext&, Reply* reply) {
      jsonReply(reply, 401, apiError(401, "unauthorized", "wrong or missing key").body);
    };
    for (const char* path : {"/api/v1", "/api/v1/"})
      server.addRoute(
          FeatureRoute{path, false, {"POST"}, RouteAccess::Client, true, true, handle, refuse, {}});
  }
}

} // namespace wdh
