// Base64 text of bytes, for the JSON the host answers with (screenshots, downloads, bodies).
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// `bytes` as standard base64 (RFC 4648), on one line.
std::string base64Encode(std::string_view bytes);

} // namespace wdh
