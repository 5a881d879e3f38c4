// Session ids: random UUID v4 strings from the kernel's CSPRNG.
#pragma once

#include <string>

namespace wdh {

// A new RFC 4122 version 4 UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"), lower case.
std::string randomUuid();

// `bytes` random bytes as lower-case hex (a secret: a login cookie, a CSRF token).
std::string randomHex(std::size_t bytes);

// Fills `size` bytes with cryptographically secure random bytes (getrandom(2)).
void secureRandom(void* buffer, std::size_t size);

} // namespace wdh
