// A session's managed files, as Selenium Grid serves them and forwards them to a relay target:
// POST /se/file (upload a zipped file the browser can then read) and GET|POST|DELETE /se/files
// (list, fetch as a zip, and delete what the browser downloaded). Served by the host for every
// backend; nothing outside the session's own directories is ever read or written.
#pragma once

#include "core/status.h"
#include "session/upload_budget.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

class TempDirs;

// Bounds of what one upload may unpack to.
inline constexpr std::size_t kMaxUploadBytes = 256u * 1024 * 1024;

// The largest download POST /se/files serves (it is zipped and base64-encoded in memory).
inline constexpr std::size_t kMaxDownloadBytes = 256u * 1024 * 1024;

// True when `name` can be a file directly in a directory: not empty, not "." or "..", at most
// 255 bytes, no '/', no NUL and no control character.
bool isPlainFileName(std::string_view name);

// The complete downloads in `dir`, sorted: regular files only (no symlinks, directories or a
// browser's partial downloads: Chrome's hidden .org.chromium.* and .crdownload, .part,
// .download).
std::vector<std::string> listDownloads(const std::string& dir);

// POST /se/file: `body` is {"file": base64 of a zip holding exactly one file}. Unpacks it into a
// new directory of `owner` in `tempDirs`, taking its size from `budget` (the session's uploads
// together; InvalidArgument once spent), and sets *response to {"value": "<its path>"}.
Status uploadFile(TempDirs& tempDirs, const std::string& owner, std::string_view body,
                  UploadBudget& budget, std::string* response);

// The contents of the regular file `name` directly in `dir`, opened with openat(O_NOFOLLOW) and
// checked with fstat: a symlink, FIFO or directory swapped in after the listing is refused
// (InvalidArgument), never followed; a file over kMaxDownloadBytes is UnsupportedOperation.
Status readDownload(const std::string& dir, const std::string& name, std::string* out);

// GET|POST|DELETE /se/files on download directory `dir` ("" when the session has none):
// GET lists {"value":{"names":[...]}}; POST {"name": N} answers
// {"value":{"filename":N,"contents":<base64 zip of N>}} for a regular file of at most
// kMaxDownloadBytes, opened without following a link; DELETE removes every download.
Status serveDownloads(const std::string& dir, std::string_view method, std::string_view body,
                      std::string* response);

} // namespace wdh
