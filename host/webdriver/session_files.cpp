#include "webdriver/session_files.h"

#include "core/base64.h"
#include "process/temp_dirs.h"
#include "process/unique_fd.h"

#include "json/json.h"
#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace wdh {
namespace {

namespace fs = std::filesystem;

// A download still being written: Chrome's hidden temp file, then its .crdownload; Firefox's
// .part; Safari's .download.
bool isPartialDownload(std::string_view name) {
  if (name.substr(0, 14) == ".org.chromium.")
    return true;
  for (std::string_view suffix : {".crdownload", ".part", ".download"})
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      return true;
  return false;
}

// Writes `in` to a new file `path` (never an existing file or a symlink), at most `limit` bytes;
// *written is how many it wrote.
Status writeNewFile(const std::string& path, std::istream& in, std::size_t limit,
                    std::size_t* written) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status(ErrorCode::UnknownError, "cannot create " + path + ": " + strerror(errno));
  char buffer[64 * 1024];
  std::size_t total = 0;
  Status status;
  while (status.isOk() && in) {
    in.read(buffer, sizeof buffer);
    auto got = static_cast<std::size_t>(in.gcount());
    total += got;
    if (total > limit) {
      status = Status(ErrorCode::InvalidArgument, "the uploaded file unpacks to more than " +
                                                      std::to_string(limit >> 20) + " MiB");
      break;
    }
    for (std::size_t done = 0; done < got;) {
      ssize_t n = ::write(fd, buffer + done, got - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        status = Status(ErrorCode::UnknownError, "cannot write " + path + ": " + strerror(errno));
        break;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  if (!status.isOk())
    ::unlink(path.c_str());
  *written = total;
  return status;
}

Status uploadArgument(std::string message) {
  return Status(ErrorCode::InvalidArgument,
                std::move(message) +
                    "; POST /se/file takes {\"file\": \"<base64 of a zip holding one file>\"}");
}

Status budgetSpent(const UploadBudget& budget) {
  return Status(ErrorCode::InvalidArgument,
                "this session's uploads would pass their budget of " +
                    std::to_string(budget.limit() >> 20) + " MiB (" +
                    std::to_string(budget.used() >> 20) +
                    " MiB used); end the session or start a new one for more");
}

} // namespace

Status readDownload(const std::string& dir, const std::string& name, std::string* out) {
  UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirFd.get() < 0)
    return Status(ErrorCode::UnknownError,
                  "cannot open the download directory: " + std::string(strerror(errno)));
  UniqueFd fd(::openat(dirFd.get(), name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    return Status(ErrorCode::InvalidArgument,
                  "the download " + quoteJson(name) + " cannot be read: " + strerror(errno) +
                      (errno == ELOOP ? " (it is a symbolic link)" : ""));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode))
    return Status(ErrorCode::InvalidArgument,
                  "the download " + quoteJson(name) + " is not a regular file");
  if (static_cast<std::uint64_t>(info.st_size) > kMaxDownloadBytes)
    return Status(ErrorCode::UnsupportedOperation,
                  "the download " + quoteJson(name) + " is larger than the " +
                      std::to_string(kMaxDownloadBytes >> 20) + " MiB this host serves");
  out->clear();
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return Status(ErrorCode::UnknownError,
                    "cannot read the download " + quoteJson(name) + ": " + strerror(errno));
    if (n == 0)
      return Status::ok();
    if (out->size() + static_cast<std::size_t>(n) > kMaxDownloadBytes)
      return Status(ErrorCode::UnsupportedOperation,
                    "the download " + quoteJson(name) + " grew past the " +
                        std::to_string(kMaxDownloadBytes >> 20) + " MiB this host serves");
    out->append(buffer, static_cast<std::size_t>(n));
  }
}

namespace {

// A zip holding the one file `dir`/`name`, base64-encoded.
Status zipOneFile(const std::string& dir, const std::string& name, std::string* out) {
  std::string contents;
  Status status = readDownload(dir, name, &contents);
  if (!status.isOk())
    return status;
  std::istringstream in(contents);
  std::ostringstream zip;
  Poco::Zip::Compress compress(zip, true);
  compress.addFile(in, Poco::DateTime(), Poco::Path(name));
  compress.close();
  *out = base64Encode(zip.str());
  return Status::ok();
}

} // namespace

bool isPlainFileName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..")
    return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

