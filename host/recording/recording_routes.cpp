#include "recording/recording_routes.h"

#include "http/byte_range.h"
#include "http/responses.h"
#include "recording/recording_names.h"

#include "json/json.h"
#include <cerrno>
#include <unistd.h>

namespace wdh {
namespace {

// Reads [first, first + count) of `fd` into *out.
Status readRange(int fd, std::uint64_t first, std::uint64_t count, std::string* out) {
  out->resize(count);
  std::uint64_t done = 0;
  while (done < count) {
    ssize_t n = ::pread(fd, out->data() + done, count - done, static_cast<off_t>(first + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return Status(ErrorCode::UnknownError, "the recording could not be read");
    done += static_cast<std::uint64_t>(n);
  }
  return Status::ok();
}

} // namespace

void listRecordingsReply(const Recordings& recordings, Reply* reply) {
  std::string body = "{\"value\":[";
  bool first = true;
  for (const RecordingInfo& r : recordings.list()) {
    body += first ? "" : ",";
    first = false;
    body +=
        "{\"file\":" + quoteJson(r.file) + ",\"sessionId\":" + quoteJson(r.sessionId) +
        ",\"browser\":" + quoteJson(r.browser) + ",\"name\":" + quoteJson(r.name) +
        ",\"state\":" + quoteJson(r.state) + ",\"outcome\":" + quoteJson(r.outcome) +
        ",\"endedBy\":" + quoteJson(r.endedBy) + ",\"error\":" + quoteJson(r.error) +
        ",\"start\":" + std::to_string(r.startMs) +
        ",\"duration\":" + std::to_string(r.durationMs) + ",\"size\":" + std::to_string(r.size) +
        ",\"url\":" + (r.file.empty() ? "null" : quoteJson("/wdhost/recordings/" + r.file)) +
        ",\"log\":" + (r.log.empty() ? "null" : quoteJson(r.log)) +
        ",\"logSize\":" + std::to_string(r.logSize) +
        ",\"logUrl\":" + (r.log.empty() ? "null" : quoteJson("/wdhost/recordings/" + r.log)) + "}";
  }
  jsonReply(reply, 200, body + "]}");
}

void recordingFileReply(const Recordings& recordings, const Request& request, std::string_view file,
                        Reply* reply) {
  UniqueFd fd;
  std::uint64_t size = 0;
  Status status = recordings.openFinished(file, &fd, &size);
  if (!status.isOk())
    return errorReply(reply, status);
  ByteRange range = parseByteRange(request.range, size);
  if (range.kind == ByteRange::Unsatisfiable) {
    reply->status = 416;
    reply->contentType = "text/plain; charset=utf-8";
    reply->body =
        "the range asked for is not within the file's " + std::to_string(size) + " bytes\n";
    reply->headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return;
  }
  std::uint64_t first = range.kind == ByteRange::Partial ? range.first : 0;
  std::uint64_t count = range.kind == ByteRange::Partial ? range.last - range.first + 1 : size;
  std::string body;
  status = readRange(fd.get(), first, count, &body);
  if (!status.isOk())
    return errorReply(reply, status);
  RecordingKind kind = RecordingKind::Video;
  isRecordingFileName(file, &kind);
  reply->status = range.kind == ByteRange::Partial ? 206 : 200;
  reply->contentType = kind == RecordingKind::Video ? "video/mp4" : "text/plain; charset=utf-8";
  // Never rendered as a page of this host's origin, whatever a page wrote into a log.
  reply->headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply->headers.emplace_back("Content-Security-Policy", "sandbox");
  reply->body = std::move(body);
  reply->headers.emplace_back("Accept-Ranges", "bytes");
  if (range.kind == ByteRange::Partial)
    reply->headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                     std::to_string(range.last) + "/" +
                                                     std::to_string(size));
}

void deleteRecordingReply(Recordings& recordings, std::string_view file, Reply* reply) {
  Status status = recordings.remove(file);
  if (!status.isOk())
    return errorReply(reply, status);
  jsonReply(reply, 200, "{\"value\":null}");
}

void selenoidPathReply(Recordings& recordings, const Request& request, std::string_view suffix,
                       RecordingKind kind, Reply* reply) {
  if (suffix.empty() || suffix == "/") {
    if (request.method != "GET")
      return errorReply(reply, Status(ErrorCode::UnknownMethod, "a file's name is needed"));
    std::string body = "[";
    for (const RecordingInfo& r : recordings.list()) {
      const std::string& file = kind == RecordingKind::Video ? r.file : r.log;
      if (file.empty() || (kind == RecordingKind::Video && r.state != "finished"))
        continue;
      body += (body.size() > 1 ? "," : "") + quoteJson(file);
    }
    return jsonReply(reply, 200, body + "]");
  }
  std::string asked(suffix.substr(1));
  if (kind == RecordingKind::Log && asked.find('.') == std::string::npos)
    asked += ".log"; // /logs/<session id>
  RecordingKind named = RecordingKind::Video;
  if (isRecordingFileName(asked, &named) && named != kind)
    return errorReply(reply, Status(ErrorCode::InvalidArgument,
                                    kind == RecordingKind::Video
                                        ? "/video/ serves videos (.mp4); logs are under /logs/"
                                        : "/logs/ serves logs (.log); videos are under /video/"));
  std::string file = recordings.resolve(asked);
  if (request.method == "DELETE")
    return deleteRecordingReply(recordings, file, reply);
  recordingFileReply(recordings, request, file, reply);
}

} // namespace wdh
