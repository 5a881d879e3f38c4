// HTTP/1.1 message framing shared by the server and the relay: where a head ends, and chunked
// bodies. Parsing the head itself is Poco's job.
#pragma once

#include "core/status.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace wdh {

// What the bytes received so far hold.
enum class ParseState {
  Incomplete, // not a whole message yet: receive more
  Complete,   // one whole message
  Invalid,    // not a valid message (the error says why)
};

// The offset just past the empty line that ends the head starting at `bytes`, or npos. Lines
// may end in CRLF or a bare LF, as Poco's parser accepts both.
std::size_t findHeadEnd(std::string_view bytes);

// Decodes a chunked body at the start of `bytes` into `*body`. Incomplete until the last chunk
// and its trailers are all in `bytes`; then `*consumed` is the encoded length. Invalid
// (InvalidArgument) on a malformed chunk or a body over `maxBodySize`. An unfinished body is
// scanned, never copied, so receiving a large one costs linear time.
ParseState decodeChunked(std::string_view bytes, std::size_t maxBodySize, std::string* body,
                         std::size_t* consumed, Status* error);

} // namespace wdh
