#include "recording/recording_routes.h"

#include "http/byte_range.h"
#include "http/responses.h"

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
    body += "{\"file\":" + quoteJson(r.file) + ",\"sessionId\":" + quoteJson(r.sessionId) +
            ",\"browser\":" + quoteJson(r.browser) + ",\"name\":" + quoteJson(r.name) +
            ",\"state\":" + quoteJson(r.state) + ",\"outcome\":" + quoteJson(r.outcome) +
            ",\"endedBy\":" + quoteJson(r.endedBy) + ",\"error\":" + quoteJson(r.error) +
            ",\"start\":" + std::to_string(r.startMs) +
            ",\"duration\":" + std::to_string(r.durationMs) +
            ",\"size\":" + std::to_string(r.size) +
            ",\"url\":" + quoteJson("/wdhost/recordings/" + r.file) + "}";
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
  reply->status = range.kind == ByteRange::Partial ? 206 : 200;
  reply->contentType = "video/mp4";
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

} // namespace wdh
