#include "hocker/blob/sinks.h"

#include <cstring>

#include "hocker/base/atomic_file.h"
#include "hocker/base/error.h"

namespace hocker::blob {

VerifySink::VerifySink(std::string subject, digest::Digest expected, std::int64_t expected_size,
                       ByteSink& next)
    : subject_(std::move(subject)),
      expected_(std::move(expected)),
      expected_size_(expected_size),
      next_(next),
      hasher_(expected_.algorithm()) {}

void VerifySink::write(Bytes data) {
  bytes_ += static_cast<std::int64_t>(data.size());
  // Refuse a body longer than declared before it reaches the disk (docs/spec.md §4.4).
  if (expected_size_ >= 0 && bytes_ > expected_size_) {
    throw Error(ErrorKind::kIntegrity, subject_ + ": size mismatch: expected " +
                                           std::to_string(expected_size_) + " bytes, got more");
  }
  hasher_.update(data);
  next_.write(data);
}

void VerifySink::finish() {
  if (expected_size_ >= 0 && bytes_ != expected_size_) {
    throw Error(ErrorKind::kIntegrity, subject_ + ": size mismatch: expected " +
                                           std::to_string(expected_size_) + " bytes, got " +
                                           std::to_string(bytes_));
  }
  digest::Digest actual = hasher_.digest();
  if (actual != expected_) {
    throw Error(ErrorKind::kIntegrity, subject_ + ": digest mismatch: expected " +
                                           expected_.string() + ", got " + actual.string());
  }
  next_.finish();
}

FdSink::FdSink(int fd, std::string what) : fd_(fd), what_(std::move(what)) {}

void FdSink::write(Bytes data) {
  write_all(fd_, data, what_);
  bytes_ += static_cast<std::int64_t>(data.size());
}

void StringSink::write(Bytes data) {
  data_.append(reinterpret_cast<const char*>(data.data()), data.size());
}

BufferedSink::BufferedSink(ByteSink& next, std::size_t capacity) : next_(next), buffer_(capacity) {}

void BufferedSink::write(Bytes data) {
  if (used_ + data.size() > buffer_.size()) flush();
  if (data.size() >= buffer_.size()) {
    next_.write(data);
    return;
  }
  std::memcpy(buffer_.data() + used_, data.data(), data.size());
  used_ += data.size();
}

void BufferedSink::flush() {
  if (used_ == 0) return;
  next_.write(Bytes(buffer_.data(), used_));
  used_ = 0;
}

void BufferedSink::finish() {
  flush();
  next_.finish();
}

}  // namespace hocker::blob
