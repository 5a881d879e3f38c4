# wdhost_sdk_add_plugin(<target> SOURCES <src>... [LIBRARIES <lib>...] [OUTPUT_DIR <dir>])
# A wdhost plugin: a MODULE library named <target>.so (no "lib" prefix) with hidden
# visibility, linked with the exports script so that wdhost_plugin_entry is its only
# exported symbol, and with -Wl,--no-undefined so a missing symbol fails the link, not the load.
function(wdhost_sdk_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE wdhost::sdk ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${WDHOST_SDK_EXPORTS_FILE}")
  if(ARG_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
  endif()
  target_link_options(${target} PRIVATE "-Wl,--version-script=${WDHOST_SDK_EXPORTS_FILE}"
    -Wl,--no-undefined)
endfunction()
