// A bounded buffer that keeps the last bytes a process wrote.
#include "process/output_tail.h"

namespace wdh {

OutputTail::OutputTail(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void OutputTail::append(std::string_view data) {
  total_ += data.size();
  if (data.size() >= capacity_) {
    buffer_.assign(data.substr(data.size() - capacity_));
    return;
  }
  buffer_.append(data);
  // Trim lazily so that appends stay amortised O(size of data).
  if (buffer_.size() > 2 * capacity_) {
    buffer_.erase(0, buffer_.size() - capacity_);
  }
}

std::string_view OutputTail::view() const noexcept {
  std::string_view all(buffer_);
  return all.size() > capacity_ ? all.substr(all.size() - capacity_) : all;
}

bool OutputTail::contains(std::string_view needle) const noexcept {
  return view().find(needle) != std::string_view::npos;
}

} // namespace wdh
