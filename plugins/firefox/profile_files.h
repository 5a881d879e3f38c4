// Files in a session's Firefox profile: a client's zipped profile (moz:firefoxOptions.profile)
// unpacked without letting any entry leave the profile or plant a link, and the files the plugin
// writes there (user.js, chrome/userChrome.css) opened without following links.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wdhost::firefox {

// What a zipped profile may unpack to at most.
inline constexpr std::size_t kMaxProfileBytes = 512u * 1024 * 1024;
// How many entries a zipped profile may hold at most.
inline constexpr std::size_t kMaxProfileEntries = 20000;

// Unpacks the zip `zip` (its bytes) into the existing, empty directory `dir`: regular files and
// directories only. Throws wdhost::Error("invalid argument") naming the entry when it is a
// symbolic link or special file, has an absolute path or a ".." segment, appears twice, or the
// zip is unreadable or too big; what was unpacked by then stays for the caller to remove.
void unpackProfile(std::string_view zip, const std::string& dir);

// Writes `text` to `relative` ("user.js", "chrome/userChrome.css") under `dir`, creating it (and
// its directories) if missing, appending when `append`, else leaving an existing file alone.
// No component is followed if it is a symbolic link (O_NOFOLLOW, openat). Throws
// wdhost::Error("session not created") when it cannot.
void writeProfileFile(const std::string& dir, const std::string& relative, std::string_view text,
                      bool append);

} // namespace wdhost::firefox
