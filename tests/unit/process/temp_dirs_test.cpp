// Tests of TempDirs: private temp dirs under a per-instance dir, reclaimed after a crash.
#include "process/temp_dirs.h"
#include "support/scratch_dir.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

// A scratch directory of this test's own.
struct Scratch : wdhtest::ScratchDir {
  Scratch() : wdhtest::ScratchDir("tempdirs-test") {}
  std::string file(const std::string& name) const { return path(name); }
};

// Opens TempDirs on root or fails the test.
std::unique_ptr<wdh::TempDirs> openOk(const std::string& root, size_t* reclaimed = nullptr) {
  std::unique_ptr<wdh::TempDirs> dirs;
  wdh::Status status = wdh::TempDirs::open(root, &dirs, reclaimed);
  REQUIRE_MESSAGE(status.isOk(), status.message());
  REQUIRE(dirs != nullptr);
  return dirs;
}

// Permission bits of path (not following symlinks).
unsigned modeOf(const std::string& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

} // namespace

TEST_CASE("tempdirs: instance dir is private, locked, and removed at the end") {
  Scratch scratch;
  std::string root = scratch.path("root");
  size_t reclaimed = 99;
  auto dirs = openOk(root, &reclaimed);
  CHECK(reclaimed == 0);
  std::string instance = dirs->instanceDir();
  CHECK(fs::path(instance).parent_path() == root);
  CHECK(fs::path(instance).filename().string().rfind(std::to_string(::getpid()) + "-", 0) == 0);
  CHECK(modeOf(root) == 0700);
  CHECK(modeOf(instance) == 0700);
  CHECK(fs::exists(instance + "/.lock"));
  dirs.reset();
  CHECK_FALSE(fs::exists(instance));
  CHECK(fs::exists(root));
}

