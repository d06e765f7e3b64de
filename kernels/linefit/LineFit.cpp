#include "kernels/linefit/LineFit.h"

#include "kernels/core/Dispatch.h"

namespace sij {
namespace detail {
LineFitResult fit_line_cpu(const float*, const float*, std::int64_t, const LineFitParams&,
                           std::uint8_t*);
LineFitResult fit_line_cuda(const float*, const float*, std::int64_t, const LineFitParams&,
                            std::uint8_t*);
decltype(fit_line_cpu) fit_line_emu;
}  // namespace detail

LineFitResult fit_line(Backend backend, const float* points_mm, const float* weights,
                       std::int64_t count, const LineFitParams& params,
                       std::uint8_t* inlier_mask) {
  SIJ_DISPATCH(backend, fit_line, points_mm, weights, count, params, inlier_mask);
}

}  // namespace sij
