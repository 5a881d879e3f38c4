// The service "wdhost.tempdir/1": private temporary directories, removed with their owner.
#include "plugin/host_services.h"
#include "process/temp_dirs.h"

#include <string>

namespace wdh {
namespace {

TempDirs* tempDirsOf(const wdhost_host* host) noexcept {
  const HostServices* services = servicesOf(host);
  return services == nullptr ? nullptr : services->tempDirs;
}

wdhost_status WDHOST_CALL createTempDir(const wdhost_host* host, wdhost_str owner, wdhost_str hint,
                                        wdhost_sink path) {
  try {
    TempDirs* dirs = tempDirsOf(host);
    if (dirs == nullptr)
      return WDHOST_ERROR;
    std::string created;
    Status status = dirs->create(std::string(view(owner)), view(hint), &created);
    write(path, status.isOk() ? created : status.message());
    return status.isOk() ? WDHOST_OK : WDHOST_ERROR;
  } catch (const std::exception& e) {
    write(path, e.what());
    return WDHOST_ERROR;
  }
}

wdhost_status WDHOST_CALL removeTempDir(const wdhost_host* host, wdhost_str path) {
  try {
    TempDirs* dirs = tempDirsOf(host);
    if (dirs == nullptr)
      return WDHOST_ERROR;
    return dirs->remove(view(path)).isOk() ? WDHOST_OK : WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

wdhost_status WDHOST_CALL setTempDirOwner(const wdhost_host* host, wdhost_str path,
                                          wdhost_str owner) {
  try {
    TempDirs* dirs = tempDirsOf(host);
    if (dirs == nullptr || view(path).empty())
      return WDHOST_ERROR;
    return dirs->setOwner(view(path), std::string(view(owner))) ? WDHOST_OK : WDHOST_ERROR;
  } catch (...) {
    return WDHOST_ERROR;
  }
}

const wdhost_tempdir_service kTempDirService = {sizeof(wdhost_tempdir_service), &createTempDir,
                                                &removeTempDir, &setTempDirOwner};

} // namespace

const wdhost_tempdir_service& tempDirService() noexcept {
  return kTempDirService;
}

} // namespace wdh
