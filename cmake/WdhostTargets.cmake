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

# The host's layers: one static library per host/ folder, each allowed to include and link only
# the folders below it. Each layer compiles against a view of host/ (a directory of links, in the
# build tree) holding its own folder and those it may use, so an #include that reaches up a
# layer fails to compile, naming the header, and nothing links a layer above it.
set_property(GLOBAL PROPERTY WDHOST_LAYERS "")

function(wdhost_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;USES;LIBRARIES" ${ARGN})
  set(allowed ${name})
  foreach(used IN LISTS ARG_USES)
    get_property(below GLOBAL PROPERTY WDHOST_LAYER_${used})
    if(NOT below)
      message(FATAL_ERROR "host layer ${name} uses ${used}, which is not defined before it")
    endif()
    list(APPEND allowed ${below})
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  set_property(GLOBAL PROPERTY WDHOST_LAYER_${name} ${allowed})
  set_property(GLOBAL APPEND PROPERTY WDHOST_LAYERS ${name})

  set(view "${CMAKE_BINARY_DIR}/host-views/${name}")
  file(REMOVE_RECURSE "${view}")
  file(MAKE_DIRECTORY "${view}")
  foreach(folder IN LISTS allowed)
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/host/${folder}" "${view}/${folder}" SYMBOLIC)
  endforeach()

  add_library(wdh_${name} STATIC ${ARG_SOURCES})
  target_include_directories(wdh_${name} PRIVATE "${view}")
  set(deps "")
  foreach(used IN LISTS ARG_USES)
    list(APPEND deps wdh_${used})
  endforeach()
  # Third-party libraries and generated headers are not a layer: every layer gets them
  # (WDHOST_LAYER_LIBRARIES and WDHOST_LAYER_INCLUDES, set by the caller).
  target_link_libraries(wdh_${name} PRIVATE ${deps} PUBLIC ${WDHOST_LAYER_LIBRARIES}
    ${ARG_LIBRARIES})
  target_include_directories(wdh_${name} SYSTEM PUBLIC ${WDHOST_LAYER_INCLUDES})
  wdhost_warnings(wdh_${name})
endfunction()
