#include "kernels/core/ExecEmu.h"
#include "kernels/ccl/ConnectedComponentsImpl.h"

namespace sij::detail {
std::int32_t label_components_emu(const std::uint8_t* mask, std::int32_t* labels, const Grid& grid,
                                  Connectivity connectivity) {
  return label_components_impl(EmuExec{}, mask, labels, grid, connectivity);
}
}  // namespace sij::detail
