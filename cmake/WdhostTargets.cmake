# Project-wide target helpers: warnings, sanitizers, plugin modules and their dependency rule.

# Warnings high and fatal for our own code.
function(wdhost_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wformat=2 -Werror)
endfunction()

set_property(GLOBAL PROPERTY WDHOST_PLUGIN_TARGETS "")

# A browser backend: a MODULE library with hidden visibility that exports only the entry
# symbol, built into lib/wdhost/plugins. It may link the SDK and third-party libraries only.
function(wdhost_add_plugin target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE wdhost::sdk ${ARG_LIBRARIES})
  set(exports "${PROJECT_SOURCE_DIR}/sdk/cmake/wdhost-plugin.exports")
  set(out "${CMAKE_BINARY_DIR}/${WDHOST_PLUGIN_SUBDIR}")
  if(ARG_OUTPUT_DIR)
    set(out "${ARG_OUTPUT_DIR}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "" CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${out}" LINK_DEPENDS "${exports}")
  target_link_options(${target} PRIVATE "-Wl,--version-script=${exports}" -Wl,--no-undefined)
  set_property(GLOBAL APPEND PROPERTY WDHOST_PLUGIN_TARGETS ${target})
endfunction()

# Plugins depend on sdk/ only (and on third-party libraries), never on the host: checked at
# configure time, through every library a plugin links, so that a forbidden link fails the build.
function(_wdhost_check_links origin target depth)
  if(depth GREATER 16 OR NOT TARGET ${target})
    return()
  endif()
  get_target_property(libs ${target} LINK_LIBRARIES)
  get_target_property(ilibs ${target} INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS libs ilibs)
    if(lib MATCHES "^wdh_" OR lib STREQUAL "wdhost")
      message(FATAL_ERROR "plugin ${origin} links ${lib} (via ${target}): plugins may depend on wdhost::sdk and third-party libraries only, never on host/")
    endif()
    math(EXPR next "${depth} + 1")
    _wdhost_check_links(${origin} "${lib}" ${next})
  endforeach()
endfunction()

function(wdhost_check_plugin_dependencies)
  get_property(plugins GLOBAL PROPERTY WDHOST_PLUGIN_TARGETS)
  foreach(plugin IN LISTS plugins)
    _wdhost_check_links(${plugin} ${plugin} 0)
  endforeach()
endfunction()
