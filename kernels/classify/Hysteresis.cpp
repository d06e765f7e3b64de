#include "kernels/classify/Hysteresis.h"

#include "kernels/ccl/IndexLimits.h"
#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
void hysteresis_mask_cpu(const std::int16_t*, std::uint8_t*, const Grid&, HuRange, HuRange,
                         Connectivity);
void hysteresis_mask_cuda(const std::int16_t*, std::uint8_t*, const Grid&, HuRange, HuRange,
                          Connectivity);
decltype(hysteresis_mask_cpu) hysteresis_mask_emu;
}  // namespace detail

void hysteresis_mask(Backend backend, const std::int16_t* hu, std::uint8_t* out, const Grid& grid,
                     HuRange core, HuRange edge, Connectivity connectivity) {
  detail::require_int32_indexable(grid, "hysteresis_mask");
  SIJ_DISPATCH(backend, hysteresis_mask, hu, out, grid, core, edge, connectivity);
}

}  // namespace sij
