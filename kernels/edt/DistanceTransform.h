// Exact Euclidean distance transforms on anisotropic grids (separable, Felzenszwalb /
// Meijster lower envelope of parabolas), in millimetres.
//
// Distances are between voxel centres, with the grid's spacing. Voxels outside the volume
// do not exist: they are neither foreground nor background.
#pragma once

#include <cstdint>

#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

// Squared distance (mm^2) from each voxel to the nearest voxel with mask != 0
// (0 on foreground; +infinity everywhere when the mask is empty).
void distance_to_foreground_sq(Backend backend, const std::uint8_t* mask, float* dist_sq_mm2,
                               const Grid& grid);

// Same, as distance (mm).
void distance_to_foreground(Backend backend, const std::uint8_t* mask, float* dist_mm,
                            const Grid& grid);

// Signed distance (mm): outside the mask, +distance to the nearest foreground voxel;
// inside, -distance to the nearest background voxel. So a foreground voxel touching the
// background is -(one spacing) and a background voxel touching the foreground +(one spacing);
// no voxel is 0. An empty mask gives +infinity, a full one -infinity.
void signed_distance(Backend backend, const std::uint8_t* mask, float* signed_dist_mm,
                     const Grid& grid);

}  // namespace sij
