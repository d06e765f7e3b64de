#include "sidecar/outputs/ReportFilesSink.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <exception>
#include <filesystem>
#include <system_error>

#include "pipeline/gas/GasOptions.h"
#include "pipeline/report/ArchiveObjects.h"
#include "pipeline/report/Overlays.h"
#include "pipeline/report/SecondaryCapture.h"

namespace sij::sidecar {
namespace fs = std::filesystem;
namespace {

// Everything is written into <scan>/.staging/ first, synced, then renamed into the scan
// folder: a file under its final name is always whole (a crash leaves at most staging files,
// which nothing serves and the next write replaces).
constexpr const char* kStagingDir = ".staging";

void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Moves `staged` into `dir` under the same name, after syncing it.
fs::path publish(const fs::path& staged, const fs::path& dir) {
  sync_file(staged);
  const fs::path final_path = dir / staged.filename();
  fs::rename(staged, final_path);
  return final_path;
}

fs::path fresh_staging_dir(const fs::path& scan_dir) {
  const fs::path staging = scan_dir / kStagingDir;
  std::error_code ec;
  fs::remove_all(staging, ec);  // what an interrupted earlier write left
  fs::create_directories(staging);
  return staging;
}

}  // namespace

void ReportFilesSink::on_scan(const ScanEvent& event) noexcept {
  if (event.report == nullptr) return;
  const analysis::ScanReport& report = *event.report;
  if (!report.volume) {
    spdlog::warn("report-files: scan {:02d} carries no volume; no overlays written", event.scan_index);
    return;
  }
  try {
    const fs::path staging = fresh_staging_dir(event.scan_dir);
    const auto files = report::write_overlays(report, *report.volume, staging);
    for (const auto& file : files) publish(file, event.scan_dir);
    spdlog::info("report-files: scan {:02d}: {} overlay PNG(s) in {}", event.scan_index, files.size(),
                 event.scan_dir.string());
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: overlays not written: {}", event.scan_index, e.what());
  }
  try {
    // Its own series per scan (pipeline/report/SecondaryCapture.h); a re-analysis of the same
    // scan counts the instance number on from the file it replaces. Staged, then renamed.
    report::SecondaryCaptureOptions options;
    options.instance_number =
        report::next_instance_number(event.scan_dir / kSecondaryCaptureName, report::sc_series_uid(report.source));
    const fs::path staging = fresh_staging_dir(event.scan_dir);
    const auto written =
        report::write_axial_secondary_capture(report, *report.volume, staging / kSecondaryCaptureName, options);
    publish(staging / kSecondaryCaptureName, event.scan_dir);
    spdlog::info("report-files: scan {:02d}: Secondary Capture {} (series {} #{}, instance {})", event.scan_index,
                 (event.scan_dir / kSecondaryCaptureName).string(), written.series_uid, written.series_number,
                 written.instance_number);
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: Secondary Capture not written: {}", event.scan_index, e.what());
  }
  try {  // DICOM SEG and TID 1500 SR beside report.json (staged, then renamed); DicomSendSink
         // sends them with the SC.
    const fs::path staging = fresh_staging_dir(event.scan_dir);
    const auto archive = report::write_archive_objects(report, staging / kSegmentationName,
                                                       staging / kMeasurementReportName,
                                                       gas::GasOptions{}.peri_articular_mm);
    publish(staging / kSegmentationName, event.scan_dir);
    publish(staging / kMeasurementReportName, event.scan_dir);
    spdlog::info("report-files: scan {:02d}: DICOM SEG ({} segments) and SR in {}", event.scan_index,
                 archive.seg.segments.size(), event.scan_dir.string());
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: DICOM SEG/SR not written: {}", event.scan_index, e.what());
  }
  std::error_code ec;
  fs::remove_all(event.scan_dir / kStagingDir, ec);
}

}  // namespace sij::sidecar
