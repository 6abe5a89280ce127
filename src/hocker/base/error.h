// The one error type of hocker: a kind that maps to an exit code (docs/spec.md §4.1) and a one-line
// message that names what failed and why. Formatting for the user is left to the CLI.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hocker {

/// What went wrong, as the user and the exit code see it.
enum class ErrorKind {
  kInternal,     ///< a bug or an unexpected state: exit 1
  kUsage,        ///< bad flags, bad reference, conflicting options: exit 2
  kNetwork,      ///< cannot connect, timed out, TLS refused, retries exhausted: exit 3
  kAuth,         ///< authentication or authorisation refused: exit 4
  kNotFound,     ///< repository, tag, digest or platform not found: exit 5
  kIntegrity,    ///< a digest or size does not match: exit 6
  kLocalIo,      ///< cannot write the output, disk full: exit 7
  kFormat,       ///< malformed or unsupported manifest, index, config or input: exit 8
  kStale,        ///< a lockfile pin is no longer what its tag names (hocker lock --check): exit 9
  kInterrupted,  ///< SIGINT or SIGTERM: exit 130
};

/// Whether a failure may go away when the request is tried again.
enum class Transient { kNo, kYes };

/// The process exit code for `kind`, as documented in docs/spec.md §4.1 and the README.
int exit_code(ErrorKind kind);

/// A short lowercase name for `kind` ("network", "integrity", ...), for tests and logs.
std::string_view kind_name(ErrorKind kind);

/// Every failure hocker reports. The message is one line, already free of secrets.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, Transient transient = Transient::kNo);

  ErrorKind kind() const { return kind_; }
  bool is_transient() const { return transient_ == Transient::kYes; }
  /// Seconds the server asked us to wait before retrying (Retry-After), or -1.
  double retry_after() const { return retry_after_; }
  void set_retry_after(double seconds) { retry_after_ = seconds; }

 private:
  ErrorKind kind_;
  Transient transient_;
  double retry_after_ = -1;
};

}  // namespace hocker
