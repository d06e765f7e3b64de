// The DICOM SEG and the TID 1500 SR of one analysed scan written together (the SR
// references the SEG's segments), as `analyze --seg/--sr` and the sidecar write them beside
// report.json.
#pragma once

#include <filesystem>

#include "pipeline/report/MeasurementReportWriter.h"
#include "pipeline/report/SegmentationWriter.h"

namespace sij::report {

struct ArchiveObjectsWritten {
  SegmentationWritten seg;
  MeasurementReportWritten sr;
};

// Writes the SEG to seg_file and, when sr_file is not empty, the SR to sr_file.
// peri_articular_mm: the gas stage's margin (GasOptions::peri_articular_mm) so the SEG splits
// the gas as the report did. Throws SegmentationError / MeasurementReportError.
ArchiveObjectsWritten write_archive_objects(const analysis::ScanReport& report, const std::filesystem::path& seg_file,
                                            const std::filesystem::path& sr_file, double peri_articular_mm);

}  // namespace sij::report
