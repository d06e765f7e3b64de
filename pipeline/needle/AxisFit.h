// The needle axis: RANSAC on the metal candidates (fit_line, LPS mm, weights = HU above the
// metal threshold), then intensity-weighted PCA of the voxels in a thin cylinder around it.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/needle/NeedleFinder.h"
#include "pipeline/needle/Vec.h"
#include "pipeline/needle/VolumeOnBackend.h"

namespace sij::needle {

struct RansacLine {
  bool found = false;
  Axis axis;                         // through the weighted centroid of the inliers
  std::vector<std::int64_t> inliers; // indices into the candidate arrays
  double extent_min_mm = 0, extent_max_mm = 0;  // main cluster of inliers along the axis
  double rms_mm = 0;
};

// RANSAC over the candidates whose `active` flag is set.
RansacLine ransac_line(const std::vector<float>& points_mm, const std::vector<float>& weights,
                       const std::vector<char>& active, const NeedleOptions& options,
                       Backend backend);

struct CylinderFit {
  Axis axis;
  double rms_mm = 0;       // intensity-weighted RMS distance to the axis
  std::int64_t voxels = 0;
};

// Weighted PCA of the voxels within options.cylinder_radius_mm of `axis` and with along-axis
// coordinate in [t_from, t_to], weights max(0, HU - options.refine_floor_hu). Three passes,
// re-centring the cylinder each time. Returns the input axis when too few voxels remain.
CylinderFit refine_in_cylinder(const VolumeOnBackend& volume, const Axis& axis, double t_from,
                               double t_to, const NeedleOptions& options);

}  // namespace sij::needle
