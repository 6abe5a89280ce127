#include "hocker/blob/sinks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "hocker/base/error.h"
#include "hocker/base/test_support.h"

namespace hocker::blob {
namespace {

Bytes bytes_of(std::string_view text) {
  return as_bytes(text.data(), text.size());
}

using hocker::test_support::kind_of;

TEST(VerifySink, ForwardsAndFinishesWhenDigestAndSizeMatch) {
  StringSink out;
  VerifySink verify("blob", digest::sha256("hello world"), 11, out);
  verify.write(bytes_of("hello "));
  verify.write(bytes_of("world"));
  verify.finish();
  EXPECT_EQ(out.data(), "hello world");
  EXPECT_TRUE(out.finished());
  EXPECT_EQ(verify.bytes(), 11);
}

TEST(VerifySink, WrongDigestNamesBothDigests) {
  StringSink out;
  VerifySink verify("layer x", digest::sha256("expected"), -1, out);
  verify.write(bytes_of("actual"));
  std::string message;
  EXPECT_EQ(kind_of([&] { verify.finish(); }, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("layer x: digest mismatch"), std::string::npos) << message;
  EXPECT_NE(message.find(digest::sha256("expected").string()), std::string::npos);
  EXPECT_NE(message.find(digest::sha256("actual").string()), std::string::npos);
  EXPECT_FALSE(out.finished());
}

TEST(VerifySink, TooLongFailsOnTheWriteThatOverflows) {
  StringSink out;
  VerifySink verify("blob", digest::sha256("abc"), 3, out);
  verify.write(bytes_of("ab"));
  EXPECT_EQ(kind_of([&] { verify.write(bytes_of("cd")); }), ErrorKind::kIntegrity);
  EXPECT_EQ(out.data(), "ab");
}

TEST(VerifySink, TooShortFailsAtFinishWithBothSizes) {
  StringSink out;
  VerifySink verify("blob", digest::sha256("abc"), 3, out);
  verify.write(bytes_of("ab"));
  std::string message;
  EXPECT_EQ(kind_of([&] { verify.finish(); }, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("size mismatch: expected 3 bytes, got 2"), std::string::npos) << message;
}

TEST(DigestTee, HashesWhatPasses) {
  StringSink out;
  DigestTee tee(out);
  tee.write(bytes_of("hello world"));
  tee.finish();
  EXPECT_EQ(tee.digest(), digest::sha256("hello world"));
  EXPECT_EQ(tee.bytes(), 11);
  EXPECT_TRUE(out.finished());
}

TEST(FdSink, WritesEverythingToTheDescriptor) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  FdSink sink(fileno(file), "temporary file");
  std::string big(3 * kChunkSize + 5, 'x');
  sink.write(bytes_of(big));
  EXPECT_EQ(sink.bytes(), static_cast<std::int64_t>(big.size()));
  EXPECT_EQ(::lseek(fileno(file), 0, SEEK_END), static_cast<off_t>(big.size()));
  std::fclose(file);
}

TEST(FdSink, ClosedDescriptorIsALocalIoError) {
  FdSink sink(-1, "nowhere");
  std::string message;
  EXPECT_EQ(kind_of([&] { sink.write(bytes_of("x")); }, &message), ErrorKind::kLocalIo);
  EXPECT_NE(message.find("nowhere"), std::string::npos);
}

class CountingSink final : public ByteSink {
 public:
  void write(Bytes data) override { sizes.push_back(data.size()); }
  void finish() override {}
  std::vector<std::size_t> sizes;
};

TEST(BufferedSink, CoalescesSmallWritesAndPassesLargeOnes) {
  CountingSink counter;
  BufferedSink buffered(counter, 10);
  buffered.write(bytes_of("abcd"));
  buffered.write(bytes_of("efgh"));
  EXPECT_TRUE(counter.sizes.empty());
  buffered.write(bytes_of("ijkl"));  // Would overflow: the first 8 go out.
  buffered.write(bytes_of(std::string(20, 'z')));
  buffered.finish();
  EXPECT_EQ(counter.sizes, (std::vector<std::size_t>{8, 4, 20}));
}

}  // namespace
}  // namespace hocker::blob
