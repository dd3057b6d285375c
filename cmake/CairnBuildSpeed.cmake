# Build speed for Cairn's own targets (docs/development.md, "Build speed"): precompiled
# headers and unity builds, both on by default, each with a switch for who prefers without:
#   -DCAIRN_PCH=OFF          every source parses its headers itself
#   -DCAIRN_UNITY_BUILD=OFF  every source is its own translation unit (a one-file edit
#                            recompiles one file instead of its batch)
#
# Precompiled headers: the standard library and nlohmann/json, which nearly every source
# includes (directly or through models.h, the OpenStack clients, the API's request and
# response), are compiled once into the PCH of cairn_pch; every library and program reuses
# it (REUSE_FROM). The test suites reuse cairn_test_pch: the same headers plus gtest and
# gmock. A PCH is only valid with the compile options it was built with; GCC's
# -Winvalid-pch (added by CMake) with our -Werror turns a mismatch into an error, so a
# target whose options differ fails to build instead of silently parsing everything again.
# The PCH makes these headers visible in every source: a source that forgets to include
# what it uses still compiles here but not with -DCAIRN_PCH=OFF.
#
# GCC before 13 drops the `#pragma GCC diagnostic` state of a PCH's headers (GCC bug 64117),
# and libstdc++ 12 relies on it to silence -Warray-bounds, -Wstringop-overflow and
# -Wstringop-overread in <string>'s inlined copies (known false positives at -O2). With a
# PCH on GCC 12 (Debian 12, CI) those three warnings are therefore switched off for the
# targets that use it, and in the sanitizer build -Wmaybe-uninitialized too (<regex>'s
# false positive at -O1 with ASan); -DCAIRN_PCH=OFF, GCC 13 and clang keep them.
#
# ccache: a PCH target's objects are cacheable when ccache's sloppiness includes
# pch_defines,time_macros; cairn_build_speed_setup() sets it through the launcher when the
# launcher is ccache. A fresh machine (CI) has no ccache, and that is what this is tuned for.
#
# cairn_build_speed_setup() creates the PCH targets; cairn_build_speed_apply(<dir>...)
# then applies PCH and unity build (not to the test suites) to every library and executable defined in those
# directories and below, so a new library picks them up without a line of its own. A
# target opts out by setting CAIRN_NO_UNITY_BUILD or CAIRN_NO_PCH (TRUE) on itself, with a
# comment saying why.

option(CAIRN_PCH "Precompile the standard library, nlohmann/json, gtest and gmock headers once for all targets" ON)
option(CAIRN_UNITY_BUILD "Compile each target's sources in batches of CAIRN_UNITY_BUILD_BATCH_SIZE (unity build)" ON)
set(CAIRN_UNITY_BUILD_BATCH_SIZE 8 CACHE STRING "Sources per unity batch")

set(CAIRN_PCH_HEADERS
  <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <cstring> <filesystem>
  <functional> <map> <memory> <mutex> <optional> <set> <span> <sstream> <string>
  <string_view> <thread> <unordered_map> <utility> <variant> <vector>
  <nlohmann/json.hpp>)
set(CAIRN_TEST_PCH_HEADERS ${CAIRN_PCH_HEADERS} <gmock/gmock.h> <gtest/gtest.h>)

function(_cairn_pch_warnings target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
    # The sanitizer build (-O1 with ASan/UBSan) also meets libstdc++ 12's known
    # -Wmaybe-uninitialized false positive in <regex>'s std::function states, which the
    # lost pragmas no longer silence (http_server_test.cc failed on it).
    if(CAIRN_SANITIZE)
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()

# _cairn_pch_target(<name> <headers> <libs>): a tiny library whose only job is to own a
# PCH, compiled with the options of the targets that reuse it (the same global flags, the
# same interface definitions from <libs>, the same warnings).
function(_cairn_pch_target name headers libs)
  set(source ${CMAKE_BINARY_DIR}/${name}.cc)
  file(CONFIGURE OUTPUT ${source} CONTENT "// Owner of the precompiled header ${name} (cmake/CairnBuildSpeed.cmake).\n")
  add_library(${name} STATIC ${source})
  target_link_libraries(${name} PRIVATE ${libs} cairn_warnings)
  target_precompile_headers(${name} PRIVATE ${headers})
  _cairn_pch_warnings(${name})
endfunction()

macro(cairn_build_speed_setup)
  if(CAIRN_PCH)
    _cairn_pch_target(cairn_pch "${CAIRN_PCH_HEADERS}"
                      "nlohmann_json::nlohmann_json;spdlog::spdlog;fmt::fmt;Threads::Threads")
    if(CAIRN_BUILD_TESTS)
      find_package(GTest REQUIRED)
      _cairn_pch_target(cairn_test_pch "${CAIRN_TEST_PCH_HEADERS}"
                        "nlohmann_json::nlohmann_json;spdlog::spdlog;fmt::fmt;Threads::Threads;GTest::gtest;GTest::gmock")
    endif()
    if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
      set(CMAKE_CXX_COMPILER_LAUNCHER
          ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros ${CMAKE_CXX_COMPILER_LAUNCHER})
    endif()
  endif()
endmacro()

function(_cairn_build_speed_target target)
  get_target_property(type ${target} TYPE)
  get_target_property(imported ${target} IMPORTED)
  if(imported OR NOT type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$"
     OR target MATCHES "^cairn_(test_)?pch$")
    return()
  endif()
  get_target_property(no_unity ${target} CAIRN_NO_UNITY_BUILD)
  get_target_property(libs ${target} LINK_LIBRARIES)
  set(is_test_suite FALSE)
  if(CAIRN_BUILD_TESTS AND libs MATCHES "GTest::")
    set(is_test_suite TRUE)
  endif()
  # The test suites stay one translation unit per file: each *_test.cc has its own helpers
  # and constants (kDiskSize, Ref, MustRun, ...) in an anonymous namespace, by design.
  if(CAIRN_UNITY_BUILD AND NOT no_unity AND NOT is_test_suite)
    set_target_properties(${target} PROPERTIES
      UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${CAIRN_UNITY_BUILD_BATCH_SIZE})
  endif()
  get_target_property(no_pch ${target} CAIRN_NO_PCH)
  get_target_property(own_pch ${target} PRECOMPILE_HEADERS)
  if(NOT CAIRN_PCH OR no_pch OR own_pch)
    return()
  endif()
  _cairn_pch_warnings(${target})
  if(is_test_suite)
    target_precompile_headers(${target} REUSE_FROM cairn_test_pch)
  else()
    target_precompile_headers(${target} REUSE_FROM cairn_pch)
  endif()
endfunction()

function(cairn_build_speed_apply)
  foreach(dir ${ARGN})
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target ${targets})
      _cairn_build_speed_target(${target})
    endforeach()
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    if(subdirs)
      cairn_build_speed_apply(${subdirs})
    endif()
  endforeach()
endfunction()
