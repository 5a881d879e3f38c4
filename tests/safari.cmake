# The safari plugin's tests: unit tests of its pure logic, and end to end through the real host
# with WebKit (WebKitGTK's MiniBrowser on a private Xvfb, and the WPE port when installed).
add_executable(safari_unit_tests
  unit/safari/safari_config_test.cpp
  unit/safari/safari_backend_test.cpp
  unit/safari/safari_capabilities_test.cpp
  unit/safari/safari_launch_test.cpp)
# wdh_host: the host's capability policy applied to what the plugin declares.
target_link_libraries(safari_unit_tests PRIVATE safari_logic wdh_host wdhost_doctest_main)
wdhost_warnings(safari_unit_tests)
doctest_discover_tests(safari_unit_tests TEST_PREFIX "unit/")

if(WDHOST_E2E_TESTS)
  add_executable(safari_e2e_tests e2e/safari_session_test.cpp)
  target_link_libraries(safari_e2e_tests PRIVATE wdhost_test_support wdhost_doctest_main)
  target_include_directories(safari_e2e_tests SYSTEM PRIVATE ${RAPIDJSON_INCLUDE_DIRS})
  target_compile_definitions(safari_e2e_tests PRIVATE WDHOST_BINARY="$<TARGET_FILE:wdhost>")
  add_dependencies(safari_e2e_tests wdhost safari)
  wdhost_warnings(safari_e2e_tests)
  doctest_discover_tests(safari_e2e_tests TEST_PREFIX "e2e/" PROPERTIES RUN_SERIAL TRUE
    TIMEOUT 300)
endif()
