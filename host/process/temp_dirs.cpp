// Private temporary directories under one per-host-instance directory.
#include "process/temp_dirs.h"

#include "core/log.h"
#include "process/unique_fd.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace wdh {
namespace {

constexpr std::string_view kLog = "tempdir";
constexpr const char* kLockName = ".lock";
// Short names keep Unix socket paths inside the dirs under the 108-byte limit.
constexpr size_t kRandomBytes = 4;
constexpr size_t kMaxHint = 32;

// `bytes` random bytes from getrandom(2) as lowercase hex; false if the kernel refuses.
bool randomHex(size_t bytes, std::string* out) {
  unsigned char buffer[32];
  if (bytes > sizeof buffer) {
    return false;
  }
  size_t done = 0;
  for (int attempt = 0; attempt < 100 && done < bytes; ++attempt) {
    ssize_t n = ::getrandom(buffer + done, bytes - done, 0);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      return false;
    }
  }
  if (done < bytes) {
    return false;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  out->clear();
  for (size_t i = 0; i < bytes; ++i) {
    out->push_back(kDigits[buffer[i] >> 4]);
    out->push_back(kDigits[buffer[i] & 0xf]);
  }
  return true;
}

// True for [A-Za-z0-9_-]{0,32}.
bool validHint(std::string_view hint) {
  if (hint.size() > kMaxHint) {
    return false;
  }
  for (char c : hint) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// True for an instance directory name: <decimal pid>-<hex>.
bool isInstanceName(std::string_view name) {
  size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == name.size()) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = i < dash ? (c >= '0' && c <= '9')
                       : (i == dash || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!ok) {
      return false;
    }
  }
  return true;
}

// $TMPDIR/wdhost-<uid> when TMPDIR is an absolute path, else /tmp/wdhost-<uid>.
std::string defaultRoot() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (tmp != nullptr && tmp[0] == '/') ? tmp : "/tmp";
  while (base.size() > 1 && base.back() == '/') {
    base.pop_back();
  }
  return base + "/wdhost-" + std::to_string(::geteuid());
}

// Creates root (0700) if missing; refuses a symlink, a non-directory, or a foreign owner.
Status prepareRoot(const std::string& root, bool isDefault) {
  if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status(ErrorCode::UnknownError,
                  "cannot create temp root '" + root + "': " + std::strerror(errno));
  }
  struct stat info {};
  if (::lstat(root.c_str(), &info) != 0) {
    return Status(ErrorCode::UnknownError,
                  "cannot inspect temp root '" + root + "': " + std::strerror(errno));
  }
  if (S_ISLNK(info.st_mode)) {
    return Status(ErrorCode::UnknownError, "temp root '" + root + "' is a symlink; refusing it");
  }
  if (!S_ISDIR(info.st_mode)) {
    return Status(ErrorCode::UnknownError, "temp root '" + root + "' is not a directory");
  }
  if (info.st_uid != ::geteuid()) {
    return Status(ErrorCode::UnknownError, "temp root '" + root + "' belongs to uid " +
                                               std::to_string(info.st_uid) +
                                               ", not to this user; refusing it");
  }
  // Our own default root must not be readable by others (it may predate this host).
  if (isDefault && (info.st_mode & 077) != 0 && ::chmod(root.c_str(), 0700) != 0) {
    return Status(ErrorCode::UnknownError, "cannot make temp root '" + root + "' private");
  }
  return Status::ok();
}

// Removes a tree without following symlinks; on failure makes its directories writable
// (a browser may leave read-only ones) and tries once more.
bool removeTree(const fs::path& path, std::string* error) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (!ec) {
    return true;
  }
  std::error_code walk;
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add | fs::perm_options::nofollow,
                  walk);
  // Bounded by the size of the tree; the iterator never follows directory symlinks.
  for (fs::recursive_directory_iterator it(path, walk), end; !walk && it != end;
       it.increment(walk)) {
    std::error_code ignored;
    if (it->symlink_status(ignored).type() == fs::file_type::directory) {
      fs::permissions(it->path(), fs::perms::owner_all,
                      fs::perm_options::add | fs::perm_options::nofollow, ignored);
    }
  }
  ec.clear();
  fs::remove_all(path, ec);
  if (ec && error != nullptr) {
    *error = ec.message();
  }
  return !ec;
}