std::vector<std::string> listDownloads(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file(error) && !entry.is_symlink(error) && !isPartialDownload(name) &&
        isPlainFileName(name))
      names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status uploadFile(TempDirs& tempDirs, const std::string& owner, std::string_view body,
                  UploadBudget& budget, std::string* response) {
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return uploadArgument("the body is not a JSON object");
  auto file = doc.FindMember("file");
  if (file == doc.MemberEnd() || !file->value.IsString())
    return uploadArgument("\"file\" is missing or not a string");
  std::string zip;
  if (!base64Decode(std::string_view(file->value.GetString(), file->value.GetStringLength()), &zip))
    return uploadArgument("\"file\" is not base64");
  std::istringstream zipStream(zip);
  try {
    Poco::Zip::ZipArchive archive(zipStream);
    const Poco::Zip::ZipLocalFileHeader* only = nullptr;
    std::size_t files = 0;
    for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
      if (it->second.isDirectory())
        continue;
      ++files;
      only = &it->second;
    }
    if (files != 1)
      return uploadArgument("the zip holds " + std::to_string(files) + " files, not exactly one");
    // Only the last path segment is used: an entry named "../x" or "/etc/x" lands as "x".
    std::string name = Poco::Path(only->getFileName(), Poco::Path::PATH_UNIX).getFileName();
    if (!isPlainFileName(name))
      return uploadArgument("the file in the zip has no usable name");
    if (only->getUncompressedSize() > kMaxUploadBytes)
      return uploadArgument("the file unpacks to more than " +
                            std::to_string(kMaxUploadBytes >> 20) + " MiB");
    // The size the zip declares is taken first; what it really unpacks to is settled after.
    std::uint64_t declared = only->getUncompressedSize();
    if (!budget.take(declared))
      return budgetSpent(budget);
    std::string dir;
    Status status = tempDirs.create(owner, "upload", &dir);
    if (!status.isOk()) {
      budget.give(declared);
      return status;
    }
    Poco::Zip::ZipInputStream unpacked(zipStream, *only);
    std::string path = dir + "/" + name;
    std::size_t written = 0;
    status = writeNewFile(path, unpacked, kMaxUploadBytes, &written);
    if (status.isOk() && written > declared && !budget.take(written - declared))
      status = budgetSpent(budget);
    if (!status.isOk()) {
      budget.give(declared);
      (void)tempDirs.remove(dir);
      return status;
    }
    if (written < declared)
      budget.give(declared - written);
    *response = "{\"value\":" + quoteJson(path) + "}";
    return Status::ok();
  } catch (const Poco::Exception& e) {
    return uploadArgument("\"file\" is not a readable zip (" + e.displayText() + ")");
  } catch (const std::exception& e) {
    return uploadArgument(std::string("\"file\" is not a readable zip (") + e.what() + ")");
  }
}

Status serveDownloads(const std::string& dir, std::string_view method, std::string_view body,
                      std::string* response) {
  if (dir.empty())
    return Status(ErrorCode::UnsupportedOperation,
                  "this session has no managed downloads: ask for \"se:downloadsEnabled\": true "
                  "in New Session");
  if (method == "DELETE") {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      std::error_code removeError;
      fs::remove_all(entry.path(), removeError); // a symlink is removed, never followed
    }
    *response = "{\"value\":null}";
    return Status::ok();
  }
  std::vector<std::string> names = listDownloads(dir);
  if (method == "GET") {
    std::string list;
    for (const std::string& name : names)
      list += (list.empty() ? "" : ",") + quoteJson(name);
    *response = "{\"value\":{\"names\":[" + list + "]}}";
    return Status::ok();
  }
  rapidjson::Document doc;
  const rapidjson::Value* nameValue = nullptr;
  if (parseJsonObject(body, &doc).isOk()) {
    auto member = doc.FindMember("name");
    if (member != doc.MemberEnd() && member->value.IsString())
      nameValue = &member->value;
  }
  if (nameValue == nullptr)
    return Status(ErrorCode::InvalidArgument,
                  "POST /se/files takes {\"name\": \"<a file name GET /se/files lists>\"}");
  std::string name(nameValue->GetString(), nameValue->GetStringLength());
  // Only a name the listing has is served: no path, no symlink, nothing outside the directory.
  if (std::find(names.begin(), names.end(), name) == names.end())
    return Status(ErrorCode::InvalidArgument,
                  "this session downloaded no file named " + quoteJson(name.substr(0, 255)) +
                      "; GET /se/files lists " + std::to_string(names.size()) + " file(s)");
  std::string contents;
  Status status = zipOneFile(dir, name, &contents);
  if (!status.isOk())
    return status;
  *response =
      "{\"value\":{\"filename\":" + quoteJson(name) + ",\"contents\":\"" + contents + "\"}}";
  return Status::ok();
}

} // namespace wdh
