# The two Debian packages, from the components of packaging/CMakeLists.txt. `cpack` in the build
# tree writes them to packages/. Relationships:
#   wdhost          Depends: the libraries its binaries link (dpkg-shlibdeps) and
#                   systemd-sysusers (postinst makes the service's user with it);
#                   Recommends the browsers most clients want; Suggests WebKit and its display.
#   wdhost-sdk-dev  headers and CMake files only (Architecture: all); Suggests wdhost, which
#                   runs and checks what is built with it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wdhost)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${WDHOST_PACKAGE_MAINTAINER})
# Each package's description below starts with its own summary line: CPack prepends the
# project-wide summary unless that is its default, which it then leaves out.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_OUTPUT_FILE_PREFIX packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL wdhost wdhost_system sdk sdk_doc)
set(CPACK_COMPONENT_WDHOST_GROUP wdhost)
set(CPACK_COMPONENT_WDHOST_SYSTEM_GROUP wdhost)
set(CPACK_COMPONENT_SDK_GROUP sdk)
set(CPACK_COMPONENT_SDK_DOC_GROUP sdk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SOURCE wdhost)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
  GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_DEBIAN_WDHOST_PACKAGE_NAME wdhost)
set(CPACK_DEBIAN_WDHOST_PACKAGE_SECTION web)
set(CPACK_DEBIAN_WDHOST_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_WDHOST_PACKAGE_DEPENDS "systemd | systemd-standalone-sysusers")
set(CPACK_DEBIAN_WDHOST_PACKAGE_RECOMMENDS "chromium-driver, firefox-esr")
set(CPACK_DEBIAN_WDHOST_PACKAGE_SUGGESTS
  "webkit2gtk-driver, xvfb, xauth, wpewebkit-driver, cog, python3-selenium")
set(CPACK_DEBIAN_WDHOST_PACKAGE_CONTROL_EXTRA ${pkg}/debian/wdhost/conffiles
  ${pkg}/debian/wdhost/postinst ${pkg}/debian/wdhost/prerm ${pkg}/debian/wdhost/postrm)
set(CPACK_DEBIAN_WDHOST_DESCRIPTION "W3C WebDriver host with browser plugins
wdhost serves the W3C WebDriver protocol (with WebDriver BiDi and the Chrome
DevTools Protocol) to any client, Selenium, WebdriverIO or curl, unchanged, and
runs each session on a browser backend loaded as a plugin: chrome (Chromium
through chromedriver), firefox (Firefox ESR) and safari (WebKit through
WebKitWebDriver).
.
Every driver and browser runs under wdhost-guard, which ends its whole process
tree with its session, on shutdown, and when the host dies. The package runs
wdhost as a hardened systemd service on 127.0.0.1:4444, with client and
operator tokens made at installation; stopping the service lets running
sessions finish.")

set(CPACK_DEBIAN_SDK_PACKAGE_NAME wdhost-sdk-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_SDK_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_SDK_PACKAGE_SUGGESTS "wdhost (= ${PROJECT_VERSION}), cmake, pkg-config")
set(CPACK_DEBIAN_SDK_DESCRIPTION "plugin SDK for wdhost, the W3C WebDriver host
The C ABI header and header-only C++ helpers a wdhost browser plugin is built
with, by any compiler and C++ runtime: find_package(wdhost-sdk) in CMake gives
wdhost::sdk and wdhost_sdk_add_plugin(), and pkg-config knows wdhost-sdk.
.
This is SDK ${WDHOST_SDK_VERSION}, for plugin ABI ${WDHOST_SDK_ABI_MAJOR}.${WDHOST_SDK_ABI_MINOR}. A complete
example plugin is in /usr/share/doc/wdhost-sdk-dev/examples/minimal.")

include(CPack)
