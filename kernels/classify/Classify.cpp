#include "kernels/classify/Classify.h"

#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
void threshold_mask_cpu(const std::int16_t*, std::uint8_t*, std::int64_t, HuRange);
void threshold_mask_cuda(const std::int16_t*, std::uint8_t*, std::int64_t, HuRange);
decltype(threshold_mask_cpu) threshold_mask_emu;
}  // namespace detail

void threshold_mask(Backend backend, const std::int16_t* hu, std::uint8_t* mask,
                    std::int64_t voxel_count, HuRange range) {
  SIJ_DISPATCH(backend, threshold_mask, hu, mask, voxel_count, range);
}

}  // namespace sij
