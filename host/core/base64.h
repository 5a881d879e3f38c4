// Base64 for the JSON the host speaks: screenshots, downloads and uploads, bodies, basic auth.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// `bytes` as standard base64 (RFC 4648), on one line.
std::string base64Encode(std::string_view bytes);

// The bytes `text` (standard base64, RFC 4648) stands for, at most `limit` of them: false when
// it is not base64 or decodes to more.
bool base64Decode(std::string_view text, std::string* out, std::size_t limit = std::string::npos);

} // namespace wdh