// Takes the exclusive lock on <root>/.lock that serialises instance creation and reclaim,
// waiting at most 10 s; an empty fd on failure.
UniqueFd lockRoot(const std::string& root) {
  std::string path = root + "/" + kLockName;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return UniqueFd();
  }
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      return fd;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return UniqueFd();
}

// Removes the instance directories under root whose host is gone (called with the root
// lock held, so none is half-created by a live host); returns how many.
size_t reclaimStale(const std::string& root) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code typeError;
    if (isInstanceName(name) && it->symlink_status(typeError).type() == fs::file_type::directory) {
      names.push_back(name);
    }
  }
  size_t reclaimed = 0;
  for (const std::string& name : names) {
    std::string dir = root + "/" + name;
    std::string lockPath = dir + "/" + kLockName;
    UniqueFd lock(::open(lockPath.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (lock.get() < 0 ? errno != ENOENT : ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      continue; // alive (locked), or not ours to judge
    }
    std::string error;
    if (removeTree(dir, &error)) {
      ++reclaimed;
      log(LogLevel::Info, kLog, "reclaimed stale temp dir " + dir);
    } else {
      log(LogLevel::Warn, kLog, "cannot reclaim stale temp dir " + dir + ": " + error);
    }
  }
  return reclaimed;
}

} // namespace

TempDirs::TempDirs(std::string instanceDir, int lockFd)
    : instanceDir_(std::move(instanceDir)), lockFd_(lockFd) {}

Status TempDirs::open(const std::string& root, std::unique_ptr<TempDirs>* out, size_t* reclaimed) {
  try {
    if (reclaimed != nullptr) {
      *reclaimed = 0;
    }
    std::string base = root.empty() ? defaultRoot() : fs::absolute(root).string();
    while (base.size() > 1 && base.back() == '/') {
      base.pop_back();
    }
    if (Status status = prepareRoot(base, root.empty()); !status.isOk()) {
      return status;
    }
    UniqueFd rootLock = lockRoot(base);
    if (rootLock.get() < 0) {
      return Status(ErrorCode::UnknownError, "cannot lock temp root '" + base + "'");
    }
    size_t count = reclaimStale(base);
    std::string instance;
    for (int attempt = 0; attempt < 5 && instance.empty(); ++attempt) {
      std::string hex;
      if (!randomHex(kRandomBytes, &hex)) {
        return Status(ErrorCode::UnknownError, "getrandom failed");
      }
      std::string candidate = base + "/" + std::to_string(::getpid()) + "-" + hex;
      if (::mkdir(candidate.c_str(), 0700) == 0) {
        instance = candidate;
      } else if (errno != EEXIST) {
        return Status(ErrorCode::UnknownError,
                      "cannot create '" + candidate + "': " + std::strerror(errno));
      }
    }
    if (instance.empty()) {
      return Status(ErrorCode::UnknownError, "cannot find a free instance dir in '" + base + "'");
    }
    ::chmod(instance.c_str(), 0700); // exactly 0700, whatever the umask
    std::string lockPath = instance + "/" + kLockName;
    UniqueFd lock(
        ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (lock.get() < 0 || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      std::string reason = std::strerror(errno);
      removeTree(instance, nullptr);
      return Status(ErrorCode::UnknownError, "cannot lock '" + lockPath + "': " + reason);
    }
    out->reset(new TempDirs(instance, lock.release()));
    if (reclaimed != nullptr) {
      *reclaimed = count;
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("cannot set up temp dirs: ") + e.what());
  }
}

TempDirs::~TempDirs() {
  try {
    std::string error;
    if (!removeTree(instanceDir_, &error)) {
      log(LogLevel::Warn, kLog, "cannot remove " + instanceDir_ + ": " + error);
    }
  } catch (...) {
    log(LogLevel::Warn, kLog, "cannot remove the temp instance dir");
  }
  UniqueFd release(lockFd_);
}

Status TempDirs::create(const std::string& owner, std::string_view hint, std::string* path) {
  try {
    if (!validHint(hint)) {
      return Status(ErrorCode::InvalidArgument,
                    "temp dir hint must match [A-Za-z0-9_-]{0,32}: '" + std::string(hint) + "'");
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::string hex;
      if (!randomHex(kRandomBytes, &hex)) {
        return Status(ErrorCode::UnknownError, "getrandom failed");
      }
      std::string dir = instanceDir_ + "/" + (hint.empty() ? "" : std::string(hint) + "-") + hex;
      if (::mkdir(dir.c_str(), 0700) != 0) {
        if (errno == EEXIST) {
          continue;
        }
        return Status(ErrorCode::UnknownError,
                      "cannot create temp dir '" + dir + "': " + std::strerror(errno));
      }
      ::chmod(dir.c_str(), 0700);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        dirs_[dir] = owner;
      }
      if (path != nullptr) {
        *path = dir;
      }
      return Status::ok();
    }
    return Status(ErrorCode::UnknownError, "cannot find a free temp dir name");
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("cannot create temp dir: ") + e.what());
  }
}

