#include "pipeline/align/BlockPyramid.h"

#include <algorithm>
#include <cmath>

namespace sij::align {
namespace {

// Placement of a block grid whose block (0,0,0) is centred on the mean of the first
// factor[a] voxels along each axis of `affine`.
Affine3 block_affine(const Grid& fine, const Affine3& affine, const int factor[3]) {
  Affine3 out = affine;
  const double first_centre[3] = {(factor[0] - 1) * 0.5, (factor[1] - 1) * 0.5, (factor[2] - 1) * 0.5};
  affine.index_to_physical(fine, first_centre, out.origin_mm);
  return out;
}

}  // namespace

bool BlockVolume::sample_index(const double idx[3], float& value) const {
  const std::int32_t n[3] = {grid.nx, grid.ny, grid.nz};
  std::int32_t i0[3];
  double f[3];
  for (int a = 0; a < 3; ++a) {
    if (!(idx[a] >= 0.0) || idx[a] > n[a] - 1) return false;
    i0[a] = std::min(static_cast<std::int32_t>(idx[a]), std::max(0, n[a] - 2));
    f[a] = n[a] == 1 ? 0.0 : idx[a] - i0[a];
  }
  const std::int32_t dx = n[0] > 1 ? 1 : 0, dy = n[1] > 1 ? 1 : 0, dz = n[2] > 1 ? 1 : 0;
  const auto v = [&](int ox, int oy, int oz) {
    return static_cast<double>(at(i0[0] + ox * dx, i0[1] + oy * dy, i0[2] + oz * dz));
  };
  const double c00 = v(0, 0, 0) * (1 - f[0]) + v(1, 0, 0) * f[0];
  const double c10 = v(0, 1, 0) * (1 - f[0]) + v(1, 1, 0) * f[0];
  const double c01 = v(0, 0, 1) * (1 - f[0]) + v(1, 0, 1) * f[0];
  const double c11 = v(0, 1, 1) * (1 - f[0]) + v(1, 1, 1) * f[0];
  const double c0 = c00 * (1 - f[1]) + c10 * f[1];
  const double c1 = c01 * (1 - f[1]) + c11 * f[1];
  value = static_cast<float>(c0 * (1 - f[2]) + c1 * f[2]);
  return true;
}

bool BlockVolume::sample_with_gradient(const double p[3], float& value, double gradient_lps[3]) const {
  double idx[3];
  affine.physical_to_index(grid, p, idx);
  if (!sample_index(idx, value)) return false;
  // Central differences half a block either way, per mm along each index axis, then rotated
  // into LPS by the direction cosines.
  const double spacing[3] = {grid.sx_mm, grid.sy_mm, grid.sz_mm};
  const std::int32_t n[3] = {grid.nx, grid.ny, grid.nz};
  double along_axis[3] = {0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    if (n[a] == 1) continue;
    double lo[3] = {idx[0], idx[1], idx[2]}, hi[3] = {idx[0], idx[1], idx[2]};
    lo[a] = std::max(0.0, idx[a] - 0.5);
    hi[a] = std::min(static_cast<double>(n[a] - 1), idx[a] + 0.5);
    float vlo = 0.f, vhi = 0.f;
    if (hi[a] <= lo[a] || !sample_index(lo, vlo) || !sample_index(hi, vhi)) continue;
    along_axis[a] = (vhi - vlo) / ((hi[a] - lo[a]) * spacing[a]);
  }
  for (int r = 0; r < 3; ++r) {
    gradient_lps[r] = affine.direction[r * 3] * along_axis[0] + affine.direction[r * 3 + 1] * along_axis[1] +
                      affine.direction[r * 3 + 2] * along_axis[2];
  }
  return true;
}

BlockVolume block_average(const Volume& volume, float low_hu, float high_hu, double target_spacing_mm) {
  const Grid& g = volume.grid;
  const double spacing[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
  const std::int32_t n[3] = {g.nx, g.ny, g.nz};
  int factor[3];
  BlockVolume out;
  std::int32_t m[3];
  for (int a = 0; a < 3; ++a) {
    factor[a] = std::clamp(static_cast<int>(std::lround(target_spacing_mm / spacing[a])), 1, std::max(1, n[a]));
    m[a] = std::max(1, n[a] / factor[a]);
  }
  out.grid.nx = m[0];
  out.grid.ny = m[1];
  out.grid.nz = m[2];
  out.grid.sx_mm = static_cast<float>(spacing[0] * factor[0]);
  out.grid.sy_mm = static_cast<float>(spacing[1] * factor[1]);
  out.grid.sz_mm = static_cast<float>(spacing[2] * factor[2]);
  out.affine = block_affine(g, volume.affine, factor);
  out.values.assign(static_cast<std::size_t>(out.grid.voxel_count()), 0.f);
  const float scale = 1.f / static_cast<float>(factor[0] * factor[1] * factor[2]);
  // One block slab (fixed block z) per task; rows are read contiguously.
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int32_t bz = 0; bz < m[2]; ++bz) {
    std::vector<float> row(static_cast<std::size_t>(m[0]));
    for (std::int32_t by = 0; by < m[1]; ++by) {
      std::fill(row.begin(), row.end(), 0.f);
      for (int dz = 0; dz < factor[2]; ++dz) {
        for (int dy = 0; dy < factor[1]; ++dy) {
          const std::int16_t* src = &volume.hu[static_cast<std::size_t>(
              g.index(0, by * factor[1] + dy, bz * factor[2] + dz))];
          for (std::int32_t bx = 0; bx < m[0]; ++bx) {
            float sum = 0.f;
            for (int dx = 0; dx < factor[0]; ++dx) {
              sum += std::clamp(static_cast<float>(src[bx * factor[0] + dx]), low_hu, high_hu);
            }
            row[static_cast<std::size_t>(bx)] += sum;
          }
        }
      }
      float* dst = &out.values[static_cast<std::size_t>(out.grid.index(0, by, bz))];
      for (std::int32_t bx = 0; bx < m[0]; ++bx) dst[bx] = row[static_cast<std::size_t>(bx)] * scale;
    }
  }
  return out;
}

BlockVolume halve(const BlockVolume& fine) {
  const std::int32_t n[3] = {fine.grid.nx, fine.grid.ny, fine.grid.nz};
  int factor[3];
  std::int32_t m[3];
  for (int a = 0; a < 3; ++a) {
    factor[a] = n[a] >= 4 ? 2 : 1;
    m[a] = n[a] / factor[a];
  }
  BlockVolume out;
  out.grid.nx = m[0];
  out.grid.ny = m[1];
  out.grid.nz = m[2];
  out.grid.sx_mm = fine.grid.sx_mm * factor[0];
  out.grid.sy_mm = fine.grid.sy_mm * factor[1];
  out.grid.sz_mm = fine.grid.sz_mm * factor[2];
  out.affine = block_affine(fine.grid, fine.affine, factor);
  out.values.assign(static_cast<std::size_t>(out.grid.voxel_count()), 0.f);
  const float scale = 1.f / static_cast<float>(factor[0] * factor[1] * factor[2]);
#pragma omp parallel for schedule(static)
  for (std::int32_t bz = 0; bz < m[2]; ++bz) {
    for (std::int32_t by = 0; by < m[1]; ++by) {
      for (std::int32_t bx = 0; bx < m[0]; ++bx) {
        float sum = 0.f;
        for (int dz = 0; dz < factor[2]; ++dz)
          for (int dy = 0; dy < factor[1]; ++dy)
            for (int dx = 0; dx < factor[0]; ++dx)
              sum += fine.at(bx * factor[0] + dx, by * factor[1] + dy, bz * factor[2] + dz);
        out.values[static_cast<std::size_t>(out.grid.index(bx, by, bz))] = sum * scale;
      }
    }
  }
  return out;
}

}  // namespace sij::align
