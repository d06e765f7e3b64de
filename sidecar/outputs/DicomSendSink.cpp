#include "sidecar/outputs/DicomSendSink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

namespace sij::sidecar {
namespace {

namespace fs = std::filesystem;

// Every *.dcm directly in the scan folder, by name (stable order for the log and the peer).
std::vector<fs::path> dicom_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".dcm") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

DicomSendSink::DicomSendSink(DicomSendOptions options)
    : options_(std::move(options)), client_(options_.node, options_.store) {}

void DicomSendSink::on_scan(const ScanEvent& event) noexcept {
  try {
    const auto files = dicom_files_in(event.scan_dir);
    const auto& node = options_.node;
    const std::string peer = node.called_ae + "@" + node.host + ":" + std::to_string(node.port);
    if (files.empty()) {
      spdlog::info("dicom-send: scan {} of {}: no DICOM result (*.dcm) in {}; nothing sent", event.scan_index,
                   event.study_uid, event.scan_dir.string());
    }
    StoreResult result = files.empty() ? StoreResult{} : client_.send(files);
    for (const auto& f : result.files) {
      if (f.stored) {
        spdlog::info("dicom-send: {} stored at {} (status {}, attempt {})", f.file.filename().string(), peer,
                     status_hex(f.peer_status), f.attempts);
      } else {
        spdlog::error("dicom-send: {} NOT stored at {} after {} attempt(s): {}{}", f.file.filename().string(), peer,
                      f.attempts, f.message,
                      f.peer_answered ? " (peer status " + status_hex(f.peer_status) + ")" : std::string());
      }
    }
    std::lock_guard lock(mutex_);
    last_ = std::move(result);
  } catch (const std::exception& e) {
    spdlog::error("dicom-send: scan {} of {}: {}", event.scan_index, event.study_uid, e.what());
  } catch (...) {
    spdlog::error("dicom-send: scan {} of {}: unknown error", event.scan_index, event.study_uid);
  }
}

StoreResult DicomSendSink::last_result() const {
  std::lock_guard lock(mutex_);
  return last_;
}

}  // namespace sij::sidecar
