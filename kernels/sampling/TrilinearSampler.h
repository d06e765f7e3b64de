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
  float outside_value;
  // physical -> continuous index as one affine map (index = inverse * (p - origin)), so a
  // sample costs nine multiply-adds instead of a matrix product and three divisions.
  double origin_mm[3];
  double inverse[9];

  TrilinearSampler(const std::int16_t* volume_in, const Grid& grid_in, const Affine3& affine,
                   float outside)
      : volume(volume_in), grid(grid_in), outside_value(outside) {
    const double spacing[3] = {grid.sx_mm, grid.sy_mm, grid.sz_mm};
    for (int c = 0; c < 3; ++c) {
      origin_mm[c] = affine.origin_mm[c];
      // Row c of diag(1/spacing) * D^T: column c of D divided by spacing c.
      for (int r = 0; r < 3; ++r) inverse[c * 3 + r] = affine.direction[r * 3 + c] / spacing[c];
    }
  }

  // Hints the cache about the lower corner of a point sampled soon. Random points over a
  // clinical volume miss every cache level; on the CPU, asking for the next points' voxels
  // early overlaps those misses. GPUs hide latency by occupancy instead: a no-op there.
  SIJ_HD void prefetch(const float point_mm[3]) const {
#if !defined(__CUDA_ARCH__)
    const double d[3] = {point_mm[0] - origin_mm[0], point_mm[1] - origin_mm[1],
                         point_mm[2] - origin_mm[2]};
    std::int64_t offset = 0;
    const std::int64_t stride[3] = {1, grid.nx, static_cast<std::int64_t>(grid.nx) * grid.ny};
    const std::int32_t size[3] = {grid.nx, grid.ny, grid.nz};
    for (int axis = 0; axis < 3; ++axis) {
      const double x = inverse[axis * 3] * d[0] + inverse[axis * 3 + 1] * d[1] +
                       inverse[axis * 3 + 2] * d[2];
      if (!(x >= 0.0 && x < size[axis] - 1)) return;
      offset += static_cast<std::int64_t>(x) * stride[axis];
    }
    __builtin_prefetch(volume + offset);
    __builtin_prefetch(volume + offset + stride[1]);
    __builtin_prefetch(volume + offset + stride[2]);
    __builtin_prefetch(volume + offset + stride[2] + stride[1]);
#else
    (void)point_mm;
#endif
  }

  SIJ_HD float operator()(const double point_mm[3]) const {
    const double d[3] = {point_mm[0] - origin_mm[0], point_mm[1] - origin_mm[1],
                         point_mm[2] - origin_mm[2]};
    const std::int32_t size[3] = {grid.nx, grid.ny, grid.nz};
    std::int32_t lo[3], step[3];
    double frac[3];
    for (int axis = 0; axis < 3; ++axis) {
      const double x = inverse[axis * 3] * d[0] + inverse[axis * 3 + 1] * d[1] +
                       inverse[axis * 3 + 2] * d[2];
      const double last = static_cast<double>(size[axis] - 1);
      // Written so that NaN fails the test and reads as outside.
      if (!(x >= -kBoundarySlackVoxels && x <= last + kBoundarySlackVoxels)) return outside_value;
      // floor by truncation: x > -1 here, and std::floor is a library call on baseline x86-64.
      double base = static_cast<double>(static_cast<std::int32_t>(x));
      if (base > x) base -= 1.0;
      base = base < 0.0 ? 0.0 : (base > last ? last : base);
      double t = x - base;
      t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
      lo[axis] = static_cast<std::int32_t>(base);
      // Clamped on the last index: there the upper neighbour is the voxel itself.
      step[axis] = lo[axis] + 1 < size[axis] ? 1 : 0;
      frac[axis] = t;
    }
    // The 8 neighbours as offsets from the lower corner (strides precomputed once).
    const std::int64_t row = grid.nx, slice = static_cast<std::int64_t>(grid.nx) * grid.ny;
    const std::int16_t* p000 = volume + grid.index(lo[0], lo[1], lo[2]);
    const std::int64_t dx = step[0], dy = step[1] * row, dz = step[2] * slice;
    const auto lerp = [](double a, double b, double t) { return a + t * (b - a); };
    const double c00 = lerp(p000[0], p000[dx], frac[0]);
    const double c10 = lerp(p000[dy], p000[dy + dx], frac[0]);
    const double c01 = lerp(p000[dz], p000[dz + dx], frac[0]);
    const double c11 = lerp(p000[dz + dy], p000[dz + dy + dx], frac[0]);
    const double c0 = lerp(c00, c10, frac[1]);
    const double c1 = lerp(c01, c11, frac[1]);
    return static_cast<float>(lerp(c0, c1, frac[2]));
  }
};

}  // namespace sij::detail
