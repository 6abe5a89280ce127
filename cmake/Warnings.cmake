# Strict warnings, as errors, on our own targets only (system headers are SYSTEM).
add_library(hocker_warnings INTERFACE)
target_compile_options(hocker_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wnon-virtual-dtor
  -Wimplicit-fallthrough -Wformat=2 -Werror)
# GCC 12 at -O2/-O3 warns -Wrestrict inside libstdc++'s own std::string concatenation
# (GCC bug 105651, fixed in GCC 13); the warning is about the library, not our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(hocker_warnings INTERFACE -Wno-restrict)
endif()
