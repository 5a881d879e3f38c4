// The bytes a session's uploads (Grid's POST /se/file) may add up to, so that one client cannot
// fill the host's disk with uploads.
#pragma once

#include <atomic>
#include <cstdint>

namespace wdh {

// What all uploads of one session may add up to: 1 GiB.
inline constexpr std::uint64_t kSessionUploadBudget = 1ULL << 30;

// A byte budget taken and given back atomically; thread-safe.
class UploadBudget {
public:
  // A budget of `limit` bytes, none used.
  explicit UploadBudget(std::uint64_t limit = kSessionUploadBudget) noexcept : limit_(limit) {}

  // Takes `bytes` if that keeps the total within the limit; false (nothing taken) otherwise.
  bool take(std::uint64_t bytes) noexcept {
    std::uint64_t used = used_.load();
    do {
      if (bytes > limit_ - used)
        return false;
    } while (!used_.compare_exchange_weak(used, used + bytes));
    return true;
  }
  // Gives back `bytes` taken before.
  void give(std::uint64_t bytes) noexcept { used_.fetch_sub(bytes); }
  // Bytes taken now.
  std::uint64_t used() const noexcept { return used_.load(); }
  // The limit.
  std::uint64_t limit() const noexcept { return limit_; }

private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> used_{0};
};

} // namespace wdh
