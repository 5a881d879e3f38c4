# The firefox plugin's tests: unit tests of its pure logic, and (with WDHOST_E2E_TESTS) the real
# host driving a real headless Firefox ESR through the Marionette bridge.
add_executable(firefox_unit_tests
  unit/firefox/firefox_protocol_test.cpp
  unit/firefox/firefox_endpoints_test.cpp
  unit/firefox/firefox_options_test.cpp
  unit/firefox/profile_files_test.cpp)
# wdh_host: the host's capability policy applied to what the plugin declares.
target_link_libraries(firefox_unit_tests PRIVATE firefox_logic wdh_host wdhost_doctest_main)
wdhost_warnings(firefox_unit_tests)
doctest_discover_tests(firefox_unit_tests TEST_PREFIX "unit/")

if(WDHOST_E2E_TESTS)
  add_executable(firefox_e2e_tests e2e/firefox_session_test.cpp e2e/firefox_geckodriver_test.cpp)
  target_link_libraries(firefox_e2e_tests PRIVATE wdhost_test_support wdhost_doctest_main)
  target_include_directories(firefox_e2e_tests SYSTEM PRIVATE ${RAPIDJSON_INCLUDE_DIRS})
  target_compile_definitions(firefox_e2e_tests PRIVATE WDHOST_BINARY="$<TARGET_FILE:wdhost>")
  add_dependencies(firefox_e2e_tests wdhost firefox)
  wdhost_warnings(firefox_e2e_tests)
  doctest_discover_tests(firefox_e2e_tests TEST_PREFIX "e2e/" PROPERTIES RUN_SERIAL TRUE
    TIMEOUT 300)
  # The same tests with the plugin in wdhost-plugin-host, as a third-party plugin runs: isolation
  # must change no result (issue 32).
  add_test(NAME e2e/firefox_isolated COMMAND firefox_e2e_tests)
  set_tests_properties(e2e/firefox_isolated PROPERTIES ENVIRONMENT WDHOST_TEST_ISOLATE=firefox
    RUN_SERIAL TRUE TIMEOUT 600)
endif()
