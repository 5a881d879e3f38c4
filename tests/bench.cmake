# The benchmark in smoke mode (tiny counts), so that it cannot rot; the full run is tools/bench.
if(WDHOST_E2E_TESTS AND TARGET wdhost-bench)
  add_test(NAME bench/smoke COMMAND wdhost-bench --smoke)
  set_tests_properties(bench/smoke PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)
endif()
