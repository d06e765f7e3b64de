#include "kernels/core/ExecEmu.h"
#include "kernels/morphology/MorphologyImpl.h"

namespace sij::detail {
void ball_morphology_emu(const std::uint8_t* in, std::uint8_t* out, const Grid& grid,
                         float radius_mm, BallOp op) {
  ball_morphology_impl(EmuExec{}, in, out, grid, radius_mm, op);
}
}  // namespace sij::detail
