#include "pipeline/needle/NeedleFinder.h"

#include <algorithm>
#include <cmath>

#include "pipeline/needle/AxisFit.h"
#include "pipeline/needle/MetalCandidates.h"
#include "pipeline/needle/SkinEntry.h"
#include "pipeline/needle/TipProfile.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::needle {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Candidates this close to an accepted needle's axis are its blooming: removed with it.
constexpr double kClaimRadiusMm = 3.0;
// Which end is the tip: tissue this far beyond an end, sampled on a ring of this radius
// (wider than the hub, 2.2 mm, which sits on the shaft's back end outside the body).
constexpr double kEndProbeMm = 3.0;
constexpr double kEndRingMm = 4.0;
// A needle must be inside the body for at least this long to be reported.
constexpr double kMinInsertedMm = 2.0;
// Side by the tip's position only when it is clearly off the midline.
constexpr double kSideByTipMinMm = 15.0;

// Tissue beyond the end (+2), and the end not at the volume's edge (+1).
int tip_end_score(const VolumeOnBackend& vb, const Axis& axis, double t_end, double outward,
                  const NeedleOptions& options) {
  const V3 end = axis.at(t_end);
  const V3 probe = axis.at(t_end + outward * kEndProbeMm);
  const double ring = ring_means(vb, {probe}, axis.direction, kEndRingMm)[0];
  int score = ring > options.body_threshold_hu ? 2 : 0;
  if (vb.inside(end, 3.0)) score += 1;
  return score;
}

// The patient's side: the tip's side of the body's midline when it lies clearly off it. A tip
// near the midline (a posteromedial approach may enter across it) is on its way to the joint
// it heads for: then, and when the midline is not in view, the heading decides, and side_rule
// says which rule applied.
void side_of(NeedleFinding& f, const BodyMidline& mid) {
  const bool by_tip = mid.known && std::fabs(f.tip_mm[0] - mid.x_mm) >= kSideByTipMinMm;
  if (by_tip || (mid.known && std::fabs(f.direction[0]) < 0.1)) {
    f.side = f.tip_mm[0] > mid.x_mm ? "left" : "right";  // LPS: +x is the patient's left
    f.side_rule = "tip_vs_body_midline";
  } else {
    // Posteromedial approach: the needle heads laterally, towards the target joint's side.
    f.side = f.direction[0] > 0 ? "left" : "right";
    f.side_rule = "heading";
  }
}

// The grid's sampling limit along a unit direction: the voxel's extent along it over sqrt(12)
// (the standard deviation of a position known to one voxel).
double grid_limit_mm(const Volume& volume, const double direction[3]) {
  // The direction in the grid's index axes (the direction cosines are orthonormal: R^T d).
  const double* r = volume.affine.direction;
  double d[3];
  for (int a = 0; a < 3; ++a) d[a] = r[a] * direction[0] + r[3 + a] * direction[1] + r[6 + a] * direction[2];
  const Grid& g = volume.grid;
  const double ex = d[0] * g.sx_mm, ey = d[1] * g.sy_mm, ez = d[2] * g.sz_mm;
  return std::sqrt(ex * ex + ey * ey + ez * ez) / std::sqrt(12.0);
}

MetalObject metal_object(const MetalComponent& c, const BodyMidline& mid) {
  MetalObject o;
  for (int a = 0; a < 3; ++a) {
    o.centroid_mm[a] = c.centroid_mm[a];
    o.box_min_mm[a] = c.box_min_mm[a];
    o.box_max_mm[a] = c.box_max_mm[a];
  }
  o.volume_ml = c.volume_ml;
  o.length_mm = c.length_mm;
  o.thickness_mm = c.thickness_mm;
  // A body cut by the field of view shifts its centroid by centimetres at most: metal well off
  // that estimate still has a side.
  constexpr double kSideOffEstimateMm = 40.0;
  const double off = c.centroid_mm[0] - mid.x_mm;
  if (mid.known || (mid.estimated && std::fabs(off) >= kSideOffEstimateMm)) o.side = off > 0 ? "left" : "right";
  return o;
}

}  // namespace

std::vector<NeedleFinding> find_needles(const Volume& volume, const NeedleOptions& options) {
  return find_needles_and_hardware(volume, options).needles;
}

