#include "profile_files.h"

#include <Poco/Exception.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <wdhost/plugin.hpp>

namespace wdhost::firefox {
namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }

private:
  int fd_;
};

[[noreturn]] void refuse(const std::string& why) {
  throw wdhost::Error("invalid argument", "moz:firefoxOptions.profile " + why);
}

// The segments of a zip entry's name; refuses absolute paths, ".." and control characters.
std::vector<std::string> segmentsOf(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos)
    refuse("has an entry with an absolute or unusable path: \"" + name.substr(0, 200) + "\"");
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    std::string segment = name.substr(start, slash == std::string::npos ? slash : slash - start);
    if (segment == "..")
      refuse("has an entry that leaves the profile: \"" + name.substr(0, 200) + "\"");
    for (char c : segment)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        refuse("has an entry with a control character in its name");
    if (!segment.empty() && segment != ".")
      segments.push_back(std::move(segment));
    if (slash == std::string::npos)
      break;
    start = slash + 1;
  }
  return segments;
}

// Opens directory `name` in `parent`, creating it when `create`; never follows a link.
int openDirectory(int parent, const std::string& name, bool create) {
  if (create && ::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST)
    return -1;
  return ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// The directory holding the last of `segments` under `root`, created as needed, as an open fd.
int openParent(int root, const std::vector<std::string>& segments, std::size_t count) {
  int current = ::dup(root);
  for (std::size_t i = 0; i < count && current >= 0; ++i) {
    int next = openDirectory(current, segments[i], true);
    ::close(current);
    current = next;
  }
  return current;
}

void writeAll(int fd, std::string_view text, const std::string& what) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw wdhost::Error("session not created", "cannot write " + what + ": " + strerror(errno));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// An entry's Unix mode, or 0 when the zip was not made on Unix (APPNOTE 4.4.2, 4.4.15): Poco
// keeps the external attributes private (and misreads the host system), so both are read where
// the ZIP format puts them in the central directory header Poco rebuilds.
unsigned unixMode(const Poco::Zip::ZipFileInfo& info) {
  constexpr std::size_t kMadeBy = 5;      // high byte of "version made by": 3 Unix, 19 OS X
  constexpr std::size_t kAttributes = 38; // external file attributes, 4 bytes little-endian
  std::string header = info.createHeader();
  if (header.size() < kAttributes + 4 || (header[kMadeBy] != 3 && header[kMadeBy] != 19))
    return 0;
  auto byte = [&header](std::size_t at) { return static_cast<unsigned char>(header[at]); };
  return static_cast<unsigned>(byte(kAttributes + 2)) | static_cast<unsigned>(byte(kAttributes + 3))
                                                            << 8;
}

} // namespace

void unpackProfile(std::string_view zip, const std::string& dir) {
  Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0)
    throw wdhost::Error("session not created", "cannot open the profile directory " + dir);
  std::istringstream in{std::string(zip)};
  try {
    Poco::Zip::ZipArchive archive(in);
    // The central directory says what each entry is: only files and directories are unpacked.
    std::size_t entries = 0;
    std::size_t total = 0;
    for (auto it = archive.fileInfoBegin(); it != archive.fileInfoEnd(); ++it) {
      const Poco::Zip::ZipFileInfo& info = it->second;
      if (++entries > kMaxProfileEntries)
        refuse("has more than " + std::to_string(kMaxProfileEntries) + " entries");
      segmentsOf(info.getFileName());
      unsigned type = unixMode(info) & S_IFMT;
      if (type != 0 && type != S_IFREG && type != S_IFDIR)
        refuse(std::string("has an entry that is ") +
               (type == S_IFLNK ? "a symbolic link" : "not a file or directory") + ": \"" +
               info.getFileName().substr(0, 200) + "\"");
      total += info.getUncompressedSize();
      if (total > kMaxProfileBytes)
        refuse("unpacks to more than " + std::to_string(kMaxProfileBytes >> 20) + " MiB");
    }
    if (entries == 0)
      refuse("is not a zip of a profile directory: it holds no entry");
    std::set<std::string> seen;
    std::size_t written = 0;
    for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
      const Poco::Zip::ZipLocalFileHeader& header = it->second;
      std::vector<std::string> segments = segmentsOf(header.getFileName());
      if (segments.empty())
        continue;
      bool directory = header.isDirectory();
      Fd parent(openParent(root.get(), segments, segments.size() - (directory ? 0 : 1)));
      if (parent.get() < 0)
        refuse("has an entry whose directory cannot be made: \"" +
               header.getFileName().substr(0, 200) + "\"");
      if (directory)
        continue;
      std::string path;
      for (const std::string& segment : segments)
        path += (path.empty() ? "" : "/") + segment;
      if (!seen.insert(path).second)
        refuse("holds \"" + path.substr(0, 200) + "\" twice");
      Fd file(::openat(parent.get(), segments.back().c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (file.get() < 0)
        refuse("has an entry that cannot be written: \"" + path.substr(0, 200) + "\" (" +
               strerror(errno) + ")");
      Poco::Zip::ZipInputStream unpacked(in, header);
      char buffer[64 * 1024];
      while (unpacked) {
        unpacked.read(buffer, sizeof buffer);
        auto got = static_cast<std::size_t>(unpacked.gcount());
        written += got;
        if (written > kMaxProfileBytes)
          refuse("unpacks to more than " + std::to_string(kMaxProfileBytes >> 20) + " MiB");
        writeAll(file.get(), std::string_view(buffer, got), "the profile's " + path);
      }
    }
  } catch (const Poco::Exception& e) {
    refuse("is not a readable zip of a profile directory (" + e.displayText() + ")");
  }
  // A stale port file would point the plugin at another Firefox before this one writes its own.
  ::unlinkat(root.get(), "MarionetteActivePort", 0);
}

void writeProfileFile(const std::string& dir, const std::string& relative, std::string_view text,
                      bool append) {
  std::vector<std::string> segments;
  for (std::size_t start = 0, slash = 0; slash != std::string::npos; start = slash + 1) {
    slash = relative.find('/', start);
    segments.push_back(relative.substr(start, slash == std::string::npos ? slash : slash - start));
  }
  Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  Fd parent(root.get() < 0 ? -1 : openParent(root.get(), segments, segments.size() - 1));
  if (parent.get() < 0)
    throw wdhost::Error("session not created", "cannot open the directory of " + dir + "/" +
                                                   relative + ": " + strerror(errno));
  int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : O_EXCL);
  Fd file(::openat(parent.get(), segments.back().c_str(), flags, 0600));
  if (file.get() < 0) {
    if (!append && errno == EEXIST)
      return; // the user's own file wins
    throw wdhost::Error("session not created",
                        "cannot write " + dir + "/" + relative + ": " + strerror(errno) +
                            (errno == ELOOP ? " (it is a symbolic link)" : ""));
  }
  writeAll(file.get(), text, dir + "/" + relative);
}

} // namespace wdhost::firefox
