#include "http/framing.h"

namespace wdh {
namespace {

constexpr std::size_t kNotFound = std::string_view::npos;
constexpr std::size_t kMaxChunkLine = 1024;

// The line starting at `from` without its CRLF/LF; `*next` is just past it. False when the
// line has not ended yet.
bool lineAt(std::string_view bytes, std::size_t from, std::string_view* line, std::size_t* next) {
  std::size_t end = bytes.find('\n', from);
  if (end == kNotFound)
    return false;
  *next = end + 1;
  if (end > from && bytes[end - 1] == '\r')
    --end;
  *line = bytes.substr(from, end - from);
  return true;
}

// Parses a chunk-size line ("1a;ext=x"); false when it is not hexadecimal or too large.
bool chunkSize(std::string_view line, std::size_t* size) {
  line = line.substr(0, line.find(';'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  if (line.empty() || line.size() > 15)
    return false;
  std::size_t value = 0;
  for (char c : line) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return false;
    value = value * 16 + static_cast<std::size_t>(digit);
  }
  *size = value;
  return true;
}

ParseState invalid(Status* error, std::string message) {
  *error = Status(ErrorCode::InvalidArgument, std::move(message));
  return ParseState::Invalid;
}

} // namespace

std::size_t findHeadEnd(std::string_view bytes) {
  for (std::size_t i = bytes.find('\n'); i != kNotFound; i = bytes.find('\n', i + 1)) {
    std::size_t next = i + 1;
    if (next < bytes.size() && bytes[next] == '\r')
      ++next;
    if (next < bytes.size() && bytes[next] == '\n')
      return next + 1;
  }
  return kNotFound;
}

ParseState decodeChunked(std::string_view bytes, std::size_t maxBodySize, std::string* body,
                         std::size_t* consumed, Status* error) {
  // The first pass only finds the end and checks every line.
  std::size_t pos = 0;
  std::size_t total = 0;
  for (;;) {
    std::string_view line;
    std::size_t next = 0;
    if (!lineAt(bytes, pos, &line, &next))
      return bytes.size() - pos > kMaxChunkLine
                 ? invalid(error, "a chunk-size line of the chunked body is too long")
                 : ParseState::Incomplete;
    std::size_t size = 0;
    if (!chunkSize(line, &size))
      return invalid(error, "the chunked body has a bad chunk-size line");
    pos = next;
    if (size == 0)
      break;
    if (size > maxBodySize - total)
      return invalid(error, "the body is larger than the " + std::to_string(maxBodySize) +
                                " bytes this host accepts (--max-body-size)");
    total += size;
    if (bytes.size() - pos < size)
      return ParseState::Incomplete;
    pos += size;
    if (!lineAt(bytes, pos, &line, &next))
      return bytes.size() - pos > 2
                 ? invalid(error, "a chunk of the chunked body is longer than its chunk-size")
                 : ParseState::Incomplete;
    if (!line.empty())
      return invalid(error, "a chunk of the chunked body is longer than its chunk-size");
    pos = next;
  }
  for (;;) { // trailer fields, up to the empty line
    std::string_view line;
    std::size_t next = 0;
    if (!lineAt(bytes, pos, &line, &next))
      return bytes.size() - pos > kMaxChunkLine * 8
                 ? invalid(error, "the trailer of the chunked body is too long")
                 : ParseState::Incomplete;
    pos = next;
    if (line.empty())
      break;
  }
  *consumed = pos;
  // The second pass copies the chunk data.
  body->clear();
  body->reserve(total);
  std::size_t at = 0;
  for (;;) {
    std::string_view line;
    std::size_t next = 0;
    lineAt(bytes, at, &line, &next);
    std::size_t size = 0;
    chunkSize(line, &size);
    if (size == 0)
      break;
    body->append(bytes.data() + next, size);
    lineAt(bytes, next + size, &line, &at);
  }
  return ParseState::Complete;
}

} // namespace wdh
