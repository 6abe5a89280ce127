// Ownership of a file descriptor: closed exactly once, when its owner goes. Not for code that
// runs in a signal handler (the destructor is fine there, but nothing here is needed).
#pragma once

namespace hocker {

/// Owns one file descriptor (or none, -1). Move-only. The destructor and reset() close it and
/// ignore a close error (nothing useful can be done then); use close() where the error matters,
/// e.g. to notice a write that failed late on a network filesystem.
class UniqueFd {
 public:
  UniqueFd() = default;
  /// Takes ownership of `fd` (-1: none).
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  /// The descriptor, still owned; -1 when none.
  int get() const noexcept { return fd_; }
  /// Whether a descriptor is owned.
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  /// Gives up ownership without closing; returns the descriptor (-1 when none).
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  /// Closes the owned descriptor, ignoring errors, and takes ownership of `fd`.
  void reset(int fd = -1) noexcept;

  /// Closes the owned descriptor now. Returns 0, or the errno of the failed close(2); either
  /// way the descriptor is no longer owned (Linux frees it even on error: never retry). 0 when
  /// none is owned.
  int close() noexcept;

 private:
  int fd_ = -1;
};

}  // namespace hocker
