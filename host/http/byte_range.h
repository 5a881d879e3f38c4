// RFC 9110 Range requests on one stored file: the one byte range a client asked for, so that a
// browser's video player can seek.
#pragma once

#include <cstdint>
#include <string_view>

namespace wdh {

// What a Range header asks of a representation of a known size.
struct ByteRange {
  // Whole: no usable Range header (absent, not "bytes", several ranges): answer 200 with all.
  // Partial: answer 206 with [first, last]. Unsatisfiable: answer 416.
  enum Kind { Whole, Partial, Unsatisfiable } kind = Whole;
  std::uint64_t first = 0; // the first byte served (Partial)
  std::uint64_t last = 0;  // the last byte served, inclusive (Partial)
};

// Reads `header` (the Range header's value, "" when absent) for a representation of `size`
// bytes: "bytes=A-B", "bytes=A-" and "bytes=-N" are served (B past the end is cut to it); a range
// that starts past the end, or any range of an empty file, is Unsatisfiable; a syntax error or
// a list of several ranges is ignored (Whole), as RFC 9110 §14.2 allows.
ByteRange parseByteRange(std::string_view header, std::uint64_t size);

} // namespace wdh
