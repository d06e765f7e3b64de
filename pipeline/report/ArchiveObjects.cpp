#include "pipeline/report/ArchiveObjects.h"

namespace sij::report {

ArchiveObjectsWritten write_archive_objects(const analysis::ScanReport& report, const std::filesystem::path& seg_file,
                                            const std::filesystem::path& sr_file, double peri_articular_mm) {
  ArchiveObjectsWritten written;
  SegmentationOptions seg_options;
  seg_options.masks.peri_articular_mm = peri_articular_mm;
  written.seg = write_segmentation(report, seg_file, seg_options);
  if (!sr_file.empty()) written.sr = write_measurement_report(report, written.seg, sr_file);
  return written;
}

}  // namespace sij::report
