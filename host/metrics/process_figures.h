// The host process's own resource figures, read from /proc.
#pragma once

#include <cstddef>

namespace wdh {

// What the host process holds now.
struct ProcessFigures {
  std::size_t residentBytes = 0; // VmRSS
  std::size_t openFiles = 0;     // entries of /proc/self/fd
};

// Reads /proc/self; zeros where a figure cannot be read.
ProcessFigures readOwnFigures();

// The VmRSS of process `pid` in bytes; 0 when it cannot be read (the process is gone).
std::size_t residentBytesOf(unsigned long pid);

} // namespace wdh
