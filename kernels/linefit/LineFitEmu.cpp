#include "kernels/core/ExecEmu.h"
#include "kernels/linefit/LineFitImpl.h"

namespace sij::detail {
LineFitResult fit_line_emu(const float* points_mm, const float* weights, std::int64_t count,
                           const LineFitParams& params, std::uint8_t* inlier_mask) {
  return fit_line_impl(EmuExec{}, points_mm, weights, count, params, inlier_mask);
}
}  // namespace sij::detail
