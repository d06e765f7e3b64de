// Loopback helpers for the end-to-end tests that talk to real DICOM peers: a free TCP port, a
// "is anyone listening" probe, and DCMTK's storescp as a child process (the peer nobody here
// wrote) that stores what it receives into a folder.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace sij::testing {

// A TCP port nobody listens on right now (bound to 0, read back, closed).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// storescp as a child process: stores what it receives into `out_dir`, one file per instance
// named by SOP Instance UID (+uf); `extra` adds options (e.g. refusing everything). Waits up
// to 5 s for it to listen; stopped (SIGTERM) on destruction.
class StoreScp {
 public:
  explicit StoreScp(const std::filesystem::path& out_dir, std::vector<std::string> extra = {},
                    const std::string& ae_title = "CONSOLE")
      : port_(free_port()) {
    std::filesystem::create_directories(out_dir);
    std::vector<std::string> args = {"storescp", "--aetitle", ae_title, "--output-directory", out_dir.string(), "+uf"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(std::to_string(port_));
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("storescp", argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !port_open(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~StoreScp() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  StoreScp(const StoreScp&) = delete;
  StoreScp& operator=(const StoreScp&) = delete;
  int port() const { return port_; }
  bool listening() const { return port_open(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

}  // namespace sij::testing
