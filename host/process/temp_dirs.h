// Private temporary directories under one per-host-instance directory, cleaned up even
// after a crash (the next host reclaims instance directories whose lock nobody holds).
#pragma once

#include "core/status.h"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace wdh {

// Owns <root>/<pid>-<random hex>/ (mode 0700) and the directories created in it. Thread-safe.
class TempDirs {
public:
  // Creates the instance dir <root>/<pid>-<random hex> (mode 0700) and holds an flock on
  // <instance>/.lock for its lifetime. root "" means $TMPDIR/wdhost-<uid> (or
  // /tmp/wdhost-<uid>), created 0700. Refuses a root that is a symlink, not a directory, or
  // owned by another uid. First removes every other instance dir under root whose .lock can
  // be locked (its host is gone); *reclaimed (if not null) receives how many.
  static Status open(const std::string& root, std::unique_ptr<TempDirs>* out, size_t* reclaimed);
  // Removes the whole instance dir.
  ~TempDirs();
  // Not copyable.
  TempDirs(const TempDirs&) = delete;
  TempDirs& operator=(const TempDirs&) = delete;

  // Creates <instance>/<hint>-<random hex> (just <random hex> for an empty hint), mode 0700.
  // hint must match [A-Za-z0-9_-]{0,32} (else InvalidArgument); owner may be "". *path
  // receives the absolute path.
  Status create(const std::string& owner, std::string_view hint, std::string* path);
  // Removes a directory made by create(), recursively and without following symlinks;
  // InvalidArgument for any other path.
  Status remove(std::string_view path);
  // Makes `owner` ("" = none) the owner of the directory at `path` made by create(); false for
  // any other path.
  bool setOwner(std::string_view path, const std::string& owner);
  // Makes `to` the owner of every directory `from` owns; returns how many.
  size_t reassignOwner(const std::string& from, const std::string& to);
  // Removes every directory created for `owner`; returns how many were removed.
  size_t removeOwnedBy(const std::string& owner);
  // The absolute path of this host's instance directory.
  const std::string& instanceDir() const { return instanceDir_; }

private:
  TempDirs(std::string instanceDir, int lockFd);

  std::string instanceDir_;
  int lockFd_; // holds the flock on <instance>/.lock
  std::mutex mutex_;
  std::map<std::string, std::string> dirs_; // path -> owner
};

} // namespace wdh
