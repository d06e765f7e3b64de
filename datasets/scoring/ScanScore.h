// Scores one analysed scan against the phantom's ground truth (truth.json and the session
// manifest): tip and direction error, side, the in-joint answer, tip-to-joint distance, joint
// gap widths, and needles reported where there is none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/analysis/ScanReport.h"

namespace sij::scoring {

struct ScanScore {
  std::string scan_kind;          // "planning", "needle_final", ...
  bool needle_expected = false;
  int needles_reported = 0;
  bool needle_matched = false;    // a reported needle within 5 mm of the true tip
  double tip_error_mm = 0.0;
  double tip_lateral_error_mm = 0.0;  // across the true axis
  double tip_depth_error_mm = 0.0;    // along the true axis, + beyond the true tip
  double direction_error_deg = 0.0;
  bool side_correct = false;
  std::optional<bool> in_joint_correct;       // when both a truth and an answer exist
  std::optional<double> tip_to_joint_error_mm;  // reported minus true signed distance
  std::vector<double> gap_width_errors_mm;    // reported minus true, per joint found
  double analysis_ms = 0.0;
};

// `truth` is the scan's truth.json, `manifest` the session's manifest.json.
ScanScore score_scan(const analysis::ScanReport& report, const nlohmann::json& truth,
                     const nlohmann::json& manifest);

}  // namespace sij::scoring
