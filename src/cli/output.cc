#include "cli/output.h"

#include <unistd.h>

#include "hocker/base/atomic_file.h"

namespace hocker::cli {

void write_stdout(std::string_view data) {
  write_all(STDOUT_FILENO, as_bytes(data.data(), data.size()), "standard output");
}

void deliver(const std::string& out, std::string_view data) {
  if (out.empty() || out == "-") {
    write_stdout(data);
    return;
  }
  AtomicFile file(out);
  file.write(as_bytes(data.data(), data.size()));
  file.commit();
  announce_output(file);
}

void announce_output(const AtomicFile& file) {
  if (!file.writes_through()) write_stdout(file.target() + "\n");
}

}  // namespace hocker::cli
