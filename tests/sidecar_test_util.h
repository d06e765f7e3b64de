// Helpers for the sidecar tests: a scratch folder, a free TCP port, `sijtrack serve` started as
// the built binary (its log captured to a file), and shell commands with their output.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "datasets/phantom/Procedure.h"
#include "support/LocalNetwork.h"
#include "support/RunCommand.h"

namespace sij::sidecar::testing {

namespace fs = std::filesystem;

inline fs::path make_scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("sijtrack_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

using sij::testing::free_port;

// Runs a shell command; returns its combined output, exit status in *status (-1 after a signal).
inline std::string run_command(const std::string& command, int* status = nullptr) {
  auto [rc, out] = ::sij::testing::run_command(command);
  if (status) *status = rc;
  return out;
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool wait_until(const std::function<bool()>& condition, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// Files under `dir` (recursively) whose name ends with `suffix`.
inline std::vector<fs::path> files_with_suffix(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A test-size phantom procedure with only its planning and needle scans (0 and 2), written
// under root/phantom: the DICOM files of each scan, the scans in order.
inline std::vector<std::vector<fs::path>> phantom_planning_and_needle_files(const fs::path& root, std::uint64_t seed) {
  sij::phantom::PhantomOptions o;
  o.seed = seed;
  o.size = sij::phantom::PhantomSize::Test;
  o.write_mha = false;
  o.only_scans = {0, 2};
  o.out_dir = (root / "phantom").string();
  sij::phantom::generate_procedure(o);
  std::vector<fs::path> scan_dirs;
  for (const auto& e : fs::directory_iterator(root / "phantom"))
    if (e.is_directory() && e.path().filename().string().rfind("scan_", 0) == 0) scan_dirs.push_back(e.path());
  std::sort(scan_dirs.begin(), scan_dirs.end());
  std::vector<std::vector<fs::path>> scans;
  for (const auto& dir : scan_dirs) scans.push_back(files_with_suffix(dir / "dicom", ".dcm"));
  return scans;
}

inline int count_occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

// `sijtrack serve` as a child process; its stdout and stderr go to log_path.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args, fs::path log_path) : log_(std::move(log_path)) {
    args.insert(args.begin(), {SIJTRACK_BINARY, "serve"});
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // SIGTERM and the exit status (-1: did not exit within the time, or by a signal).
  int terminate(double seconds = 30) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const bool done = wait_until([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, seconds);
    if (!done) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_text(log_); }

 private:
  pid_t pid_ = -1;
  fs::path log_;
};

}  // namespace sij::sidecar::testing
