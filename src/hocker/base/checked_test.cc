#include "hocker/base/checked.h"

#include <gtest/gtest.h>

#include <limits>

namespace hocker {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(CheckedAdd, AddsWhatFits) {
  EXPECT_EQ(checked_add(kMax - 1, 1, "x"), kMax);
  EXPECT_EQ(checked_add(-5, 3, "x"), -2);
}

TEST(CheckedAdd, RefusesAnOverflowWithAFormatError) {
  try {
    checked_add(kMax, 1, "layer sizes");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    EXPECT_STREQ(error.what(), "layer sizes: size arithmetic overflows");
  }
  EXPECT_THROW(checked_add(std::numeric_limits<std::int64_t>::min(), -1, "x"), Error);
}

}  // namespace
}  // namespace hocker
