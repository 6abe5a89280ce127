# hocker_module(NAME DEPS ... PRIVATE_DEPS ...): one folder of src/hocker = one namespace =
# one static library hocker_NAME. Sources are the folder's *.cc files; its *_test.cc files
# form the unit-test binary hocker_NAME_tests, registered with CTest.
function(hocker_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    list(REMOVE_ITEM sources ${tests})
  endif()
  if(NOT sources)
    # A module with headers only (or not written yet).
    add_library(hocker_${name} INTERFACE)
    target_include_directories(hocker_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(hocker_${name} INTERFACE ${ARG_DEPS})
  else()
    add_library(hocker_${name} STATIC ${sources})
    target_include_directories(hocker_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(hocker_${name} PUBLIC ${ARG_DEPS}
                          PRIVATE hocker_warnings ${ARG_PRIVATE_DEPS})
  endif()
  if(tests AND HOCKER_BUILD_TESTS)
    hocker_test_binary(hocker_${name}_tests ${tests} LIBS hocker_${name} ${ARG_PRIVATE_DEPS})
  endif()
endfunction()

function(hocker_test_binary target)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${target} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} hocker_warnings GTest::gtest
                        GTest::gtest_main nlohmann_json::nlohmann_json)
  target_compile_definitions(${target} PRIVATE
    HOCKER_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60)
endfunction()
