// Reads the dynamic symbols a shared library defines (what `nm -D --defined-only` lists).
#pragma once

#include <string>
#include <vector>

namespace check {

// Names of the global and weak symbols defined in the ELF .dynsym of `path`. On failure
// returns false with *error saying why (not a file, not a 64-bit ELF, no .dynsym).
bool definedDynamicSymbols(const std::string& path, std::vector<std::string>* out,
                           std::string* error);

} // namespace check
