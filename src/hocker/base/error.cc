#include "hocker/base/error.h"

#include "hocker/base/text.h"

namespace hocker {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal:
      return 1;
    case ErrorKind::kUsage:
      return 2;
    case ErrorKind::kNetwork:
      return 3;
    case ErrorKind::kAuth:
      return 4;
    case ErrorKind::kNotFound:
      return 5;
    case ErrorKind::kIntegrity:
      return 6;
    case ErrorKind::kLocalIo:
      return 7;
    case ErrorKind::kFormat:
      return 8;
    case ErrorKind::kStale:
      return 9;
    case ErrorKind::kInterrupted:
      return 130;
  }
  return 1;
}

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kUsage:
      return "usage";
    case ErrorKind::kNetwork:
      return "network";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kIntegrity:
      return "integrity";
    case ErrorKind::kLocalIo:
      return "local-io";
    case ErrorKind::kFormat:
      return "format";
    case ErrorKind::kStale:
      return "stale";
    case ErrorKind::kInterrupted:
      return "interrupted";
  }
  return "internal";
}

// A message must stay one line whatever a server sent us: control characters become spaces.
Error::Error(ErrorKind kind, std::string message, Transient transient)
    : std::runtime_error(one_line(std::move(message))), kind_(kind), transient_(transient) {}

}  // namespace hocker