TEST_CASE("tempdirs: default root is $TMPDIR/wdhost-<uid>") {
  Scratch scratch;
  const char* old = std::getenv("TMPDIR");
  std::string saved = old != nullptr ? old : "";
  ::setenv("TMPDIR", scratch.dir.c_str(), 1);
  std::unique_ptr<wdh::TempDirs> dirs;
  wdh::Status status = wdh::TempDirs::open("", &dirs, nullptr);
  if (old != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  REQUIRE_MESSAGE(status.isOk(), status.message());
  std::string root = scratch.path("wdhost-" + std::to_string(::geteuid()));
  CHECK(fs::path(dirs->instanceDir()).parent_path() == root);
  CHECK(modeOf(root) == 0700);
}

TEST_CASE("tempdirs: create and remove") {
  Scratch scratch;
  auto dirs = openOk(scratch.path("root"));
  std::string path;
  REQUIRE(dirs->create("session-1", "profile", &path).isOk());
  CHECK(fs::path(path).parent_path() == dirs->instanceDir());
  CHECK(fs::path(path).filename().string().rfind("profile-", 0) == 0);
  CHECK(fs::is_directory(path));
  CHECK(modeOf(path) == 0700);
  fs::create_directories(path + "/a/b");
  std::ofstream(path + "/a/b/file") << "data";
  CHECK(dirs->remove(path).isOk());
  CHECK_FALSE(fs::exists(path));
  CHECK(dirs->remove(path).code() == wdh::ErrorCode::InvalidArgument);

  std::string plain;
  REQUIRE(dirs->create("", "", &plain).isOk());
  CHECK(fs::is_directory(plain));
  CHECK(dirs->remove(plain + "/").isOk()); // a trailing slash names the same dir
  CHECK_FALSE(fs::exists(plain));
}

TEST_CASE("tempdirs: foreign paths and bad hints are refused") {
  Scratch scratch;
  auto dirs = openOk(scratch.path("root"));
  std::string path;
  REQUIRE(dirs->create("s", "ok_hint-1", &path).isOk());
  for (const std::string& foreign :
       {std::string("/tmp"), scratch.dir, dirs->instanceDir(), path + "/..", path + "/x",
        std::string(""), std::string("relative")}) {
    CHECK_MESSAGE(dirs->remove(foreign).code() == wdh::ErrorCode::InvalidArgument, foreign);
  }
  CHECK(fs::is_directory(path));
  CHECK(fs::is_directory(dirs->instanceDir()));
  std::string ignored;
  for (const std::string& hint : {std::string("a/b"), std::string(".."), std::string("a b"),
                                  std::string("x.y"), std::string(33, 'a')}) {
    CHECK_MESSAGE(dirs->create("s", hint, &ignored).code() == wdh::ErrorCode::InvalidArgument,
                  hint);
  }
  CHECK(dirs->create("s", std::string(32, 'a'), &ignored).isOk());
}

TEST_CASE("tempdirs: remove does not follow symlinks") {
  Scratch scratch;
  auto dirs = openOk(scratch.path("root"));
  std::string outside = scratch.path("outside");
  fs::create_directories(outside);
  std::ofstream(outside + "/precious") << "keep";
  std::string path;
  REQUIRE(dirs->create("", "links", &path).isOk());
  fs::create_directory_symlink(outside, path + "/link");
  CHECK(dirs->remove(path).isOk());
  CHECK_FALSE(fs::exists(path));
  CHECK(fs::exists(outside + "/precious"));
}

TEST_CASE("tempdirs: removeOwnedBy removes only that owner's dirs") {
  Scratch scratch;
  auto dirs = openOk(scratch.path("root"));
  std::string a, b, c;
  REQUIRE(dirs->create("s1", "a", &a).isOk());
  REQUIRE(dirs->create("s1", "b", &b).isOk());
  REQUIRE(dirs->create("s2", "c", &c).isOk());
  CHECK(dirs->removeOwnedBy("s1") == 2);
  CHECK_FALSE(fs::exists(a));
  CHECK_FALSE(fs::exists(b));
  CHECK(fs::exists(c));
  CHECK(dirs->removeOwnedBy("s1") == 0);
  CHECK(dirs->remove(c).isOk());
}

TEST_CASE("tempdirs: stale instance dirs are reclaimed, live ones kept") {
  Scratch scratch;
  std::string root = scratch.path("root");
  auto live = openOk(root);
  std::string stale = root + "/12345-00deadbeef";
  fs::create_directories(stale + "/profile/cache");
  std::ofstream(stale + "/.lock") << "";
  std::ofstream(stale + "/profile/cache/data") << "x";
  std::string halfMade = root + "/23456-abc"; // died before creating its .lock
  fs::create_directories(halfMade);
  std::string unrelated = root + "/not-an-instance";
  fs::create_directories(unrelated);

  size_t reclaimed = 0;
  auto second = openOk(root, &reclaimed);
  CHECK(reclaimed == 2);
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(fs::exists(halfMade));
  CHECK(fs::exists(unrelated));
  CHECK(fs::is_directory(live->instanceDir()));
  CHECK(live->instanceDir() != second->instanceDir());
}

TEST_CASE("tempdirs: unsafe roots are refused") {
  Scratch scratch;
  std::string real = scratch.path("real");
  fs::create_directories(real);
  std::string link = scratch.path("link");
  fs::create_directory_symlink(real, link);
  std::unique_ptr<wdh::TempDirs> dirs;
  wdh::Status symlinked = wdh::TempDirs::open(link, &dirs, nullptr);
  CHECK_FALSE(symlinked.isOk());
  CHECK(symlinked.message().find("symlink") != std::string::npos);
  CHECK(dirs == nullptr);
  CHECK(fs::is_empty(real));

  std::string file = scratch.path("file");
  std::ofstream(file) << "x";
  CHECK_FALSE(wdh::TempDirs::open(file, &dirs, nullptr).isOk());

  if (::geteuid() == 0) { // only root can make a directory owned by someone else
    std::string foreign = scratch.path("foreign");
    fs::create_directories(foreign);
    REQUIRE(::chown(foreign.c_str(), 65534, 65534) == 0);
    wdh::Status status = wdh::TempDirs::open(foreign, &dirs, nullptr);
    CHECK_FALSE(status.isOk());
    CHECK(status.message().find("uid") != std::string::npos);
  }
  CHECK(dirs == nullptr);
}
