// 3D connected-component labelling by union-find with atomics (one source for both
// backends), label compaction, and per-component statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

enum class Connectivity {
  Face6,       // 3D, voxels sharing a face
  Full26,      // 3D, voxels sharing a face, an edge or a corner
  SliceFace4,  // each axial slice (fixed z) alone, 4-connected
  SliceFull8,  // each axial slice alone, 8-connected
};

// labels[i] = 0 where mask[i] == 0, else 1..K. Components are numbered in raster order
// (x fastest, then y, then z) of their first voxel, so the result is deterministic and the
// same on every backend. Returns K. `mask` and `labels` live on `backend`.
std::int32_t label_components(Backend backend, const std::uint8_t* mask, std::int32_t* labels,
                              const Grid& grid, Connectivity connectivity);

struct ComponentStats {
  std::int64_t voxel_count = 0;
  std::int32_t min_index[3] = {0, 0, 0};  // inclusive bounding box, voxel indices
  std::int32_t max_index[3] = {0, 0, 0};
  std::int64_t intensity_sum = 0;         // sum of the intensity volume (0 when none given)
  // Centroid and covariance of voxel centres in mm, in index axes scaled by the spacing
  // (origin at voxel (0,0,0); map to LPS with the volume's Affine3).
  double centroid_mm[3] = {0.0, 0.0, 0.0};
  double covariance_mm2[6] = {0, 0, 0, 0, 0, 0};  // xx, xy, xz, yy, yz, zz (population)
};

// Statistics of components 1..K (element k-1 for label k). `intensity` may be null.
// Accumulated in exact integer arithmetic, so results do not depend on thread order.
std::vector<ComponentStats> component_stats(Backend backend, const std::int32_t* labels,
                                            const std::int16_t* intensity, const Grid& grid,
                                            std::int32_t component_count);

}  // namespace sij
