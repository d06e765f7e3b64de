// Joint stage: the left and right sacroiliac joint spaces, and where a tip lies relative to
// them.
//
// Bone mask -> sacrum separated from each ilium -> exact (anisotropic) distance maps to each
// bone -> joint space = non-bone voxels close to both bones across a narrow gap -> mid-surface
// where the two distances are equal -> posterior opening (the joint's dorsal end).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/Backend.h"
#include "pipeline/Volume.h"

namespace sij::joint {

struct JointOptions {
  std::int16_t bone_threshold_hu = 250;  // cortical shell and most cancellous bone
  double max_gap_mm = 5.0;               // wider separations are not a joint space
  Backend backend = Backend::Cpu;
};

struct JointFinding {
  std::string side;                        // "left" or "right" (patient side)
  double gap_width_mm = 0.0;               // median width across the joint space
  double posterior_opening_mm[3] = {0, 0, 0};  // LPS, centre of the dorsal opening
  double centroid_mm[3] = {0, 0, 0};       // LPS
  double craniocaudal_extent_mm = 0.0;
  double volume_ml = 0.0;                  // joint-space volume
  std::int64_t voxels = 0;
};

struct JointAnalysis {
  Grid grid;
  Affine3 affine;
  std::vector<JointFinding> joints;         // 0, 1 or 2
  std::vector<std::uint8_t> joint_label;    // per voxel: 0 none, else 1 + index into joints
  std::vector<std::uint8_t> bone_mask;      // per voxel: 1 sacrum, 2 ilium, 0 none
};

struct TipRelation {
  bool joint_found = false;
  std::string joint_side;                  // the nearer joint
  bool tip_in_joint = false;
  double tip_to_joint_mm = 0.0;            // signed distance to the joint space, negative inside
  double nearest_joint_point_mm[3] = {0, 0, 0};
  double depth_past_posterior_opening_mm = 0.0;  // along the joint from its dorsal opening; negative: not reached
  double correction_direction[3] = {0, 0, 0};    // unit, when outside: where to move the tip
  double correction_distance_mm = 0.0;
};

JointAnalysis find_joints(const Volume& volume, const JointOptions& options);

TipRelation relate_tip_to_joint(const JointAnalysis& joints, const double tip_mm[3]);

}  // namespace sij::joint
