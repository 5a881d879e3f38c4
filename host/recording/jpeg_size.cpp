#include "recording/jpeg_size.h"

namespace wdh {

bool jpegSize(std::string_view bytes, int* width, int* height) {
  auto at = [&bytes](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() < 4 || at(0) != 0xFF || at(1) != 0xD8)
    return false;
  std::size_t i = 2;
  while (i + 4 <= bytes.size()) {
    if (at(i) != 0xFF)
      return false;
    unsigned marker = at(i + 1);
    if (marker == 0xFF) { // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      i += 2; // markers without a length
      continue;
    }
    std::size_t length = (static_cast<std::size_t>(at(i + 2)) << 8) | at(i + 3);
    if (length < 2 || i + 2 + length > bytes.size())
      return false;
    bool startOfFrame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (startOfFrame) {
      if (length < 7)
        return false;
      *height = static_cast<int>((at(i + 5) << 8) | at(i + 6));
      *width = static_cast<int>((at(i + 7) << 8) | at(i + 8));
      return *width > 0 && *height > 0;
    }
    if (marker == 0xDA) // the image data begins: no frame header came before it
      return false;
    i += 2 + length;
  }
  return false;
}

} // namespace wdh
