# Strict warnings, as errors, on our own targets only (system headers are SYSTEM).
add_library(hocker_warnings INTERFACE)
target_compile_options(hocker_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor
  -Wimplicit-fallthrough -Wformat=2 -Werror)
