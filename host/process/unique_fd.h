// A file descriptor owned by one object and closed when it goes.
#pragma once

namespace wdh {

// Owns one file descriptor and closes it when destroyed.
class UniqueFd {
public:
  // Empty (-1) or owning `fd`.
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  // Not copyable.
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  // Takes over other's fd.
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  // Closes the own fd and takes over other's.
  UniqueFd& operator=(UniqueFd&& other) noexcept;

  // The fd, or -1.
  int get() const noexcept { return fd_; }
  // Gives up ownership and returns the fd.
  int release() noexcept;
  // Closes the owned fd (if any) and owns `fd` instead.
  void reset(int fd = -1) noexcept;

private:
  int fd_;
};

} // namespace wdh
