// The labelling kernels store voxel indices in int32 (labels double as union-find parents),
// which bounds the volumes they accept; a clinical 512x512x1000 CT is well inside.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/core/Grid.h"

namespace sij::detail {

inline void require_int32_indexable(const Grid& grid, const char* kernel) {
  if (grid.nx < 0 || grid.ny < 0 || grid.nz < 0 ||
      grid.voxel_count() > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument(std::string(kernel) +
                                ": volume must have fewer than 2^31 voxels (int32 indices)");
  }
}

}  // namespace sij::detail
