// RFC 9110 tokens: what a method, a header name or a cookie name may be made of.
#pragma once

#include <string_view>

namespace wdh {

// Whether `text` is a non-empty token (letters, digits and !#$%&'*+-.^_`|~).
inline bool isHttpToken(std::string_view text) {
  return !text.empty() &&
         text.find_first_not_of("!#$%&'*+-.^_`|~0123456789"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "abcdefghijklmnopqrstuvwxyz") == std::string_view::npos;
}

} // namespace wdh
