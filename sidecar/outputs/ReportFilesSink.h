// Writes each analysed scan's pictures into its scan folder: the PNG overlays (axial slice
// through the tip, joint reformats, gas projection; pipeline/report/Overlays.h) and the axial
// overlay as a DICOM Secondary Capture (overlay.dcm), and the DICOM SEG and SR
// (segmentation.dcm, measurements_sr.dcm; pipeline/report/ArchiveObjects.h), which
// DicomSendSink then sends back to the console. Registered first, so the later sinks (HTTP
// page, send-back) find the files. Each file is written under <scan>/.staging/, synced and
// renamed into place: a file under its final name is always complete, even after a crash
// mid-write.
#pragma once

#include <string>

#include "sidecar/ScanSink.h"

namespace sij::sidecar {

class ReportFilesSink : public ScanSink {
 public:
  static constexpr const char* kSecondaryCaptureName = "overlay.dcm";
  // The gas, joints and needles (DICOM SEG) and the measurements (DICOM SR, TID 1500).
  static constexpr const char* kSegmentationName = "segmentation.dcm";
  static constexpr const char* kMeasurementReportName = "measurements_sr.dcm";
  std::string name() const override { return "report-files"; }
  void on_scan(const ScanEvent& event) noexcept override;
};

}  // namespace sij::sidecar
