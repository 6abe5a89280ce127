// Retry timing for transient failures (docs/spec.md §2.6): exponential backoff with full jitter,
// honouring a server's Retry-After within a cap.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hocker::registry {

/// How often and how patiently to retry one request.
struct RetryPolicy {
  int attempts = 5;  ///< Total attempts per request, the first included (--retries).
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{10'000};
  std::chrono::milliseconds max_retry_after{60'000};  ///< Longer Retry-After values give up.
};

/// What a client is about to retry, for a user who would otherwise see a silent pause.
struct RetryNotice {
  std::string failure;              ///< The failed attempt's one-line error.
  std::chrono::milliseconds delay;  ///< The wait before the next attempt.
  int next_attempt = 2;             ///< Counting from 1, the first attempt included.
  int attempts = 5;                 ///< The policy's total.
  std::int64_t resume_offset = 0;   ///< > 0: the next attempt resumes the body at this byte.
};

/// Receives RetryNotices; may be called from several worker threads at once.
using RetryObserver = std::function<void(const RetryNotice&)>;

/// "<failure>; retrying in 2.1 s (attempt 2 of 5)[, resuming at byte N]".
std::string describe(const RetryNotice& notice);

/// The wait before attempt `attempt` + 1 (attempt counts from 1): a random duration in
/// [delay/2, delay] where delay = min(base · 2^(attempt-1), max). When the server sent
/// Retry-After (`retry_after_seconds` ≥ 0), at least that.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt,
                                        double retry_after_seconds);

/// Parses a Retry-After value: delta-seconds or an HTTP date; nullopt when unusable.
std::optional<double> parse_retry_after(std::string_view value);

}  // namespace hocker::registry
