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

// "<program>: error: interrupted by ", completed in the handler with the signal's name.
char g_notice[512];
std::atomic<std::size_t> g_notice_size{0};
std::atomic<bool> g_notice_on_terminal{false};

// write(2) until done or failing: no allocation, no exception (unlike hocker::write_all).
void signal_safe_write(const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, size);
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

extern "C" void on_terminate_signal(int signum) {
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i].load()) ::unlink(g_paths[i]);
  }
  if (std::size_t size = g_notice_size.load(); size > 0) {
    // On a terminal the cursor sits after the echoed "^C": start the line over.
    if (g_notice_on_terminal.load()) signal_safe_write("\r", 1);
    signal_safe_write(g_notice, size);
    const char* name = signum == SIGINT ? "SIGINT\n" : "SIGTERM\n";
    signal_safe_write(name, std::strlen(name));
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

void set_interrupt_notice(const std::string& program) {
  std::string text = program + ": error: interrupted by ";
  g_notice_size.store(0);
  if (text.size() >= sizeof g_notice) return;
  std::memcpy(g_notice, text.data(), text.size());
  g_notice_on_terminal.store(::isatty(STDERR_FILENO) == 1);
  g_notice_size.store(text.size());
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
