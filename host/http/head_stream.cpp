#include "http/head_stream.h"

#include <streambuf>

namespace wdh {
namespace {

// A read-only view of caller-owned bytes.
class ViewBuffer : public std::streambuf {
public:
  void reset(std::string_view bytes) {
    char* begin = const_cast<char*>(bytes.data()); // never written through: get area only
    setg(begin, begin, begin + bytes.size());
  }
};

} // namespace

std::istream& headStream(std::string_view bytes) {
  thread_local ViewBuffer buffer;
  thread_local std::istream stream(&buffer);
  buffer.reset(bytes);
  stream.clear();
  return stream;
}

} // namespace wdh
