// Exact integer moments of each labelled component, accumulated on the backend and turned
// into ComponentStats (centroid and covariance in mm) on the host.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/ccl/ConnectedComponents.h"

namespace sij::detail {

struct ComponentMoments {
  std::int64_t voxel_count;
  std::int64_t min_index[3];
  std::int64_t max_index[3];
  std::int64_t intensity_sum;
  std::int64_t sum[3];      // sum of x, y, z
  std::int64_t sum_sq[6];   // sum of xx, xy, xz, yy, yz, zz
};

// Population statistics from the moments; exact integer numerators, one rounding at the end.
ComponentStats stats_from_moments(const ComponentMoments& m, const Grid& grid);

}  // namespace sij::detail
