#include "core/base64.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <sstream>

namespace wdh {

std::string base64Encode(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

bool base64Decode(std::string_view text, std::string* out, std::size_t limit) {
  out->clear();
  try {
    std::istringstream in{std::string(text)};
    Poco::Base64Decoder decoder(in);
    char chunk[4096];
    while (decoder.read(chunk, sizeof chunk) || decoder.gcount() > 0) {
      auto got = static_cast<std::size_t>(decoder.gcount());
      if (out->size() + got > limit)
        return false;
      out->append(chunk, got);
    }
    return !decoder.bad();
  } catch (const Poco::Exception&) {
    return false;
  }
}

} // namespace wdh
