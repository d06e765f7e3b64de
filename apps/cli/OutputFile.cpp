#include "apps/cli/OutputFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sij::cli {

void create_parent_folders(const std::string& path) {
  if (is_stdout(path)) return;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw OutputFileError("cannot create the folder " + parent.string() + " for " + path + ": " + ec.message());
  }
}

void write_output(const std::string& path, const std::string& text, const char* mode) {
  if (is_stdout(path)) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  create_parent_folders(path);
  std::FILE* file = std::fopen(path.c_str(), mode);
  if (file == nullptr) throw OutputFileError("cannot write " + path + ": " + std::strerror(errno));
  const std::size_t written = std::fwrite(text.data(), 1, text.size(), file);
  const int write_errno = written == text.size() ? 0 : errno;
  const bool flushed = std::fflush(file) == 0;
  const int flush_errno = flushed ? 0 : errno;
  const bool closed = std::fclose(file) == 0;
  if (written != text.size() || !flushed || !closed) {
    const int e = write_errno != 0 ? write_errno : flush_errno != 0 ? flush_errno : errno;
    throw OutputFileError("cannot write " + path + ": " + std::strerror(e));
  }
}

}  // namespace sij::cli
