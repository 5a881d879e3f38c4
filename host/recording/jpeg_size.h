// The pixel size a JPEG image declares (its first start-of-frame segment).
#pragma once

#include <string_view>

namespace wdh {

// Reads the width and height of the JPEG `bytes`; false when it is not a JPEG or declares none.
bool jpegSize(std::string_view bytes, int* width, int* height);

} // namespace wdh
