# The Debian packages (ctest prefix "packaging/"): cpack builds them from this tree into
# tests/cpack/packages, then each test unpacks them into a temp root of its own: the installed host
# runs a Chrome session from its unit's command line and drains on its unit's ExecStop; the
# example plugin builds against the unpacked SDK; the unit passes systemd-analyze verify and
# security; the files, relationships and completion are checked; lintian is clean.
# Not in sanitizer trees, which have no man pages and never package.
if(WDHOST_SANITIZE OR WDHOST_TSAN)
  return()
endif()
find_program(WDHOST_PACKAGING_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
set(cpack_dir ${CMAKE_BINARY_DIR}/tests/cpack)
set(debs ${cpack_dir}/packages)
add_test(NAME packaging/build_debs
  COMMAND ${CMAKE_COMMAND} -DCPACK=${CMAKE_CPACK_COMMAND} -DBUILD=${CMAKE_BINARY_DIR}
    -DOUT=${cpack_dir} -P ${CMAKE_CURRENT_SOURCE_DIR}/packaging/build_debs.cmake)
set_tests_properties(packaging/build_debs PROPERTIES FIXTURES_SETUP wdhost_debs TIMEOUT 600)

foreach(check package_contents package_lintian service_unit sdk_package installed_host)
  add_test(NAME packaging/${check}
    COMMAND ${WDHOST_PACKAGING_PYTHON}
      ${CMAKE_CURRENT_SOURCE_DIR}/packaging/${check}_test.py --debs ${debs})
  set_tests_properties(packaging/${check} PROPERTIES FIXTURES_REQUIRED wdhost_debs TIMEOUT 600)
endforeach()
# A real Chromium: one at a time, like the other browser tests, and only where they run.
set_tests_properties(packaging/installed_host PROPERTIES RUN_SERIAL TRUE)
if(NOT WDHOST_E2E_TESTS)
  set_tests_properties(packaging/installed_host PROPERTIES DISABLED TRUE)
endif()
