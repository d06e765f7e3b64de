// The joint's posterior end in the slices where the steel passes it.
//
// The facing test that ends the joint space where the walls part (JointFinder, step 5) needs
// both walls. Where the needle runs by the posterior opening its blooming was cut out of the
// bone, and near that hole the test falls back to a loose bound; there the joint space runs
// on past the opening by about half a gap width. The opening moves smoothly from slice to
// slice (it follows the joint's slant), so in those slices it is taken from the nearest clean
// slices above and below, and what lies behind it is dropped.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kernels/core/Grid.h"

namespace sij::joint {

// In-plane principal axis (LPS x, y) of points, its sign chosen to point anterior (-y).
std::array<double, 3> in_plane_axis(const std::vector<std::array<float, 3>>& points_mm);

struct SteelSliceTrim {
  // A slice is "by the steel" when one of its voxels within end_band_mm of its posterior end
  // lies in the steel's reach.
  double end_band_mm = 3.0;
  double tolerance_mm = 0.0;  // kept: u >= interpolated end - tolerance (half a voxel, say)
};

// voxels: box indices of one joint; points_mm: their LPS centres (same order); steel_reach:
// per box voxel. Returns the positions (into voxels) that are kept.
std::vector<std::size_t> trim_steel_slices(const std::vector<std::int64_t>& voxels,
                                           const std::vector<std::array<float, 3>>& points_mm,
                                           const Grid& box_grid, const std::vector<std::uint8_t>& steel_reach,
                                           const SteelSliceTrim& options);

}  // namespace sij::joint
