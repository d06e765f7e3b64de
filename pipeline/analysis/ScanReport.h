// What `sijtrack analyze` reports for one scan: needles, joints, the tip's relation to the
// joint, movement since earlier scans, and per-stage timings. Serialised as the versioned JSON
// schema "sijtrack.scan/1" (docs/report.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/Volume.h"
#include "pipeline/gas/GasFinding.h"
#include "pipeline/joint/JointFinder.h"
#include "pipeline/needle/NeedleFinder.h"
#include "pipeline/verdict/Verdict.h"

namespace sij::analysis {

inline constexpr const char* kScanReportSchema = "sijtrack.scan/1";

// One needle with everything the physician reads about it.
struct NeedleReport {
  needle::NeedleFinding needle;
  joint::TipRelation relation;          // relation of the tip to the nearer joint
  // Across scans: the same physical needle in the previous scan (matched by axis), and how far
  // its tip moved. Absent when there is no previous scan or no match.
  std::optional<int> previous_id;
  std::optional<double> tip_moved_mm;
  // True when tip_moved_mm was measured in the patient's frame (this tip mapped into the
  // previous scan by the rigid alignment), so that patient motion does not read as needle
  // motion; false when the alignment failed and the distance is in scanner coordinates.
  bool tip_moved_in_patient_frame = false;
  // Against a planned target, when one is given: the error split as physicians read it.
  std::optional<double> target_error_mm;
  std::optional<double> target_lateral_mm;  // across the needle axis
  std::optional<double> target_depth_mm;    // along the axis; positive: tip beyond the target
};

struct ScanReport {
  VolumeMetadata source;
  Grid grid;
  Affine3 affine;
  std::vector<NeedleReport> needles;
  std::vector<joint::JointFinding> joints;
  // Metal that is not a trocar (orthopaedic hardware, stents, clips): never a needle; its dark
  // streaks are not gas.
  std::vector<needle::MetalObject> hardware;
  gas::GasFinding gas;                       // analysed == false until the gas stage ran
  // Injected gas in the first or last slice: it continues outside the scanned range, so the
  // injected volume and the spread are lower bounds (pipeline/analysis/InputCheck.h).
  bool gas_reaches_scan_edge = false;
  // Plain warnings about the input (e.g. values that do not look like CT in HU), one line each.
  std::vector<std::string> input_warnings;
  verdict::Verdict verdict;
  // Kept for later stages and outputs (gas, overlays, the next scan's comparison); shared, not
  // copied. The volume is the one analysed (HU), the joint analysis its masks.
  std::shared_ptr<const Volume> volume;
  std::shared_ptr<const joint::JointAnalysis> joint_analysis;
  std::string backend;
  // The scanner profile whose thresholds and HU correction were used (calib/), and the rule
  // that chose it; empty when the caller applied none.
  std::string scanner_profile, scanner_profile_rule;
  std::map<std::string, double> timings_ms;  // per stage, wall clock
};

}  // namespace sij::analysis
