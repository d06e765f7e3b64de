#include "kernels/core/ExecCPU.h"
#include "kernels/classify/HysteresisImpl.h"

namespace sij::detail {
void hysteresis_mask_cpu(const std::int16_t* hu, std::uint8_t* out, const Grid& grid, HuRange core,
                         HuRange edge, Connectivity connectivity) {
  hysteresis_mask_impl(CpuExec{}, hu, out, grid, core, edge, connectivity);
}
}  // namespace sij::detail
