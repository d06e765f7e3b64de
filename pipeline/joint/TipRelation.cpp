// The tip's relation to the nearer joint space: inside or outside, signed distance (sub-voxel),
// nearest joint point, depth past the posterior opening, and the correction when outside.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "pipeline/joint/JointFinder.h"

namespace sij::joint {
namespace {

using P3 = std::array<double, 3>;

// The voxel-centre signed distance is +-(one spacing) on the two sides of the boundary; the
// surface lies half-way between, so each corner value moves half a spacing towards zero before
// trilinear interpolation. `spacing_mm` is the spacing across the surface.
bool interpolate_sdf(const JointAnalysis& ja, const double tip_mm[3], double spacing_mm, double& out) {
  const Grid& g = ja.mask_grid;
  if (ja.joint_sdf_mm.empty() || g.voxel_count() == 0) return false;
  double index[3];
  ja.affine.physical_to_index(ja.grid, tip_mm, index);
  const double c[3] = {index[0] - ja.box_min[0], index[1] - ja.box_min[1], index[2] - ja.box_min[2]};
  const std::int32_t n[3] = {g.nx, g.ny, g.nz};
  std::int32_t lo[3];
  double f[3];
  for (int a = 0; a < 3; ++a) {
    if (!(c[a] >= 0 && c[a] <= n[a] - 1)) return false;
    lo[a] = std::min(static_cast<std::int32_t>(c[a]), std::max(0, n[a] - 2));
    f[a] = c[a] - lo[a];
  }
  double sum = 0.0;
  for (int k = 0; k < 8; ++k) {
    const std::int32_t x = std::min(lo[0] + (k & 1), g.nx - 1), y = std::min(lo[1] + ((k >> 1) & 1), g.ny - 1),
                       z = std::min(lo[2] + ((k >> 2) & 1), g.nz - 1);
    double v = ja.joint_sdf_mm[static_cast<std::size_t>(g.index(x, y, z))];
    if (!std::isfinite(v)) return false;
    v -= std::copysign(0.5 * spacing_mm, v);
    const double w = ((k & 1) ? f[0] : 1 - f[0]) * (((k >> 1) & 1) ? f[1] : 1 - f[1]) *
                     (((k >> 2) & 1) ? f[2] : 1 - f[2]);
    sum += w * v;
  }
  out = sum;
  return true;
}

}  // namespace

namespace {

NearestJointPoint nearest_over(const JointAnalysis& ja, const double p_mm[3], const std::string& side) {
  NearestJointPoint out;
  double best_d2 = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < ja.joint_points_mm.size(); ++j) {
    if (!side.empty() && (j >= ja.joints.size() || ja.joints[j].side != side)) continue;
    for (const auto& q : ja.joint_points_mm[j]) {
      const double dx = q[0] - p_mm[0], dy = q[1] - p_mm[1], dz = q[2] - p_mm[2];
      const double d2 = dx * dx + dy * dy + dz * dz;
      if (d2 < best_d2) {
        best_d2 = d2;
        out.joint = j;
        for (int a = 0; a < 3; ++a) out.point_mm[a] = q[static_cast<std::size_t>(a)];
      }
    }
  }
  out.found = std::isfinite(best_d2);
  out.distance_mm = out.found ? std::sqrt(best_d2) : 0.0;
  return out;
}

}  // namespace

NearestJointPoint nearest_joint_point(const JointAnalysis& ja, const double p_mm[3]) {
  return nearest_over(ja, p_mm, "");
}

NearestJointPoint nearest_joint_point_of_side(const JointAnalysis& ja, const double p_mm[3], const std::string& side) {
  return nearest_over(ja, p_mm, side);
}

TipRelation relate_tip_to_joint(const JointAnalysis& ja, const double tip_mm[3], const TipRelationOptions& options) {
  TipRelation r;
  if (ja.joints.empty()) return r;
  const P3 tip{tip_mm[0], tip_mm[1], tip_mm[2]};
  // The joint of the needle's side (or the nearer one) and its nearest voxel centre.
  const NearestJointPoint nearest = nearest_over(ja, tip_mm, options.side);
  if (!nearest.found) {
    r.not_found_reason = "side_not_found";
    r.joint_side = options.side;
    return r;
  }
  if (nearest.distance_mm > options.max_distance_mm) {
    r.not_found_reason = "too_far";
    r.joint_side = ja.joints[nearest.joint].side;
    r.distance_to_far_joint_mm = nearest.distance_mm;
    return r;
  }
  const std::size_t best_joint = nearest.joint;
  const P3 best_point{nearest.point_mm[0], nearest.point_mm[1], nearest.point_mm[2]};
  const JointFinding& f = ja.joints[best_joint];
  r.joint_found = true;
  r.joint_side = f.side;

  // Across the joint the surface normal lies in the axial plane: half an in-plane spacing.
  const double spacing = 0.5 * (ja.grid.sx_mm + ja.grid.sy_mm);
  double sd = 0.0;
  if (!interpolate_sdf(ja, tip_mm, spacing, sd)) sd = nearest.distance_mm - 0.5 * spacing;
  r.tip_to_joint_mm = sd;
  r.tip_in_joint = sd < 0.0;

  const double dist = nearest.distance_mm;
  P3 dir{0, 0, 0};
  if (dist > 0) dir = {(best_point[0] - tip[0]) / dist, (best_point[1] - tip[1]) / dist, (best_point[2] - tip[2]) / dist};
  if (r.tip_in_joint) {
    std::copy(tip.begin(), tip.end(), r.nearest_joint_point_mm);
  } else {
    const double step = std::min(std::max(sd, 0.0), dist);
    for (int a = 0; a < 3; ++a) {
      r.nearest_joint_point_mm[a] = tip[a] + dir[a] * step;
      r.correction_direction[a] = dir[a];
    }
    r.correction_distance_mm = std::max(sd, 0.0);
  }

  // Depth past the posterior opening, along the joint, at the tip's height.
  static const std::vector<OpeningPoint> kNoOpening;
  const auto& opening = best_joint < ja.openings.size() ? ja.openings[best_joint] : kNoOpening;
  if (!opening.empty()) {
    const OpeningPoint* o = &opening.front();
    for (const auto& op : opening) {
      if (std::fabs(op.point_mm[2] - tip[2]) < std::fabs(o->point_mm[2] - tip[2])) o = &op;
    }
    double depth = 0.0;
    for (int a = 0; a < 3; ++a) depth += (tip[a] - o->point_mm[a]) * f.axis_anterior[a];
    r.depth_past_posterior_opening_mm = depth;
  }
  return r;
}

}  // namespace sij::joint
