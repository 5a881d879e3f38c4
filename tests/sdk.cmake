# The SDK as a third-party plugin author meets it (ctest prefix "sdk/"): the installed package
# and an out-of-tree example, wdhost-plugin-check on good and broken plugins, a plugin built
# with clang and libc++ loaded into this GCC/libstdc++ host, and plugins of other ABI minors.
find_program(WDHOST_SDK_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
set(sdk_driver ${WDHOST_SDK_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/sdk/plugin_session_test.py
  --wdhost $<TARGET_FILE:wdhost> --checker $<TARGET_FILE:wdhost-plugin-check>)
set(sdk_plugin_dir "${CMAKE_BINARY_DIR}/tests/sdk-plugins")

# Test plugins of this folder: a crashing one, and hand-written C plugins of other ABI minors
# (see frozen_v1_plugin.c for why a frozen copy of the v1.0 table stands for "an older minor";
# frozen_v1_2_plugin.c is the 1.2 table as 1.2 plugins ship it).
wdhost_add_plugin(sdk_crashing SOURCES sdk/crashing_plugin.cpp OUTPUT_DIR ${sdk_plugin_dir}/crashing)
wdhost_add_plugin(sdk_frozen_v1_0 SOURCES sdk/frozen_v1_plugin.c OUTPUT_DIR ${sdk_plugin_dir}/v1_0)
wdhost_add_plugin(sdk_frozen_v1_2 SOURCES sdk/frozen_v1_2_plugin.c
  OUTPUT_DIR ${sdk_plugin_dir}/v1_2)
math(EXPR sdk_future_minor "${WDHOST_SDK_ABI_MINOR} + 1")
wdhost_add_plugin(sdk_frozen_future SOURCES sdk/frozen_v1_plugin.c
  OUTPUT_DIR ${sdk_plugin_dir}/future)
target_compile_definitions(sdk_frozen_future PRIVATE FROZEN_MINOR=${sdk_future_minor}u
  FROZEN_EXTRA_SLOTS=2 FROZEN_BROWSER="future")
wdhost_warnings(sdk_crashing)
foreach(target sdk_frozen_v1_0 sdk_frozen_v1_2 sdk_frozen_future) # C: wdhost_warnings' C subset
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
endforeach()
add_dependencies(wdhost-plugin-check sdk_crashing sdk_frozen_v1_0 sdk_frozen_v1_2
  sdk_frozen_future)
set_target_properties(sdk_crashing PROPERTIES OUTPUT_NAME crashing)
set_target_properties(sdk_frozen_v1_0 PROPERTIES OUTPUT_NAME frozen)
set_target_properties(sdk_frozen_v1_2 PROPERTIES OUTPUT_NAME frozen12)
set_target_properties(sdk_frozen_future PROPERTIES OUTPUT_NAME future)
add_dependencies(wdhost-plugin-check ${WDHOST_FIXTURE_TARGETS})

# wdhost-plugin-check PLUGIN must pass (EXPECT pass) or fail naming the check EXPECT.
function(wdhost_sdk_check name plugin expect)
  cmake_parse_arguments(ARG "" "REASON;ARGS" "" ${ARGN})
  add_test(NAME sdk/check_${name} COMMAND ${CMAKE_COMMAND} -DCHECKER=$<TARGET_FILE:wdhost-plugin-check>
    -DPLUGIN=${plugin} -DEXPECT=${expect} "-DREASON=${ARG_REASON}" "-DARGS=${ARG_ARGS}"
    -P ${CMAKE_CURRENT_SOURCE_DIR}/sdk/expect_check.cmake)
  set_tests_properties(sdk/check_${name} PROPERTIES TIMEOUT 900)
endfunction()

set(launch_args "")
if(NOT WDHOST_E2E_TESTS)
  set(launch_args "--skip-launch") # no browser on this machine
endif()
foreach(backend chrome firefox safari)
  if(TARGET ${backend})
    wdhost_sdk_check(${backend} $<TARGET_FILE:${backend}> pass ARGS "${launch_args}")
    set_tests_properties(sdk/check_${backend} PROPERTIES RUN_SERIAL TRUE)
  endif()
endforeach()
wdhost_sdk_check(fake ${WDHOST_FIXTURE_DIR}/fake_plugin.so pass)
wdhost_sdk_check(abi_1_2 ${sdk_plugin_dir}/v1_2/frozen12.so pass)
wdhost_sdk_check(rejects_wrong_major ${WDHOST_FIXTURE_DIR}/wrong_major.so handshake
  REASON "refused the host's ABI")
wdhost_sdk_check(rejects_no_entry ${WDHOST_FIXTURE_DIR}/no_entry.so exports
  REASON "does not export wdhost_plugin_entry")
wdhost_sdk_check(rejects_short_table ${WDHOST_FIXTURE_DIR}/short_table.so handshake
  REASON "smaller than")
wdhost_sdk_check(rejects_describe_fails ${WDHOST_FIXTURE_DIR}/describe_fails.so load-cheap
  REASON "describe failed")
wdhost_sdk_check(rejects_negotiate_throws ${WDHOST_FIXTURE_DIR}/negotiate_throws.so negotiate
  REASON "refused the matching request")
wdhost_sdk_check(reports_crash ${sdk_plugin_dir}/crashing/crashing.so negotiate
  REASON "crashed the process")

# A 1.0 and a 1.2 plugin (frozen tables) and one from a future minor load and serve a session.
add_test(NAME sdk/older_minor_plugin COMMAND ${sdk_driver} --browser frozen
  --plugin ${sdk_plugin_dir}/v1_0/frozen.so)
add_test(NAME sdk/abi_1_2_plugin COMMAND ${sdk_driver} --browser frozen12
  --plugin ${sdk_plugin_dir}/v1_2/frozen12.so)
add_test(NAME sdk/future_minor_plugin COMMAND ${sdk_driver} --browser future
  --plugin ${sdk_plugin_dir}/future/future.so)

# Install the SDK into a temp prefix, build sdk/examples/minimal out of tree against it
# (find_package; pkg-config; clang + libc++), check it and run a session through it.
set(example ${PROJECT_SOURCE_DIR}/sdk/examples/minimal)
add_test(NAME sdk/example_find_package COMMAND ${sdk_driver} --example ${example}
  --build ${CMAKE_BINARY_DIR})
add_test(NAME sdk/example_pkg_config COMMAND ${sdk_driver} --example ${example}
  --build ${CMAKE_BINARY_DIR} --pkg-config)
add_test(NAME sdk/example_libcxx COMMAND ${sdk_driver} --example ${example}
  --build ${CMAKE_BINARY_DIR} --libcxx)
add_test(NAME sdk/example_libcxx_pkg_config COMMAND ${sdk_driver} --example ${example}
  --build ${CMAKE_BINARY_DIR} --libcxx --pkg-config)
set_tests_properties(sdk/example_find_package sdk/example_pkg_config sdk/example_libcxx
  sdk/example_libcxx_pkg_config PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)

# The plugin search path: $WDHOST_PLUGIN_PATH, the user dir, one copy loaded, the winner logged.
add_test(NAME sdk/plugin_search_path COMMAND ${sdk_driver} --search-path
  --plugin ${WDHOST_FIXTURE_DIR}/fake_plugin.so)
