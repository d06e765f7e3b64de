#include "kernels/core/ExecEmu.h"
#include "kernels/classify/HysteresisImpl.h"

namespace sij::detail {
void hysteresis_mask_emu(const std::int16_t* hu, std::uint8_t* out, const Grid& grid, HuRange core,
                         HuRange edge, Connectivity connectivity) {
  hysteresis_mask_impl(EmuExec{}, hu, out, grid, core, edge, connectivity);
}
}  // namespace sij::detail
