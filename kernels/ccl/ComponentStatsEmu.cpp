#include "kernels/core/ExecEmu.h"
#include "kernels/ccl/ComponentStatsImpl.h"

namespace sij::detail {
std::vector<ComponentMoments> component_moments_emu(const std::int32_t* labels,
                                                    const std::int16_t* intensity, const Grid& grid,
                                                    std::int32_t component_count) {
  return component_moments_impl(EmuExec{}, labels, intensity, grid, component_count);
}
}  // namespace sij::detail
