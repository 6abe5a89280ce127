#include "hocker/copy/blob_pipe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "hocker/base/error.h"

namespace hocker::copy {
namespace {

std::string read_some(BlobPipe& pipe, std::size_t most) {
  std::string out(most, '\0');
  std::size_t got = pipe.read(std::span(reinterpret_cast<std::byte*>(out.data()), out.size()));
  out.resize(got);
  return out;
}

TEST(BlobPipe, HandsOverEveryByteInOrderThroughASmallRing) {
  BlobPipe pipe(7);
  std::string sent;
  for (int i = 0; i < 1000; ++i) sent += static_cast<char>('a' + i % 26);
  std::jthread producer([&] {
    for (std::size_t at = 0; at < sent.size(); at += 13) {
      std::string piece = sent.substr(at, 13);
      pipe.write(as_bytes(piece.data(), piece.size()));
    }
    pipe.close();
  });
  std::string received;
  for (std::string piece = read_some(pipe, 5); !piece.empty(); piece = read_some(pipe, 5)) {
    received += piece;
  }
  EXPECT_EQ(received, sent);
}

TEST(BlobPipe, KeepsTheLastByteUntilTheProducerCloses) {
  BlobPipe pipe(16);
  pipe.write(as_bytes("abc", 3));
  EXPECT_EQ(read_some(pipe, 16), "ab");
  std::jthread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pipe.close();
  });
  EXPECT_EQ(read_some(pipe, 16), "c");
  EXPECT_EQ(read_some(pipe, 16), "");
}

TEST(BlobPipe, ReadRethrowsWhatTheProducerFailedWith) {
  BlobPipe pipe(16);
  pipe.write(as_bytes("abc", 3));
  EXPECT_EQ(read_some(pipe, 16), "ab");
  pipe.fail(std::make_exception_ptr(Error(ErrorKind::kIntegrity, "bad bytes")));
  try {
    read_some(pipe, 16);
    FAIL() << "read after a failure returned";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kIntegrity);
  }
}

TEST(BlobPipe, AFullPipeReleasesItsProducerWhenTheConsumerCancels) {
  BlobPipe pipe(4);
  std::jthread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pipe.cancel();
  });
  EXPECT_THROW(pipe.write(as_bytes("0123456789", 10)), Error);
}

}  // namespace
}  // namespace hocker::copy
