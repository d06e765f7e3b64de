// Trilinear sampling of an int16 volume at physical (LPS, mm) points, and intensity profiles
// along a ray.
//
// A point is inside when its continuous index lies in [0, n-1] on every axis (voxel centres
// span the volume); inside points interpolate the 8 surrounding voxels (clamped on the last
// index), outside points get `outside_value`. An axis of size 1 accepts only index 0.
//
// "Lies in [0, n-1]" allows a slack of detail::kBoundarySlackVoxels (1e-3 voxel), because
// float millimetre points cannot land exactly on the boundary centres of a rotated grid;
// inside the slack the index is clamped onto the boundary. Arithmetic is in double.
#pragma once

#include <cstdint>

#include "kernels/core/Affine.h"
#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

// points_mm: n points as x,y,z triples (LPS mm), on `backend`; values: n floats on `backend`.
void sample_trilinear(Backend backend, const std::int16_t* volume, const Grid& grid,
                      const Affine3& affine, const float* points_mm, std::int64_t count,
                      float* values, float outside_value);

// values[k] = sample at start_mm + k * step_mm * direction (direction is normalised here),
// k in [0, count). start/direction are host values; values lives on `backend`.
void ray_profile(Backend backend, const std::int16_t* volume, const Grid& grid,
                 const Affine3& affine, const double start_mm[3], const double direction[3],
                 double step_mm, std::int32_t count, float* values, float outside_value);

}  // namespace sij
