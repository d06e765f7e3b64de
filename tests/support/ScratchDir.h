// A fresh folder under the system temp directory for one test, removed with everything in it
// when the object goes out of scope (kept when SIJTRACK_KEEP_SCRATCH is set, for debugging).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sij::test {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    static std::atomic<int> serial{0};
    path_ = std::filesystem::temp_directory_path() /
            ("sijtrack_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(serial++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    if (std::getenv("SIJTRACK_KEEP_SCRATCH")) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sij::test
