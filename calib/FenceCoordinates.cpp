#include "calib/FenceCoordinates.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace sij::calib {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kOnRodMm = 0.05;

nlohmann::ordered_json vec3(const double v[3]) {
  const auto r = [](double x) { return std::round(x * 1000.0) / 1000.0; };
  return {r(v[0]), r(v[1]), r(v[2])};
}
double r3(double x) { return std::round(x * 1000.0) / 1000.0; }

}  // namespace

FencePosition locate_in_fence(const Fence& fence, const double p[3]) {
  if (fence.rods.empty()) throw std::invalid_argument("no fence rods were found in this scan");
  FencePosition out;
  for (int a = 0; a < 3; ++a) out.point_mm[a] = p[a];
  out.table_z_mm = p[2];
  // Each rod's x and y at the point's height; rods are numbered by decreasing x.
  const std::size_t n = fence.rods.size();
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    double q[3];
    fence.rods[i].at_z(p[2], q);
    x[i] = q[0];
    y[i] = q[1];
  }
  std::size_t nearest = 0;
  for (std::size_t i = 1; i < n; ++i) {
    if (std::fabs(x[i] - p[0]) < std::fabs(x[nearest] - p[0])) nearest = i;
  }
  out.nearest_rod = fence.rods[nearest].number;
  out.offset_from_nearest_mm = std::fabs(p[0] - x[nearest]);
  out.offset_towards = out.offset_from_nearest_mm < kOnRodMm ? "" : (p[0] > x[nearest] ? "patient_left" : "patient_right");
  out.height_above_rods_mm = p[1] - y[nearest];

  // Fractional position: interpolate between the neighbours around the point; beyond the
  // outer rods extrapolate with the nearest gap (or the nominal spacing for a single rod).
  out.inside_fence = n >= 2 && p[0] <= x.front() && p[0] >= x.back();
  if (n == 1) {
    out.rod_position = fence.rods[0].number + (x[0] - p[0]) / 10.0;
  } else {
    std::size_t i = 0;
    while (i + 2 < n && p[0] < x[i + 1]) ++i;  // rods i and i+1 bracket p (or are the end pair)
    const double gap = x[i] - x[i + 1];
    out.rod_position = fence.rods[i].number + (x[i] - p[0]) / (gap != 0 ? gap : 1.0);
  }
  const FenceRod& rod = fence.rods[nearest];
  if (rod.cranial_end_in_view) {
    double foot[3];
    rod.at_z(p[2], foot);
    double along = 0;
    for (int a = 0; a < 3; ++a) along += (rod.cranial_end_mm[a] - foot[a]) * rod.direction[a];
    out.from_cranial_end_mm = along;
  }
  return out;
}

PlannedPath plan_in_fence(const Fence& fence, const double entry[3], const double target[3]) {
  PlannedPath path;
  path.entry = locate_in_fence(fence, entry);
  const double d[3] = {target[0] - entry[0], target[1] - entry[1], target[2] - entry[2]};
  path.depth_mm = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  if (!(path.depth_mm > 0)) throw std::invalid_argument("the target coincides with the entry point");
  for (int a = 0; a < 3; ++a) {
    path.target_mm[a] = target[a];
    path.direction[a] = d[a] / path.depth_mm;
  }
  path.angle_in_axial_deg = std::atan2(path.direction[0], -path.direction[1]) * 180.0 / kPi;
  path.angle_craniocaudal_deg = std::asin(std::clamp(path.direction[2], -1.0, 1.0)) * 180.0 / kPi;
  return path;
}

nlohmann::ordered_json fence_to_json(const Fence& fence) {
  nlohmann::ordered_json rods = nlohmann::ordered_json::array();
  for (const FenceRod& r : fence.rods) {
    rods.push_back({{"number", r.number},
                    {"point_mm", vec3(r.point_mm)},
                    {"direction", vec3(r.direction)},
                    {"cranial_end_mm", vec3(r.cranial_end_mm)},
                    {"cranial_end_in_view", r.cranial_end_in_view},
                    {"caudal_end_mm", vec3(r.caudal_end_mm)},
                    {"caudal_end_in_view", r.caudal_end_in_view},
                    {"visible_length_mm", r3(r.visible_length_mm)},
                    {"peak_hu", r3(r.peak_hu)},
                    {"fit_rms_mm", r3(r.fit_rms_mm)},
                    {"slices", r.slices}});
  }
  return {{"numbering", fence.numbering},
          {"coordinates", "DICOM patient (LPS), mm"},
          {"rods_found", fence.rods.size()},
          {"rods_expected", fence.expected_rod_count},
          {"mean_spacing_mm", r3(fence.mean_spacing_mm)},
          {"rods", rods},
          {"end_rule", "an end is 'in view' when the rod fades out at least two slices before the volume's edge; "
                       "otherwise the end given is where the rod leaves the volume"},
          {"warnings", fence.warnings}};
}

nlohmann::ordered_json position_to_json(const FencePosition& p) {
  nlohmann::ordered_json j = {{"point_mm", vec3(p.point_mm)},
                              {"rod_position", r3(p.rod_position)},
                              {"nearest_rod", p.nearest_rod},
                              {"offset_from_nearest_mm", r3(p.offset_from_nearest_mm)},
                              {"offset_towards", p.offset_towards},
                              {"inside_fence", p.inside_fence},
                              {"table_z_mm", r3(p.table_z_mm)},
                              {"from_cranial_end_mm", p.from_cranial_end_mm ? nlohmann::ordered_json(r3(*p.from_cranial_end_mm))
                                                                            : nlohmann::ordered_json(nullptr)},
                              {"height_above_rods_mm", r3(p.height_above_rods_mm)},
                              {"rule", "rod_position interpolates the point's LPS x between the rods' centre lines at the "
                                       "point's z; table_z_mm is the slice position for the gantry laser; "
                                       "from_cranial_end_mm is measured along the nearest rod (null: its end is out of view)"}};
  return j;
}

nlohmann::ordered_json path_to_json(const PlannedPath& p) {
  return {{"entry", position_to_json(p.entry)},
          {"target_mm", vec3(p.target_mm)},
          {"depth_mm", r3(p.depth_mm)},
          {"direction", vec3(p.direction)},
          {"angle_in_axial_deg", r3(p.angle_in_axial_deg)},
          {"angle_craniocaudal_deg", r3(p.angle_craniocaudal_deg)},
          {"angle_rule", "angle_in_axial_deg: in the axial plane from the posterior-anterior (vertical) axis, + towards the "
                         "patient's left; angle_craniocaudal_deg: out of the axial plane, + towards the head"}};
}

std::string describe(const FencePosition& p) {
  char buf[256];
  const std::string side = p.offset_towards == "patient_left" ? "towards the patient's left"
                           : p.offset_towards == "patient_right" ? "towards the patient's right" : "";
  if (side.empty()) {
    std::snprintf(buf, sizeof buf, "rod %.2f (on rod %d), table z %.1f mm", p.rod_position, p.nearest_rod, p.table_z_mm);
  } else {
    std::snprintf(buf, sizeof buf, "rod %.2f (%.1f mm from rod %d %s), table z %.1f mm", p.rod_position,
                  p.offset_from_nearest_mm, p.nearest_rod, side.c_str(), p.table_z_mm);
  }
  std::string s = buf;
  if (p.from_cranial_end_mm) {
    std::snprintf(buf, sizeof buf, ", %.1f mm from the rod's cranial end", *p.from_cranial_end_mm);
    s += buf;
  }
  if (!p.inside_fence) s += " (outside the fence)";
  return s;
}

}  // namespace sij::calib
