#include "sidecar/outputs/ReportFilesSink.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "pipeline/gas/GasOptions.h"
#include "pipeline/report/ArchiveObjects.h"
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
    report::SecondaryCaptureOptions options;
    options.instance_number = event.scan_index + 1;
    const auto written = report::write_axial_secondary_capture(report, *report.volume,
                                                               event.scan_dir / kSecondaryCaptureName, options);
    spdlog::info("report-files: scan {:02d}: Secondary Capture {} (series {})", event.scan_index,
                 (event.scan_dir / kSecondaryCaptureName).string(), written.series_uid);
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: Secondary Capture not written: {}", event.scan_index, e.what());
  }
  try {  // DICOM SEG and TID 1500 SR beside report.json; DicomSendSink sends them with the SC.
    const auto archive = report::write_archive_objects(report, event.scan_dir / kSegmentationName,
                                                       event.scan_dir / kMeasurementReportName,
                                                       gas::GasOptions{}.peri_articular_mm);
    spdlog::info("report-files: scan {:02d}: DICOM SEG ({} segments) and SR in {}", event.scan_index,
                 archive.seg.segments.size(), event.scan_dir.string());
  } catch (const std::exception& e) {
    spdlog::error("report-files: scan {:02d}: DICOM SEG/SR not written: {}", event.scan_index, e.what());
  }
}

}  // namespace sij::sidecar