Status TempDirs::remove(std::string_view path) {
  try {
    fs::path normal = fs::path(std::string(path)).lexically_normal();
    if (!normal.has_filename()) {
      normal = normal.parent_path();
    }
    std::string key = normal.string();
    std::string owner;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = dirs_.find(key);
      if (found == dirs_.end()) {
        return Status(ErrorCode::InvalidArgument,
                      "not a temp dir created by this host: '" + std::string(path) + "'");
      }
      owner = found->second;
      dirs_.erase(found);
    }
    std::string error;
    if (!removeTree(key, &error)) {
      std::lock_guard<std::mutex> lock(mutex_);
      dirs_[key] = owner;
      return Status(ErrorCode::UnknownError, "cannot remove '" + key + "': " + error);
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return Status(ErrorCode::UnknownError, std::string("cannot remove temp dir: ") + e.what());
  }
}

bool TempDirs::setOwner(std::string_view path, const std::string& owner) {
  try {
    fs::path normal = fs::path(std::string(path)).lexically_normal();
    if (!normal.has_filename()) {
      normal = normal.parent_path();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = dirs_.find(normal.string());
    if (found == dirs_.end()) {
      return false;
    }
    found->second = owner;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

size_t TempDirs::reassignOwner(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t moved = 0;
  for (auto& [dir, owner] : dirs_) {
    if (owner == from) {
      owner = to;
      ++moved;
    }
  }
  return moved;
}

size_t TempDirs::removeOwnedBy(const std::string& owner) {
  try {
    std::vector<std::string> owned;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = dirs_.begin(); it != dirs_.end();) {
        if (it->second == owner) {
          owned.push_back(it->first);
          it = dirs_.erase(it);
        } else {
          ++it;
        }
      }
    }
    size_t removed = 0;
    for (const std::string& dir : owned) {
      std::string error;
      if (removeTree(dir, &error)) {
        ++removed;
      } else {
        log(LogLevel::Warn, kLog, "cannot remove " + dir + ": " + error);
        std::lock_guard<std::mutex> lock(mutex_);
        dirs_[dir] = owner;
      }
    }
    return removed;
  } catch (const std::exception& e) {
    log(LogLevel::Warn, kLog, std::string("removeOwnedBy failed: ") + e.what());
    return 0;
  }
}

} // namespace wdh
