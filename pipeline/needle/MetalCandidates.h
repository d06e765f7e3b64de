// Metal candidates: voxels at or above the metal threshold, grouped into 26-connected
// components; components that are fence rods (long, thin, along the z axis) are dropped, the
// rest become points (voxel centres in LPS mm) with weights (HU above the threshold) for the
// line fit.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/needle/NeedleFinder.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::needle {

struct MetalComponent {
  std::int64_t voxel_count = 0;
  double length_mm = 0.0;       // sqrt(12 * largest covariance eigenvalue): a rod's length
  double thickness_mm = 0.0;    // sqrt(12 * second eigenvalue)
  double axis_lps[3] = {0, 0, 0};
  double angle_to_z_deg = 90.0;
  bool rod = false;             // rejected as a fence rod
  double volume_ml = 0.0;
  double cross_section_mm2 = 0.0;  // volume over length: a needle's is about 1 mm^2
  bool hardware = false;        // too thick or too much metal for a needle (NeedleOptions)
  double centroid_mm[3] = {0, 0, 0};  // LPS
  double box_min_mm[3] = {0, 0, 0}, box_max_mm[3] = {0, 0, 0};  // LPS, voxel centres
};

struct MetalCandidates {
  std::vector<float> points_mm;  // x,y,z triples, LPS
  std::vector<float> weights;    // HU - threshold + 1
  std::vector<MetalComponent> components;  // every component, kept or not
  int rods_rejected = 0;
  int hardware_rejected = 0;
  bool any_clipped = false;      // >= 10% of the candidates sit exactly at max_hu: the scanner clipped the steel
  std::int16_t max_hu = 0;       // largest HU among the candidates
};

MetalCandidates extract_metal_candidates(const VolumeOnBackend& volume, const NeedleOptions& options);

// True when a unit LPS direction is within `max_angle_deg` of the z axis.
bool parallel_to_z(const double direction[3], double max_angle_deg);

}  // namespace sij::needle
