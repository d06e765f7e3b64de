#include "kernels/core/ExecEmu.h"
#include "kernels/morphology/HoleFillingImpl.h"

namespace sij::detail {
void fill_holes_emu(const std::uint8_t* in, std::uint8_t* out, const Grid& grid, bool per_slice) {
  fill_holes_impl(EmuExec{}, in, out, grid, per_slice);
}
}  // namespace sij::detail
