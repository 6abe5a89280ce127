#include "hocker/registry/retry.h"

#include <gtest/gtest.h>

namespace hocker::registry {
namespace {

using std::chrono::milliseconds;

TEST(BackoffDelay, GrowsExponentiallyWithinJitterBounds) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(100);
  policy.max_delay = milliseconds(1000);
  for (int round = 0; round < 50; ++round) {
    auto first = backoff_delay(policy, 1, -1);
    EXPECT_GE(first.count(), 50);
    EXPECT_LE(first.count(), 100);
    auto third = backoff_delay(policy, 3, -1);
    EXPECT_GE(third.count(), 200);
    EXPECT_LE(third.count(), 400);
  }
}

TEST(BackoffDelay, IsCappedAtTheMaximum) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(100);
  policy.max_delay = milliseconds(1000);
  EXPECT_LE(backoff_delay(policy, 40, -1).count(), 1000);
}

TEST(RetryNotice, DescribesTheFailureTheWaitAndTheAttempt) {
  RetryNotice notice{"GET http://r/v2/a/manifests/b: 503 Service Unavailable", milliseconds(2140),
                     2, 5, 0};
  EXPECT_EQ(describe(notice),
            "GET http://r/v2/a/manifests/b: 503 Service Unavailable; retrying in 2.1 s "
            "(attempt 2 of 5)");
}

TEST(RetryNotice, NamesTheByteAResumedBodyContinuesAt) {
  RetryNotice notice{"GET http://r/v2/a/blobs/sha256:00: connection reset", milliseconds(240), 3, 4,
                     1048576};
  EXPECT_EQ(describe(notice),
            "GET http://r/v2/a/blobs/sha256:00: connection reset; retrying in 0.2 s (attempt 3 "
            "of 4), resuming at byte 1048576");
}

TEST(BackoffDelay, WaitsAtLeastWhatRetryAfterAsks) {
  RetryPolicy policy;
  policy.base_delay = milliseconds(10);
  EXPECT_GE(backoff_delay(policy, 1, 2.0).count(), 2000);
}

TEST(ParseRetryAfter, ReadsDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("3"), 3.0);
  EXPECT_EQ(parse_retry_after(" 0 "), 0.0);
}

TEST(ParseRetryAfter, ReadsAnHttpDateInThePastAsZero) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), 0.0);
}

TEST(ParseRetryAfter, RefusesGarbage) {
  EXPECT_FALSE(parse_retry_after("").has_value());
  EXPECT_FALSE(parse_retry_after("soon").has_value());
  EXPECT_FALSE(parse_retry_after("-5").has_value());
}

}  // namespace
}  // namespace hocker::registry
