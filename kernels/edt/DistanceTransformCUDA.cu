#include "kernels/core/ExecCUDA.cuh"
#include "kernels/edt/DistanceTransformImpl.h"

namespace sij::detail {
void distance_to_foreground_sq_cuda(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_sq_impl(CudaExec{}, mask, out, grid);
}
void distance_to_foreground_cuda(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_impl(CudaExec{}, mask, out, grid);
}
void signed_distance_cuda(const std::uint8_t* mask, float* out, const Grid& grid) {
  signed_distance_impl(CudaExec{}, mask, out, grid);
}
}  // namespace sij::detail
