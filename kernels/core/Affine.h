// Index <-> DICOM patient coordinates (LPS, mm) for kernels that work in physical space.
//
// physical = origin + D * diag(spacing) * index, where column c of D is the unit vector of
// index axis c (x = column, y = row, z = slice) in LPS. D is orthonormal, so the inverse is
// index = diag(1/spacing) * D^T * (physical - origin). Never assume D is the identity.
#pragma once

#include "kernels/core/Grid.h"
#include "kernels/core/Macros.h"

namespace sij {

struct Affine3 {
  double origin_mm[3] = {0.0, 0.0, 0.0};
  // Row-major 3x3: direction[r * 3 + c] is the LPS component r of index axis c.
  double direction[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

  // Continuous voxel index (voxel centres at integers) of physical point p.
  SIJ_HD void physical_to_index(const Grid& g, const double p[3], double index[3]) const {
    const double d[3] = {p[0] - origin_mm[0], p[1] - origin_mm[1], p[2] - origin_mm[2]};
    const double spacing[3] = {g.sx_mm, g.sy_mm, g.sz_mm};
    for (int c = 0; c < 3; ++c) {
      const double along = direction[0 * 3 + c] * d[0] + direction[1 * 3 + c] * d[1] +
                           direction[2 * 3 + c] * d[2];
      index[c] = along / spacing[c];
    }
  }

  SIJ_HD void index_to_physical(const Grid& g, const double index[3], double p[3]) const {
    const double scaled[3] = {index[0] * g.sx_mm, index[1] * g.sy_mm, index[2] * g.sz_mm};
    for (int r = 0; r < 3; ++r) {
      p[r] = origin_mm[r] + direction[r * 3 + 0] * scaled[0] + direction[r * 3 + 1] * scaled[1] +
             direction[r * 3 + 2] * scaled[2];
    }
  }
};

}  // namespace sij
