#include "pipeline/gas/JointQuantities.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace sij::gas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Joint label (1 + joint index, 0 none) and signed distance to the joint space at a voxel.
void joint_at(const joint::JointAnalysis* joints, std::int32_t x, std::int32_t y, std::int32_t z, int& label,
              double& sdf_mm) {
  label = 0;
  sdf_mm = kInf;
  if (joints == nullptr || joints->joints.empty() || joints->joint_sdf_mm.empty()) return;
  const std::int32_t bx = x - joints->box_min[0], by = y - joints->box_min[1], bz = z - joints->box_min[2];
  if (!joints->mask_grid.contains(bx, by, bz)) return;
  const auto i = static_cast<std::size_t>(joints->mask_grid.index(bx, by, bz));
  label = joints->joint_label[i];
  sdf_mm = joints->joint_sdf_mm[i];
}

// Mean LPS x of the sacrum (bone label 1), the body's midline for "medial".
bool sacrum_midline_x(const joint::JointAnalysis& joints, double& x_mm) {
  const Grid& g = joints.mask_grid;
  double sum = 0.0;
  std::int64_t count = 0;
  for (std::int32_t z = 0; z < g.nz; z += 2)
    for (std::int32_t y = 0; y < g.ny; y += 2)
      for (std::int32_t x = 0; x < g.nx; x += 2) {
        if (joints.bone_mask[static_cast<std::size_t>(g.index(x, y, z))] != 1) continue;
        const double idx[3] = {double(x + joints.box_min[0]), double(y + joints.box_min[1]), double(z + joints.box_min[2])};
        double p[3];
        joints.affine.index_to_physical(joints.grid, idx, p);
        sum += p[0];
        ++count;
      }
  if (count == 0) return false;
  x_mm = sum / count;
  return true;
}

// The largest distance to the joint among far gas voxels outside the distance map's box; at most
// max_points of them (evenly spread) are measured, enough for a distance quoted in whole mm.
double farthest_from_joint(const joint::JointAnalysis* joints, const std::vector<std::array<double, 3>>& points,
                           std::size_t max_points = 512) {
  double far = 0.0;
  const std::size_t stride = std::max<std::size_t>(1, points.size() / max_points);
  for (std::size_t k = 0; k < points.size(); k += stride) {
    if (joints == nullptr) break;
    const joint::NearestJointPoint nearest = joint::nearest_joint_point(*joints, points[k].data());
    if (nearest.found) far = std::max(far, nearest.distance_mm);
  }
  return far;
}

void add_alert(GasFinding& f, const char* code, const std::string& message, double distance_mm, double ml) {
  GasAlert alert;
  alert.code = code;
  alert.message = message;
  alert.distance_from_joint_mm = distance_mm;
  alert.volume_ml = ml;
  f.alerts.push_back(alert);
}

}  // namespace

