// Watch-folder mode, for consoles that export files instead of sending them: every file that
// appears under the folder (recursively) is taken in through SidecarCore::accept_file once its
// size and modification time have stayed the same for one poll (the export has finished).
// The originals are never modified, moved or deleted; each file is taken once per run (a file
// rewritten later, with a new size or time, is taken again). A file that is not CT DICOM is
// logged and skipped.
#pragma once

#include <filesystem>
#include <memory>

namespace sij::sidecar {

class SidecarCore;

class WatchFolder {
 public:
  // Throws std::runtime_error when the folder does not exist.
  WatchFolder(SidecarCore& core, std::filesystem::path folder, double poll_seconds);
  ~WatchFolder();  // stop()
  WatchFolder(const WatchFolder&) = delete;
  WatchFolder& operator=(const WatchFolder&) = delete;

  void start();  // polls on a background thread
  void stop();   // finishes the file being taken, then returns

  // One poll, on the caller's thread (tests, and the background thread): returns how many
  // files were handed to the core in this poll.
  int poll_once();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sij::sidecar
