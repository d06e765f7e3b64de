// Joint stage: the left and right sacroiliac joint spaces, and where a tip lies relative to
// them.
//
// Bone mask (cortical threshold, metal removed, per-slice hole filling) -> sacrum separated
// from each ilium (the joint gap separates the bone components; the sacrum is the middle one,
// or, with one joint in view, the medial one: the joint runs from its posterior opening
// anteriorly and laterally) -> exact anisotropic distance maps to the sacrum and to the ilia
// -> joint space = non-bone voxels between both bones (opposite distance gradients) where the
// two distances add up to at most the local gap -> mid-surface where they are equal -> gap
// width from intensity profiles across the mid-surface (sub-voxel) -> posterior opening (the
// joint's dorsal end). The work runs in a box around the bones. Method and fields:
// docs/report.md ("Joint").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/joint/AnatomyCheck.h"
#include "pipeline/joint/GasWalls.h"
#include "pipeline/Volume.h"

namespace sij::joint {

struct JointOptions {
  std::int16_t bone_threshold_hu = 250;    // cancellous bone and above (the reported bone mask)
  // Cortical bone: the split into sacrum and ilia and the joint walls use this level, about
  // half-way between cortical bone (~1350 HU) and the joint space (~50 HU), so that a 1 mm
  // gap whose centre is lifted by blur still separates the bones.
  std::int16_t cortical_threshold_hu = 750;
  std::int16_t metal_threshold_hu = 2000;  // needle steel, removed (with a margin) from bone
  GasWallOptions gas_walls;                // beside gas the walls are fainter (GasWalls.h)
  double metal_margin_mm = 1.0;
  double bloom_radius_mm = 0.8;            // steel above metal_threshold_hu around a 22G axis
  double max_gap_mm = 5.0;
  // When fewer than three bones separate (a narrow gap bridged by blur), the split is tried
  // again on denser bone (split_threshold_hu), then on the bone mask eroded by this ball.
  double split_erosion_mm = 0.8;
  std::int16_t split_threshold_hu = 900;   // tried first: denser bone only                 // wider separations are not a joint space
  double min_bone_ml = 3.0;                // smaller bone components are ignored
  double min_joint_ml = 0.05;              // smaller joint-space pieces are dropped
  // The joint-space extent ends where the local separation exceeds the measured gap by this
  // factor (plus one voxel of discretisation): the bones part outside the joint.
  double extent_factor = 1.3;
  // Between the bones the directions to the nearest sacrum and ilium surfaces are nearly
  // opposite; where the bones start to part (the joint's openings, its cranial and caudal
  // ends) the walls turn away and they are not. The directions come from the distance maps
  // smoothed in-plane (SmoothedField.h), which keeps the voxel staircase from tilting them:
  // then the bound can be tight. -0.95 (walls within 18 degrees of parallel) ends the joint
  // space within a few tenths of a millimetre of the phantom's articular extent; the earlier
  // -0.7 on unsmoothed directions ran about half a gap width past the posterior opening
  // (docs/report.md, "Joint").
  double max_facing_cos = -0.95;
  int facing_smoothing_passes = 2;         // binomial passes (sigma 1.4 voxels)
  // Around the steel the walls were removed with the blooming (metal_margin_mm), and the
  // nearest surfaces are that hole's edges: within steel_reach_mm of the hole the bound stays
  // loose.
  double steel_facing_cos = -0.7;
  double steel_reach_mm = 2.0;
  double box_margin_mm = 8.0;              // around the bones' bounding box
  // Anatomy before answers (AnatomyCheck.h): a joint space where no sacroiliac joint can lie
  // (no pelvis in view: the shoulder of a chest scan) is dropped with its reason.
  bool check_anatomy = true;
  AnatomyCheckOptions anatomy;
  Backend backend = Backend::Cpu;
};

struct JointFinding {
  std::string side;                        // "left" or "right" (patient side)
  double gap_width_mm = 0.0;               // median width across the joint space (profiles)
  double gap_width_iqr_mm = 0.0;           // spread of the per-point widths (p75 - p25)
  int width_samples = 0;                   // mid-surface points whose profile gave a width
  double posterior_opening_mm[3] = {0, 0, 0};  // LPS, centre of the dorsal opening
  double centroid_mm[3] = {0, 0, 0};       // LPS
  double axis_anterior[3] = {0, 0, 0};     // LPS unit: along the joint, from the opening inwards
  double craniocaudal_extent_mm = 0.0;
  double volume_ml = 0.0;                  // joint-space volume
  std::int64_t voxels = 0;
};

// Per joint, per axial slice of the mask box: the dorsal end of the joint space.
struct OpeningPoint {
  std::int32_t z = 0;                      // slice index in the volume
  double point_mm[3] = {0, 0, 0};          // LPS
};

struct JointAnalysis {
  Grid grid;                                // the volume's grid
  Affine3 affine;
  // The masks cover a box of the volume: voxel (x, y, z) of the volume is mask element
  // mask_grid.index(x - box_min[0], y - box_min[1], z - box_min[2]); outside the box: 0.
  std::int32_t box_min[3] = {0, 0, 0};
  Grid mask_grid;
  std::vector<JointFinding> joints;         // 0, 1 or 2
  // Joint spaces found between two bones but dropped by the anatomy check, with the reason in
  // words ("no pelvis in view: ..."); their voxels are not in the masks.
  std::vector<std::string> rejected;
  std::vector<std::uint8_t> joint_label;    // per box voxel: 0 none, else 1 + index into joints
  std::vector<std::uint8_t> bone_mask;      // per box voxel: 1 sacrum, 2 ilium, 0 none
  std::vector<std::uint8_t> mid_surface;    // per box voxel: 1 on the joint's mid-surface
  // Signed distance (mm) to the joint space, voxel-centre based (EDT), per box voxel.
  std::vector<float> joint_sdf_mm;
  std::vector<std::vector<OpeningPoint>> openings;  // per joint
  std::vector<std::vector<std::array<float, 3>>> joint_points_mm;  // per joint, LPS voxel centres
  // Wall-clock time of each step of find_joints, in order (for the report and benchmarks).
  std::vector<std::pair<std::string, double>> step_ms;

