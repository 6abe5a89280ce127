// hocker's executable: everything happens in cli::run.
#include <string>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  return hocker::cli::run(argc > 0 ? argv[0] : "hocker", arguments);
}
