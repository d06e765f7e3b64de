#include "kernels/core/ExecCUDA.cuh"
#include "kernels/linefit/LineFitImpl.h"

namespace sij::detail {
LineFitResult fit_line_cuda(const float* points_mm, const float* weights, std::int64_t count,
                            const LineFitParams& params, std::uint8_t* inlier_mask) {
  return fit_line_impl(CudaExec{}, points_mm, weights, count, params, inlier_mask);
}
}  // namespace sij::detail
