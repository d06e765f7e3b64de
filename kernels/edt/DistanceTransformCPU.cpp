#include "kernels/core/ExecCPU.h"
#include "kernels/edt/DistanceTransformImpl.h"

namespace sij::detail {
void distance_to_foreground_sq_cpu(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_sq_impl(CpuExec{}, mask, out, grid);
}
void distance_to_foreground_cpu(const std::uint8_t* mask, float* out, const Grid& grid) {
  distance_to_foreground_impl(CpuExec{}, mask, out, grid);
}
void signed_distance_cpu(const std::uint8_t* mask, float* out, const Grid& grid) {
  signed_distance_impl(CpuExec{}, mask, out, grid);
}
}  // namespace sij::detail
