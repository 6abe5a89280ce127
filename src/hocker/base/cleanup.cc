#include "hocker/base/cleanup.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

#include "hocker/base/error.h"

namespace hocker {
namespace {

// Fixed storage: the signal handler may not allocate or lock.
constexpr int kSlots = 256;
constexpr std::size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];
std::mutex g_mutex;  // Serialises registration; the handler only reads.

extern "C" void on_terminate_signal(int) {
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) ::unlink(g_paths[i]);
  }
  ::_exit(130);
}

}  // namespace

void install_cleanup_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_terminate_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // A closed pipe (hocker image -o - | head) must become a write error, not a silent death.
    std::signal(SIGPIPE, SIG_IGN);
  });
}

int register_cleanup(const std::string& path) {
  if (path.size() >= kPathMax) throw Error(ErrorKind::kLocalIo, "path too long: " + path);
  std::lock_guard lock(g_mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (!g_used[i].load()) {
      std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
      g_used[i].store(true);
      return i;
    }
  }
  throw Error(ErrorKind::kInternal, "too many temporary files registered for cleanup");
}

void unregister_cleanup(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard lock(g_mutex);
  g_used[slot].store(false);
}

}  // namespace hocker
