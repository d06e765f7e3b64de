#include "sidecar/WatchFolder.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "sidecar/SidecarCore.h"

namespace sij::sidecar {
namespace fs = std::filesystem;

namespace {

struct FileState {
  std::uintmax_t size = 0;
  fs::file_time_type mtime;
  bool operator==(const FileState& other) const { return size == other.size && mtime == other.mtime; }
};

}  // namespace

struct WatchFolder::Impl {
  SidecarCore& core;
  fs::path folder;
  std::chrono::milliseconds poll;
  std::map<fs::path, FileState> seen;   // state at the last poll
  std::map<fs::path, FileState> taken;  // state when handed to the core
  std::mutex poll_mutex;
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread thread;

  Impl(SidecarCore& c, fs::path f, double seconds)
      : core(c), folder(std::move(f)), poll(std::chrono::milliseconds(static_cast<long long>(seconds * 1000))) {}
};

WatchFolder::WatchFolder(SidecarCore& core, fs::path folder, double poll_seconds)
    : impl_(std::make_unique<Impl>(core, std::move(folder), poll_seconds)) {
  if (!fs::is_directory(impl_->folder))
    throw std::runtime_error("watch folder " + impl_->folder.string() + " does not exist or is not a folder");
}

WatchFolder::~WatchFolder() { stop(); }

int WatchFolder::poll_once() {
  std::lock_guard lock(impl_->poll_mutex);
  std::map<fs::path, FileState> now;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(impl_->folder, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fec;
    if (!it->is_regular_file(fec)) continue;
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;  // hidden: editors' and exporters' temp files
    FileState state{it->file_size(fec), it->last_write_time(fec)};
    if (!fec) now[it->path()] = state;
  }
  int handed = 0;
  for (const auto& [path, state] : now) {
    auto before = impl_->seen.find(path);
    const bool stable = before != impl_->seen.end() && before->second == state;
    if (!stable) continue;
    auto done = impl_->taken.find(path);
    if (done != impl_->taken.end() && done->second == state) continue;
    impl_->taken[path] = state;
    ++handed;
    const AcceptResult result = impl_->core.accept_file(path);
    if (result.stored())
      spdlog::debug("watch: took {} -> {}", path.string(), result.spooled_path.string());
    else
      spdlog::warn("watch: skipped {} ({}): {}", path.string(), status_name(result.status), result.message);
  }
  impl_->seen = std::move(now);
  return handed;
}

void WatchFolder::start() {
  if (impl_->thread.joinable()) return;
  spdlog::info("watch folder: {} (a file is taken once its size is stable for {} ms)", impl_->folder.string(),
               impl_->poll.count());
  impl_->thread = std::thread([this] {
    std::unique_lock lock(impl_->stop_mutex);
    while (!impl_->stopping) {
      lock.unlock();
      try {
        poll_once();
      } catch (const std::exception& e) {
        spdlog::error("watch: {}", e.what());
      }
      lock.lock();
      impl_->stop_cv.wait_for(lock, impl_->poll, [&] { return impl_->stopping; });
    }
  });
}

void WatchFolder::stop() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace sij::sidecar
