// Runs docker credential helpers (docker-credential-helpers protocol: `get`, the server URL on
// stdin, {"ServerURL","Username","Secret"} JSON on stdout). The helper is untrusted for
// liveness: bounded in time and output, killed with its process group when late.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "hocker/auth/credentials.h"
#include "hocker/base/unique_fd.h"

namespace hocker::auth {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxHelperOutput = 64u << 10;

struct Outcome {
  std::string output;
  std::string failure;  // Empty on a clean exit 0.
  int exit_status = 0;
};

bool is_valid_helper_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

// Reads the helper's stdout until EOF, the deadline, or too much output.
std::string read_output(int fd, Clock::time_point deadline, std::string& failure) {
  std::string output;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      failure = "timed out";
      return output;
    }
    pollfd readable{fd, POLLIN, 0};
    int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    char chunk[4096];
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return output;
    output.append(chunk, static_cast<std::size_t>(got));
    if (output.size() > kMaxHelperOutput) {
      failure = "printed too much";
      return output;
    }
  }
}

// Waits for the child until the deadline; kills its process group when it is late.
int reap(pid_t pid, Clock::time_point deadline, bool kill_now, std::string& failure) {
  int status = 0;
  while (!kill_now) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) {
      failure = "timed out";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return -1;
}

// The helper's absolute path: the first regular executable file named `program` in an
// absolute PATH entry. Empty and relative entries are skipped: they stand for the current
// directory, where anyone who can write a file would choose what runs. No PATH: not found.
std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "";
  while (!rest.empty()) {
    std::size_t colon = rest.find(':');
    std::string_view entry = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    if (!entry.starts_with('/')) continue;
    std::string candidate = std::string(entry) + (entry.ends_with('/') ? "" : "/") + program;
    struct stat status {};
    if (::stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

pid_t spawn(const std::string& program, int stdin_fd, int stdout_fd, std::string& failure) {
  std::string executable = find_on_path(program);
  if (executable.empty()) {
    failure = "not found on PATH";
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);  // Its own group, so a hung tree can be killed.
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string get = "get";
  char* argv[] = {const_cast<char*>(program.c_str()), get.data(), nullptr};
  pid_t pid = -1;
  int result = posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (result != 0) {
    failure = std::string("cannot run ") + executable + ": " + std::strerror(result);
    return -1;
  }
  return pid;
}

Outcome run(const std::string& program, const std::string& input,
            std::chrono::milliseconds timeout) {
  Outcome outcome;
  int input_pair[2], output_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input_pair) != 0) {
    outcome.failure = "cannot create a socket pair";
    return outcome;
  }
  UniqueFd to_helper(input_pair[0]), helper_stdin(input_pair[1]);
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) {
    outcome.failure = "cannot create a pipe";
    return outcome;
  }
  UniqueFd from_helper(output_pipe[0]), helper_stdout(output_pipe[1]);
  Clock::time_point deadline = Clock::now() + timeout;
  pid_t pid = spawn(program, helper_stdin.get(), helper_stdout.get(), outcome.failure);
  // Only the helper may hold its ends, so that its exit ends our read with EOF.
  helper_stdin.reset();
  helper_stdout.reset();
  if (pid > 0) {
    // A socket rather than a pipe, so a helper that exits without reading cannot SIGPIPE us.
    (void)::send(to_helper.get(), input.data(), input.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(to_helper.get(), SHUT_WR);
    outcome.output = read_output(from_helper.get(), deadline, outcome.failure);
    outcome.exit_status = reap(pid, deadline, !outcome.failure.empty(), outcome.failure);
  }
  to_helper.reset();
  from_helper.reset();
  if (outcome.failure.empty() &&
      !(WIFEXITED(outcome.exit_status) && WEXITSTATUS(outcome.exit_status) == 0)) {
    outcome.failure = WIFEXITED(outcome.exit_status)
                          ? "exited with status " + std::to_string(WEXITSTATUS(outcome.exit_status))
                          : "was killed by a signal";
  }
  if (outcome.failure == "timed out") {
    outcome.failure = "timed out after " + std::to_string(timeout.count()) + " ms";
  }
  return outcome;
}

std::optional<Credentials> parse_output(const std::string& output, const std::string& source) {
  nlohmann::json document = nlohmann::json::parse(output, nullptr, false);
  if (!document.is_object()) return std::nullopt;
  auto username = document.find("Username");
  auto secret = document.find("Secret");
  if (username == document.end() || secret == document.end() || !username->is_string() ||
      !secret->is_string() || secret->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  Credentials credentials;
  credentials.source = source;
  credentials.secret = Secret(secret->get<std::string>());
  // docker's convention: the user "<token>" marks an identity token.
  if (username->get_ref<const std::string&>() == "<token>") {
    credentials.kind = Credentials::Kind::kIdentityToken;
  } else {
    credentials.kind = Credentials::Kind::kBasic;
    credentials.username = username->get<std::string>();
  }
  return credentials;
}

}  // namespace

std::optional<Credentials> run_credential_helper(const std::string& helper,
                                                 const std::string& server_url,
                                                 std::chrono::milliseconds timeout,
                                                 const Warn& warn) {
  std::string program = "docker-credential-" + helper;
  std::string source = "credential helper " + program;
  auto fail = [&](const std::string& why) -> std::optional<Credentials> {
    warn(source + " " + why + "; continuing without its credentials");
    return std::nullopt;
  };
  if (!is_valid_helper_name(helper)) {
    return fail("has an invalid name");
  }
  Outcome outcome = run(program, server_url, timeout);
  if (!outcome.failure.empty()) {
    // The protocol's answer for "nothing stored for this server" is not a failure.
    if (outcome.output.find("credentials not found") != std::string::npos) return std::nullopt;
    return fail(outcome.failure);
  }
  auto credentials = parse_output(outcome.output, source);
  if (!credentials) return fail("printed something other than credentials");
  return credentials;
}

}  // namespace hocker::auth
