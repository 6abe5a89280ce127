# HOCKER_COMMIT: the commit the build is configured from (git describe: a tag or an
# abbreviated hash, "-dirty" with local changes), or "unknown" outside a git checkout.
find_package(Git QUIET)
set(HOCKER_COMMIT "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE described_status ERROR_QUIET)
  if(described_status EQUAL 0 AND described)
    set(HOCKER_COMMIT "${described}")
  endif()
endif()