  std::uint8_t joint_label_at(std::int32_t x, std::int32_t y, std::int32_t z) const;
  std::uint8_t bone_at(std::int32_t x, std::int32_t y, std::int32_t z) const;
};

struct TipRelation {
  bool joint_found = false;                // a joint of the needle's side, within reach
  // Why not, when joint_found is false: "" (no joint at all in this scan), "side_not_found"
  // (only the other side's joint was found: a needle is never corrected towards the other
  // side), "too_far" (the joint lies beyond TipRelationOptions::max_distance_mm).
  std::string not_found_reason;
  double distance_to_far_joint_mm = 0.0;   // with "too_far": how far it lies
  std::string joint_side;                  // the needle's side (or the nearer joint's)
  bool tip_in_joint = false;
  double tip_to_joint_mm = 0.0;            // signed distance to the joint space, negative inside
  double nearest_joint_point_mm[3] = {0, 0, 0};  // on the joint-space boundary; the tip when inside
  double depth_past_posterior_opening_mm = 0.0;  // along the joint from its dorsal opening; negative: not reached
  double correction_direction[3] = {0, 0, 0};    // unit, when outside: where to move the tip
  double correction_distance_mm = 0.0;
};

JointAnalysis find_joints(const Volume& volume, const JointOptions& options);

struct TipRelationOptions {
  std::string side;                        // the needle's side ("left"/"right"); "" : the nearer joint
  // A correction is given only when the joint lies within this distance of the tip: a needle on
  // its way is a few centimetres from its joint; farther, the relation is not to that joint.
  double max_distance_mm = 60.0;
};

TipRelation relate_tip_to_joint(const JointAnalysis& joints, const double tip_mm[3],
                                const TipRelationOptions& options = {});

// The joint-space voxel centre nearest to p (over all joints; the first of equals): found is
// false when there are no joint voxels.
struct NearestJointPoint {
  bool found = false;
  std::size_t joint = 0;
  double point_mm[3] = {0, 0, 0};
  double distance_mm = 0.0;
};
NearestJointPoint nearest_joint_point(const JointAnalysis& joints, const double p_mm[3]);
// The same, over the joint of one side only ("left"/"right"; found is false when it is absent).
NearestJointPoint nearest_joint_point_of_side(const JointAnalysis& joints, const double p_mm[3],
                                              const std::string& side);

}  // namespace sij::joint
