// The one body of threshold classification, instantiated by ClassifyCPU.cpp and ClassifyCUDA.cu.
#pragma once

#include <cstdint>

#include "kernels/classify/Classify.h"
#include "kernels/core/Macros.h"

namespace sij::detail {

struct ThresholdBody {
  const std::int16_t* hu;
  std::uint8_t* mask;
  HuRange range;
  SIJ_HD void operator()(std::int64_t i) const {
    const std::int16_t v = hu[i];
    mask[i] = (v >= range.low_hu && v <= range.high_hu) ? 1 : 0;
  }
};

template <class Exec>
void threshold_mask_impl(const Exec& exec, const std::int16_t* hu, std::uint8_t* mask,
                         std::int64_t voxel_count, HuRange range) {
  exec.parallel_for(voxel_count, ThresholdBody{hu, mask, range});
  exec.synchronize();
}

}  // namespace sij::detail
