// Runs a shell command for a test and returns what it printed with its exit status. A command
// ended by a signal (a crash) gives -1, never a status that could read as success.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace sij::testing {

// `command` exactly as given: its stdout, and its exit status in *status.
inline std::string run_stdout(const std::string& command, int* status = nullptr) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    if (status) *status = -1;
    return output;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int rc = ::pclose(pipe);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return output;
}

// Its exit status with stdout and stderr together.
inline std::pair<int, std::string> run_command(const std::string& command) {
  int status = -1;
  std::string output = run_stdout(command + " 2>&1", &status);
  return {status, std::move(output)};
}

}  // namespace sij::testing
