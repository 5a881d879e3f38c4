# Builds the two .debs of the tree BUILD into OUT/packages (OUT emptied first), with BUILD's own CPack config:
#   cmake -DCPACK=cpack -DBUILD=<build tree> -DOUT=<dir> -P build_debs.cmake
# CPACK_OUTPUT_FILE_PREFIX (packages) is relative to cpack's working directory: OUT.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${CPACK} --config ${BUILD}/CPackConfig.cmake -B ${OUT}
  WORKING_DIRECTORY ${OUT} RESULT_VARIABLE failed TIMEOUT 600)
if(failed)
  message(FATAL_ERROR "cpack failed: ${failed}")
endif()
file(GLOB debs ${OUT}/packages/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "cpack made ${count} packages, not wdhost and wdhost-sdk-dev: ${debs}")
endif()
message(STATUS "built ${debs}")
