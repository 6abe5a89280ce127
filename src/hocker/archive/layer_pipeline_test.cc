#include "hocker/archive/layer_pipeline.h"

#include <gtest/gtest.h>

namespace hocker::archive {
namespace {

TEST(HandoffSlots, ALoneLayerGetsDeepQueuesAndManyLayersShareAFixedBudget) {
  EXPECT_EQ(handoff_slots(0), 16U);
  EXPECT_EQ(handoff_slots(1), 16U);
  EXPECT_EQ(handoff_slots(2), 8U);
  EXPECT_EQ(handoff_slots(3), 5U);
  EXPECT_EQ(handoff_slots(5), 3U);
  for (std::size_t concurrent = 1; concurrent <= 64; ++concurrent) {
    SCOPED_TRACE(concurrent);
    std::size_t slots = handoff_slots(concurrent);
    EXPECT_GE(slots, 2U);
    EXPECT_TRUE(slots * concurrent <= 16 || slots == 2);
  }
}

}  // namespace
}  // namespace hocker::archive
