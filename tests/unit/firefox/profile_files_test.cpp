// The firefox plugin's profile files: a client's zipped profile unpacks with files and
// directories only (no symbolic link, no entry outside the profile, no stale Marionette port),
// and the files the plugin writes into a profile never follow a link.
#include "profile_files.h"

#include <Poco/Base64Decoder.h>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <wdhost/plugin.hpp>

namespace fs = std::filesystem;
using namespace wdhost::firefox;

namespace {

// Zips a client could send, made with Python's zipfile (Unix attributes).
// prefs.js, chrome/ (a directory entry), chrome/userContent.css, ./extensions/x.txt and a stale
// MarionetteActivePort.
const char* kGoodProfile =
    "UEsDBBQAAAAAAAAAIQAi9EQkEwAAABMAAAAIAAAAcHJlZnMuanN1c2VyX3ByZWYoImEiLCAxKTsK"
    "UEsDBBQAAAAAAAAAIQAAAAAAAAAAAAAAAAAHAAAAY2hyb21lL1BLAwQUAAAAAAAAACEAWXGH4gYA"
    "AAAGAAAAFgAAAGNocm9tZS91c2VyQ29udGVudC5jc3Nib2R5e31QSwMEFAAAAAAAAAAhAIMW3IwB"
    "AAAAAQAAABIAAAAuL2V4dGVuc2lvbnMveC50eHR4UEsDBBQAAAAAAAAAIQDxt2yUBAAAAAQAAAAU"
    "AAAATWFyaW9uZXR0ZUFjdGl2ZVBvcnQyODI4UEsBAhQDFAAAAAAAAAAhACL0RCQTAAAAEwAAAAgA"
    "AAAAAAAAAAAAAKSBAAAAAHByZWZzLmpzUEsBAhQDFAAAAAAAAAAhAAAAAAAAAAAAAAAAAAcAAAAA"
    "AAAAAAAQAO1BOQAAAGNocm9tZS9QSwECFAMUAAAAAAAAACEAWXGH4gYAAAAGAAAAFgAAAAAAAAAA"
    "AAAApIFeAAAAY2hyb21lL3VzZXJDb250ZW50LmNzc1BLAQIUAxQAAAAAAAAAIQCDFtyMAQAAAAEA"
    "AAASAAAAAAAAAAAAAACkgZgAAAAuL2V4dGVuc2lvbnMveC50eHRQSwECFAMUAAAAAAAAACEA8bds"
    "lAQAAAAEAAAAFAAAAAAAAAAAAAAApIHJAAAATWFyaW9uZXR0ZUFjdGl2ZVBvcnRQSwUGAAAAAAUA"
    "BQAxAQAA/wAAAAAA";
// prefs.js, then user.js as a symbolic link to /tmp/wdhost-profile-target.
const char* kSymlinkProfile =
    "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAAIAAAAcHJlZnMuanN4UEsDBBQAAAAAAAAAIQA64Ocq"
    "GgAAABoAAAAHAAAAdXNlci5qcy90bXAvd2Rob3N0LXByb2ZpbGUtdGFyZ2V0UEsBAhQDFAAAAAAA"
    "AAAhAIMW3IwBAAAAAQAAAAgAAAAAAAAAAAAAAKSBAAAAAHByZWZzLmpzUEsBAhQDFAAAAAAAAAAh"
    "ADrg5yoaAAAAGgAAAAcAAAAAAAAAAAAAAP+hJwAAAHVzZXIuanNQSwUGAAAAAAIAAgBrAAAAZgAA"
    "AAAA";
// prefs.js, then "../escape.txt".
const char* kDotDotProfile =
    "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAAIAAAAcHJlZnMuanN4UEsDBBQAAAAAAAAAIQCDFtyM"
    "AQAAAAEAAAANAAAALi4vZXNjYXBlLnR4dHhQSwECFAMUAAAAAAAAACEAgxbcjAEAAAABAAAACAAA"
    "AAAAAAAAAAAApIEAAAAAcHJlZnMuanNQSwECFAMUAAAAAAAAACEAgxbcjAEAAAABAAAADQAAAAAA"
    "AAAAAAAApIEnAAAALi4vZXNjYXBlLnR4dFBLBQYAAAAAAgACAHEAAABTAAAAAAA=";
// "/tmp/wdhost-abs-escape.txt".
const char* kAbsoluteProfile =
    "UEsDBBQAAAAAAAAAIQCDFtyMAQAAAAEAAAAaAAAAL3RtcC93ZGhvc3QtYWJzLWVzY2FwZS50eHR4"
    "UEsBAhQDFAAAAAAAAAAhAIMW3IwBAAAAAQAAABoAAAAAAAAAAAAAAKSBAAAAAC90bXAvd2Rob3N0"
    "LWFicy1lc2NhcGUudHh0UEsFBgAAAAABAAEASAAAADkAAAAAAA==";
// "a.txt" and "./a.txt".
const char* kTwiceProfile =
    "UEsDBBQAAAAAAAAAIQC379yDAQAAAAEAAAAFAAAAYS50eHQxUEsDBBQAAAAAAAAAIQANvtUaAQAA"
    "AAEAAAAHAAAALi9hLnR4dDJQSwECFAMUAAAAAAAAACEAt+/cgwEAAAABAAAABQAAAAAAAAAAAAAA"
    "pIEAAAAAYS50eHRQSwECFAMUAAAAAAAAACEADb7VGgEAAAABAAAABwAAAAAAAAAAAAAApIEkAAAA"
    "Li9hLnR4dFBLBQYAAAAAAgACAGgAAABKAAAAAAA=";

std::string decoded(const char* base64) {
  std::istringstream in(base64);
  Poco::Base64Decoder decoder(in);
  return std::string(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh directory holding "profile/" (empty) beside which nothing else is.
struct Scratch {
  Scratch() {
    char pattern[] = "/tmp/wdhost-profile-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    root = pattern;
    profile = root / "profile";
    fs::create_directory(profile);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  fs::path root;
  fs::path profile;
};

std::string refusal(const char* zip, const fs::path& dir) {
  try {
    unpackProfile(decoded(zip), dir.string());
  } catch (const wdhost::Error& e) {
    CHECK(std::string(e.code()) == "invalid argument");
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("firefox profile: a zipped profile unpacks its files and directories") {
  Scratch scratch;
  unpackProfile(decoded(kGoodProfile), scratch.profile.string());
  CHECK(readFile(scratch.profile / "prefs.js") == "user_pref(\"a\", 1);\n");
  CHECK(readFile(scratch.profile / "chrome/userContent.css") == "body{}");
  CHECK(readFile(scratch.profile / "extensions/x.txt") == "x");
  // A port file in the zip would point the plugin at another Firefox.
  CHECK_FALSE(fs::exists(scratch.profile / "MarionetteActivePort"));
}

TEST_CASE("firefox profile: a zipped symbolic link is refused, never created") {
  Scratch scratch;
  std::string why = refusal(kSymlinkProfile, scratch.profile);
  CHECK(why.find("symbolic link") != std::string::npos);
  CHECK(why.find("user.js") != std::string::npos);
  CHECK_FALSE(fs::is_symlink(scratch.profile / "user.js"));
  CHECK_FALSE(fs::exists(scratch.profile / "user.js"));
}

TEST_CASE("firefox profile: entries outside the profile are refused") {
  Scratch scratch;
  CHECK(!refusal(kDotDotProfile, scratch.profile).empty());
  CHECK_FALSE(fs::exists(scratch.root / "escape.txt"));
  CHECK(!refusal(kAbsoluteProfile, scratch.profile).empty());
  CHECK_FALSE(fs::exists("/tmp/wdhost-abs-escape.txt"));
  CHECK(refusal(kTwiceProfile, scratch.profile).find("twice") != std::string::npos);
  CHECK(!refusal("bm90IGEgemlw", scratch.profile).empty()); // "not a zip"
}

TEST_CASE("firefox profile: the plugin's own files never follow a link") {
  Scratch scratch;
  writeProfileFile(scratch.profile.string(), "user.js", "one;\n", true);
  writeProfileFile(scratch.profile.string(), "user.js", "two;\n", true);
  CHECK(readFile(scratch.profile / "user.js") == "one;\ntwo;\n");
  writeProfileFile(scratch.profile.string(), "chrome/userChrome.css", "host", false);
  writeProfileFile(scratch.profile.string(), "chrome/userChrome.css", "again", false);
  CHECK(readFile(scratch.profile / "chrome/userChrome.css") == "host"); // an existing one wins

  // Links planted in a profile (by a client's zip before it was refused, or anything else).
  Scratch other;
  std::ofstream(other.root / "target.txt") << "precious";
  fs::create_symlink(other.root / "target.txt", other.profile / "user.js");
  fs::create_directory(other.root / "elsewhere");
  fs::create_directory_symlink(other.root / "elsewhere", other.profile / "chrome");
  CHECK_THROWS_AS(writeProfileFile(other.profile.string(), "user.js", "evil", true), wdhost::Error);
  CHECK(readFile(other.root / "target.txt") == "precious");
  CHECK_THROWS_AS(writeProfileFile(other.profile.string(), "chrome/userChrome.css", "evil", false),
                  wdhost::Error);
  CHECK_FALSE(fs::exists(other.root / "elsewhere/userChrome.css"));
}
