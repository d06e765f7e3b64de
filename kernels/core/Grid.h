// Index-space geometry of a volume: dimensions and voxel spacing in millimetres.
//
// Voxels are stored x fastest, then y, then z (the DICOM column, row, slice order).
// Physical placement (origin, direction cosines) lives in the pipeline's Volume; kernels
// only need the grid and the spacing.
#pragma once

#include <cstdint>

#include "kernels/core/Macros.h"

namespace sij {

struct Grid {
  std::int32_t nx = 0, ny = 0, nz = 0;
  float sx_mm = 1.f, sy_mm = 1.f, sz_mm = 1.f;

  SIJ_HD std::int64_t voxel_count() const {
    return static_cast<std::int64_t>(nx) * ny * nz;
  }
  SIJ_HD std::int64_t index(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return (static_cast<std::int64_t>(z) * ny + y) * nx + x;
  }
  SIJ_HD bool contains(std::int64_t x, std::int64_t y, std::int64_t z) const {
    return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
  }
  // Splits a linear index into (x, y, z).
  SIJ_HD void coords(std::int64_t i, std::int32_t& x, std::int32_t& y, std::int32_t& z) const {
    x = static_cast<std::int32_t>(i % nx);
    const std::int64_t rest = i / nx;
    y = static_cast<std::int32_t>(rest % ny);
    z = static_cast<std::int32_t>(rest / ny);
  }
};

}  // namespace sij
