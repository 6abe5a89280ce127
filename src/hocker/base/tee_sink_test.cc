#include "hocker/base/tee_sink.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace hocker {
namespace {

// Records what reaches it; throws on a write once `fail_at` bytes have arrived, when set.
class RecordingSink final : public ByteSink {
 public:
  explicit RecordingSink(std::string& log, std::string name) : log_(log), name_(std::move(name)) {}
  void write(Bytes data) override {
    if (fail_ && !data.empty()) throw std::runtime_error(name_ + " refused");
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
    log_ += name_ + ".write ";
  }
  void finish() override {
    ++finishes;
    log_ += name_ + ".finish ";
  }
  void refuse_writes() { fail_ = true; }

  std::string text;
  int finishes = 0;

 private:
  std::string& log_;
  std::string name_;
  bool fail_ = false;
};

Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

TEST(TeeSink, WritesEachChunkToFirstThenSecond) {
  std::string log;
  RecordingSink first(log, "first"), second(log, "second");
  TeeSink tee(first, second);
  tee.write(bytes_of("hello "));
  tee.write(bytes_of(""));
  tee.write(bytes_of("world"));
  EXPECT_EQ(first.text, "hello world");
  EXPECT_EQ(second.text, "hello world");
  EXPECT_EQ(tee.bytes(), 11);
  EXPECT_EQ(log, "first.write second.write first.write second.write first.write second.write ");
}

TEST(TeeSink, FinishEndsBothSinksByDefault) {
  std::string log;
  RecordingSink first(log, "first"), second(log, "second");
  TeeSink tee(first, second);
  tee.finish();
  EXPECT_EQ(log, "first.finish second.finish ");
}

TEST(TeeSink, FinishLeavesBothSinksOpenWhenAskedTo) {
  std::string log;
  RecordingSink first(log, "first"), second(log, "second");
  TeeSink tee(first, second, TeeFinish::kKeepOpen);
  tee.write(bytes_of("part"));
  tee.finish();
  EXPECT_EQ(first.finishes, 0);
  EXPECT_EQ(second.finishes, 0);
  EXPECT_EQ(second.text, "part");
}

TEST(TeeSink, SecondSinkDoesNotSeeAWriteTheFirstRefused) {
  std::string log;
  RecordingSink first(log, "first"), second(log, "second");
  TeeSink tee(first, second);
  tee.write(bytes_of("ok"));
  first.refuse_writes();
  EXPECT_THROW(tee.write(bytes_of("bad")), std::runtime_error);
  EXPECT_EQ(second.text, "ok");
  EXPECT_EQ(tee.bytes(), 2);
}

TEST(TeeSink, PassesLargeWritesWhole) {
  std::string log;
  RecordingSink first(log, "first"), second(log, "second");
  TeeSink tee(first, second);
  std::string big(4 << 20, 'b');
  tee.write(bytes_of(big));
  EXPECT_EQ(first.text.size(), big.size());
  EXPECT_EQ(second.text, big);
  EXPECT_EQ(tee.bytes(), static_cast<std::int64_t>(big.size()));
}

}  // namespace
}  // namespace hocker
