// The regions of one analysed scan as voxel sets on the scan's own grid, for the DICOM SEG
// (SegmentationWriter.h) and the SR's volume references (MeasurementReportWriter.h):
// - injected gas split as the gas stage splits it: intra-articular (in a joint-space mask),
//   peri-articular (outside it, signed distance to it at most peri_articular_mm) and distant;
// - pre-existing gas (bowel, gas seen on an earlier scan);
// - each joint space (the joint stage's mask), with its side;
// - each needle: voxel centres within needle_radius_mm of the segment from its skin entry to
//   its tip (the reported axis, not the steel's blooming).
// Gas masks are the gas stage's per-voxel classes (GasClass): voxels, not the partial-volume
// sums of the report, so a segment's voxel volume differs from its reported mL by the
// partial-volume edges. Segments without a voxel are left out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/analysis/ScanReport.h"

namespace sij::report {

enum class SegmentKind {
  InjectedGas,  // all injected gas: the union of the three below (the SR's total volume)
  InjectedGasIntraArticular,
  InjectedGasPeriArticular,
  InjectedGasDistant,
  PreexistingGas,
  JointSpace,
  Needle,
};

struct SegmentMask {
  SegmentKind kind = SegmentKind::JointSpace;
  std::string key;          // stable name, e.g. "gas_intra_articular", "joint_left", "needle_1"
  std::string label;        // SegmentLabel (64 characters at most)
  std::string description;  // SegmentDescription: the rule that made it
  std::string side;         // "left"/"right" for joints and needles; "" otherwise
  int needle_id = 0;        // needles only
  std::vector<std::int64_t> voxels;  // linear indices in the scan grid (x fastest), ascending
};

struct SegmentMaskOptions {
  double peri_articular_mm = 10.0;  // GasOptions::peri_articular_mm of the analysis
  double needle_radius_mm = 1.0;    // the needle segment's radius around its axis
};

// Builds the segments in a fixed order (all injected gas, gas intra, peri, distant,
// pre-existing, joints, needles). The gas segments need report.gas.mask (left out when it is empty), the joints
// report.joint_analysis.
std::vector<SegmentMask> build_segment_masks(const analysis::ScanReport& report,
                                             const SegmentMaskOptions& options = {});

}  // namespace sij::report
