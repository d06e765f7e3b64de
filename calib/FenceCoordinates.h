// A point (the planned entry, or a needle's entry) in the fence's coordinates, and a planned
// path (entry -> target) as the physician sets it up: depth and angles.
//
// Across the rods: at the point's height z, each rod's centre line gives an x; the point's
// fractional rod position interpolates between the two rods around it (3.5 = half-way between
// rods 3 and 4), and the nearest rod with the lateral offset from it (mm in x, towards the
// patient's left or right). Along the rods: the table position (the point's LPS z, which is
// where the gantry laser is set) and, when the nearest rod's cranial end is in the volume, the
// distance from that end along the rod.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "calib/Fence.h"

namespace sij::calib {

struct FencePosition {
  double point_mm[3] = {0, 0, 0};       // LPS
  double rod_position = 0.0;            // fractional rod number
  int nearest_rod = 0;
  double offset_from_nearest_mm = 0.0;  // lateral distance (x) from the nearest rod, >= 0
  std::string offset_towards;           // "patient_left", "patient_right" or "" (on the rod)
  bool inside_fence = false;            // between the first and last rod
  double table_z_mm = 0.0;              // LPS z: the slice position (gantry laser)
  // Along the nearest rod from its cranial end, mm (nullopt: that end is outside the volume).
  std::optional<double> from_cranial_end_mm;
  double height_above_rods_mm = 0.0;    // y of the point minus y of the nearest rod (+: posterior)
};

struct PlannedPath {
  FencePosition entry;
  double target_mm[3] = {0, 0, 0};
  double depth_mm = 0.0;                // entry to target
  double direction[3] = {0, 0, 0};      // unit, entry -> target
  // Same conventions as the needle report (docs/report.md): in the axial plane from the
  // posterior-anterior (vertical, for a prone patient) axis, + towards the patient's left;
  // craniocaudal tilt out of the axial plane, + towards the head.
  double angle_in_axial_deg = 0.0;
  double angle_craniocaudal_deg = 0.0;
};

// Throws std::invalid_argument when the fence has no rods.
FencePosition locate_in_fence(const Fence& fence, const double point_mm[3]);
PlannedPath plan_in_fence(const Fence& fence, const double entry_mm[3], const double target_mm[3]);

nlohmann::ordered_json fence_to_json(const Fence& fence);
nlohmann::ordered_json position_to_json(const FencePosition& position);
nlohmann::ordered_json path_to_json(const PlannedPath& path);
// One line for people, e.g. "3.4 (0.4 rods from rod 3 towards the patient's right), table z -12.5 mm".
std::string describe(const FencePosition& position);

}  // namespace sij::calib
