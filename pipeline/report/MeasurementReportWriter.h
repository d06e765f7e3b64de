// The measurements of one analysed scan as a DICOM Comprehensive 3D SR following TID 1500
// "Measurement Report" (DCMTK's dcmsr/cmr TID 1500 classes), in the scan's study, beside the
// DICOM SEG it references. Content (codes DCM/SCT, units UCUM; docs/report.md, "DICOM SR"):
// - per needle, a TID 1501 group "needle N": tip-to-joint Distance (121206, DCM; mm, negative
//   inside) inferred from the tip as a SCOORD3D POINT in the scan's frame of reference;
//   Length (410668003, SCT) inserted; the angles to and in the axial plane as Angle
//   (110859, DCM; deg), told apart by a Comment; Needle in target (111438, DCM) Yes
//   (373066001, SCT) / No (373067005, SCT); a Comment (121106, DCM) with the tip
//   uncertainty and its rule (DCMTK's TID 300 has no uncertainty item);
// - per joint, a TID 1501 group "joint side": gap Width (103355008, SCT; mm) with a Comment
//   holding its interquartile range;
// - gas: TID 1411 volumetric groups, one per SEG segment (intra-articular, peri-articular,
//   distant, pre-existing), each with Volume (118565006, SCT; ml) as the report states it
//   (partial-volume mL) and a reference to the segment; a TID 1501 group with the total
//   injected Volume;
// - the image library (TID 1600) lists every source instance; the verdict is a Comment at
//   the report level.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/SegmentationWriter.h"

namespace sij::report {

struct MeasurementReportOptions {
  std::string series_uid;  // empty: a new UID
  int series_number = 992;
  std::string series_description = "sijtrack measurements";
};

struct MeasurementReportWritten {
  std::string study_uid, series_uid, sop_instance_uid;
  std::string sop_class_uid = "1.2.840.10008.5.1.4.1.1.88.34";  // Comprehensive 3D SR
};

class MeasurementReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes the SR for `report` to `file`, referencing the segments of `segmentation` (as
// written by write_segmentation for the same report). Throws MeasurementReportError when
// the scan was not read from DICOM or DCMTK refuses the document or the file.
MeasurementReportWritten write_measurement_report(const analysis::ScanReport& report,
                                                  const SegmentationWritten& segmentation,
                                                  const std::filesystem::path& file,
                                                  const MeasurementReportOptions& options = {});

}  // namespace sij::report
