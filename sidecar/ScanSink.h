// Where the sidecar sends each analysed scan: the session folder (JSON, PNG), the log, a DICOM
// node (Secondary Capture), OpenIGTLink (3D Slicer), the HTTP status page. The session runner
// (sidecar/SidecarCore) calls every registered sink, in registration order, after a scan's
// analysis; a sink that fails logs and throws nothing, so one broken output never stops the
// others or the receiver.
#pragma once

#include <filesystem>
#include <string>

#include "pipeline/analysis/ScanReport.h"

namespace sij::sidecar {

// One analysed scan in its session.
struct ScanEvent {
  std::string study_uid;               // the session key (StudyInstanceUID)
  std::string series_uid;
  int scan_index = 0;                  // 0-based order within the session
  std::filesystem::path session_dir;   // <output root>/<study uid>/
  std::filesystem::path scan_dir;      // session_dir/scan_NN_<series>/ (report.json, PNGs)
  const analysis::ScanReport* report = nullptr;  // valid during the call only
  // False for a scan acquired before another scan of its session (resent or late): it is
  // reported, but what shows "the latest" should keep the newer scan.
  bool latest_in_session = true;
};

class ScanSink {
 public:
  virtual ~ScanSink() = default;
  virtual std::string name() const = 0;
  // Must not throw; report failures in the log.
  virtual void on_scan(const ScanEvent& event) noexcept = 0;
};

}  // namespace sij::sidecar
