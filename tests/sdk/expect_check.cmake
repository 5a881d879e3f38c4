# Runs wdhost-plugin-check on one plugin and checks its verdict (cmake -P, driven by ctest).
#   -DCHECKER=path -DPLUGIN=path [-DARGS="--skip-launch"] -DEXPECT=pass|<check that must FAIL>
#   [-DREASON=text the failure line must contain]
separate_arguments(extra UNIX_COMMAND "${ARGS}")
execute_process(COMMAND "${CHECKER}" ${extra} "${PLUGIN}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 900)
message("${out}${err}")
if(EXPECT STREQUAL "pass")
  if(NOT rc STREQUAL "0" OR NOT out MATCHES "\n[0-9]+ passed, 0 failed")
    message(FATAL_ERROR "expected every check to pass; exit code ${rc}")
  endif()
  return()
endif()
# A broken plugin: the checker itself must end normally with exit code 1 and name the check.
if(NOT rc STREQUAL "1")
  message(FATAL_ERROR "expected exit code 1 from the checker, got '${rc}'")
endif()
if(NOT out MATCHES "(^|\n)FAIL ${EXPECT}: ([^\n]*)")
  message(FATAL_ERROR "expected a line 'FAIL ${EXPECT}: ...'")
endif()
if(REASON AND NOT CMAKE_MATCH_2 MATCHES "${REASON}")
  message(FATAL_ERROR "the ${EXPECT} failure does not say '${REASON}'")
endif()
if(NOT out MATCHES "\n[0-9]+ passed, [1-9][0-9]* failed")
  message(FATAL_ERROR "no summary line")
endif()
