// Voxel classification by intensity thresholds.
#pragma once

#include <cstdint>

#include "kernels/core/Backend.h"
#include "kernels/core/Grid.h"

namespace sij {

// An inclusive HU interval [low_hu, high_hu].
struct HuRange {
  std::int16_t low_hu = -32768;
  std::int16_t high_hu = 32767;
};

// mask[i] = 1 when hu[i] lies in `range`, else 0. Pointers live on `backend`.
void threshold_mask(Backend backend, const std::int16_t* hu, std::uint8_t* mask,
                    std::int64_t voxel_count, HuRange range);

}  // namespace sij
