// A reusable std::istream over bytes in memory, one per thread, for Poco's head parsers.
#pragma once

#include <istream>
#include <string_view>

namespace wdh {

// The calling thread's stream, reset to read `bytes` (which must outlive the reads). Poco
// parses message heads from a std::istream; building a stream per message costs a quarter of
// the parse, so each thread keeps one.
std::istream& headStream(std::string_view bytes);

} // namespace wdh
