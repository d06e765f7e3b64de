// The regions of one analysed scan (SegmentMasks.h) as a DICOM Segmentation (binary, DCMTK's
// dcmseg), in the scan's study and frame of reference, so a PACS, OHIF or 3D Slicer shows the
// gas, the joint spaces and the needles over the scan.
// - Terminology (no private codes): gas (74947009, SCT) in the category Body Substance
//   (91720002, SCT), CID 7197; the joint spaces as Sacroiliac joint (39723000, SCT) in the
//   category Anatomical Structure (91723000, SCT), with laterality Left (7771000, SCT) or
//   Right (24028007, SCT) as type modifier; needles (79068005, SCT) in the category Physical
//   object (260787004, SCT). Gas near the joint carries Sacroiliac joint as anatomic region.
// - Geometry: the source's own planes, one frame per segment per source slice from the
//   segment's first to its last slice (slices inside that range are written even when empty),
//   each frame with the source slice's ImagePositionPatient and a Derivation Image reference
//   to that slice's SOP instance; orientation and pixel spacing are the scan's.
// - References: ReferencedSeriesSequence lists the source series and every instance.
// Patient and study attributes are imported from the first source file (DCMTK).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/analysis/ScanReport.h"
#include "pipeline/report/SegmentMasks.h"

namespace sij::report {

struct SegmentationOptions {
  std::string series_uid;  // empty: a new UID
  int series_number = 991;
  std::string series_description = "sijtrack segmentation";
  SegmentMaskOptions masks;
};

struct WrittenSegment {
  int number = 0;  // SegmentNumber (1-based)
  std::string key, label;
  SegmentKind kind = SegmentKind::JointSpace;
  std::int64_t voxels = 0;
};

struct SegmentationWritten {
  std::string study_uid, series_uid, sop_instance_uid;
  std::string sop_class_uid = "1.2.840.10008.5.1.4.1.1.66.4";  // Segmentation Storage
  std::vector<WrittenSegment> segments;
  int frames = 0;
};

class SegmentationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes the segments of `report` to `file`. Throws SegmentationError when the scan was not
// read from a DICOM series (no instances to reference), when it has no segment at all, or
// when DCMTK refuses the object or the file.
SegmentationWritten write_segmentation(const analysis::ScanReport& report, const std::filesystem::path& file,
                                       const SegmentationOptions& options = {});

// The same from masks already built (the benchmark times the writing alone).
SegmentationWritten write_segmentation(const analysis::ScanReport& report, const std::vector<SegmentMask>& masks,
                                       const std::filesystem::path& file, const SegmentationOptions& options = {});

}  // namespace sij::report
