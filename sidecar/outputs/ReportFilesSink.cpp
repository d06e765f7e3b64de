#include "sidecar/outputs/ReportFilesSink.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "pipeline/report/Overlays.h"
#include "pipeline/report/SecondaryCapture.h"

namespace sij::sidecar {

void ReportFilesSink::on_scan(const ScanEvent& event) noexcept {
  if (event.report == nullptr) return;
  const analysis::ScanReport& report = *event.report;
  if (!report.volume) {
    spdlog::warn("report-files: scan {:02d} carries no volume; no overlays written", event.scan_index);
    return;
  }
  try {
    const auto files = report::write_overlays(report, *report.volume, event.scan_dir);
    spdlog::info("report-files: scan {:02d}: {} overlay PNG(s) in {}", event.scan_index, files.size(),
                 event.scan_dir.string());
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: overlays not written: {}", event.scan_index, e.what());
  }
  try {
    // Its own series per scan (pipeline/report/SecondaryCapture.h); a re-analysis of the same
    // scan counts the instance number on.
    const report::SecondaryCaptureOptions options;
    const auto written = report::write_axial_secondary_capture(report, *report.volume,
                                                               event.scan_dir / kSecondaryCaptureName, options);
    spdlog::info("report-files: scan {:02d}: Secondary Capture {} (series {} #{}, instance {})", event.scan_index,
                 (event.scan_dir / kSecondaryCaptureName).string(), written.series_uid, written.series_number,
                 written.instance_number);
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: Secondary Capture not written: {}", event.scan_index, e.what());
  }
}

}  // namespace sij::sidecar
