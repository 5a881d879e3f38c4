# The per-session forwarding proxy's tests: real sockets on 127.0.0.1 against a local origin,
# a local HTTP upstream proxy and local SOCKS servers written in the tests.
add_executable(proxy_unit_tests
  unit/proxy/proxy_parse_test.cpp
  unit/proxy/proxy_forwarding_test.cpp
  unit/proxy/proxy_upstream_test.cpp
  unit/proxy/proxy_lifecycle_test.cpp
  unit/proxy/target_policy_test.cpp
  unit/proxy/proxy_target_policy_test.cpp
  support/proxy_test_servers.cpp)
target_include_directories(proxy_unit_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(proxy_unit_tests PRIVATE wdh_host wdhost_doctest_main Poco::Net
  Poco::Foundation)
wdhost_warnings(proxy_unit_tests)
doctest_discover_tests(proxy_unit_tests TEST_PREFIX "unit/")
