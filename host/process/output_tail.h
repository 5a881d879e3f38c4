// A bounded buffer that keeps the last bytes a process wrote.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wdh {

// Keeps the last `capacity` bytes appended; not thread-safe (the owner locks).
class OutputTail {
public:
  // Default capacity: 64 KiB.
  static constexpr size_t kDefaultCapacity = 64 * 1024;

  // An empty tail that keeps at most `capacity` bytes.
  explicit OutputTail(size_t capacity = kDefaultCapacity);

  // Appends bytes, dropping the oldest ones beyond the capacity.
  void append(std::string_view data);
  // The kept bytes, oldest first.
  std::string_view view() const noexcept;
  // A copy of the kept bytes.
  std::string str() const { return std::string(view()); }
  // True when the kept bytes contain `needle`.
  bool contains(std::string_view needle) const noexcept;
  // Number of bytes ever appended.
  uint64_t total() const noexcept { return total_; }

private:
  size_t capacity_;
  std::string buffer_; // may hold up to 2 * capacity_; view() shows the last capacity_ bytes
  uint64_t total_ = 0;
};

} // namespace wdh
