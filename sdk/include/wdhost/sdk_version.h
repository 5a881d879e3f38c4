/* The version of this SDK's C++ layer (plugin.hpp, services.hpp, driver_session.hpp, ... and
 * the CMake and pkg-config files), a semantic version of its own, apart from the plugin ABI
 * (WDHOST_ABI_MAJOR.WDHOST_ABI_MINOR in plugin.h) that it speaks:
 *  - its major grows when a C++ declaration a plugin may use changes or goes (source break);
 *  - its minor grows with additions, its patch with fixes;
 *  - none of that changes what a built plugin needs of a host: that is the ABI's version.
 * Version log:
 *   1.0.0-1.2.0  the package version equalled the ABI version it spoke (ABI 1.0-1.2).
 *   2.0.0  ABI 1.3. Description::fromJson and readGuarded left the SDK (the host reads
 *          describe() itself); Plugin::launchWithin and Session::commandWithin with a
 *          wdhost::Deadline; Plugin::extension; SpawnOptions, ChildProcess::waitExit,
 *          TempDir::adopt, httpSend (wdhost.http/2); the W3C endpoint index
 *          (w3c::endpointIndex, w3c::matchEndpoint).
 * Pure C, so that C plugins can read it too. */
#ifndef WDHOST_SDK_VERSION_H
#define WDHOST_SDK_VERSION_H

#define WDHOST_SDK_VERSION_MAJOR 2
#define WDHOST_SDK_VERSION_MINOR 0
#define WDHOST_SDK_VERSION_PATCH 0
/* "MAJOR.MINOR.PATCH" of the C++ layer. */
#define WDHOST_SDK_VERSION "2.0.0"

#endif /* WDHOST_SDK_VERSION_H */
