// Helpers the unit tests of every module share: a sink that keeps what it is given, and the
// kind of the hocker::Error an action throws. For *_test.cc files only (it includes gtest).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/base/error.h"

namespace hocker::test_support {

/// Appends every write to `text`; finish() only records that it was called.
class StringSink final : public ByteSink {
 public:
  void write(Bytes data) override {
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void finish() override { finished = true; }
  std::string text;
  bool finished = false;
};

/// The ErrorKind `action` throws (a test failure when it throws none), its message in `message`.
inline ErrorKind kind_of(const std::function<void()>& action, std::string* message = nullptr) {
  try {
    action();
  } catch (const Error& error) {
    if (message != nullptr) *message = error.what();
    return error.kind();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorKind::kInternal;
}

}  // namespace hocker::test_support
