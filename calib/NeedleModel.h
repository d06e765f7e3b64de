// The needle model: gauge, outer diameter and shaft length of the coaxial trocar, and what a
// calibration scan measured about how it looks on CT (blooming, tip offset).
//
// Outer diameters are the nominal "regular wall" values of ISO 9626 (stainless steel needle
// tubing), rounded to 0.01 mm; 22G = 0.72 mm is the needle of the clinical study.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sij::calib {

struct NeedleGauge {
  std::string gauge;           // "18G" .. "25G"
  double outer_diameter_mm;
};

// 18G to 25G, thickest first.
const std::vector<NeedleGauge>& needle_gauges();

// The gauge named `name` ("22G", "22g" or "22"); nullopt when not in the table.
std::optional<NeedleGauge> find_gauge(const std::string& name);

struct NeedleModel {
  std::string gauge = "22G";
  double outer_diameter_mm = 0.72;
  double length_mm = 140.0;    // shaft length, hub to tip
  // Measured by `sijtrack calibrate needle` (absent until then):
  // apparent diameter of the shaft on CT, full width at half maximum across it.
  std::optional<double> blooming_diameter_mm;
  // Found tip minus true tip along the axis (+: the found tip lies deeper than the real one).
  std::optional<double> tip_offset_mm;
  std::string tip_offset_rule;  // "hub_to_tip_length" or "phantom_truth"
  std::string calibrated_on;    // the scan the measurements came from
};

// The default model for a gauge (22G, 140 mm unless told otherwise). Throws
// std::invalid_argument naming the gauges on offer when `gauge` is unknown.
NeedleModel needle_model_for_gauge(const std::string& gauge, double length_mm = 140.0);

}  // namespace sij::calib
