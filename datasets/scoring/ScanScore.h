// Scores one analysed scan against the phantom's ground truth (truth.json and the session
// manifest): tip and direction error, side, the in-joint answer, tip-to-joint distance, joint
// gap widths, and needles reported where there is none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/analysis/ScanReport.h"

namespace sij::scoring {

// One true needle against the reported needles (the nearest within 5 mm is its match).
struct NeedleScore {
  std::string side;               // the true needle's side ("left" / "right")
  bool matched = false;
  double tip_error_mm = 0.0;
  double tip_lateral_error_mm = 0.0;  // across the true axis
  double tip_depth_error_mm = 0.0;    // along the true axis, + beyond the true tip
  double direction_error_deg = 0.0;
  bool side_correct = false;
  std::optional<bool> in_joint_correct;         // when both a truth and an answer exist
  std::optional<double> tip_to_joint_error_mm;  // reported minus true signed distance
};

// Bilateral procedures: one side's injected gas. The reported volume is the report's injected
// volume times the share of its injected-mask voxels on that side of the patient's midline (x
// of the planning frame); the truth is that side's injection inside the field of view.
struct SideGasScore {
  std::string side;
  double truth_ml = 0.0, reported_ml = 0.0;
  std::optional<double> relative_error;  // |reported - truth| / truth, when truth > 0
  std::optional<double> dice;            // mask vs label bit 2, both on that side
};

struct ScanScore {
  std::string scan_kind;          // "planning", "needle_final", ...
  bool needle_expected = false;   // the truth has at least one needle in this scan
  int needles_reported = 0;
  bool needle_matched = false;    // a reported needle within 5 mm of the true tip
  double tip_error_mm = 0.0;
  double tip_lateral_error_mm = 0.0;  // across the true axis
  double tip_depth_error_mm = 0.0;    // along the true axis, + beyond the true tip
  double direction_error_deg = 0.0;
  bool side_correct = false;
  std::optional<bool> in_joint_correct;       // when both a truth and an answer exist
  std::optional<double> tip_to_joint_error_mm;  // reported minus true signed distance
  // Every true needle (the fields above are the first one's): two in bilateral procedures.
  std::vector<NeedleScore> needles;
  int needles_matched = 0;                    // true needles with a match
  // Orthopaedic hardware in view (truth "hardware"): reported needles lying on an implant (their
  // tip, or half their visible length, within 3 mm of its surface) are false needles.
  bool hardware_in_view = false;
  int needles_on_hardware = 0;
  std::vector<double> gap_width_errors_mm;    // reported minus true, per joint found
  double analysis_ms = 0.0;
  // Gas against truth.json "gas" (injected_in_fov_*: the injected gas inside this scan's field
  // of view) and, when score_gas_labels ran, labels.mha (bit 2 injected gas, bit 4 bowel gas).
  bool gas_analysed = false;
  bool gas_injected_truth = false;            // the scan is after the injection
  double gas_injected_truth_ml = 0.0, gas_injected_ml = 0.0;
  double gas_injected_error_ml = 0.0;         // reported minus truth
  std::optional<double> gas_injected_relative_error;  // |error| / truth, when truth > 0
  double gas_intra_truth_ml = 0.0, gas_intra_ml = 0.0;
  double gas_intra_error_ml = 0.0;            // reported minus truth
  std::optional<double> gas_intra_relative_error;     // |error| / truth, when truth > 0
  double gas_preexisting_ml = 0.0, gas_bowel_truth_ml = 0.0;
  std::optional<double> gas_dice;             // injected mask vs label bit 2 (when truth > 0)
  std::optional<double> gas_bowel_as_injected_ml;  // label bit 4 voxels in the injected mask
  std::vector<SideGasScore> gas_sides;        // bilateral, after score_gas_per_side
};

// `truth` is the scan's truth.json, `manifest` the session's manifest.json.
ScanScore score_scan(const analysis::ScanReport& report, const nlohmann::json& truth,
                     const nlohmann::json& manifest);

// Adds the mask scores (Dice, bowel gas counted as injected) from the phantom's label volume
// (same grid as the scan, one byte per voxel). Nothing when the report has no gas mask.
void score_gas_labels(ScanScore& score, const analysis::ScanReport& report, const std::vector<std::uint8_t>& labels);

// Bilateral procedures (truth "gas_per_side"): each side's injected volume and Dice, splitting
// the report's injected mask and the labels at the patient's midline. Nothing otherwise.
void score_gas_per_side(ScanScore& score, const analysis::ScanReport& report, const std::vector<std::uint8_t>& labels,
                        const nlohmann::json& truth);

// Reads a phantom labels.mha (MetaImage, unsigned char). Throws std::runtime_error.
std::vector<std::uint8_t> read_phantom_labels(const std::string& path);

}  // namespace sij::scoring
