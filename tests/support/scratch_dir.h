// A private scratch directory for a test, removed with everything in it at scope exit.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace wdhtest {

// Made under /tmp as wdh-<label>-XXXXXX; throws when it cannot be made.
class ScratchDir {
public:
  explicit ScratchDir(const std::string& label) {
    std::string pattern = "/tmp/wdh-" + label + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make a scratch directory " + pattern);
    dir = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // The path of `name` inside it.
  std::string path(const std::string& name) const { return dir + "/" + name; }
  // Writes `text` to the file `name` inside it.
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
  }

  std::string dir; // its absolute path
};

} // namespace wdhtest