void measure_joint_relation(GasFinding& f, const std::vector<GasComponent>& components, const Volume& volume,
                            const joint::JointAnalysis* joints, const std::vector<InjectionSite>& sites,
                            const GasOptions& options) {
  const Grid& g = volume.grid;
  const double voxel_ml = static_cast<double>(g.sx_mm) * g.sy_mm * g.sz_mm / 1000.0;
  const std::size_t joint_count = joints ? joints->joints.size() : 0;
  std::vector<double> intra_by_joint(joint_count, 0.0);
  double z_lo = kInf, z_hi = -kInf;
  double farthest = 0.0;
  double distant_far_mm = 0.0;
  double track_ml = 0.0, medial_ml = 0.0, medial_far_mm = 0.0;
  // Far gas outside the box of the joint's distance map: measured to the joint points after the loop.
  std::vector<std::array<double, 3>> beyond_map_points, medial_beyond_map_points;
  double midline_x = 0.0;
  const bool have_midline = joints != nullptr && !joints->joints.empty() && sacrum_midline_x(*joints, midline_x);

  for (const auto& c : components) {
    if (c.cls != kInjected) continue;
    for (std::size_t k = 0; k < c.voxels.size(); ++k) {
      const double ml = c.fractions[k] * voxel_ml;
      std::int32_t x, y, z;
      g.coords(c.voxels[k], x, y, z);
      const double idx[3] = {double(x), double(y), double(z)};
      double p[3];
      volume.affine.index_to_physical(g, idx, p);
      int label;
      double sdf;
      joint_at(joints, x, y, z, label, sdf);
      const bool solid = c.fractions[k] >= 0.5f;  // counts for extents (the labelled gas)
      f.injected_ml += ml;
      if (label > 0) {
        f.intra_articular_ml += ml;
        intra_by_joint[static_cast<std::size_t>(label - 1)] += ml;
      } else if (sdf <= options.peri_articular_mm) {
        f.peri_articular_ml += ml;
      } else {
        f.distant_ml += ml;
        const bool beyond_map = !std::isfinite(sdf);
        if (solid && !beyond_map) distant_far_mm = std::max(distant_far_mm, sdf);
        if (solid && beyond_map) beyond_map_points.push_back({p[0], p[1], p[2]});
        if (have_midline) {
          // Medial: nearer the midline than the nearest joint by more than the margin.
          double joint_lateral = kInf;
          for (const auto& j : joints->joints) joint_lateral = std::min(joint_lateral, std::fabs(j.centroid_mm[0] - midline_x));
          if (std::fabs(p[0] - midline_x) < joint_lateral - options.medial_margin_mm) {
            medial_ml += ml;
            if (solid && !beyond_map) medial_far_mm = std::max(medial_far_mm, sdf);
            if (solid && beyond_map) medial_beyond_map_points.push_back({p[0], p[1], p[2]});
          }
        }
      }
      if (!solid) continue;
      if (sdf <= options.peri_articular_mm) {
        z_lo = std::min(z_lo, p[2]);
        z_hi = std::max(z_hi, p[2]);
      }
      double nearest = kInf;
      bool on_track = false;
      for (const auto& site : sites) {
        nearest = std::min(nearest, distance_mm(p, site.tip_mm));
        double behind = 0.0;
        const double axis = distance_to_needle(site, p, 0.0, &behind);
        if (axis <= options.track_radius_mm && behind > options.track_behind_tip_mm) on_track = true;
      }
      if (std::isfinite(nearest)) farthest = std::max(farthest, nearest);
      if (on_track) track_ml += ml;
    }
  }
  f.farthest_from_tip_mm = farthest;
  distant_far_mm = std::max(distant_far_mm, farthest_from_joint(joints, beyond_map_points));
  medial_far_mm = std::max(medial_far_mm, farthest_from_joint(joints, medial_beyond_map_points));
  // The z extent of voxel centres plus one slice: the extent the gas voxels cover.
  f.spread_craniocaudal_mm = z_hi >= z_lo ? (z_hi - z_lo) + g.sz_mm : 0.0;

  // The joint the gas relates to: the one holding most intra-articular gas, else the one whose
  // joint space is nearest the first injection site.
  int chosen = -1;
  for (std::size_t j = 0; j < joint_count; ++j) {
    if (intra_by_joint[j] > 0 && (chosen < 0 || intra_by_joint[j] > intra_by_joint[static_cast<std::size_t>(chosen)])) chosen = int(j);
  }
  if (chosen < 0 && joint_count > 0 && !sites.empty()) {
    const auto relation = joint::relate_tip_to_joint(*joints, sites.front().tip_mm);
    for (std::size_t j = 0; j < joint_count; ++j) {
      if (joints->joints[j].side == relation.joint_side) chosen = int(j);
    }
  }
  if (chosen >= 0) {
    f.joint_side = joints->joints[static_cast<std::size_t>(chosen)].side;
    // Coverage: mid-surface voxels of that joint with injected gas in their 3x3x3 neighbourhood.
    const Grid& mg = joints->mask_grid;
    std::int64_t surface = 0, reached = 0;
    for (std::int32_t z = 0; z < mg.nz; ++z)
      for (std::int32_t y = 0; y < mg.ny; ++y)
        for (std::int32_t x = 0; x < mg.nx; ++x) {
          const auto i = static_cast<std::size_t>(mg.index(x, y, z));
          if (!joints->mid_surface[i] || joints->joint_label[i] != chosen + 1) continue;
          ++surface;
          bool gas = false;
          for (int dz = -1; dz <= 1 && !gas; ++dz)
            for (int dy = -1; dy <= 1 && !gas; ++dy)
              for (int dx = -1; dx <= 1 && !gas; ++dx) {
                const std::int64_t vx = x + joints->box_min[0] + dx, vy = y + joints->box_min[1] + dy,
                                   vz = z + joints->box_min[2] + dz;
                if (!g.contains(vx, vy, vz) || f.mask.empty()) continue;
                gas = f.mask[static_cast<std::size_t>(g.index(std::int32_t(vx), std::int32_t(vy), std::int32_t(vz)))] == kInjected;
              }
          reached += gas;
        }
    f.joint_coverage = surface ? static_cast<double>(reached) / surface : 0.0;
  }

  char text[256];
  if (f.distant_ml >= options.alert_min_ml) {
    std::snprintf(text, sizeof text, "%.2f mL of injected gas lies more than %.0f mm from the joint (up to %.0f mm)",
                  f.distant_ml, options.peri_articular_mm, distant_far_mm);
    add_alert(f, "gas_far_from_joint", text, distant_far_mm, f.distant_ml);
  }
  if (track_ml >= options.alert_min_ml) {
    std::snprintf(text, sizeof text, "%.2f mL of injected gas along the needle track, more than %.0f mm behind the tip",
                  track_ml, options.track_behind_tip_mm);
    add_alert(f, "gas_along_track", text, 0.0, track_ml);
  }
  if (medial_ml >= options.alert_min_ml) {
    std::snprintf(text, sizeof text,
                  "%.2f mL of injected gas medial to the joint, toward the sacral foramina / spinal canal", medial_ml);
    add_alert(f, "gas_toward_foramina", text, medial_far_mm, medial_ml);
  }
}

}  // namespace sij::gas
