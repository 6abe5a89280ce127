#include "hocker/archive/scheduler.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hocker/base/error.h"

namespace hocker::archive {

void StopCheckSink::write(Bytes data) {
  if (stop_.load(std::memory_order_relaxed)) {
    throw Error(ErrorKind::kInternal, "stopped after another layer failed");
  }
  next_.write(data);
}

void run_in_parallel(std::size_t count, int jobs, StopFlag& stop,
                     const std::function<void(std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr first_error;
  auto worker = [&] {
    for (;;) {
      if (stop.load()) return;
      std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      try {
        task(index);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
        stop.store(true);
        return;
      }
    }
  };
  std::size_t threads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(jobs, 1)), 1,
                                                std::max<std::size_t>(count, 1));
  std::vector<std::jthread> pool;
  try {
    for (std::size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
  } catch (const std::system_error&) {
    // Could not start more threads: the ones running (and this one) still finish the work.
  }
  worker();
  pool.clear();  // Joins.
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace hocker::archive