NeedleStage find_needles_and_hardware(const Volume& volume, const NeedleOptions& options) {
  NeedleStage stage;
  std::vector<NeedleFinding>& found = stage.needles;
  if (volume.grid.voxel_count() == 0 || options.max_needles <= 0) return stage;
  const VolumeOnBackend vb(volume, options.backend);
  MetalCandidates cand = extract_metal_candidates(vb, options);
  bool midline_done = false;
  BodyMidline midline;
  if (cand.hardware_rejected > 0) {
    midline = body_midline(volume, options);
    midline_done = true;
    for (const MetalComponent& c : cand.components)
      if (c.hardware) stage.hardware.push_back(metal_object(c, midline));
  }
  if (cand.weights.empty()) return stage;

  std::vector<char> active(cand.weights.size(), 1);
  const int max_attempts = 4 * options.max_needles + 2;
  for (int attempt = 0; attempt < max_attempts && static_cast<int>(found.size()) < options.max_needles;
       ++attempt) {
    RansacLine line = ransac_line(cand.points_mm, cand.weights, active, options, options.backend);
    if (!line.found) break;
    for (std::int64_t i : line.inliers) active[static_cast<std::size_t>(i)] = 0;
    const double visible = line.extent_max_mm - line.extent_min_mm;
    if (visible < options.min_length_mm) continue;
    if (parallel_to_z(line.axis.direction.data(), options.rod_max_angle_to_z_deg)) continue;

    // Orient the axis towards the tip: the end with tissue beyond it, away from the volume's edge.
    Axis axis = line.axis;
    double t_back = line.extent_min_mm, t_bright = line.extent_max_mm;
    const int score_max = tip_end_score(vb, axis, line.extent_max_mm, +1.0, options);
    const int score_min = tip_end_score(vb, axis, line.extent_min_mm, -1.0, options);
    bool flip = score_min > score_max;
    if (score_min == score_max) {
      // Prone patient: the needle goes from posterior to anterior (LPS y decreasing).
      flip = axis.at(line.extent_min_mm)[1] < axis.at(line.extent_max_mm)[1];
    }
    if (flip) {
      axis.direction = axis.direction * -1.0;
      t_back = -line.extent_max_mm;
      t_bright = -line.extent_min_mm;
    }

    // Refine in a thin cylinder, stopping short of the bright end (bone can touch the tip).
    const CylinderFit cyl = refine_in_cylinder(vb, axis, t_back, t_bright - 1.0, options);
    const V3 bright_end = axis.at(t_bright);
    const V3 back_end = axis.at(t_back);
    axis = cyl.axis;
    const double tb = axis.along(bright_end);
    const TipEstimate tip = find_tip(vb, axis, tb, options);
    const double t_tip = tip.found ? tip.t_mm : tb;
    const SkinEntry entry = find_skin_entry(vb, axis, t_tip, options);
    const double inserted = t_tip - entry.t_mm;

    // Claim the candidates around this axis (its blooming), accepted or not.
    for (std::size_t i = 0; i < active.size(); ++i) {
      if (!active[i]) continue;
      const V3 p{cand.points_mm[3 * i], cand.points_mm[3 * i + 1], cand.points_mm[3 * i + 2]};
      const double t = axis.along(p);
      if (axis.distance(p) <= kClaimRadiusMm && t >= axis.along(back_end) - kClaimRadiusMm &&
          t <= tb + kClaimRadiusMm)
        active[i] = 0;
    }
    if (entry.in_view && inserted < kMinInsertedMm) continue;  // metal outside the body

    NeedleFinding f;
    f.id = static_cast<int>(found.size()) + 1;
    const V3 tip_p = axis.at(t_tip), entry_p = axis.at(entry.t_mm);
    for (int c = 0; c < 3; ++c) {
      f.tip_mm[c] = tip_p[c];
      f.entry_mm[c] = entry_p[c];
      f.direction[c] = axis.direction[c];
    }
    f.entry_in_view = entry.in_view;
    f.inserted_length_mm = inserted;
    f.angle_to_axial_deg = std::asin(std::clamp(f.direction[2], -1.0, 1.0)) * 180.0 / kPi;
    f.angle_in_axial_deg = std::atan2(f.direction[0], -f.direction[1]) * 180.0 / kPi;
    if (!midline_done) {
      midline = body_midline(volume, options);
      midline_done = true;
    }
    side_of(f, midline);
    const double rule = 0.5 * options.profile_step_mm + cyl.rms_mm;
    const double grid_limit = grid_limit_mm(volume, f.direction);
    f.tip_uncertainty_mm = std::sqrt(rule * rule + grid_limit * grid_limit);
    f.tip_plateau_hu = tip.plateau_hu;
    f.tip_background_hu = tip.background_hu;
    f.plateau_clipped = cand.any_clipped;
    f.metal_voxels = static_cast<std::int64_t>(line.inliers.size());
    f.fit_rms_mm = cyl.rms_mm;
    f.visible_length_mm = t_tip - axis.along(back_end);
    found.push_back(f);
  }
  return stage;
}

}  // namespace sij::needle
