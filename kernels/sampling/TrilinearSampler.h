// The per-point trilinear sampler shared by sample_trilinear and ray_profile (one body for the
// CPU and CUDA backends).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/Affine.h"
#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

// How far (in voxels) a continuous index may stray past the first or last voxel centre and
// still count as inside. Points arrive as float LPS millimetres, so a point meant to sit
// exactly on a boundary centre comes back a few 1e-5 voxels off; without this slack the
// edge centres of a rotated volume (and the single voxel of a 1-voxel axis) would read as
// outside. 1e-3 voxel is under a micrometre on any clinical grid.
inline constexpr double kBoundarySlackVoxels = 1e-3;

struct TrilinearSampler {
  const std::int16_t* volume;
  Grid grid;
  Affine3 affine;
  float outside_value;

  SIJ_HD float operator()(const double point_mm[3]) const {
    double index[3];
    affine.physical_to_index(grid, point_mm, index);
    const std::int32_t size[3] = {grid.nx, grid.ny, grid.nz};
    std::int32_t lo[3], hi[3];
    double frac[3];
    for (int axis = 0; axis < 3; ++axis) {
      const double x = index[axis];
      const double last = static_cast<double>(size[axis] - 1);
      // Written so that NaN fails the test and reads as outside.
      if (!(x >= -kBoundarySlackVoxels && x <= last + kBoundarySlackVoxels)) return outside_value;
      double base = std::floor(x);
      base = base < 0.0 ? 0.0 : (base > last ? last : base);
      double t = x - base;
      t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
      lo[axis] = static_cast<std::int32_t>(base);
      // Clamped on the last index: there the upper neighbour is the voxel itself.
      hi[axis] = lo[axis] + 1 < size[axis] ? lo[axis] + 1 : lo[axis];
      frac[axis] = t;
    }
    const auto at = [&](std::int32_t x, std::int32_t y, std::int32_t z) {
      return static_cast<double>(volume[grid.index(x, y, z)]);
    };
    const auto lerp = [](double a, double b, double t) { return (1.0 - t) * a + t * b; };
    const double c00 = lerp(at(lo[0], lo[1], lo[2]), at(hi[0], lo[1], lo[2]), frac[0]);
    const double c10 = lerp(at(lo[0], hi[1], lo[2]), at(hi[0], hi[1], lo[2]), frac[0]);
    const double c01 = lerp(at(lo[0], lo[1], hi[2]), at(hi[0], lo[1], hi[2]), frac[0]);
    const double c11 = lerp(at(lo[0], hi[1], hi[2]), at(hi[0], hi[1], hi[2]), frac[0]);
    const double c0 = lerp(c00, c10, frac[1]);
    const double c1 = lerp(c01, c11, frac[1]);
    return static_cast<float>(lerp(c0, c1, frac[2]));
  }
};

}  // namespace sij::detail
