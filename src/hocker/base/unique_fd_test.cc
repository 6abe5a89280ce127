#include "hocker/base/unique_fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <utility>

namespace hocker {
namespace {

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

TEST(UniqueFd, ClosesItsDescriptorWhenItGoes) {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  { UniqueFd owner(fd); }
  EXPECT_FALSE(is_open(fd));
}

TEST(UniqueFd, ReleaseGivesTheDescriptorUpWithoutClosingIt) {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  {
    UniqueFd owner(fd);
    EXPECT_EQ(owner.release(), fd);
    EXPECT_FALSE(owner);
  }
  EXPECT_TRUE(is_open(fd));
  ::close(fd);
}

TEST(UniqueFd, MovingPassesOwnershipAndResetClosesTheOldOne) {
  int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  UniqueFd owner(first);
  UniqueFd moved(std::move(owner));
  EXPECT_FALSE(owner);  // NOLINT(bugprone-use-after-move): the moved-from state is the contract.
  EXPECT_EQ(moved.get(), first);
  int second = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  moved.reset(second);
  EXPECT_FALSE(is_open(first));
  EXPECT_TRUE(moved);
  EXPECT_EQ(moved.get(), second);
}

}  // namespace
}  // namespace hocker
