#include "hocker/base/unique_fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace hocker {
namespace {

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

int open_null() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return fd;
}

TEST(UniqueFd, OwnsNothingByDefault) {
  UniqueFd fd;
  EXPECT_EQ(fd.get(), -1);
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.close(), 0);
}

TEST(UniqueFd, ClosesItsDescriptorWhenDestroyed) {
  int raw = open_null();
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.get(), raw);
    EXPECT_TRUE(fd.valid());
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, ReleaseGivesUpOwnershipWithoutClosing) {
  int raw = open_null();
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.release(), raw);
    EXPECT_EQ(fd.get(), -1);
  }
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
}

TEST(UniqueFd, ResetClosesTheOldDescriptorAndTakesTheNew) {
  int first = open_null();
  int second = open_null();
  UniqueFd fd(first);
  fd.reset(second);
  EXPECT_FALSE(is_open(first));
  EXPECT_EQ(fd.get(), second);
  fd.reset();
  EXPECT_FALSE(is_open(second));
  EXPECT_FALSE(fd.valid());
}

TEST(UniqueFd, ResetToTheSameDescriptorKeepsItOpen) {
  int raw = open_null();
  UniqueFd fd(raw);
  fd.reset(raw);
  EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, MovingTransfersOwnership) {
  int raw = open_null();
  UniqueFd from(raw);
  UniqueFd to(std::move(from));
  EXPECT_EQ(from.get(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified.
  EXPECT_EQ(to.get(), raw);
  int other = open_null();
  UniqueFd assigned(other);
  assigned = std::move(to);
  EXPECT_FALSE(is_open(other));
  EXPECT_EQ(assigned.get(), raw);
  EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, CloseReportsSuccessAndLeavesNothingOwned) {
  int raw = open_null();
  UniqueFd fd(raw);
  EXPECT_EQ(fd.close(), 0);
  EXPECT_FALSE(is_open(raw));
  EXPECT_FALSE(fd.valid());
}

TEST(UniqueFd, CloseReportsTheErrorOfABadDescriptor) {
  int raw = open_null();
  ::close(raw);  // Now a number that names no open file.
  UniqueFd fd(raw);
  EXPECT_EQ(fd.close(), EBADF);
  EXPECT_FALSE(fd.valid());
}

TEST(UniqueFd, ResetKeepsTheCallersErrno) {
  UniqueFd fd(open_null());
  errno = ENOSPC;
  fd.reset();
  EXPECT_EQ(errno, ENOSPC);
}

}  // namespace
}  // namespace hocker
