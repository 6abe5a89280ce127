#include "hocker/registry/retry.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "hocker/base/text.h"

namespace hocker::registry {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt,
                                        double retry_after_seconds) {
  using std::chrono::milliseconds;
  long long delay = policy.base_delay.count();
  for (int i = 1; i < attempt && delay < policy.max_delay.count(); ++i) delay *= 2;
  delay = std::min<long long>(delay, policy.max_delay.count());
  thread_local std::mt19937 generator{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(delay / 2, std::max<long long>(delay, 1));
  long long wait = jitter(generator);
  if (retry_after_seconds >= 0) {
    wait = std::max(wait, static_cast<long long>(retry_after_seconds * 1000));
  }
  return milliseconds(wait);
}

std::optional<double> parse_retry_after(std::string_view value) {
  value = trim(value, " ");
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return static_cast<double>(seconds);
  }
  // An HTTP date (RFC 9110 IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm when{};
  std::string text(value);
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &when) == nullptr) return std::nullopt;
  double delta = std::difftime(timegm(&when), std::time(nullptr));
  return std::max(0.0, delta);
}

std::string describe(const RetryNotice& notice) {
  char delay[32];
  std::snprintf(delay, sizeof delay, "%.1f s", static_cast<double>(notice.delay.count()) / 1000.0);
  std::string text = notice.failure + "; retrying in " + delay + " (attempt " +
                     std::to_string(notice.next_attempt) + " of " +
                     std::to_string(notice.attempts) + ")";
  if (notice.resume_offset > 0) {
    text += ", resuming at byte " + std::to_string(notice.resume_offset);
  }
  return text;
}

}  // namespace hocker::registry
