#include "kernels/core/ExecCPU.h"
#include "kernels/linefit/LineFitImpl.h"

namespace sij::detail {
LineFitResult fit_line_cpu(const float* points_mm, const float* weights, std::int64_t count,
                           const LineFitParams& params, std::uint8_t* inlier_mask) {
  return fit_line_impl(CpuExec{}, points_mm, weights, count, params, inlier_mask);
}
}  // namespace sij::detail
